"""Reading entity lists: Corridor's simple CSV and FollowTheMoney JSON lines (OpenSanctions).

Both give ``EntityRow`` values; nothing is written here. A bad row raises ``InvalidInput``
naming the file, the row (line) and the column or property, and the whole file is refused.

CSV columns: ``name`` (required), ``aliases`` (``;`` between them), ``type`` (person, company,
organization), ``country``, ``programme``, ``source``, ``date`` (when listed, ``YYYY``,
``YYYY-MM`` or ``YYYY-MM-DD``) and, optionally, ``owned_by``: the name of another row of the same
file that owns this one (a conglomerate's subsidiary).

FtM: one entity per line, ``{"id", "schema", "properties": {...}}``; names from ``name``,
``alias`` and ``weakAlias``; Person, Company, Organization, LegalEntity and PublicBody are
screened; ``Ownership`` (``owner`` → ``asset``), ``parent``/``subsidiaries`` and the nested
``ownershipOwner``/``ownershipAsset`` of OpenSanctions' exports become links; ``Sanction``
entities give their ``program`` to the entity they name. OpenSanctions' ``target`` flag (false:
only related to a listed entity) is kept. A delta stream (lines ``{"op": "ADD"|"MOD"|"DEL",
"entity": {...}}``) is read as changes to the list already loaded.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from corridor.core.errors import InvalidInput
from corridor.screening.matcher import OWNED_BY, SUBSIDIARY_OF, Target

CSV_COLUMNS = ("name", "aliases", "type", "country", "programme", "source", "date")
CSV_OPTIONAL = ("owned_by",)
SCHEMAS = {"person": "Person", "company": "Company", "organization": "Organization",
           "organisation": "Organization"}  # fmt: skip
FTM_NAMED = {"Person", "Company", "Organization", "LegalEntity", "PublicBody"}
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class EntityRow:
    key: str
    schema: str
    name: str
    aliases: tuple[str, ...] = ()
    weak_aliases: tuple[str, ...] = ()
    country: str = ""
    programme: str = ""
    source: str = ""
    listed_on: str = ""
    listed: bool = True
    links: tuple[tuple[str, str], ...] = ()
    datasets: tuple[str, ...] = ()

    def content(self) -> dict[str, Any]:
        """What a re-import compares: every field but the key."""
        return {
            "schema": self.schema, "name": self.name, "aliases": list(self.aliases),
            "weak_aliases": list(self.weak_aliases), "country": self.country,
            "programme": self.programme, "source": self.source, "listed_on": self.listed_on,
            "listed": self.listed, "links": [list(link) for link in self.links],
            "datasets": list(self.datasets),
        }  # fmt: skip

    def target(self, list_name: str = "") -> Target:
        return Target(
            id=self.key,
            name=self.name,
            aliases=self.aliases,
            weak_aliases=self.weak_aliases,
            schema=self.schema,
            listed=self.listed,
            links=self.links,
            list_name=list_name,
        )


@dataclass
class Delta:
    """A delta stream: entities to add or replace, keys to remove."""

    upserts: list[EntityRow] = field(default_factory=list)
    removals: list[str] = field(default_factory=list)


def csv_key(name: str) -> str:
    """A CSV row's identity: its name, case and spacing aside (the file has no ids)."""
    return "csv:" + " ".join(name.casefold().split())


def read_csv(handle: IO[str], file_name: str) -> list[EntityRow]:
    reader = csv.DictReader(handle)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in ("name",) if c not in header]
    if missing:
        raise InvalidInput(f"{file_name}, row 1: no column {missing[0]!r} (columns: "
                           f"{', '.join(CSV_COLUMNS + CSV_OPTIONAL)})")  # fmt: skip
    unknown = [h for h in header if h not in CSV_COLUMNS + CSV_OPTIONAL]
    if unknown:
        raise InvalidInput(f"{file_name}, row 1: unknown column {unknown[0]!r}")
    reader.fieldnames = header
    raw: list[tuple[int, dict[str, str]]] = []
    errors: list[str] = []
    for number, row in enumerate(reader, start=2):
        cells = {k: (v or "").strip() for k, v in row.items() if k is not None}
        where = f"{file_name}, row {number}"
        if not cells.get("name"):
            errors.append(f"{where}, column name: empty")
        kind = cells.get("type", "").lower() or "organization"
        if kind not in SCHEMAS:
            errors.append(f"{where}, column type: {cells['type']!r} is not one of "
                          f"person, company, organization")  # fmt: skip
        if cells.get("date") and not _DATE.match(cells["date"]):
            errors.append(f"{where}, column date: {cells['date']!r} is not YYYY[-MM[-DD]]")
        raw.append((number, cells))
    keys = {csv_key(cells["name"]) for _, cells in raw if cells.get("name")}
    seen: dict[str, int] = {}
    rows = []
    for number, cells in raw:
        if not cells.get("name"):
            continue
        key = csv_key(cells["name"])
        if key in seen:
            errors.append(f"{file_name}, row {number}, column name: {cells['name']!r} is on "
                          f"row {seen[key]} already")  # fmt: skip
        seen[key] = number
        links: tuple[tuple[str, str], ...] = ()
        if cells.get("owned_by"):
            owner = csv_key(cells["owned_by"])
            if owner not in keys:
                errors.append(f"{file_name}, row {number}, column owned_by: "
                              f"{cells['owned_by']!r} is not a name in this file")  # fmt: skip
            links = ((OWNED_BY, owner),)
        rows.append(EntityRow(
            key=key,
            schema=SCHEMAS.get(cells.get("type", "").lower() or "organization", "Organization"),
            name=cells["name"],
            aliases=tuple(a.strip() for a in cells.get("aliases", "").split(";") if a.strip()),
            country=cells.get("country", "").lower(),
            programme=cells.get("programme", ""),
            source=cells.get("source", ""),
            listed_on=cells.get("date", ""),
            links=links,
        ))  # fmt: skip
    if errors:
        raise InvalidInput("\n".join(errors))
    return rows


