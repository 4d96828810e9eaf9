"""Reads of the directory: the one search box, the in/out board, the phone list."""

from collections import namedtuple
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from directory.models import (
    AVAILABLE_PRESENCES,
    Department,
    Disclosure,
    Extension,
    ExtensionKind,
    Presence,
    Staff,
)
from directory.text import fold
from switchboard.links import pk_link

# Within a rank, people first, then departments, extensions and info entries.
KIND_ORDER = {"staff": 0, "department": 1, "extension": 2, "info": 3}
PRESENCE_LABELS = dict(Presence.choices)  # lazy labels, translated when shown
DISCLOSURE_LABELS = dict(Disclosure.choices)
EXTENSION_KIND_LABELS = dict(ExtensionKind.choices)
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
    # An unassigned extension's kind (meeting room, fax, lobby): the code, and
    # the label to show (the JSON API keeps both).
    extension_kind: str = ""
    extension_kind_label: str = ""

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("rank")
        if self.back_at:
            data["back_at"] = timezone.localtime(self.back_at).isoformat()
        return data


# The search is hand-written SQL: it runs on every keystroke at the desk, and the
# ORM took longer to build its six queries than the database took to answer them.
# Every kind of match comes back in one statement, in one row shape (Row), and one
# more statement fetches the extension numbers of the results shown.
#
# The statements are put together once per database and kind of query (_text_sql,
# _number_sql). Per database (_Dialect): `c` makes a comparison byte order, as the
# prefix indexes are built (migration 0004: COLLATE "C" on PostgreSQL, SQLite's
# default already), so every name that starts with the query lies in one index
# range, already sorted; `esc` is the LIKE escape clause SQLite needs.
#
# Ranks, best first (the SQL below writes them as numbers): 0 an exact extension
# number, 1 a name that starts with the query, 2 a later word of the name that
# does, 3 anything else that matched.
ROW_COLUMNS = (
    "kind id rank name detail department extension presence back_at presence_note "
    "cover_id cover_name disclosure answer extension_kind"
)
Row = namedtuple("Row", ROW_COLUMNS)


@dataclass(frozen=True)
class _Dialect:
    c: str
    esc: str


def _dialect(vendor: str) -> _Dialect:
    if vendor == "postgresql":
        return _Dialect(c=' COLLATE "C"', esc="")
    return _Dialect(c="", esc=" ESCAPE '\\'")  # SQLite: byte order is its default


def _tiers(
    d: _Dialect, name: str, table: str, column: str, match: str, where: str = "active"
) -> str:
    """Two CTEs, `name`_prefix and `name`_rest, of (id, rank), of the rows that
    meet `where`.

    Names that start with the query come straight off the prefix index, which is
    all a one-letter search needs. The other matches (a later word of the name, or
    `match`) are ranked on the bare table, as ids, and only when the prefixes have
    not filled the list: the one-time filter skips them otherwise.
    """
    return f"""
{name}_prefix AS (
    SELECT id, 1 AS rank FROM {table}
    WHERE {where} AND {column}{d.c} >= %(lo)s AND {column}{d.c} < %(hi)s
    ORDER BY {column}{d.c}, id LIMIT %(limit)s
), {name}_rest AS (
    SELECT id, CASE WHEN {column} LIKE %(word)s{d.esc} THEN 2 ELSE 3 END AS rank
    FROM {table}
    WHERE {where} AND {match} AND {column} NOT LIKE %(prefix)s{d.esc}
      AND (SELECT count(*) FROM {name}_prefix) < %(limit)s
    ORDER BY rank, {column}{d.c}, id LIMIT %(limit)s
)"""  # noqa: S608 - names from this module; values go as parameters


def _staff_cards(found: str, key: str) -> str:
    """Rows of the active people whose id is `key` in `found` (with a rank)."""
    return f"""
SELECT 'staff' AS kind, s.id, t.rank, s.full_name AS name, s.job_title AS detail,
       d.name AS department, NULL AS extension, s.presence, s.back_at, s.presence_note,
       s.cover_id, c.full_name AS cover_name, NULL AS disclosure, NULL AS answer,
       NULL AS extension_kind
FROM {found} t
JOIN directory_staff s ON s.id = t.{key} AND s.active
JOIN directory_department d ON d.id = s.department_id
LEFT JOIN directory_staff c ON c.id = s.cover_id"""  # noqa: S608 - as _tiers


def _department_cards(found: str, key: str) -> str:
    """Rows of the active departments whose id is `key` in `found`."""
    return f"""
SELECT 'department', d.id, t.rank, d.name, d.code, p.name, m.number,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM {found} t
JOIN directory_department d ON d.id = t.{key} AND d.active
LEFT JOIN directory_department p ON p.id = d.parent_id
LEFT JOIN directory_extension m ON m.id = d.main_extension_id"""  # noqa: S608 - as _tiers


