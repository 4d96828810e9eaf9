"""Reads of the directory: the one search box, the in/out board, the phone list."""

from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Case, F, IntegerField, Prefetch, Q, Value, When
from django.db.models.functions import Collate
from django.urls import reverse
from django.utils import timezone

from directory.importing.departments import tree_order
from directory.models import (
    Department,
    Disclosure,
    Extension,
    ExtensionKind,
    InfoEntry,
    Presence,
    Staff,
)
from directory.text import fold

# Ranks, best first: an exact extension number, then a name that starts with the
# query, then a word of the name that does, then anything else that matched.
RANK_EXACT_EXTENSION = 0
RANK_NAME_PREFIX = 1
RANK_WORD_PREFIX = 2
RANK_OTHER = 3
KIND_ORDER = {"staff": 0, "department": 1, "extension": 2, "info": 3}
PRESENCE_LABELS = dict(Presence.choices)  # lazy labels, translated when shown
DISCLOSURE_LABELS = dict(Disclosure.choices)
# What a result card shows; search_text, notes and the like stay in the table.
STAFF_CARD_FIELDS = (
    "pk",
    "full_name",
    "job_title",
    "presence",
    "back_at",
    "presence_note",
    "cover_id",
    "department__name",
    "cover__full_name",
)
MAX_QUERY_LENGTH = 100
# Extension order wherever a person's numbers are listed: desk phones first.
DESK_FIRST = (
    Case(
        When(kind=ExtensionKind.DESK, then=Value(0)), default=Value(1), output_field=IntegerField()
    ),
    "number",
)


@dataclass
class SearchResult:
    kind: str
    id: int
    name: str
    rank: int
    extension: str = ""
    extensions: list[str] = field(default_factory=list)
    department: str = ""
    detail: str = ""
    presence: str | None = None
    presence_label: str = ""
    back_at: datetime | None = None
    presence_note: str = ""
    cover: dict | None = None
    disclosure: str | None = None
    disclosure_label: str = ""
    answer: str = ""
    url: str = ""

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("rank")
        if self.back_at:
            data["back_at"] = timezone.localtime(self.back_at).isoformat()
        return data


def _rank(name_column: str, q: str):
    """SQL rank of a match, for a folded name column that starts with a space."""
    return Case(
        When(**{f"{name_column}__startswith": f" {q}"}, then=Value(RANK_NAME_PREFIX)),
        When(**{f"{name_column}__contains": f" {q}"}, then=Value(RANK_WORD_PREFIX)),
        default=Value(RANK_OTHER),
        output_field=IntegerField(),
    )


def _text_match(q: str, *, name_column: str) -> Q:
    # Three characters or more: anywhere in the search text (trigram index).
    # One or two: the start of a word of the name (trigram word-start entries).
    if len(q) >= 3:
        return Q(search_text__contains=q)
    return Q(**{f"{name_column}__contains": f" {q}"})


def _byte_order(column: str):
    """`column` compared and sorted byte by byte, as the prefix indexes are built
    (migration 0004): COLLATE "C" on PostgreSQL, SQLite's default already."""
    return Collate(column, "C") if connection.vendor == "postgresql" else F(column)


def _starts_with(queryset, column: str, prefix: str):
    """Rows whose `column` starts with `prefix`, sorted by it, as an index range
    (byte order keeps every string with that prefix inside the range)."""
    key = _byte_order(column)
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return queryset.alias(_key=key).filter(_key__gte=prefix, _key__lt=upper).order_by(key, "pk")


def _ranked(queryset, q: str, *, name_column: str, card, limit: int) -> list[tuple]:
    """The best `limit` matches as (object, rank), cheapest first.

    Names that start with the query come straight from the prefix index, in
    order, already joined for the card (`card(queryset)` adds the joins); that is
    all a one-letter search needs. Only when they do not fill the list are the
    other matches ranked, on the bare table and as ids, so that thousands of
    matches for a short query cost a sort of integers, not of joined rows. One
    query, or two.
    """
    found = [
        (obj, RANK_NAME_PREFIX)
        for obj in card(_starts_with(queryset, name_column, f" {q}"))[:limit]
    ]
    if len(found) < limit:
        # The LIMITed id subquery runs first, on the bare table; the joins for
        # the cards then touch only the rows it picked.
        best_rest = (
            queryset.filter(_text_match(q, name_column=name_column))
            .exclude(**{f"{name_column}__startswith": f" {q}"})
            .annotate(rank=_rank(name_column, q))
            .order_by("rank", name_column, "pk")
            .values("pk")[: limit - len(found)]
        )
        rest = card(queryset.filter(pk__in=best_rest)).annotate(rank=_rank(name_column, q))
        found += [(obj, obj.rank) for obj in rest]  # directory_search sorts the lot
    return found


