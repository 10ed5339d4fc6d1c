"""Refusing hostile files before they cost anything, and keeping exported cells inert.

- XML: no DTD, no entities, no network, no huge trees; a document that declares a DTD at all
  is refused, so billion-laughs, quadratic blow-up and external entities never get expanded.
- JSON: at most MAX_JSON_DEPTH levels of nesting; deeper documents (200,000 nested "[") are
  refused with one line instead of exhausting the interpreter's recursion.
- ZIP (XLSX): the central directory is checked before a byte is extracted: total size, entry
  count, compression ratio, path traversal and link entries.
- Cells: text starting with a character a spreadsheet treats as a formula is prefixed with an
  apostrophe on export; the importer removes exactly that apostrophe, so round trips are
  lossless (docs/exchange.md, "Formula injection").
"""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree

from corridor.core.errors import InvalidInput

MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ENTRIES = 1000
MAX_RATIO = 100
# KoBo nests a submission's repeat groups a few levels deep; nothing we read needs more.
MAX_JSON_DEPTH = 32

# Characters that make Excel, LibreOffice or Google Sheets read a cell as a formula or command.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
QUOTE = "'"


def safe_xml_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )


def parse_xml(data: bytes, *, name: str = "XML") -> etree._Element:
    """Parse untrusted XML; refuse any DTD (and with it every entity trick)."""
    # Cheap refusal before the parser sees it; the docinfo check below catches other encodings.
    head = data[:4096]
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data or b"\x00<\x00!" in head:
        raise InvalidInput(f"{name}: refused: XML with a DTD or entity declarations")
    try:
        root = etree.fromstring(data, parser=safe_xml_parser())
    except etree.XMLSyntaxError as exc:
        raise InvalidInput(f"{name}: not well-formed XML: {exc}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise InvalidInput(f"{name}: refused: XML with a DTD or entity declarations")
    return root


def load_json(data: str | bytes, *, name: str) -> Any:
    """Parse untrusted JSON; refuse a document nested deeper than MAX_JSON_DEPTH.

    The decoder itself stops at the interpreter's recursion limit (RecursionError); a document
    under that limit but over ours is refused after parsing, by a walk without recursion.
    """
    too_deep = InvalidInput(
        _("%(file)s: refused: JSON nested deeper than %(most)s levels")
        % {"file": name, "most": MAX_JSON_DEPTH}
    )
    try:
        document = json.loads(data)
    except RecursionError:
        raise too_deep from None
    pending = [(document, 1)] if isinstance(document, list | dict) else []
    while pending:
        value, depth = pending.pop()
        children = value.values() if isinstance(value, dict) else value
        if depth > MAX_JSON_DEPTH:
            raise too_deep
        pending.extend((child, depth + 1) for child in children if isinstance(child, list | dict))
    return document


def check_zip(path: Path, *, name: str | None = None) -> None:
    """Refuse a ZIP (XLSX) that is too big unpacked, too many entries, a bomb or a path trick."""
    label = name or path.name
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InvalidInput(_("%(file)s: not a valid XLSX/ZIP file") % {"file": label}) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise InvalidInput(
                _("%(file)s: refused: %(count)s entries (at most %(most)s)")
                % {"file": label, "count": len(entries), "most": MAX_ENTRIES}
            )
        total = 0
        for entry in entries:
            member = entry.filename.replace("\\", "/")
            if member.startswith("/") or ".." in member.split("/") or ":" in member.split("/")[0]:
                raise InvalidInput(
                    _("%(file)s: refused: entry %(entry)s points outside the archive")
                    % {"file": label, "entry": repr(member)}
                )
            mode = entry.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise InvalidInput(
                    _("%(file)s: refused: entry %(entry)s is a link")
                    % {"file": label, "entry": repr(member)}
                )
            total += entry.file_size
            if total > MAX_UNPACKED_BYTES:
                raise InvalidInput(
                    _("%(file)s: refused: more than %(size)s MB unpacked")
                    % {"file": label, "size": MAX_UNPACKED_BYTES // 1024 // 1024}
                )
            if entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
                raise InvalidInput(
                    _("%(file)s: refused: entry %(entry)s is compressed more than %(ratio)s:1")
                    % {"file": label, "entry": repr(member), "ratio": MAX_RATIO}
                )


def neutralise(value: object) -> object:
    """A cell value safe to open in a spreadsheet: numbers as they are, risky text quoted."""
    if not isinstance(value, str) or not value:
        return value
    first = value[0]
    if first in FORMULA_STARTS or (first == QUOTE and len(value) > 1 and value[1] in _QUOTED):
        return QUOTE + value
    return value


def restore(text: str) -> str:
    """Undo ``neutralise`` for text read back from a file we (or a careful tool) wrote."""
    if len(text) > 1 and text[0] == QUOTE and text[1] in _QUOTED:
        return text[1:]
    return text


_QUOTED = (*FORMULA_STARTS, QUOTE)
