"""KoBoToolbox/ODK submission exports of Corridor's own forms (xlsform.py), CSV or JSON.

Our forms name their questions after the pipeline's fields (``sector``, ``adm3_code``,
``women`` ...), so a submission column maps by its question name, whatever group path KoBo
puts before it (``report/sector``). The submission's ``_uuid`` (or ``meta/instanceID``) is
the stable key: downloading and importing the same submissions again changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from corridor.core.errors import InvalidInput
from corridor.exchange import reading
from corridor.exchange.fields import FIELDS
from corridor.exchange.safety import load_json
from corridor.exchange.table import Table

ID_COLUMNS = ("_uuid", "instanceid", "meta/instanceid", "uuid")
# JSON exports are read whole; larger files should be exported as CSV.
MAX_JSON_BYTES = 100 * 1024 * 1024


def _question(header: str) -> str:
    return header.strip().rsplit("/", 1)[-1].strip()


def guess_kind(names: list[str]) -> str:
    questions = {_question(n) for n in names}
    if "idps" in questions:
        return "figures"
    if "sector" in questions:
        return "activities"
    if "incident_type" in questions:
        return "incidents"
    raise InvalidInput(_("cannot tell which Corridor form these submissions are from; give --kind"))


def _table(name: str, fmt: str, header: list[str], rows: Iterator, kind: str | None) -> Table:
    kind = kind or guess_kind(header)
    known = {f.name for f in FIELDS[kind]}
    plan: dict[str, list[int]] = {}
    ignored = []
    id_at = None
    for at, column in enumerate(header):
        lowered = column.strip().lower()
        if id_at is None and (lowered in ID_COLUMNS or _question(lowered) == "instanceid"):
            id_at = at
            continue
        question = _question(column)
        if question in known and question != "id":
            plan.setdefault(question, []).append(at)
        elif column.strip() and not column.startswith("_"):
            ignored.append(column.strip())
    if id_at is not None:
        plan["id"] = [id_at]
    labels = [c.strip() or f"column {at + 1}" for at, c in enumerate(header)]
    return Table(
        name=name,
        format=fmt,
        kind=kind,
        plan=plan,
        labels=labels,
        rows=rows,
        ignored=ignored,
        id_prefix="kobo:",
    )


def read_csv(path: Path, *, name: str, kind: str | None, progress: Any = None) -> Table:
    name, header, source = reading.open_header_rows(
        path,
        name=name,
        progress=progress,
        sniff=sniff,
        wanted=_("KoBo's submission columns (_uuid, _submission_time, ...) in its first row"),
    )
    return _table(name, "kobo-csv", header, source, kind)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_json(path: Path, *, name: str, kind: str | None, progress: Any = None) -> Table:
    if path.stat().st_size > MAX_JSON_BYTES:
        raise InvalidInput(
            _("%(file)s: JSON exports over 100 MB are refused; export CSV instead") % {"file": name}
        )
    try:
        data = load_json(path.read_text(encoding="utf-8-sig"), name=name)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(
            _("%(file)s: not a readable JSON file (%(error)s)") % {"file": name, "error": exc}
        ) from None
    if isinstance(data, dict):
        data = data.get("results", data.get("data"))
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise InvalidInput(
            _("%(file)s: expected a list of submissions (or KoBo's {'results': [...]})")
            % {"file": name}
        )
    header: list[str] = []
    seen: set[str] = set()
    for item in data:
        for key in item:
            if key not in seen:
                seen.add(key)
                header.append(key)
    if progress:
        progress(path.stat().st_size)
    # Row numbers count submissions from 1 (there is no header line in JSON).
    rows = ((at, [_text(item.get(key)) for key in header]) for at, item in enumerate(data, 1))
    return _table(name, "kobo-json", header, rows, kind)


def sniff(header: list[str]) -> bool:
    lowered = {c.strip().lower() for c in header}
    return bool(lowered & {"_uuid", "_submission_time", "meta/instanceid", "_id"})