def _staff_card(queryset):
    return queryset.select_related("department", "cover").only(*STAFF_CARD_FIELDS)


def _info_card(queryset):
    return queryset.select_related("owner").only(
        "pk", "title", "keywords", "answer", "disclosure", "owner__name"
    )


def _staff_result(staff: Staff, rank: int) -> SearchResult:
    return SearchResult(
        kind="staff",
        id=staff.pk,
        name=staff.full_name,
        rank=rank,
        department=staff.department.name,
        detail=staff.job_title,
        presence=staff.presence,
        presence_label=str(PRESENCE_LABELS[staff.presence]),
        back_at=staff.back_at,
        presence_note=staff.presence_note,
        url=reverse("directory:staff-detail", args=[staff.pk]),
    )


def _department_result(department: Department, rank: int) -> SearchResult:
    return SearchResult(
        kind="department",
        id=department.pk,
        name=department.name,
        rank=rank,
        department=department.parent.name if department.parent_id else "",
        detail=department.code,
        extension=department.main_extension.number if department.main_extension_id else "",
        url=reverse("directory:department-detail", args=[department.pk]),
    )


def _extension_result(ext: Extension, rank: int) -> SearchResult:
    return SearchResult(
        kind="extension",
        id=ext.pk,
        name=ext.label or str(ext.get_kind_display()),
        rank=rank,
        extension=ext.number,
        extensions=[ext.number],
        detail=ext.location,
    )


def _info_result(entry: InfoEntry, rank: int) -> SearchResult:
    return SearchResult(
        kind="info",
        id=entry.pk,
        name=entry.title,
        rank=rank,
        department=entry.owner.name if entry.owner_id else "",
        detail=entry.keywords,
        disclosure=entry.disclosure,
        disclosure_label=str(DISCLOSURE_LABELS[entry.disclosure]),
        answer=entry.answer,
        url=reverse("directory:info-detail", args=[entry.pk]),
    )


def directory_search(query: str, *, limit: int | None = None) -> list[SearchResult]:
    """Staff, departments, extensions and info entries matching `query`, ranked.

    A number runs two queries (the matching extensions, then their owners);
    text runs at most five whatever the data: staff and info entries one or two
    each (see _ranked), departments one. Then one more fetches the extension
    numbers of the people and departments shown and of their covers.
    """
    limit = limit or settings.DIRECTORY_SEARCH_LIMIT
    q = fold(query)[:MAX_QUERY_LENGTH]
    if not q:
        return []
    # (kind, id) -> (rank, name, object, builder); results are built only for
    # the candidates that make the final cut.
    candidates: dict[tuple[str, int], tuple] = {}
    staff_by_id: dict[int, Staff] = {}

    def keep(kind, obj, rank, name, build):
        key = (kind, obj.pk)
        if key not in candidates or rank < candidates[key][0]:
            candidates[key] = (rank, name, obj, build)

    if q.isdigit():  # digits alone only ever mean an extension: no name has them
        # In number order an exact match comes first: every other match is longer.
        ext_ids = list(
            _starts_with(Extension.objects.all(), "number", q).values_list("pk", flat=True)[:limit]
        )
        extensions = (
            Extension.objects.filter(pk__in=ext_ids)
            .select_related("staff__department", "staff__cover", "department__parent")
            .select_related("department__main_extension")
            if ext_ids
            else []
        )
        for ext in extensions:
            rank = RANK_EXACT_EXTENSION if ext.number == q else RANK_NAME_PREFIX
            if ext.staff_id and ext.staff.active:
                staff_by_id[ext.staff_id] = ext.staff
                keep("staff", ext.staff, rank, ext.staff.full_name, _staff_result)
            elif ext.department_id and ext.department.active:
                keep("department", ext.department, rank, ext.department.name, _department_result)
            elif not ext.staff_id and not ext.department_id:
                keep("extension", ext, rank, ext.number, _extension_result)
    else:
        for staff, rank in _ranked(
            Staff.objects.active(), q, name_column="search_name", card=_staff_card, limit=limit
        ):
            staff_by_id[staff.pk] = staff
            keep("staff", staff, rank, staff.full_name, _staff_result)

        departments = (
            Department.objects.active()
            .filter(_text_match(q, name_column="search_text"))
            .select_related("parent", "main_extension")
            .annotate(rank=_rank("search_text", q))
            .order_by("rank", "name", "pk")[:limit]
        )
        for department in departments:
            keep("department", department, department.rank, department.name, _department_result)

        for entry, rank in _ranked(
            InfoEntry.objects.filter(active=True),
            q,
            name_column="search_title",
            card=_info_card,
            limit=limit,
        ):
            keep("info", entry, rank, entry.title, _info_result)

    best = sorted(
        candidates.items(),
        key=lambda item: (item[1][0], KIND_ORDER[item[0][0]], fold(item[1][1]), item[0][1]),
    )[:limit]
    results = [build(obj, rank) for _key, (rank, _name, obj, build) in best]
    _attach_extensions_and_covers(results, staff_by_id)
    return results


