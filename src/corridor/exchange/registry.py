"""The exchange formats Corridor reads, by name, and how to tell them apart from the file.

Writers (HXL export, IATI, XLSForm) are services; this registry is about reading, where a
format must be chosen for an uploaded file. Adding a format: a module in formats/ with
``read(path, *, name, kind, progress) -> Table`` and a line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from django.utils.translation import gettext as _

from corridor.core.errors import InvalidInput
from corridor.exchange import reading
from corridor.exchange.formats import acled, hxl, kobo, ledger
from corridor.exchange.pipeline import Reader


@dataclass(frozen=True)
class Format:
    name: str
    read: Reader
    description: str


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("hxl", hxl.read, "HXL-tagged CSV or XLSX (4W activities, figures, incidents)"),
        Format("acled", acled.read, "ACLED-style event CSV or XLSX (incidents)"),
        Format("kobo-csv", kobo.read_csv, "KoBoToolbox/ODK submissions of our forms, CSV or XLSX"),
        Format("kobo-json", kobo.read_json, "KoBoToolbox/ODK submissions of our forms, JSON"),
        # Never told from the file: asked for (`corridor funds import`, a ledger kind).
        Format("ledger", ledger.read, "grants or transfers under their own headers, CSV or XLSX"),
    )
}


def detect(path: Path, name: str) -> Format:
    """The format of a file, from its content; a clear error when it cannot be told."""
    with path.open("rb") as handle:
        head = handle.read(2048).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"[", b"{"):
        return FORMATS["kobo-json"]
    if reading.is_workbook(path):
        # A workbook is told by its sheets in order: the first one a format recognises.
        heads = [rows for _, rows in reading.sheet_heads(path, name=name)]
    else:
        heads = [
            list(
                islice((cells for _, cells in reading.csv_rows(path, name=name)), reading.HEAD_ROWS)
            )
        ]
    for first_rows in heads:
        if hxl.has_hashtags(first_rows):
            return FORMATS["hxl"]
        if first_rows and acled.sniff(first_rows[0]):
            return FORMATS["acled"]
        if first_rows and kobo.sniff(first_rows[0]):
            return FORMATS["kobo-csv"]
    if any(hxl.has_hash_rows(first_rows) for first_rows in heads):
        # Rows of "#" cells but no hashtag among them: the HXL reader says which cell is wrong.
        return FORMATS["hxl"]
    raise InvalidInput(
        _(
            "%(file)s: cannot tell the format (no HXL hashtag row, not ACLED or KoBo columns); "
            "give one of: %(formats)s"
        )
        % {"file": name, "formats": ", ".join(FORMATS)}
    )
