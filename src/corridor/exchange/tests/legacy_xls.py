"""A minimal legacy Excel (.xls, BIFF8 in an OLE2 compound file) writer, for tests only.

No package we depend on writes .xls, and people still send them. This writes what Excel 97-2003
writes for plain values: text (LABEL), numbers (NUMBER) and dates (NUMBER with a date format),
one or more worksheets. Layout of the container: sector 0 the allocation table, then the
Workbook stream (padded past the 4,096-byte mini-stream cut-off), then the directory.
"""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path

SECTOR = 512
END, FREE, FAT_SECTOR, NO_STREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
GENERAL_XF, DATE_XF = 0, 1
EXCEL_EPOCH = dt.date(1899, 12, 30)

Cell = str | int | float | dt.date | None


def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(stream_type: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, stream_type, 0x0DBB, 0x07CC, 0, 0x0600))


def _cell(row: int, col: int, value: Cell) -> bytes:
    if value is None or value == "":
        return b""
    if isinstance(value, dt.date):
        serial = (value - EXCEL_EPOCH).days
        return _record(0x0203, struct.pack("<HHHd", row, col, DATE_XF, serial))
    if isinstance(value, int | float):
        return _record(0x0203, struct.pack("<HHHd", row, col, GENERAL_XF, value))
    text = value.encode("utf-16-le")
    return _record(0x0204, struct.pack("<HHHHB", row, col, GENERAL_XF, len(value), 1) + text)


def _workbook_stream(sheets: list[tuple[str, list[list[Cell]]]]) -> bytes:
    xfs = b"".join(
        _record(0x00E0, struct.pack("<HHHBBBBIiH", 0, fmt, 0, 0, 0, 0, 0, 0, 0, 0))
        for fmt in (0, 14)  # General, and Excel's built-in date format
    )
    bodies = []
    for _, rows in sheets:
        cells = b"".join(
            _cell(r, c, value) for r, row in enumerate(rows) for c, value in enumerate(row)
        )
        bodies.append(_bof(0x0010) + cells + _record(0x000A))
    names = [title.encode("latin-1") for title, _ in sheets]
    # BOUNDSHEET records carry the sheet's offset, so the globals' length is known first.
    globals_length = len(_bof(0x0005)) + len(xfs) + len(_record(0x000A))
    globals_length += sum(len(_record(0x0085, b"\0" * (8 + len(n)))) for n in names)
    offset, bounds = globals_length, b""
    for name, body in zip(names, bodies, strict=True):
        bounds += _record(0x0085, struct.pack("<IBBBB", offset, 0, 0, len(name), 0) + name)
        offset += len(body)
    return _bof(0x0005) + xfs + bounds + _record(0x000A) + b"".join(bodies)


def _directory_entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", NO_STREAM, NO_STREAM, child)
        + b"\0" * 16  # class id
        + b"\0" * 4  # state bits
        + b"\0" * 16  # creation and modification times
        + struct.pack("<IQ", start, size)
    )


def write_xls(path: Path, sheets: list[tuple[str, list[list[Cell]]]]) -> Path:
    stream = _workbook_stream(sheets)
    # Zeros after the last record are ignored; they keep the stream out of the mini stream.
    stream = stream.ljust(max(4096, -(-len(stream) // SECTOR) * SECTOR), b"\0")
    size = len(stream)
    count = len(stream) // SECTOR
    directory_sector = 1 + count
    # Sector 0 is the table itself; 1..count chain the stream; the directory's one sector ends.
    table = [FAT_SECTOR, *range(2, count + 1), END, END]
    table += [FREE] * (SECTOR // 4 - len(table))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, directory_sector, 0, 4096, END, 0, END, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", FREE) * 108
    )
    directory = (
        _directory_entry("Root Entry", 5, 1, END, 0)
        + _directory_entry("Workbook", 2, NO_STREAM, 1, size)
        + _directory_entry("", 0, NO_STREAM, 0, 0) * 2
    )
    path.write_bytes(header + struct.pack(f"<{SECTOR // 4}I", *table) + stream + directory)
    return path


# An OLE2 compound file with no Workbook stream (as a Word .doc saved under .xls would be).
OLE2_TEST_DOCUMENT = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
