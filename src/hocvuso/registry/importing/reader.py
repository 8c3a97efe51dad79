"""Reading a commune's spreadsheet (CSV or XLSX) into rows of raw cells keyed by field.

Nothing here knows about the database: the bytes of the uploaded file go in, a
:class:`SourceTable` comes out.

**CSV** is decoded as, in order: UTF-8 with a byte-order mark; UTF-16 with its byte-order mark
(what Excel writes for "Unicode text", usually tab-separated) or, without a mark, when every other
byte is a NUL; plain UTF-8; and only when the bytes are not valid UTF-8, Windows-1258 (the
Vietnamese Windows code page; its combining tone marks come out composed after NFC), then Latin-1
as the last resort, which never fails. The delimiter (``,`` ``;`` or tab) is the one under which a
header row is found with the most known columns.

**XLSX** is recognised by its content (a ZIP archive), not only by its name, and read with
openpyxl in read-only mode with the cached values of formulas; the first sheet, or the one named.
The old binary ``.xls`` format is refused with a hint to save the file as ``.xlsx``.

The header row is the first of the first 20 rows whose cells name at least two known fields, one
of them the full name (title rows such as "DANH SÁCH NHÂN KHẨU THÔN ĐÔNG" above it are skipped).
The text of a CSV file is normalised to NFC as a whole; the cells of its data rows are kept as
read (the parser's cell functions, :mod:`.cells`, clean each cell they use: trimmed, inner
spaces collapsed). XLSX string cells and every header cell are cleaned here
(:func:`hocvuso.core.text.clean`). Empty cells and cells of spaces only are no value; blank rows
are skipped and not counted. A row right under the header that only numbers
the columns ("(1)", "(2)", … as official forms do) is skipped as well.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import cast
from unicodedata import is_normalized, normalize

from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError
from hocvuso.core.text import clean
from hocvuso.registry.errors import RegistryError
from hocvuso.registry.importing.headers import NAME_FIELDS, is_ignored, match_header

HEADER_SEARCH_ROWS = 20
DELIMITERS = ("\t", ";", ",")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,2})\)?$")

Cell = str | int | float | dt.date | dt.datetime | None


@dataclass(slots=True)  # one a row of the file, all held at once: no __dict__ each
class SourceRow:
    number: int  # the row number as the officer sees it (1-based, title and header rows counted)
    values: dict[str, object]  # canonical field -> raw cell value, mapped columns only
    text_cells: frozenset[str]  # fields whose cell was stored as text
    cells: list[Cell]  # every cell of the row as read
    width: int  # the header's width: a shorter row is padded in ``original``
    index: int = 0  # the row's place in ``SourceTable.rows`` (0-based)

    @property
    def original(self) -> list[str]:
        """Every cell of the row rendered as text, for the rejects file. Rendered when asked:
        only rejected rows need it (once each)."""
        out = [render(c) for c in self.cells]
        if len(out) < self.width:
            out.extend([""] * (self.width - len(out)))
        return out


@dataclass
class SourceTable:
    header: list[str]
    header_row: int
    columns: dict[int, str]  # column index -> canonical field
    unknown_columns: list[str]
    total: int  # data rows (blank rows skipped and not counted)
    rows: list[SourceRow] = field(default_factory=list)


def read_table(data: bytes, *, filename: str, sheet: str | None = None) -> SourceTable:
    """Read an uploaded CSV or XLSX file. ``sheet`` names the worksheet of an XLSX file."""
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, sheet)
    if data.startswith(_OLE_MAGIC) or filename.lower().endswith((".xls", ".xlsx", ".xlsm")):
        raise DomainError(
            RegistryError.UNSUPPORTED_FILE,
            _("This is not a file we can read. Save it from Excel as .xlsx or as CSV (UTF-8)."),
        )
    return _read_csv(data)


# --- cells ---------------------------------------------------------------------------------


def clean_str(value: str) -> str:
    """:func:`clean`, with a fast path for the common already-clean cell."""
    if (
        value.isprintable()
        and "  " not in value
        and (value.isascii() or is_normalized("NFC", value))
    ):
        return value.strip()
    return clean(value)


def render(value: object) -> str:
    """A cell as text: numbers without a spurious ".0", dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


# --- header detection ----------------------------------------------------------------------


def _header_score(cells: Sequence[object]) -> int:
    """How many known fields a row names, or 0 if it cannot be the header."""
    fields = {match_header(c) for c in cells if isinstance(c, str)}
    fields.discard(None)
    if len(fields) < 2 or not fields & NAME_FIELDS:
        return 0
    return len(fields)