@cache
def _text_sql(vendor: str, long_query: bool, internal: bool = True) -> str:
    """Staff, departments and info entries. Three characters or more match
    anywhere in the search text (trigram indexes); one or two, the start of a
    word of the name (the trigram indexes' word-start entries). Without
    `internal`, no info entry marked "internal" is read at all."""
    d = _dialect(vendor)
    word = f"LIKE %(word)s{d.esc}"
    anywhere = f"search_text LIKE %(contains)s{d.esc}"

    def match(name_column: str) -> str:
        return anywhere if long_query else f"{name_column} {word}"

    staff = _tiers(d, "staff", "directory_staff", "search_name", match("search_name"))
    info_where = "active" if internal else "active AND disclosure <> %(internal)s"
    info = _tiers(
        d, "info", "directory_infoentry", "search_title", match("search_title"), info_where
    )
    staff_found = "(SELECT id, rank FROM staff_prefix UNION ALL SELECT id, rank FROM staff_rest)"
    return f"""
WITH {staff}, department_match AS (
    SELECT id,
           CASE WHEN search_text LIKE %(prefix)s{d.esc} THEN 1
                WHEN search_text {word} THEN 2 ELSE 3 END AS rank
    FROM directory_department
    WHERE active AND {match("search_text")}
    ORDER BY rank, name, id LIMIT %(limit)s
), {info}
{_staff_cards(staff_found, "id")}
UNION ALL
{_department_cards("department_match", "id")}
UNION ALL
SELECT 'info', i.id, t.rank, i.title, i.keywords, o.name, NULL,
       NULL, NULL, NULL, NULL, NULL, i.disclosure, i.answer, NULL
FROM (SELECT id, rank FROM info_prefix UNION ALL SELECT id, rank FROM info_rest) t
JOIN directory_infoentry i ON i.id = t.id
LEFT JOIN directory_department o ON o.id = i.owner_id
"""  # noqa: S608 - put together from the constants above; values go as parameters


@cache
def _number_sql(vendor: str) -> str:
    """Digits alone only ever mean an extension: no name has them. In number
    order an exact match comes first, as every other match is longer. An
    extension stands for its person, else its department, else itself (fax,
    lobby, meeting room)."""
    d = _dialect(vendor)
    return f"""
WITH found AS (
    SELECT id FROM directory_extension
    WHERE number{d.c} >= %(lo)s AND number{d.c} < %(hi)s
    ORDER BY number{d.c} LIMIT %(limit)s
), matched AS (
    SELECT e.*, CASE WHEN e.number = %(q)s THEN 0 ELSE 1 END AS rank
    FROM found JOIN directory_extension e ON e.id = found.id
)
{_staff_cards("matched", "staff_id")}
UNION ALL
{_department_cards("matched", "department_id")}
UNION ALL
SELECT 'extension', t.id, t.rank, t.label, t.location, NULL, t.number,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, t.kind
FROM matched t
WHERE t.staff_id IS NULL AND t.department_id IS NULL
"""  # noqa: S608 - as _text_sql


# The numbers of the people and departments shown and of the covers of those away.
NUMBERS_SQL = """
SELECT number, staff_id, department_id FROM directory_extension
WHERE {owners}
ORDER BY CASE WHEN kind = %(desk)s THEN 0 ELSE 1 END, number
"""  # the order of DESK_FIRST


def _upper_bound(prefix: str) -> str:
    """The least string above every string that starts with `prefix`, in byte
    (code point) order: the end of the prefix's index range."""
    last = ord(prefix[-1]) + 1
    if 0xD800 <= last <= 0xDFFF:  # surrogates are not text; skip past them
        last = 0xE000
    if last > 0x10FFFF:  # nothing sorts after the last code point but longer strings
        return prefix + chr(0x10FFFF)
    return prefix[:-1] + chr(last)


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _candidates(q: str, limit: int, internal: bool) -> list[Row]:
    """Every match worth showing, possibly several per object, as Rows."""
    params = {"lo": q, "hi": _upper_bound(q), "limit": limit}
    if q.isdigit():
        sql = _number_sql(connection.vendor)
        params["q"] = q
    else:
        like = connection.ops.prep_for_like_query(q)
        sql = _text_sql(connection.vendor, len(q) >= 3, internal)
        if not internal:
            params["internal"] = Disclosure.INTERNAL.value
        # Folded names start with a space: " budi santoso".
        params.update(
            lo=f" {q}",
            hi=f" {params['hi']}",
            prefix=f" {like}%",
            word=f"% {like}%",
            contains=f"%{like}%",
        )
    return [Row(*row) for row in _fetch(sql, params)]