def _attach_extensions_and_covers(results: list[SearchResult], staff_by_id: dict[int, Staff]):
    """One query for the extension numbers of the staff and departments shown and
    of the people covering for absent staff (who came along via select_related)."""
    staff_ids = [r.id for r in results if r.kind == "staff"]
    covers = {
        staff_by_id[sid].cover_id: staff_by_id[sid].cover
        for sid in staff_ids
        if not staff_by_id[sid].is_available and staff_by_id[sid].cover_id
    }
    department_ids = [r.id for r in results if r.kind == "department"]
    if not staff_ids and not department_ids:
        return
    numbers_by_staff: dict[int, list[str]] = {}
    numbers_by_department: dict[int, list[str]] = {}
    owners = Q(staff_id__in=[*staff_ids, *covers]) | Q(department_id__in=department_ids)
    for number, staff_id, department_id in (
        Extension.objects.filter(owners)
        .order_by(*DESK_FIRST)
        .values_list("number", "staff_id", "department_id")
    ):
        if staff_id:
            numbers_by_staff.setdefault(staff_id, []).append(number)
        else:
            numbers_by_department.setdefault(department_id, []).append(number)
    for result in results:
        if result.kind == "staff":
            result.extensions = numbers_by_staff.get(result.id, [])
            result.extension = result.extensions[0] if result.extensions else ""
            cover_id = staff_by_id[result.id].cover_id
            if cover_id in covers:
                result.cover = {
                    "id": cover_id,
                    "name": covers[cover_id].full_name,
                    "extension": (numbers_by_staff.get(cover_id) or [""])[0],
                }
        elif result.kind == "department":
            result.extensions = numbers_by_department.get(result.id, [])
            if not result.extension and result.extensions:
                result.extension = result.extensions[0]


def staff_extensions(staff: Staff) -> list[Extension]:
    """A person's extensions, desk phones first."""
    return list(staff.extensions.order_by(*DESK_FIRST))


def phone_list_sections(*, department_pk: int | None = None):
    """The printable phone list: (departments in tree order, sections).

    Three queries whatever the size: active departments with their main line,
    active staff of the departments shown, and their extensions.
    """
    tree = tree_order(Department.objects.active().select_related("main_extension"))
    shown = tree
    if department_pk is not None:
        start = next((i for i, (d, _depth) in enumerate(tree) if d.pk == department_pk), None)
        if start is None:
            shown = []
        else:
            top_depth = tree[start][1]
            end = start + 1
            while end < len(tree) and tree[end][1] > top_depth:
                end += 1
            shown = [(d, depth - top_depth) for d, depth in tree[start:end]]
    people = Staff.objects.active()
    if department_pk is None:
        people = people.filter(department__active=True)
    else:
        people = people.filter(department_id__in=[d.pk for d, _depth in shown])
    people = people.prefetch_related(
        Prefetch("extensions", queryset=Extension.objects.order_by(*DESK_FIRST))
    ).order_by("full_name", "pk")
    by_department: dict[int, list] = {}
    for person in people:
        by_department.setdefault(person.department_id, []).append(
            {
                "name": person.full_name,
                "job_title": person.job_title,
                "numbers": [e.number for e in person.extensions.all()],
            }
        )
    sections = [
        {
            "department": department,
            "depth": depth,
            "main_line": department.main_extension.number if department.main_extension_id else "",
            "people": by_department.get(department.pk, []),
        }
        for department, depth in shown
    ]
    return tree, sections
