"""Reading and writing the spreadsheet files behind directory import and export.

CSV (UTF-8, with or without a byte-order mark, comma or semicolon separated) and
XLSX. Every cell is read as text: a cell that looks like a formula is just text.
Exports are written by switchboard.spreadsheets: CSV prefixes such cells with a
single quote so a spreadsheet never runs them (imports strip that quote again),
XLSX stores them as explicit text cells.
"""

import csv
import datetime
import io
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# The project's one writer; the directory's import/export code imports it from here.
from switchboard.spreadsheets import FORMULA_PREFIXES
from switchboard.spreadsheets import csv_stream as csv_stream
from switchboard.spreadsheets import escape_formula as escape_formula
from switchboard.spreadsheets import xlsx_bytes as xlsx_bytes

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
# An XLSX is a zip; refuse one that would unpack to far more than a 5 MB sheet can
# honestly hold (a "zip bomb"). The other bounds of reading are below, at read_table.
MAX_XLSX_UNPACKED_BYTES = 64 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"


class ImportFileError(Exception):
    """The file as a whole cannot be read: wrong type, encoding, size or header."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """A file's header (normalised column names) and its non-blank data rows,
    each with the spreadsheet row number (the header is row 1)."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def unescape_formula(value: str) -> str:
    """Undo escape_formula on a cell read back from an exported file."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


def normalise_header(name: str) -> str:
    return (name or "").strip().lstrip("\ufeff").strip().lower().replace(" ", "_")


# What reading one file may cost, whatever is in it. An honest file of MAX_ROWS
# rows of a kind's columns stays well inside every bound (a 50,000-row staff
# XLSX: 500,000 cells, a 29 MB sheet, compressed about 10:1).
#
# Cells looked at: XLSX cells in the workbook's XML, and for both formats every
# row read (blank or not) counts its width. Far-right cells cost nothing: only
# the header's columns and EXTRA_COLUMNS more are read.
MAX_CELLS = 2_000_000
# XML elements: each costs the parser time. Rows, cells and strings are cheap to
# parse; every other element (a merged range, a hyperlink, a style) becomes an
# object of its own, so each part may hold only a few of them.
MAX_XLSX_ELEMENTS = 4_000_000
MAX_XLSX_OTHER_ELEMENTS = 100_000  # per part (an honest sheet: 50,000 e-mail links)
_CHEAP_ELEMENTS = (b"worksheet", b"sheetData", b"row", b"c", b"v", b"f", b"is", b"t", b"sst", b"si")
# openpyxl holds every shared string in memory as a Python string.
MAX_XLSX_SHARED_STRINGS = 500_000
MAX_XLSX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
MAX_XLSX_SHEET_BYTES = 48 * 1024 * 1024  # one worksheet's XML, unpacked
MAX_XLSX_PART_BYTES = 4 * 1024 * 1024  # any other part (styles, theme, ...)
MAX_XLSX_PARTS = 500
# Unpacked : packed. Real sheets are about 10:1; zip bombs hundreds to 1000:1.
MAX_XLSX_RATIO = 100
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
# Columns right of the header that are still read, so a value that slipped one
# or two cells to the right is reported instead of lost.
EXTRA_COLUMNS = 5
_SCAN_CHUNK = 1024 * 1024
# A start tag, with the element name (namespace prefix dropped): <c r="A1">, <x:si>.
_START_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?([A-Za-z_][\w.-]{0,31})")


def read_table(uploaded_file, *, allowed_columns, required_columns, max_rows=None) -> Table:
    """Read an uploaded CSV or XLSX file into a Table.

    Raises ImportFileError with a message for the person who uploaded it when the
    file is too big, not CSV/XLSX, not UTF-8, has no header or too many rows, or
    its header names unknown or misses required columns, or when reading it
    would cost more than the bounds above (cells, XML elements, unpacked size).
    """
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ImportFileError(_too_big_message())
    uploaded_file.seek(0)
    raw = uploaded_file.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ImportFileError(_too_big_message())
    if not raw.strip():
        raise ImportFileError(_("The file is empty."))
    name = (getattr(uploaded_file, "name", "") or "").lower()
    if raw.startswith(XLSX_MAGIC):
        rows = _xlsx_rows(raw)
    elif name.endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        raise ImportFileError(
            _("This is not an XLSX workbook. Save it from your spreadsheet as .xlsx or CSV UTF-8.")
        )
    else:
        rows = _csv_rows(raw)
    return _build_table(rows, allowed_columns, required_columns, max_rows or MAX_ROWS)


def _too_big_message() -> str:
    return _("The file is larger than %(mb)d MB. Split it into smaller files.") % {
        "mb": MAX_UPLOAD_BYTES // (1024 * 1024)
    }


def _too_many_cells_message() -> str:
    return _(
        "The file has more than %(max)s cells. Delete the columns and rows you do not "
        "import (also empty but formatted ones), or split the file."
    ) % {"max": _number(MAX_CELLS)}


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def _header_width(cells) -> int:
    """How many columns the header row names: up to its last non-blank cell."""
    width = len(cells)
    while width and not _cell_text(cells[width - 1]).strip():
        width -= 1
    return width


def _cell_text(value) -> str:
    return value if isinstance(value, str) else _xlsx_cell_text(value)


def _csv_rows(raw: bytes) -> Iterator[list[str]]:
    """The header row, then each row cut to the header's width and EXTRA_COLUMNS;
    anything further right is joined into one last cell (so that it is still
    reported as a cell the header has no column for)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _(
                "The file is not UTF-8 text. In your spreadsheet choose "
                "“CSV UTF-8” when saving, or upload an XLSX file."
            )
        ) from exc
    if "\x00" in text:
        raise ImportFileError(_("This is not a CSV or XLSX file."))
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to Indonesian (or other comma-decimal) locales save CSV
    # with semicolons; pick whichever separator the header uses most.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        header = next(reader, None)
        if header is None:
            return
        yield header
        keep = _header_width(header) + EXTRA_COLUMNS
        for cells in reader:
            if len(cells) > keep:
                rest = "".join(cells[keep:])
                cells = cells[:keep]
                if rest.strip():
                    cells.append(rest[:200])
            yield cells
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            # The csv module's own bound (131,072 characters), far above any
            # column's; nearly always a quote that is never closed.
            raise ImportFileError(
                _(
                    "Row %(row)d cannot be read as CSV: a cell runs on for more than "
                    '%(max)s characters. Check for a quote (") that is not closed.'
                )
                % {"row": reader.line_num, "max": _number(csv.field_size_limit())}
            ) from exc
        raise ImportFileError(
            _("Row %(row)d cannot be read as CSV: %(error)s")
            % {"row": reader.line_num, "error": exc}
        ) from exc


