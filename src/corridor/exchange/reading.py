"""Reading rows of cells from CSV and XLSX files, whatever their encoding and delimiter.

CSV: byte-order marks (UTF-8, UTF-16) are honoured, UTF-8 is assumed otherwise with
Windows-1252 as the fallback for files that are not UTF-8; the delimiter (comma, semicolon —
KoBo's default — or tab) is taken from the first lines. XLSX: the ZIP container is checked
(safety.check_zip) before openpyxl opens it read-only (openpyxl parses its XML with defusedxml).
Legacy XLS (Excel 97-2003): read with xlrd, sheet by sheet like an XLSX, up to MAX_XLS_BYTES.

A ZIP that is not a workbook is read as the one CSV or TSV it holds (a zipped export), after
the same ZIP checks; one holding several tables, or none, is refused naming what it holds.

Every file is bounded before it costs memory: a CSV cell (MAX_CELL), a CSV line (MAX_LINE) and
a row of either kind (MAX_COLUMNS) over their limits refuse the file in one line naming it.

A workbook often puts its data on a later sheet (instructions first, a hidden list of choices
last), so a format names what its sheet looks like and the first sheet that fits is read; errors
then name the sheet as well as the file.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from corridor.core.errors import InvalidInput
from corridor.exchange.safety import check_zip

SNIFF_BYTES = 64 * 1024
# A single CSV cell larger than this is refused (the csv module's own default is 128 KB).
MAX_CELL = 1024 * 1024
csv.field_size_limit(MAX_CELL)
# A physical CSV line longer than this is refused before the csv module splits it into cells.
MAX_LINE = 4 * MAX_CELL
# More cells in one row than any 4W, KoBo or ACLED sheet has (KoBo's widest run to hundreds).
MAX_COLUMNS = 5000

Rows = Iterator[tuple[int, list[str]]]
# How many first rows of a file or sheet a format may look at to tell whether it is its own:
# libhxl's limit for finding the hashtag row, the deepest any format looks.
HEAD_ROWS = 25
# The first bytes of an OLE2 compound file: how a legacy Excel .xls starts.
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# xlrd reads a legacy workbook whole; the format holds at most 65,536 rows of 256 cells.
MAX_XLS_BYTES = 50 * 1024 * 1024
# What a ZIP that is not a workbook may hold: one table, read as CSV (delimiter sniffed).
ZIPPED_TABLES = (".csv", ".tsv")


class CountingReader(io.RawIOBase):
    """A binary file that reports how many bytes were read, for progress bars."""

    def __init__(self, raw: IO[bytes], progress: Callable[[int], None] | None) -> None:
        self.raw = raw
        self.progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        count = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        if self.progress and count:
            self.progress(count)
        return count or 0

    def close(self) -> None:
        self.raw.close()
        super().close()


def is_zip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def is_xlsx(path: Path) -> bool:
    """A ZIP that is a workbook (or too broken to tell: openpyxl then says why)."""
    if not is_zip(path):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except zipfile.BadZipFile:
        return True


def is_xls(path: Path) -> bool:
    """A legacy Excel workbook (BIFF in an OLE2 compound file), or another OLE2 document."""
    with path.open("rb") as handle:
        return handle.read(8) == OLE2


def is_workbook(path: Path) -> bool:
    return is_xlsx(path) or is_xls(path)


def _is_junk(member: str) -> bool:
    # What macOS and Windows add when a person zips a folder.
    parts = member.replace("\\", "/").split("/")
    return parts[0] == "__MACOSX" or parts[-1] in (".DS_Store", "Thumbs.db", "desktop.ini")


def zipped_table(path: Path, *, name: str) -> str | None:
    """The one CSV or TSV inside a ZIP that is not a workbook; None for any other file.

    A ZIP holding several tables, or none, is refused naming what it holds: which of several
    tables was meant is not for the importer to guess.
    """
    if not is_zip(path) or is_xlsx(path):
        return None
    check_zip(path, name=name)
    with zipfile.ZipFile(path) as archive:
        members = [
            entry.filename
            for entry in archive.infolist()
            if not entry.is_dir() and not _is_junk(entry.filename)
        ]
    tables = [m for m in members if m.lower().endswith(ZIPPED_TABLES)]
    if len(tables) == 1:
        return tables[0]
    if tables:
        raise InvalidInput(
            _(
                "%(file)s: the ZIP file holds %(count)s tables (%(tables)s); "
                "import them one at a time"
            )
            % {"file": name, "count": len(tables), "tables": ", ".join(tables)}
        )
    raise InvalidInput(
        _("%(file)s: the ZIP file holds no CSV or TSV table (it holds: %(members)s)")
        % {"file": name, "members": ", ".join(members) or "nothing"}
    )


def _open_binary(path: Path, member: str | None) -> IO[bytes]:
    if member is None:
        return path.open("rb")
    # The member stays readable after the archive is closed; closing it closes the file.
    with zipfile.ZipFile(path) as archive:
        return archive.open(member)


def _scaled(
    progress: Callable[[int], None] | None, path: Path, member: str | None
) -> Callable[[int], None] | None:
    """Progress in the file's own bytes, for a table read unpacked out of a ZIP."""
    if progress is None or member is None:
        return progress
    with zipfile.ZipFile(path) as archive:
        unpacked = archive.getinfo(member).file_size or 1
    size = path.stat().st_size
    read = moved = 0

    def advance(count: int) -> None:
        nonlocal read, moved
        read += count
        step = min(size, size * read // unpacked) - moved
        if step > 0:
            progress(step)
            moved += step

    return advance


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if exc.start < len(head) - 4:
            return "cp1252"
    return "utf-8"


def _delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:10] if line.strip()]
    best, best_count = ",", 0
    for candidate in (",", ";", "\t"):
        counted = sum(line.count(candidate) for line in lines)
        if counted > best_count:
            best, best_count = candidate, counted
    return best