def _find_header(rows: Sequence[Sequence[object]]) -> int | None:
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if _header_score(cells):
            return index
    return None


def _map_columns(header: list[str]) -> tuple[dict[int, str], list[str]]:
    columns: dict[int, str] = {}
    unknown: list[str] = []
    taken: set[str] = set()
    for index, cell in enumerate(header):
        name = match_header(cell)
        if name is not None and name not in taken:
            columns[index] = name
            taken.add(name)
        elif not is_ignored(cell):
            unknown.append(cell)  # unknown, or a second column for a field already mapped
    return columns, unknown


def _is_column_numbering(cells: Sequence[object]) -> bool:
    numbers = []
    for cell in cells:
        text = render(cell).strip()
        if not text:
            continue
        match = _COLUMN_NUMBER.match(text)
        if match is None:
            return False
        numbers.append(int(match[1]))
    return len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _not_found(candidates: Iterable[Sequence[object]] = ()) -> DomainError:
    """No header row. When a row names known columns but not the full name, say which columns
    were found and which is missing, so the officer can rename the right one."""
    best: list[str] = []
    for cells in candidates:
        known = [str(c) for c in cells if isinstance(c, str) and match_header(c)]
        if len(known) > len(best):
            best = known
    if best:
        return DomainError(
            RegistryError.HEADER_NOT_FOUND,
            _(
                "The file has the columns %(found)s but no column of full names. Name that "
                "column “Họ và tên” (see the template)."
            )
            % {"found": ", ".join(f"“{c}”" for c in best)},
        )
    return DomainError(
        RegistryError.HEADER_NOT_FOUND,
        _(
            "No header row was found in the first %(n)d rows. The file needs a header row with "
            "at least the full name column and one other known column (see the template)."
        )
        % {"n": HEADER_SEARCH_ROWS},
    )


def _blank(cell: Cell) -> bool:
    """No value: an empty cell, or one of spaces only."""
    return cell is None or cell == "" or (cell.__class__ is str and cell.isspace())  # type: ignore[union-attr]


def _build(
    numbered_rows: Iterable[tuple[int, list[Cell], frozenset[int] | None]],
    header: list[str],
    header_row: int,
) -> SourceTable:
    """Rows after the header → SourceRows.

    Each row comes with the indexes of its cells stored as text, or None when all are (CSV).
    """
    columns, unknown = _map_columns(header)
    width = len(header)
    mapped = list(columns.items())
    all_text = frozenset(columns.values())
    rows: list[SourceRow] = []
    first = True
    for number, cells, text_indexes in numbered_rows:
        if text_indexes is None:  # CSV: every cell is text
            joined = "".join(cells)  # type: ignore[arg-type]
            if not joined or joined.isspace():
                continue
        elif all(_blank(c) for c in cells):
            continue
        if first:
            first = False
            if _is_column_numbering(cells):
                continue
        values: dict[str, object] = {}
        count = len(cells)
        if text_indexes is None:
            for index, name in mapped:
                if index < count and (value := cells[index]) and not value.isspace():  # type: ignore[union-attr]
                    values[name] = value
            text_fields = all_text
        else:
            names = []
            for index, name in mapped:
                if index < count and (value := cells[index]) is not None and value != "":
                    values[name] = value
                    if index in text_indexes:
                        names.append(name)
            text_fields = frozenset(names)
        rows.append(SourceRow(number, values, text_fields, cells, width, len(rows)))
    return SourceTable(
        header=header,
        header_row=header_row,
        columns=columns,
        unknown_columns=unknown,
        total=len(rows),
        rows=rows,
    )


# --- CSV -----------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8) :], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16")
    sample = data[:4000]
    odd, even = sample[1::2], sample[0::2]
    if odd and odd.count(0) > len(odd) * 0.4 and even.count(0) < len(even) * 0.05:
        return _strict(data, "utf-16-le")  # no mark; ASCII-ish text has a NUL every other byte
    if even and even.count(0) > len(even) * 0.4 and odd.count(0) < len(odd) * 0.05:
        return _strict(data, "utf-16-be")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1258")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DomainError(
            RegistryError.UNSUPPORTED_FILE,
            _("The file's text encoding could not be read. Save it as CSV UTF-8."),
        ) from exc