def _aware(value):
    """back_at as an aware datetime; SQLite hands raw SQL its text."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


class _Links:
    """URLs of the result pages, built without a reverse() per result."""

    def __init__(self):
        self.staff = pk_link("directory:staff-detail")
        self.department = pk_link("directory:department-detail")
        self.info = pk_link("directory:info-detail")


def _result(row: Row, links: _Links) -> SearchResult:
    result = SearchResult(
        kind=row.kind,
        id=row.id,
        name=row.name or "",
        rank=row.rank,
        department=row.department or "",
        detail=row.detail or "",
    )
    if row.kind == "staff":
        result.presence = row.presence
        result.presence_label = str(PRESENCE_LABELS[row.presence])
        result.back_at = _aware(row.back_at)
        result.presence_note = row.presence_note
        result.url = links.staff(row.id)
    elif row.kind == "department":
        result.extension = row.extension or ""
        result.url = links.department(row.id)
    elif row.kind == "extension":
        result.extension_kind = row.extension_kind or ""
        result.extension_kind_label = str(EXTENSION_KIND_LABELS.get(row.extension_kind, ""))
        result.name = result.name or result.extension_kind_label
        result.extension = row.extension
        result.extensions = [row.extension]
    else:
        result.disclosure = row.disclosure
        result.disclosure_label = str(DISCLOSURE_LABELS[row.disclosure])
        result.answer = row.answer
        result.url = links.info(row.id)
    return result


def directory_search(
    query: str, *, limit: int | None = None, internal: bool = True
) -> list[SearchResult]:
    """Staff, departments, extensions and info entries matching `query`, ranked.

    `internal=False` leaves out every info entry whose disclosure is "internal"
    (in the SQL, so they are never read): what a staff member may see, as opposed
    to the desk (directory.access.sees_internal_answers).

    Two queries whatever the data: the candidates (_text_sql or _number_sql), then
    the extension numbers of the results shown and of their covers.
    """
    limit = limit or settings.DIRECTORY_SEARCH_LIMIT
    q = fold(query).replace("\x00", "")[:MAX_QUERY_LENGTH]  # no database stores NUL
    if not q:
        return []
    best: dict[tuple[str, int], Row] = {}  # one row per object, its best rank
    for row in _candidates(q, limit, internal):
        key = (row.kind, row.id)
        if key not in best or row.rank < best[key].rank:
            best[key] = row
    rows = sorted(
        best.values(), key=lambda r: (r.rank, KIND_ORDER[r.kind], fold(r.name or ""), r.id)
    )[:limit]
    links = _Links()
    results = [_result(row, links) for row in rows]
    covers = {
        row.id: (row.cover_id, row.cover_name)
        for row in rows
        if row.kind == "staff" and row.cover_id and row.presence not in AVAILABLE_PRESENCES
    }
    _attach_extensions_and_covers(results, covers)
    return results


def _attach_extensions_and_covers(results: list[SearchResult], covers: dict[int, tuple]):
    """One query for the extension numbers of the staff and departments shown and
    of the people covering for those away (staff id -> (cover id, cover name))."""
    staff_ids = [r.id for r in results if r.kind == "staff"]
    staff_ids += [cover_id for cover_id, _name in covers.values()]
    department_ids = [r.id for r in results if r.kind == "department"]
    if not staff_ids and not department_ids:
        return
    owners, params = [], {"desk": ExtensionKind.DESK}
    for column, ids in (("staff_id", staff_ids), ("department_id", department_ids)):
        if ids:
            names = [f"{column}{i}" for i in range(len(ids))]
            owners.append(f"{column} IN ({', '.join(f'%({n})s' for n in names)})")
            params.update(zip(names, ids, strict=True))
    numbers_by_staff: dict[int, list[str]] = {}
    numbers_by_department: dict[int, list[str]] = {}
    for number, staff_id, department_id in _fetch(
        NUMBERS_SQL.format(owners=" OR ".join(owners)), params
    ):
        if staff_id:
            numbers_by_staff.setdefault(staff_id, []).append(number)
        else:
            numbers_by_department.setdefault(department_id, []).append(number)
    for result in results:
        if result.kind == "staff":
            result.extensions = numbers_by_staff.get(result.id, [])
            result.extension = result.extensions[0] if result.extensions else ""
            if result.id in covers:
                cover_id, cover_name = covers[result.id]
                result.cover = {
                    "id": cover_id,
                    "name": cover_name,
                    "extension": (numbers_by_staff.get(cover_id) or [""])[0],
                }
        elif result.kind == "department":
            result.extensions = numbers_by_department.get(result.id, [])
            if not result.extension and result.extensions:
                result.extension = result.extensions[0]


def staff_extensions(staff: Staff) -> list[Extension]:
    """A person's extensions, desk phones first."""
    return list(staff.extensions.order_by(*DESK_FIRST))


def tree_order(departments) -> list[tuple[Department, int]]:
    """Departments as (department, depth), each parent before its children and
    siblings by name; a department whose parent is not in the list is a root."""
    departments = list(departments)
    ids = {d.pk for d in departments}
    children: dict[int | None, list[Department]] = {}
    for department in departments:
        parent = department.parent_id if department.parent_id in ids else None
        children.setdefault(parent, []).append(department)
    for siblings in children.values():
        siblings.sort(key=lambda d: (d.name.casefold(), d.code))
    ordered: list[tuple[Department, int]] = []
    visited: set[int] = set()
    # Roots first; then anything left over (only a parent loop can leave some).
    for root in [*children.get(None, []), *sorted(departments, key=lambda d: d.code)]:
        stack = [(root, 0)]
        while stack:
            department, depth = stack.pop()
            if department.pk in visited:
                continue
            visited.add(department.pk)
            ordered.append((department, depth))
            stack.extend((c, depth + 1) for c in reversed(children.get(department.pk, [])))
    return ordered


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