def _too_wide(name: str, number: int) -> InvalidInput:
    return InvalidInput(
        _("%(file)s, row %(row)s: refused: more than %(most)s cells in one row")
        % {"file": name, "row": number, "most": MAX_COLUMNS}
    )


def _bounded_lines(stream: io.TextIOWrapper, name: str) -> Iterator[str]:
    """The stream's lines, refusing one longer than MAX_LINE before it is read whole."""
    number = 0
    while line := stream.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE:
            raise InvalidInput(
                _("%(file)s, line %(line)s: refused: a line longer than %(size)s MB")
                % {"file": name, "line": number, "size": MAX_LINE // 1024 // 1024}
            )
        yield line


def csv_rows(
    path: Path, *, name: str | None = None, progress: Callable[[int], None] | None = None
) -> Rows:
    label = name or path.name
    member = zipped_table(path, name=label)
    with _open_binary(path, member) as handle:
        head = handle.read(SNIFF_BYTES)
    encoding = _encoding(head)
    sample = head.decode(encoding, errors="ignore")
    delimiter = _delimiter(sample)
    raw = CountingReader(_open_binary(path, member), _scaled(progress, path, member))
    # typeshed asks a BufferedReader's raw stream for file attributes (name, mode) a counting
    # wrapper has no use for; io itself needs only readinto.
    buffered = io.BufferedReader(raw, 1 << 16)  # type: ignore[type-var]
    stream = io.TextIOWrapper(buffered, encoding=encoding, newline="")
    number = 0
    try:
        reader = csv.reader(_bounded_lines(stream, label), delimiter=delimiter)
        for number, cells in enumerate(reader, start=1):
            if len(cells) > MAX_COLUMNS:
                raise _too_wide(label, number)
            yield number, cells
    except UnicodeDecodeError:
        raise InvalidInput(
            _(
                "%(file)s, row %(row)s: the file is not valid %(encoding)s text; "
                "save it as CSV UTF-8"
            )
            % {"file": label, "row": number + 1, "encoding": encoding}
        ) from None
    except csv.Error as exc:
        raise InvalidInput(
            _("%(file)s, row %(row)s: not a readable CSV row (%(error)s)")
            % {"file": label, "row": number + 1, "error": exc}
        ) from None
    finally:
        stream.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sheet_rows(sheet: Any, label: str) -> Rows:
    """A read-only sheet's rows; a broken or over-wide sheet refuses the file."""
    # Rows are not padded to the width the sheet declares (a forged A1:XFD1048576 would
    # make every row 16,384 cells): each row is as long as its own last cell.
    sheet.reset_dimensions()
    number = 0
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if len(values) > MAX_COLUMNS:
                raise _too_wide(label, number)
            yield number, [_cell(v) for v in values]
    except InvalidInput:
        raise
    except Exception as exc:  # openpyxl and its XML parser raise many kinds of errors
        raise InvalidInput(
            _("%(file)s: not a readable XLSX file (%(error)s)") % {"file": label, "error": exc}
        ) from None


def _xls_cell(cell: Any, datemode: int) -> str:
    import xlrd

    kind = cell.ctype
    if kind == xlrd.XL_CELL_DATE:
        try:
            return _cell(xlrd.xldate.xldate_as_datetime(cell.value, datemode))
        except (xlrd.xldate.XLDateError, OverflowError, ValueError):
            return _cell(cell.value)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return _cell(bool(cell.value))
    if kind == xlrd.XL_CELL_ERROR:
        # As openpyxl shows an error cell of an XLSX: its text ("#N/A").
        return str(xlrd.error_text_from_code.get(cell.value, ""))
    return _cell(cell.value)


def _xls_rows(sheet: Any, datemode: int, label: str) -> Rows:
    """A legacy sheet's rows (at most 256 cells each, the format's own limit)."""
    try:
        for at in range(sheet.nrows):
            yield at + 1, [_xls_cell(cell, datemode) for cell in sheet.row(at)]
    except Exception as exc:  # xlrd raises many kinds of errors for broken records
        raise InvalidInput(
            _("%(file)s: not a readable .xls workbook (%(error)s); save it as .xlsx or CSV")
            % {"file": label, "error": exc}
        ) from None


@contextmanager
def _open_xls(path: Path, label: str) -> Iterator[Any]:
    import xlrd  # loaded only for legacy workbooks

    if path.stat().st_size > MAX_XLS_BYTES:
        raise InvalidInput(
            _("%(file)s: refused: an .xls workbook over %(size)s MB; save it as .xlsx or CSV")
            % {"file": label, "size": MAX_XLS_BYTES // 1024 // 1024}
        )
    try:
        # xlrd reads the whole file; its warnings go to a buffer, not to the server's output.
        book = xlrd.open_workbook(
            str(path), on_demand=True, ragged_rows=True, logfile=io.StringIO()
        )
    except Exception as exc:  # encrypted, not a workbook (a .doc), broken
        raise InvalidInput(
            _("%(file)s: not a readable .xls workbook (%(error)s); save it as .xlsx or CSV")
            % {"file": label, "error": exc}
        ) from None
    try:
        yield book
    finally:
        book.release_resources()


@contextmanager
def _open_book(path: Path, label: str) -> Iterator[Any]:
    import openpyxl  # loaded only for spreadsheets: it is slow to import

    check_zip(path, name=label)
    # Opened as a file, not by name: openpyxl refuses a name without .xlsx, and uploads are
    # held under a neutral name.
    with path.open("rb") as handle:
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds of errors for broken files
            raise InvalidInput(
                _("%(file)s: not a readable XLSX file (%(error)s)") % {"file": label, "error": exc}
            ) from None
        try:
            yield book
        finally:
            book.close()


def sheet_heads(path: Path, *, name: str | None = None) -> list[tuple[str, list[list[str]]]]:
    """Each worksheet's title and first rows, in workbook order (XLSX or legacy XLS)."""
    label = name or path.name
    if is_xls(path):
        with _open_xls(path, label) as book:
            sheets = [book.sheet_by_index(at) for at in range(book.nsheets)]
            return [
                (
                    sheet.name,
                    [
                        cells
                        for _, cells in islice(_xls_rows(sheet, book.datemode, label), HEAD_ROWS)
                    ],
                )
                for sheet in sheets
            ]
    with _open_book(path, label) as book:
        return [
            (sheet.title, [cells for _, cells in islice(_sheet_rows(sheet, label), HEAD_ROWS)])
            for sheet in book.worksheets
        ]


def xlsx_rows(
    path: Path,
    *,
    name: str | None = None,
    sheet: int = 0,
    progress: Callable[[int], None] | None = None,
) -> Rows:
    """A worksheet's rows, XLSX or legacy XLS."""
    label = name or path.name
    if is_xls(path):
        with _open_xls(path, label) as book:
            legacy = book.sheet_by_index(sheet)
            rows = _xls_rows(legacy, book.datemode, label)
            yield from _moving(rows, legacy.nrows, path, progress)
        return
    with _open_book(path, label) as book:
        chosen = book.worksheets[sheet]
        yield from _moving(_sheet_rows(chosen, label), chosen.max_row or 0, path, progress)


def _moving(rows: Rows, declared: int, path: Path, progress: Callable[[int], None] | None) -> Rows:
    """A sheet's rows, moving the bar by the share read of the rows it declares; ends full."""
    if progress is None:
        yield from rows
        return
    # A sheet is not read as a byte stream, so the bar cannot count bytes.
    size = path.stat().st_size
    moved = 0
    for number, cells in rows:
        if declared and number <= declared:
            step = size * number // declared - moved
            if step:
                progress(step)
                moved += step
        yield number, cells
    if size > moved:
        progress(size - moved)


def open_rows(
    path: Path,
    *,
    name: str,
    progress: Callable[[int], None] | None = None,
    fits: Callable[[list[list[str]]], bool] | None = None,
    wanted: str = "",
) -> tuple[str, Rows]:
    """The file's rows and the name its errors go by.

    CSV: the rows of the file, under its name. XLSX: the rows of the first sheet whose first
    rows ``fits`` accepts (the first sheet without ``fits``). A workbook of several sheets names
    the sheet read ("4w.xlsx, sheet Data"); one where no sheet fits is refused, saying
    ``wanted`` (what the format looks for) and naming the sheets.
    """
    if not is_workbook(path):
        member = zipped_table(path, name=name)
        label = f"{name}, file {member}" if member else name
        return label, csv_rows(path, name=label, progress=progress)
    heads = sheet_heads(path, name=name)
    if not heads:
        raise InvalidInput(_("%(file)s: the workbook has no worksheet") % {"file": name})
    chosen = 0
    if fits is not None:
        found = [at for at, (_, head) in enumerate(heads) if fits(head)]
        if found:
            chosen = found[0]
        elif len(heads) > 1:
            titles = ", ".join(title for title, _ in heads)
            raise InvalidInput(
                _("%(file)s: no sheet has %(wanted)s (sheets: %(sheets)s)")
                % {"file": name, "wanted": wanted, "sheets": titles}
            )
    label = f"{name}, sheet {heads[chosen][0]}" if len(heads) > 1 else name
    return label, xlsx_rows(path, name=name, sheet=chosen, progress=progress)


def open_header_rows(
    path: Path,
    *,
    name: str,
    progress: Callable[[int], None] | None,
    sniff: Callable[[list[str]], bool],
    wanted: str,
) -> tuple[str, list[str], Rows]:
    """``open_rows`` for a table whose first row is its header, told by ``sniff``.

    Returns the name errors go by, the header row and the data rows after it.
    """
    name, source = open_rows(
        path,
        name=name,
        progress=progress,
        fits=lambda head: bool(head) and sniff(head[0]),
        wanted=wanted,
    )
    try:
        _, header = next(source)
    except StopIteration:
        raise InvalidInput(_("%(file)s: the file is empty") % {"file": name}) from None
    return name, header, source
