"""Reading rows of cells from CSV and XLSX files, whatever their encoding and delimiter.

CSV: byte-order marks (UTF-8, UTF-16) are honoured, UTF-8 is assumed otherwise with
Windows-1252 as the fallback for files that are not UTF-8; the delimiter (comma, semicolon —
KoBo's default — or tab) is taken from the first lines. XLSX: the ZIP container is checked
(safety.check_zip) before openpyxl opens it read-only (openpyxl parses its XML with defusedxml).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path

from corridor.core.errors import InvalidInput
from corridor.exchange.safety import check_zip

SNIFF_BYTES = 64 * 1024
# A single CSV cell larger than this is refused (the csv module's own default is 128 KB).
MAX_CELL = 1024 * 1024
csv.field_size_limit(MAX_CELL)

Rows = Iterator[tuple[int, list[str]]]


class CountingReader(io.RawIOBase):
    """A binary file that reports how many bytes were read, for progress bars."""

    def __init__(self, raw: io.BufferedReader, progress: Callable[[int], None] | None) -> None:
        self.raw = raw
        self.progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        count = self.raw.readinto(buffer)
        if self.progress and count:
            self.progress(count)
        return count or 0

    def close(self) -> None:
        self.raw.close()
        super().close()


def is_xlsx(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


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


def csv_rows(path: Path, *, progress: Callable[[int], None] | None = None) -> Rows:
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    encoding = _encoding(head)
    sample = head.decode(encoding, errors="ignore")
    delimiter = _delimiter(sample)
    raw = CountingReader(path.open("rb"), progress)
    stream = io.TextIOWrapper(io.BufferedReader(raw, 1 << 16), encoding=encoding, newline="")
    number = 0
    try:
        reader = csv.reader(stream, delimiter=delimiter)
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except UnicodeDecodeError:
        raise InvalidInput(
            f"{path.name}, row {number + 1}: the file is not valid {encoding} text; "
            "save it as CSV UTF-8"
        ) from None
    except csv.Error as exc:
        raise InvalidInput(
            f"{path.name}, row {number + 1}: not a readable CSV row ({exc})"
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


def xlsx_rows(path: Path, *, name: str | None = None) -> Rows:
    import openpyxl  # loaded only for spreadsheets: it is slow to import

    check_zip(path, name=name)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors for broken files
        raise InvalidInput(f"{name or path.name}: not a readable XLSX file ({exc})") from None
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in values]
    finally:
        book.close()


def rows(
    path: Path, *, name: str | None = None, progress: Callable[[int], None] | None = None
) -> Rows:
    if is_xlsx(path):
        return xlsx_rows(path, name=name)
    return csv_rows(path, progress=progress)