def _load_lines(handle: IO[str], file_name: str) -> list[tuple[int, dict[str, Any]]]:
    found = []
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise InvalidInput(f"{file_name}, row {number}: not JSON ({error.msg})") from error
        if not isinstance(value, dict):
            raise InvalidInput(f"{file_name}, row {number}: not a JSON object")
        found.append((number, value))
    return found


def read_ftm(handle: IO[str], file_name: str) -> list[EntityRow] | Delta:
    """FtM entities (a whole list) or, when every line has ``op``, a delta stream."""
    lines = _load_lines(handle, file_name)
    if lines and all("op" in value for _, value in lines):
        return _delta(lines, file_name)
    return _entities([(n, v) for n, v in lines], file_name)


def _delta(lines: list[tuple[int, dict[str, Any]]], file_name: str) -> Delta:
    delta = Delta()
    added: list[tuple[int, dict[str, Any]]] = []
    for number, value in lines:
        op = str(value.get("op", "")).upper()
        entity = value.get("entity")
        if op not in ("ADD", "MOD", "DEL") or not isinstance(entity, dict):
            raise InvalidInput(f"{file_name}, row {number}, property op: give ADD, MOD or DEL "
                               f"with an entity")  # fmt: skip
        if op == "DEL":
            if not entity.get("id"):
                raise InvalidInput(f"{file_name}, row {number}, property id: empty")
            delta.removals.append(f"ftm:{entity['id']}")
        else:
            added.append((number, entity))
    delta.upserts = _entities(added, file_name)
    return delta


def _values(entity: dict[str, Any], prop: str) -> list[Any]:
    value = (entity.get("properties") or {}).get(prop, [])
    return value if isinstance(value, list) else [value]


def _ids(values: Iterable[Any]) -> list[str]:
    return [v["id"] if isinstance(v, dict) else v for v in values if v]


def _entities(lines: list[tuple[int, dict[str, Any]]], file_name: str) -> list[EntityRow]:
    named: dict[str, tuple[int, dict[str, Any]]] = {}
    ownerships: list[tuple[str, str]] = []  # (owner id, asset id)
    parents: list[tuple[str, str]] = []  # (child id, parent id)
    programmes: dict[str, list[str]] = {}
    nested: list[dict[str, Any]] = []
    for number, entity in lines:
        where = f"{file_name}, row {number}"
        entity_id, schema = entity.get("id"), entity.get("schema")
        if not entity_id or not isinstance(entity_id, str):
            raise InvalidInput(f"{where}, property id: empty")
        if not schema:
            raise InvalidInput(f"{where}, property schema: empty")
        if not isinstance(entity.get("properties", {}), dict):
            raise InvalidInput(f"{where}, property properties: not an object")
        if schema == "Ownership":
            nested.append(entity)
        elif schema == "Sanction":
            for target in _ids(_values(entity, "entity")):
                programmes.setdefault(target, []).extend(
                    str(p) for p in _values(entity, "program") if p
                )
        elif schema in FTM_NAMED:
            if not [n for n in _values(entity, "name") if n]:
                raise InvalidInput(f"{where}, property name: {schema} {entity_id} has no name")
            if entity_id in named:
                raise InvalidInput(f"{where}, property id: {entity_id} is on row "
                                   f"{named[entity_id][0]} already")  # fmt: skip
            named[entity_id] = (number, entity)
            nested += [v for v in _values(entity, "ownershipOwner") if isinstance(v, dict)]
            nested += [v for v in _values(entity, "ownershipAsset") if isinstance(v, dict)]
            parents += [(entity_id, p) for p in _ids(_values(entity, "parent"))]
            parents += [(child, entity_id) for child in _ids(_values(entity, "subsidiaries"))]
    for ownership in nested:
        for owner in _ids(_values(ownership, "owner")):
            for asset in _ids(_values(ownership, "asset")):
                ownerships.append((owner, asset))
    links: dict[str, set[tuple[str, str]]] = {}
    for owner, asset in ownerships:
        links.setdefault(asset, set()).add((OWNED_BY, f"ftm:{owner}"))
    for child, parent in parents:
        links.setdefault(child, set()).add((SUBSIDIARY_OF, f"ftm:{parent}"))
    rows = []
    for entity_id, (_, entity) in named.items():
        names = [str(n) for n in _values(entity, "name") if n]
        programme = sorted(set(programmes.get(entity_id, []) + [
            str(p) for p in _values(entity, "program") if p
        ]))  # fmt: skip
        dates = [str(d) for d in _values(entity, "createdAt") if d]
        rows.append(EntityRow(
            key=f"ftm:{entity_id}",
            schema=entity["schema"],
            name=names[0],
            aliases=tuple(dict.fromkeys(names[1:] + [str(a) for a in _values(entity, "alias")])),
            weak_aliases=tuple(str(a) for a in _values(entity, "weakAlias") if a),
            country=";".join(str(c) for c in _values(entity, "country") if c),
            programme="; ".join(programme),
            source=";".join(str(s) for s in _values(entity, "sourceUrl") if s),
            listed_on=str(entity.get("first_seen") or (dates[0] if dates else ""))[:10],
            listed=bool(entity.get("target", True)),
            links=tuple(sorted(links.get(entity_id, set()))),
            datasets=tuple(str(d) for d in entity.get("datasets", []) if d),
        ))  # fmt: skip
    return rows
