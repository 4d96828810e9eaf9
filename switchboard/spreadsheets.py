"""The one CSV streamer and the one XLSX writer behind every export.

Both the directory (its import format, directory.importing) and the call log
(calls.exports) write through here; neither app imports the other for it.

Formula guard. A cell whose text starts with "=", "+", "-", "@", a tab or a
carriage return could run as a formula when a spreadsheet opens the file
("=HYPERLINK(...)" typed as a caller's name):
- CSV has no types, so such a cell is prefixed with a single quote
  (escape_formula); the directory import strips it again.
- XLSX has types: such a cell is written as an explicit text cell, never as a
  formula, so it shows exactly what was typed, without a visible quote.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Every prefix is one character: a cell needs escaping only when its first
# character is one of them (most cells are not, or are empty).
FORMULA_FIRST = frozenset(FORMULA_PREFIXES)
assert all(len(prefix) == 1 for prefix in FORMULA_PREFIXES)  # noqa: S101

BYTE_ORDER_MARK = "\ufeff"  # so Excel reads the CSV as UTF-8
CSV_CHUNK_ROWS = 2000
CSV_FIRST_CHUNK_ROWS = 100  # the first chunk is small, so the download starts at once

XLSX_MIN_WIDTH = 8
XLSX_MAX_WIDTH = 60


def escape_formula(value: str) -> str:
    """Make a CSV cell safe to open in a spreadsheet: prefix formula-like text with '."""
    if value and value[0] in FORMULA_FIRST:
        return "'" + value
    return value


def csv_text(text: str | None) -> str:
    """A text cell of a CSV export: blank for none, escaped against formulas."""
    if not text:
        return ""
    return escape_formula(text)


def xlsx_text(text: str | None) -> str | None:
    """A text cell of an XLSX export: an empty cell, not an empty text, for none
    (xlsx_bytes writes texts as text cells, never as formulas)."""
    return text or None


def _escape_cell(value):
    if type(value) is str and value and value[0] in FORMULA_FIRST:
        return "'" + value
    return value


def csv_stream(
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    escaped: bool = False,
    chunk_rows: int | None = None,
    first_rows: int | None = None,
) -> Iterator[str]:
    """CSV text in chunks for a StreamingHttpResponse: a byte-order mark and the
    header first, then rows in chunks of chunk_rows (the first one first_rows).

    Cells may be text, numbers or None (an empty cell). Text cells are escaped
    against formulas (escape_formula) unless the rows come `escaped` already:
    a producer that escapes only the cells it cannot vouch for (user-typed
    text, not its own labels and numbers) saves a check per cell.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([escape_formula(str(name)) for name in header])
    yield BYTE_ORDER_MARK + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    chunk_rows = chunk_rows or CSV_CHUNK_ROWS
    limit = first_rows or CSV_FIRST_CHUNK_ROWS
    pending = 0
    writerow = writer.writerow
    for row in rows:
        writerow(row if escaped else [_escape_cell(value) for value in row])
        pending += 1
        if pending == limit:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
            limit = chunk_rows
    if pending:
        yield buffer.getvalue()


def xlsx_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    title: str,
    widths: Sequence[int] | None = None,
) -> bytes:
    """An XLSX workbook (openpyxl write-only, so rows are not kept in memory as
    cells): a bold header row that stays in view (frozen pane) with filter
    buttons over every column, and columns `widths` characters wide (or as
    wide as their header).

    Cells keep their Python type: text stays text (leading zeros kept, and a
    formula-like text is an explicit text cell, never a formula), int and float
    are numbers, naive datetime/date are dates (Excel has no time zones: give
    local times and name the zone in the header). None is an empty cell.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    # Write-only sheets take views and column sizes only before the first row.
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        width = widths[index - 1] if widths else len(str(name)) + 4
        width = min(max(width, XLSX_MIN_WIDTH), XLSX_MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = width

    def text_cell(value: str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value[:1] == "=" or value[:1] == "#":
            # openpyxl would store "=..." as a formula and "#N/A" as an error.
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            return cell
        return value

    bold = Font(bold=True)
    header_cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", str(name)))
        cell.data_type = "s"
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append([text_cell(value) if type(value) is str else value for value in row])
        count += 1
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
