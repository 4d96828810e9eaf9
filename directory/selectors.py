"""Reads of the directory: the one search box, the in/out board, the phone list."""

from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from directory.models import Department, Extension, ExtensionKind, InfoEntry, Staff
from directory.text import fold

# Ranks, best first: an exact extension number, then a name that starts with the
# query, then a word of the name that does, then anything else that matched.
RANK_EXACT_EXTENSION = 0
RANK_NAME_PREFIX = 1
RANK_WORD_PREFIX = 2
RANK_OTHER = 3
KIND_ORDER = {"staff": 0, "department": 1, "extension": 2, "info": 3}
MAX_QUERY_LENGTH = 100


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


def _name_rank(column: str, q: str):
    """SQL rank for a folded search column that starts with a space."""
    return Case(
        When(**{f"{column}__startswith": f" {q}"}, then=Value(RANK_NAME_PREFIX)),
        When(**{f"{column}__contains": f" {q}"}, then=Value(RANK_WORD_PREFIX)),
        default=Value(RANK_OTHER),
        output_field=IntegerField(),
    )


def _text_match(q: str, *, name_column: str) -> Q:
    # Three characters or more: anywhere in the search text (trigram index).
    # One or two: the start of a word of the name (trigram word-start entries).
    if len(q) >= 3:
        return Q(search_text__contains=q)
    return Q(**{f"{name_column}__contains": f" {q}"})


def _staff_result(staff: Staff, rank: int) -> SearchResult:
    return SearchResult(
        kind="staff",
        id=staff.pk,
        name=staff.full_name,
        rank=rank,
        department=staff.department.name,
        detail=staff.job_title,
        presence=staff.presence,
        presence_label=str(staff.get_presence_display()),
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


def directory_search(query: str, *, limit: int | None = None) -> list[SearchResult]:
    """Staff, departments, extensions and info entries matching `query`, ranked.

    Runs a constant number of queries whatever the data: extensions (digits
    only), staff, departments, info entries, then one for the extension numbers
    and cover people of the results.
    """
    limit = limit or settings.DIRECTORY_SEARCH_LIMIT
    q = fold(query)[:MAX_QUERY_LENGTH]
    if not q:
        return []
    found: dict[tuple[str, int], SearchResult] = {}
    staff_by_id: dict[int, Staff] = {}

    def keep(result: SearchResult):
        key = (result.kind, result.id)
        if key not in found or result.rank < found[key].rank:
            found[key] = result

    if q.isdigit():
        extensions = (
            Extension.objects.filter(number__startswith=q)
            .select_related(
                "staff__department",
                "staff__cover",
                "department__parent",
                "department__main_extension",
            )
            .annotate(
                rank=Case(
                    When(number=q, then=Value(RANK_EXACT_EXTENSION)),
                    default=Value(RANK_NAME_PREFIX),
                    output_field=IntegerField(),
                )
            )
            .order_by("rank", "number")[:limit]
        )
        for ext in extensions:
            if ext.staff_id and ext.staff.active:
                staff_by_id[ext.staff_id] = ext.staff
                keep(_staff_result(ext.staff, ext.rank))
            elif ext.department_id and ext.department.active:
                keep(_department_result(ext.department, ext.rank))
            elif not ext.staff_id and not ext.department_id:
                keep(
                    SearchResult(
                        kind="extension",
                        id=ext.pk,
                        name=ext.label or str(ext.get_kind_display()),
                        rank=ext.rank,
                        extension=ext.number,
                        extensions=[ext.number],
                        detail=ext.location,
                    )
                )

    if not q.isdigit() or len(q) >= 3:
        staff_qs = (
            Staff.objects.active()
            .filter(_text_match(q, name_column="search_name"))
            .select_related("department", "cover")
            .annotate(rank=_name_rank("search_name", q))
            .order_by("rank", "full_name")[:limit]
        )
        for staff in staff_qs:
            staff_by_id[staff.pk] = staff
            keep(_staff_result(staff, staff.rank))

        departments = (
            Department.objects.active()
            .filter(_text_match(q, name_column="search_text"))
            .select_related("parent", "main_extension")
            .annotate(rank=_name_rank("search_text", q))
            .order_by("rank", "name")[:limit]
        )
        for department in departments:
            keep(_department_result(department, department.rank))

        entries = (
            InfoEntry.objects.filter(active=True)
            .filter(_text_match(q, name_column="search_title"))
            .select_related("owner")
            .annotate(rank=_name_rank("search_title", q))
            .order_by("rank", "title")[:limit]
        )
        for entry in entries:
            keep(
                SearchResult(
                    kind="info",
                    id=entry.pk,
                    name=entry.title,
                    rank=entry.rank,
                    department=entry.owner.name if entry.owner_id else "",
                    detail=entry.keywords,
                    disclosure=entry.disclosure,
                    disclosure_label=str(entry.get_disclosure_display()),
                    answer=entry.answer,
                    url=reverse("directory:info-detail", args=[entry.pk]),
                )
            )

    results = sorted(
        found.values(), key=lambda r: (r.rank, KIND_ORDER[r.kind], fold(r.name), r.id)
    )[:limit]
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
        .order_by(Case(When(kind=ExtensionKind.DESK, then=Value(0)), default=Value(1)), "number")
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
    return list(
        staff.extensions.order_by(
            Case(When(kind=ExtensionKind.DESK, then=Value(0)), default=Value(1)), "number"
        )
    )
