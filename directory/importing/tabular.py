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
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

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
# honestly hold (a "zip bomb").
MAX_XLSX_UNPACKED_BYTES = 150 * 1024 * 1024
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


def read_table(uploaded_file, *, allowed_columns, required_columns, max_rows=None) -> Table:
    """Read an uploaded CSV or XLSX file into a Table.

    Raises ImportFileError with a message for the person who uploaded it when the
    file is too big, not CSV/XLSX, not UTF-8, has no header or too many rows, or
    its header names unknown or misses required columns.
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


def _csv_rows(raw: bytes) -> Iterator[list[str]]:
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
        yield from reader
    except csv.Error as exc:
        raise ImportFileError(
            _("Row %(row)d cannot be read as CSV: %(error)s")
            % {"row": reader.line_num, "error": exc}
        ) from exc


def _xlsx_rows(raw: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ImportFileError(_("The XLSX file is damaged or not an XLSX workbook.")) from exc
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise ImportFileError(_("The XLSX workbook is too large once unpacked."))
    try:
        # data_only=False: a formula cell is read as its text, never evaluated.
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for malformed workbooks
        raise ImportFileError(_("The XLSX file is damaged or not an XLSX workbook.")) from exc
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise ImportFileError(_("The XLSX workbook has no worksheet."))
        try:
            for values in sheets[0].iter_rows(values_only=True):
                yield [_xlsx_cell_text(value) for value in values]
        except ImportFileError:
            raise
        except Exception as exc:
            raise ImportFileError(_("The XLSX file is damaged or not an XLSX workbook.")) from exc
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


def _build_table(rows: Iterable[list[str]], allowed, required, max_rows) -> Table:
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None or not any((cell or "").strip() for cell in header):
        raise ImportFileError(_("The first row must hold the column names."))
    columns = [normalise_header(cell) for cell in header]
    while columns and not columns[-1]:
        columns.pop()
    _check_header(columns, allowed, required)
    table = Table(columns=columns)
    blank_run = 0
    for number, cells in enumerate(iterator, start=2):
        values = [unescape_formula(cell if isinstance(cell, str) else str(cell)) for cell in cells]
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
            if column:
                row[column] = values[index].strip() if index < len(values) else ""
        extra = [v for v in values[len(columns) :] if v.strip()]
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
