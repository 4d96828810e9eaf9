"""Saved filters of the complaint list: a user keeps the list's current
filter under a name, for themselves or shared with everyone who sees the
list, and deletes their own.

Only the list's own query parameters are kept (the filters, the sort and the
page size; never the page), each checked as the list checks it, in one
canonical order, so a saved filter always opens the list it was saved from."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from messages_app.filters import ComplaintFilter
from messages_app.models import Complaint, SavedFilter
from messages_app.tables import MAX_PER_PAGE, ComplaintTable

NAME_MAX = SavedFilter._meta.get_field("name").max_length
QUERY_MAX = SavedFilter._meta.get_field("query").max_length
TABLE_KEYS = ("sort", "per_page")


def _sorts() -> set[str]:
    columns = ComplaintTable.base_columns.items()
    names = [name for name, column in columns if column.orderable is not False]
    return {prefix + name for name in names for prefix in ("", "-")}


def saved_filter_query(query: str) -> str:
    """The list's parameters in `query` (a query string), checked and in the
    filter's own order; anything else is dropped. ValidationError({"query"})
    when a filter holds a value the list would refuse."""
    data = QueryDict(query or "", mutable=True)
    filterset = ComplaintFilter(data, queryset=Complaint.objects.none())
    form = filterset.form
    if not form.is_valid():
        raise ValidationError(
            {"query": [_("This filter is not valid: correct it on the list, then save it.")]}
        )
    kept = QueryDict(mutable=True)
    for name in form.fields:
        values = [value.strip() for value in data.getlist(name) if value.strip()]
        if values:
            kept.setlist(name, list(dict.fromkeys(values)))
    sorts = _sorts()
    order = [alias for alias in ",".join(data.getlist("sort")).split(",") if alias in sorts]
    if order:
        kept["sort"] = ",".join(dict.fromkeys(order))
    per_page = data.get("per_page", "")
    if per_page.isascii() and per_page.isdigit() and 1 <= int(per_page) <= MAX_PER_PAGE:
        kept["per_page"] = str(int(per_page))
    return kept.urlencode()


@transaction.atomic
def saved_filter_create(*, owner, name: str, query: str, shared: bool = False) -> SavedFilter:
    """Keep `query` (the list's query string) as `owner`'s filter `name`,
    private or `shared`. ValidationError names the field at fault: an empty
    or taken name, a filter the list would refuse, nothing to save."""
    name = " ".join((name or "").split())
    errors = {}
    if not name:
        errors["name"] = [_("Give the filter a name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("Keep the name under %(max)s characters.") % {"max": NAME_MAX}]
    elif SavedFilter.objects.filter(owner=owner, name__iexact=name).exists():
        errors["name"] = [_("You already have a filter named “%(name)s”.") % {"name": name}]
    try:
        canonical = saved_filter_query(query)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    else:
        if not canonical:
            errors["query"] = [_("Choose at least one filter on the list first.")]
        elif len(canonical) > QUERY_MAX:
            errors["query"] = [_("This filter is too long to keep.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return SavedFilter.objects.create(
                owner=owner, name=name, query=canonical, shared=bool(shared)
            )
    except IntegrityError:  # the same name saved at the same moment
        raise ValidationError(
            {"name": [_("You already have a filter named “%(name)s”.") % {"name": name}]}
        ) from None


def saved_filter_delete(*, saved_filter: SavedFilter, by) -> None:
    """Delete a filter: its owner only (a shared filter too)."""
    if saved_filter.owner_id != by.pk:
        raise PermissionDenied(_("Only its owner deletes a filter."))
    saved_filter.delete()