def _csv_rows(text: str, delimiter: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _read_csv(data: bytes) -> SourceTable:
    text = _decode(data)
    if not is_normalized("NFC", text):
        text = normalize("NFC", text)  # once for the whole file (Windows-1258 decodes to NFD)
    if "\x00" in text[:4000]:
        raise _unsupported()  # binary junk, not text
    head = _first_lines(text, HEADER_SEARCH_ROWS * 2)
    best: tuple[int, int, str, int] | None = None  # (score, columns, delimiter, header index)
    seen: list[list[str]] = []
    for delimiter in DELIMITERS:
        try:
            sample = [[clean_str(c) for c in row] for row in _limit(_csv_rows(head, delimiter))]
        except csv.Error:
            continue
        seen += sample[:HEADER_SEARCH_ROWS]
        index = _find_header(sample)
        if index is None:
            continue
        candidate = (_header_score(sample[index]), len(sample[index]), delimiter, index)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is None:
        raise _not_found(seen)
    _score, _width, delimiter, header_index = best
    header: list[str] = []
    numbered: list[tuple[int, list[Cell], frozenset[int] | None]] = []
    try:
        for number, row in enumerate(_csv_rows(text, delimiter), start=1):
            if number <= header_index:
                continue
            if number == header_index + 1:
                header = [clean_str(c) for c in row]
                continue
            # Data cells stay as read: every cell function of the parser cleans the cells it
            # uses (NFC, trimmed); cleaning all of them here too doubled that work.
            numbered.append((number, cast("list[Cell]", row), None))
    except csv.Error as exc:
        raise _unsupported() from exc
    return _build(numbered, header, header_index + 1)


def _first_lines(text: str, count: int) -> str:
    end = 0
    for _i in range(count):
        end = text.find("\n", end) + 1
        if end == 0:
            return text
    return text[:end]


def _limit(rows: Iterator[list[str]]) -> list[list[str]]:
    out = []
    for row in rows:
        out.append(row)
        if len(out) >= HEADER_SEARCH_ROWS:
            break
    return out


def _unsupported() -> DomainError:
    return DomainError(
        RegistryError.UNSUPPORTED_FILE,
        _("This is not a file we can read. Save it from Excel as .xlsx or as CSV (UTF-8)."),
    )


# --- XLSX ----------------------------------------------------------------------------------


def _read_xlsx(data: bytes, sheet: str | None) -> SourceTable:
    import openpyxl  # imported here: CSV-only callers do not pay for it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _unsupported() from exc
    try:
        names = book.sheetnames
        if sheet is not None and sheet not in names:
            raise DomainError(
                RegistryError.UNSUPPORTED_FILE,
                _("The workbook has no sheet named “%(sheet)s”. Its sheets are: %(names)s.")
                % {"sheet": sheet, "names": ", ".join(names)},
            )
        if not names:
            raise _unsupported()
        worksheet = book[sheet if sheet is not None else names[0]]
        worksheet.reset_dimensions()  # some writers record a wrong size: read every row
        return _xlsx_table(worksheet.iter_rows())
    finally:
        book.close()


def _xlsx_cells(row: Sequence[object]) -> tuple[list[Cell], frozenset[int]]:
    cells: list[Cell] = []
    text_indexes = []
    for index, cell in enumerate(row):
        value = getattr(cell, "value", None)
        data_type = getattr(cell, "data_type", "n")
        if isinstance(value, str):
            value = clean_str(value) or None
            text_indexes.append(index)
        elif data_type == "e":
            value = None  # "#N/A", "#VALUE!": an error value is no value
        elif isinstance(value, dt.time | dt.timedelta):
            value = str(value)
        if value is not None and getattr(cell, "number_format", "General") == "@":
            text_indexes.append(index)  # a number typed into a Text-formatted cell
        cells.append(value)
    return cells, frozenset(text_indexes)


def _xlsx_table(rows: Iterator[Sequence[object]]) -> SourceTable:
    head: list[tuple[list[Cell], frozenset[int]]] = []
    header_index: int | None = None
    for row in rows:
        head.append(_xlsx_cells(row))
        if _header_score(head[-1][0]):
            header_index = len(head) - 1
            break
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    if header_index is None:
        raise _not_found(cells for cells, _text in head)
    header = [render(c) for c in head[header_index][0]]
    while header and not header[-1]:
        header.pop()
    header_row = header_index + 1

    def numbered() -> Iterator[tuple[int, list[Cell], frozenset[int] | None]]:
        for number, row in enumerate(rows, start=header_row + 1):
            cells, text_indexes = _xlsx_cells(row)
            yield number, cells, text_indexes

    return _build(numbered(), header, header_row)
