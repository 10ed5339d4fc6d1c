"""Organisations created in bulk from a table: `corridor orgs import FILE` (decision 0160).

A CSV or XLSX with a header row (up to ten title rows above it are passed over): name, and
optionally acronym, type, country, public (yes/no), alias, Burmese name. All or nothing: every
row is checked first and any error (named by file, row and column) creates nothing. A name
already in Corridor (one the person may use, by the organisation-name rule of decision 0110)
is left as it is, so importing the same file again creates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from corridor.accounts import policy
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.exchange import reading, values
from corridor.exchange.kinds.choices import ORG_TYPES
from corridor.exchange.table import RowError
from corridor.orgs.models import Organisation, OrgKind, Visibility
from corridor.orgs.queries import NAMING_FIELDS, OrganisationNames
from corridor.orgs.services import organisation_create

# Header words (compared as values.code_key) for each column; HXL tags work too.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "organisation", "organization", "organisation name", "org", "#org+name"),
    "acronym": ("acronym", "short name", "abbreviation", "#org+acronym"),
    "type": ("type", "org type", "organisation type", "organization type", "kind", "#org+type"),
    "country": ("country", "base country", "country code", "#country+code", "#country"),
    "public": ("public", "named publicly"),
    "alias": ("alias", "pseudonym"),
    "name_my": ("name my", "burmese name", "name in burmese", "name (burmese)"),
}
HEADER_SEARCH = 10
YES = {"yes", "y", "true", "1", "public"}
NO = {"no", "n", "false", "0", "", "not public"}
COUNTRIES = {
    "myanmar": "MM",
    "burma": "MM",
    "thailand": "TH",
    "india": "IN",
    "bangladesh": "BD",
    "china": "CN",
}


@dataclass
class OrganisationsImport:
    file: str
    rows: int = 0
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Planned:
    row: int
    name: str
    acronym: str
    kind: str
    country: str
    public: bool
    alias: str
    name_my: str


def _plan(header: list[str]) -> dict[str, int]:
    wanted = {values.code_key(word): column for column, words in COLUMNS.items() for word in words}
    plan: dict[str, int] = {}
    for at, cell in enumerate(header):
        column = wanted.get(values.code_key(cell))
        if column and column not in plan:
            plan[column] = at
    return plan


def organisations_import(
    *, by: Any, path: Path, name: str | None = None, dry_run: bool = False
) -> OrganisationsImport:
    """Create the organisations a table lists, all or nothing; ``by`` None is the operator."""
    name = name or path.name
    if by is not None and not policy.can(by, policy.ADD, Organisation):
        try:
            policy.require(by, policy.ADD, Organisation)  # audits the denial
        except NotAllowed:
            raise NotAllowed("only coordinators and admins may create organisations") from None
    label, rows = reading.open_rows(path, name=name)
    result = OrganisationsImport(file=label, dry_run=dry_run)
    plan: dict[str, int] = {}
    header: list[str] = []
    for number, cells in rows:
        plan = _plan(cells)
        if "name" in plan:
            header = cells
            break
        if number >= HEADER_SEARCH:
            break
    if not header:
        raise InvalidInput(
            _("%(file)s: no header row with a name column (name, acronym, type, country, public)")
            % {"file": label}
        )
    names = OrganisationNames(by)
    known: dict[str, str] = {}
    for org in Organisation.objects.only(*NAMING_FIELDS):
        for key in names.keys(org):
            known.setdefault(values.code_key(key), key)
    seen: dict[str, int] = {}
    planned: list[_Planned] = []

    def cell(cells: list[str], column: str) -> str:
        at = plan.get(column)
        return values.text(cells[at]) if at is not None and at < len(cells) else ""

    for number, cells in rows:
        if not "".join(cells).strip():
            continue
        result.rows += 1

        def error(column: str, reason: str, value: str = "", number: int = number) -> None:
            where = header[plan[column]] if column in plan else column
            result.errors.append(RowError(label, number, where, value, reason))

        org_name = cell(cells, "name")
        if not org_name:
            error("name", _("a name is required"))
            continue
        key = values.code_key(org_name)
        if key in seen:
            error(
                "name",
                _("%(name)s is listed twice (first in row %(row)s)")
                % {"name": repr(org_name), "row": seen[key]},
                org_name,
            )
            continue
        seen[key] = number
        if key in known:
            result.existing.append(org_name)
            continue
        raw_type = cell(cells, "type")
        kind = str(OrgKind.OTHER)
        if raw_type:
            try:
                kind = str(ORG_TYPES(raw_type))
            except values.CellError as exc:
                error("type", str(exc), raw_type)
        raw_country = cell(cells, "country")
        country = COUNTRIES.get(raw_country.casefold(), raw_country.upper()) or "MM"
        if not (len(country) == 2 and country.isascii() and country.isalpha()):
            error(
                "country",
                _("%(value)s is not a country code (two letters, e.g. MM, TH)")
                % {"value": repr(raw_country)},
                raw_country,
            )
        raw_public = cell(cells, "public")
        public = raw_public.casefold() in YES
        if not public and raw_public.casefold() not in NO:
            error("public", _("public is yes or no, not %(value)s") % {"value": repr(raw_public)})
        planned.append(
            _Planned(
                row=number,
                name=org_name,
                acronym=cell(cells, "acronym")[:32],
                kind=kind,
                country=country,
                public=public,
                alias=cell(cells, "alias"),
                name_my=cell(cells, "name_my"),
            )
        )
    if result.errors or dry_run:
        result.created = [p.name for p in planned] if not result.errors else []
        return result
    with transaction.atomic():
        for p in planned:
            try:
                org = organisation_create(
                    by=by,
                    name=p.name,
                    acronym=p.acronym,
                    kind=p.kind,
                    base_country=p.country,
                    visibility=Visibility.PUBLIC if p.public else Visibility.PSEUDONYMOUS,
                    alias=p.alias,
                    name_my=p.name_my,
                )
            except InvalidInput as exc:
                raise InvalidInput(f"{label}, row {p.row}: {exc}") from None
            result.created.append(org.name)
    return result