def _damaged() -> ImportFileError:
    return ImportFileError(_("The XLSX file is damaged or not an XLSX workbook."))


def _check_xlsx_archive(raw: bytes) -> None:
    """Refuse a workbook that would cost more to read than any honest one.

    Looks at every part's declared size (zipfile never unpacks more than that:
    a part that lies about it fails its CRC check), at how tightly each part
    is packed, and counts the XML elements, cells and shared strings of every
    part by streaming through it once, before openpyxl parses anything.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_XLSX_PARTS:
                raise ImportFileError(_unpacked_message())
            if sum(part.file_size for part in parts) > MAX_XLSX_UNPACKED_BYTES:
                raise ImportFileError(_unpacked_message())
            xml_parts = [p for p in parts if p.filename.lower().endswith((".xml", ".rels"))]
            for part in xml_parts:
                ratio = part.file_size / max(part.compress_size, 1)
                if part.file_size > _part_limit(part.filename) or (
                    part.file_size > RATIO_CHECKED_FROM_BYTES and ratio > MAX_XLSX_RATIO
                ):
                    raise ImportFileError(_unpacked_message())
            elements = cells = strings = 0
            # Pictures and other binary parts are never unpacked: read-only
            # openpyxl skips them.
            for part in xml_parts:
                names = _count_elements(archive, part, MAX_XLSX_ELEMENTS - elements)
                total_names = sum(names.values())
                elements += total_names
                cells += names[b"c"]
                strings += names[b"si"]
                others = total_names - sum(names[name] for name in _CHEAP_ELEMENTS)
                if cells > MAX_CELLS:
                    raise ImportFileError(_too_many_cells_message())
                if strings > MAX_XLSX_SHARED_STRINGS:
                    raise ImportFileError(
                        _(
                            "The workbook holds more than %(max)s different texts. "
                            "Split the file, or save it as CSV UTF-8."
                        )
                        % {"max": _number(MAX_XLSX_SHARED_STRINGS)}
                    )
                if elements > MAX_XLSX_ELEMENTS or others > MAX_XLSX_OTHER_ELEMENTS:
                    raise ImportFileError(
                        _(
                            "The workbook holds too much besides its cells (formatting, "
                            "merged cells, links). Copy just the cells into a new "
                            "workbook, or save it as CSV UTF-8."
                        )
                    )
                if names[b"si"] and part.file_size > MAX_XLSX_SHARED_STRINGS_BYTES:
                    raise ImportFileError(_unpacked_message())
    except (
        zipfile.BadZipFile,  # also a part longer than it says (its CRC fails)
        zipfile.LargeZipFile,
        NotImplementedError,  # a packing method zipfile does not know
        RuntimeError,  # an encrypted part
        OSError,
        EOFError,
        ValueError,
        zlib.error,
    ) as exc:
        raise _damaged() from exc


def _part_limit(name: str) -> int:
    lowered = name.lower()
    if lowered.startswith("xl/worksheets/") and lowered.endswith(".xml"):
        return MAX_XLSX_SHEET_BYTES
    if lowered.endswith("sharedstrings.xml"):
        return MAX_XLSX_SHARED_STRINGS_BYTES
    return MAX_XLSX_PART_BYTES


def _count_elements(archive, part, budget: int) -> Counter:
    """The start tags of one part, by element name (namespace prefix dropped),
    read in chunks; stops early once more than `budget` are counted."""
    names: Counter = Counter()
    seen = 0
    carry = b""
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(_SCAN_CHUNK)
            buffer = carry + chunk
            # Cut at the last "<" near the end, so no tag is split between two
            # reads; a tag's name holds no "<", so no match crosses the cut.
            cut = buffer.rfind(b"<", max(0, len(buffer) - 64)) if chunk else -1
            if cut < 0:
                cut = len(buffer)
            found = _START_TAG.findall(buffer, 0, cut)
            names.update(found)
            seen += len(found)
            if not chunk or seen > budget:
                return names
            carry = buffer[cut:]


def _unpacked_message() -> str:
    return _(
        "The XLSX workbook is too large once unpacked. Delete what you do not import "
        "(other sheets, pictures, formatting) or save it as CSV UTF-8."
    )


def _xlsx_rows(raw: bytes) -> Iterator[list]:
    """The first sheet's header row, then each row cut to the header's width and
    EXTRA_COLUMNS. Cells further right are never read (openpyxl's read-only
    iter_rows with max_col), and the sheet's own idea of its size (its
    <dimension>, which a file may set to A1:XFD1048576) is ignored."""
    from openpyxl import load_workbook

    _check_xlsx_archive(raw)
    try:
        # data_only=False: a formula cell is read as its text, never evaluated.
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for malformed workbooks
        raise _damaged() from exc
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise ImportFileError(_("The XLSX workbook has no worksheet."))
        sheet = sheets[0]
        try:
            sheet.reset_dimensions()
            header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
            if header is None:
                return
            header = [_xlsx_cell_text(value) for value in header]
            yield header
            width = _header_width(header) + EXTRA_COLUMNS
            yield from sheet.iter_rows(min_row=2, max_col=width, values_only=True)
        except ImportFileError:
            raise
        except Exception as exc:
            raise _damaged() from exc
    finally:
        workbook.close()


def _xlsx_cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 2101 typed as a number reads back as 2101.0
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _build_table(rows: Iterable[list], allowed, required, max_rows) -> Table:
    """The header and the non-blank rows. `rows` yields the header row first;
    every data row is at most the header's width and EXTRA_COLUMNS (+1) long.

    Every row read, blank or not, counts its cells against MAX_CELLS; a run of
    more than `max_rows` blank rows ends the table (a sheet formatted down to
    row 1,048,576)."""
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None or not any(_cell_text(cell).strip() for cell in header):
        raise ImportFileError(_("The first row must hold the column names."))
    columns = [normalise_header(_cell_text(cell)) for cell in header]
    del columns[_header_width(columns) :]
    _check_header(columns, allowed, required)
    width = len(columns)
    table = Table(columns=columns)
    blank_run = 0
    cells_read = len(header)
    for number, cells in enumerate(iterator, start=2):
        cells_read += max(len(cells), 1)
        if cells_read > MAX_CELLS:
            raise ImportFileError(_too_many_cells_message())
        values = [unescape_formula(_cell_text(cell)) for cell in cells]
        if not any(v.strip() for v in values):
            blank_run += 1
            if blank_run > max_rows:  # a sheet "formatted" down to row 1,048,576
                break
            continue
        blank_run = 0
        if len(table.rows) >= max_rows:
            raise ImportFileError(
                ngettext(
                    "The file has more than %(max)d row. Split it into smaller files.",
                    "The file has more than %(max)d rows. Split it into smaller files.",
                    max_rows,
                )
                % {"max": max_rows}
            )
        row = {}
        for index, column in enumerate(columns):
            row[column] = values[index].strip() if index < len(values) else ""
        extra = [v for v in values[width:] if v.strip()]
        if extra:
            row["__extra__"] = " ".join(extra)
        table.rows.append((number, row))
    if not table.rows:
        raise ImportFileError(_("The file has a header but no data rows."))
    return table


def _check_header(columns: list[str], allowed, required) -> None:
    named = [c for c in columns if c]
    duplicates = sorted({c for c in named if named.count(c) > 1})
    if duplicates:
        raise ImportFileError(
            _("Column named more than once: %(columns)s.") % {"columns": ", ".join(duplicates)}
        )
    if "" in columns:
        raise ImportFileError(
            _("Column %(number)d has no name in the first row.") % {"number": columns.index("") + 1}
        )
    unknown = [c for c in named if c not in allowed]
    if unknown:
        raise ImportFileError(
            _("Unknown column: %(columns)s. The columns are: %(allowed)s.")
            % {"columns": ", ".join(unknown), "allowed": ", ".join(allowed)}
        )
    missing = [c for c in required if c not in named]
    if missing:
        raise ImportFileError(
            _("Required column missing: %(columns)s.") % {"columns": ", ".join(missing)}
        )
