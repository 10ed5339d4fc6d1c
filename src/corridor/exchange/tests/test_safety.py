"""Hostile inputs are refused quickly and cheaply; exported cells cannot become formulas."""

from __future__ import annotations

import resource
import stat
import time
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.core.errors import InvalidInput
from corridor.exchange import safety

BILLION_LAUGHS = (
    b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
"""
    + b"".join(
        b'<!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>\n<lolz>&lol9;</lolz>"
)

QUADRATIC = (
    b'<?xml version="1.0"?><!DOCTYPE kaboom [<!ENTITY a "'
    + b"x" * 200_000
    + b'">]><kaboom>'
    + b"&a;" * 20_000
    + b"</kaboom>"
)
EXTERNAL = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>'
)
EXTERNAL_DTD = b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://example.org/evil.dtd"><r/>'
UTF16_ENTITY = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>'


def _peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@pytest.mark.parametrize(
    "document",
    [BILLION_LAUGHS, QUADRATIC, EXTERNAL, EXTERNAL_DTD, UTF16_ENTITY.encode("utf-16")],
    ids=["billion-laughs", "quadratic", "external-entity", "external-dtd", "utf16-entity"],
)
def test_xml_bombs_are_refused_within_two_seconds_and_100_mb(document):
    before = _peak_kb()
    started = time.perf_counter()
    with pytest.raises(InvalidInput, match="refused: XML with a DTD"):
        safety.parse_xml(document, name="evil.xml")
    assert time.perf_counter() - started < 2
    assert _peak_kb() - before < 100 * 1024


def test_plain_xml_parses():
    assert safety.parse_xml(b"<a><b>1</b></a>").findtext("b") == "1"


def _zip(path, entries, *, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path


def test_zip_bomb_ratio_is_refused(tmp_path):
    path = _zip(tmp_path / "bomb.xlsx", [("xl/sheet.xml", b"0" * 5_000_000)])
    with pytest.raises(InvalidInput, match="compressed more than 100:1"):
        safety.check_zip(path)


def test_zip_too_big_unpacked_is_refused(tmp_path):
    chunk = bytes(range(256)) * 4096  # 1 MB that barely compresses
    path = _zip(
        tmp_path / "big.xlsx",
        [(f"p{i}.bin", chunk) for i in range(51)],
        compression=zipfile.ZIP_STORED,
    )
    with pytest.raises(InvalidInput, match="more than 50 MB unpacked"):
        safety.check_zip(path)


def test_zip_with_too_many_entries_is_refused(tmp_path):
    path = _zip(
        tmp_path / "many.xlsx",
        [(f"e{i}", b"x") for i in range(1001)],
        compression=zipfile.ZIP_STORED,
    )
    with pytest.raises(InvalidInput, match="1001 entries"):
        safety.check_zip(path)


@pytest.mark.parametrize("name", ["../evil.xml", "xl/../../evil.xml", "/etc/passwd"])
def test_zip_path_traversal_is_refused(tmp_path, name):
    path = _zip(tmp_path / "slip.xlsx", [(name, b"x")], compression=zipfile.ZIP_STORED)
    with pytest.raises(InvalidInput, match="points outside the archive"):
        safety.check_zip(path)


def test_zip_link_entry_is_refused(tmp_path):
    path = tmp_path / "link.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("xl/link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(InvalidInput, match="is a link"):
        safety.check_zip(path)


def test_import_refuses_a_bomb_before_extracting(places, tmp_path):
    from corridor.exchange.services import file_import

    path = _zip(tmp_path / "4w.xlsx", [("xl/worksheets/sheet1.xml", b"0" * 5_000_000)])
    with pytest.raises(InvalidInput, match="compressed more than 100:1"):
        file_import(by=None, path=path)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\0x", "'\0x"),
        ("'=already", "''=already"),
        ("plain", "plain"),
        ("'plain", "'plain"),
        (-5, -5),
        (3.5, 3.5),
    ],
)
def test_neutralise(value, written):
    assert safety.neutralise(value) == written


@given(st.text())
def test_neutralise_round_trips(text):
    assert safety.restore(safety.neutralise(text)) == text
    out = safety.neutralise(text)
    assert not (isinstance(out, str) and out[:1] in safety.FORMULA_STARTS)
