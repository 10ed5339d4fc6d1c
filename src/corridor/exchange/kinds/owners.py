"""The organisation each row of a file belongs to, and whether the importing person may file
records for it (decision 0160).

A name the person cannot use is "unknown", worded as for a name nobody has (decision 0110), and
listed among the organisations to create; with ``create_orgs`` the import creates it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process, utils

from corridor.accounts import policy
from corridor.exchange import values
from corridor.exchange.kinds.choices import ORG_TYPES
from corridor.exchange.kinds.columns import Kind
from corridor.exchange.table import Row
from corridor.orgs.models import Organisation, OrgKind
from corridor.orgs.queries import NAMING_FIELDS, OrganisationNames
from corridor.orgs.services import organisation_create

# Rows listed per organisation to create; the count stays exact beyond it.
MAX_NAMING_ROWS = 50
# How alike (rapidfuzz WRatio, 0-100) a known name must be to be offered as "did you mean".
ORG_LIKE_SCORE = 88


@dataclass
class NewOrganisation:
    """An organisation a file names that Corridor does not know (for the importer)."""

    pk: uuid.UUID
    name: str
    acronym: str = ""
    kind: str = ""
    rows: list[int] = field(default_factory=list)
    row_count: int = 0
    created: bool = False
    wanted: bool = False  # to be created with this import (create_orgs, and ticked)
    _seen: set[int] = field(default_factory=set)

    def named_by(self, number: int) -> None:
        # The batch path asks for a probe row and again for its rows: count each row once.
        if number in self._seen:
            return
        self._seen.add(number)
        self.row_count += 1
        if len(self.rows) < MAX_NAMING_ROWS:
            self.rows.append(number)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "acronym": self.acronym,
            "type": self.kind,
            "rows": sorted(self.rows),
            "row_count": self.row_count,
            "created": self.created,
        }


class Owners:
    """The organisations one file's rows may belong to, as the importing person knows them."""

    def __init__(
        self,
        *,
        by: Any,
        organisation: Organisation | None,
        kind: Kind,
        create_orgs: bool = False,
        org_choices: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.by = by
        self.organisation = organisation
        self.kind = kind
        self.create_orgs = create_orgs
        # A person's review of the organisations to create (the upload page), by code_key of
        # the name: {"create": bool, "acronym": str, "type": str}; what it sets wins over cells.
        self.org_choices = org_choices or {}
        self.may_create_orgs = by is None or policy.can(by, policy.ADD, Organisation)
        # Only the organisations, and the names of them, that this person may use: one they
        # may not name is "unknown", worded as for a name nobody has (decision 0110).
        self.org_names = OrganisationNames(by)
        self._orgs_by_id: dict[str, Organisation] = {}
        self._org_codes: set[str] = set()
        self._orgs_by_key: dict[str, set[str]] = {}
        for org in Organisation.objects.only(*NAMING_FIELDS):
            keys = self.org_names.keys(org)
            if not keys:
                continue
            self._orgs_by_id[str(org.pk)] = org
            if str(org.pk) in keys:
                self._org_codes.add(str(org.pk))
            for label in keys:
                self._orgs_by_key.setdefault(values.code_key(label), set()).add(str(org.pk))
        if organisation is not None:
            self._orgs_by_id[str(organisation.pk)] = organisation
        self._allowed: dict[str, bool] = {}
        # Names this person may use, for "did you mean": no ids, nothing hidden (0110).
        self._org_labels = sorted(
            {
                label
                for org in self._orgs_by_id.values()
                for label in self.org_names.keys(org)
                if label != str(org.pk)
            }
        )
        self._likes: dict[str, str | None] = {}
        # Organisations the file names that this person cannot use, by code_key of the name.
        self.new_orgs: dict[str, NewOrganisation] = {}
        self._new_org_ids: dict[str, NewOrganisation] = {}

    def org_label(self, org_id: str | None) -> str:
        """An organisation of this file as the importing person is shown it."""
        if org_id is None:
            return _("no reporting organisation")
        org = self._orgs_by_id.get(str(org_id))
        if org is not None:
            return self.org_names.label(org)
        # One this import creates: by the name the file gives it (never its new id).
        new = self._new_org_ids.get(str(org_id))
        return new.name if new is not None else str(org_id)

    def org(self, row: Row, *, required: bool) -> str | None:
        """The organisation id the row belongs to: the row's own when it names one (decision
        0160), else the upload's (--org); checked against the policy.

        A name this person cannot use is "unknown", listed among the organisations to create;
        with ``create_orgs`` it gets the id of the organisation the import will create.
        """
        chosen: str | None = None
        code = row.get("org_code")
        name = row.get("org")
        if code:
            if code in self._org_codes:
                chosen = code
            elif not name:
                row.error("org_code", _("no organisation with id %(id)s") % {"id": code})
                return None
        if chosen is None and name:
            text = values.text(name)
            matches = self._orgs_by_key.get(values.code_key(text), set())
            if len(matches) > 1:
                row.error(
                    "org",
                    _("%(name)s names more than one organisation; use its id")
                    % {"name": repr(name)},
                )
                return None
            if not matches:
                # Never filed under the upload's organisation: that would merge another
                # partner's work into the uploader's without a word.
                return self._unknown_org(row, text)
            chosen = next(iter(matches))
        chosen = chosen or (str(self.organisation.pk) if self.organisation else None)
        if chosen is None:
            if required:
                row.error("org", _("an organisation is required (or import with --org)"))
            return None
        if not self._may_add(chosen):
            row.error(
                "org" if name else "",
                _("you may not add %(records)s for %(org)s")
                % {
                    "records": self.kind.model._meta.verbose_name_plural,
                    "org": self.org_names.label(self._orgs_by_id[chosen]),
                },
            )
            return None
        return chosen

    def _unknown_org(self, row: Row, name: str) -> str | None:
        key = values.code_key(name)
        entry = self.new_orgs.get(key)
        choice = self.org_choices.get(key, {})
        if entry is None:
            entry = NewOrganisation(pk=uuid.uuid4(), name=name)
            entry.acronym = str(choice.get("acronym", ""))[:32]
            entry.kind = str(choice.get("type", ""))
            self.new_orgs[key] = entry
            self._new_org_ids[str(entry.pk)] = entry
        entry.named_by(row.number)
        creating = self.create_orgs and bool(choice.get("create", True))
        entry.wanted = creating
        if not entry.acronym and "acronym" not in choice:
            entry.acronym = values.text(row.get("org_acronym"))[:32]
        raw_type = row.get("org_type")
        if raw_type and not entry.kind:
            try:
                entry.kind = str(ORG_TYPES(raw_type))
            except values.CellError as exc:
                if creating:
                    row.error("org_type", str(exc), raw_type)
                    return None
        if creating:
            return str(entry.pk)
        row.error("org", self._unknown_reason(name))
        return None

    def _unknown_reason(self, name: str) -> str:
        """Why a name was refused: only the name typed, and names this person may use."""
        names = {"name": repr(name)}
        if self.may_create_orgs:
            reason = (
                _("unknown organisation %(name)s; to create it, import with --create-orgs") % names
            )
        else:
            reason = (
                _("unknown organisation %(name)s; a coordinator can create it (--create-orgs)")
                % names
            )
        like = self._org_like(name)
        if like:
            reason += "; " + _("did you mean %(like)s?") % {"like": repr(like)}
        return reason

    def _org_like(self, name: str) -> str | None:
        """The closest name this person may use (never an id), if one is close enough."""
        if name in self._likes:
            return self._likes[name]
        found = process.extractOne(
            name,
            self._org_labels,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            score_cutoff=ORG_LIKE_SCORE,
        )
        like = self._org_labels[found[2]] if found else None
        self._likes[name] = like
        return like

    def named_new_orgs(self, numbers: list[int], org_ids: list[Any]) -> None:
        """Rows (the batch path) filed under an organisation the import will create."""
        pending = self._new_org_ids
        for number, org_id in zip(numbers, org_ids, strict=True):
            entry = pending.get(org_id) if isinstance(org_id, str) else None
            if entry is not None:
                entry.named_by(number)

    def create_new_orgs(self) -> None:
        """Create, inside the import's transaction, the new organisations its rows cite."""
        for entry in self.new_orgs.values():
            if entry.created or not entry.wanted or not entry.rows:
                continue
            organisation_create(
                by=self.by,
                pk=entry.pk,
                name=entry.name,
                acronym=entry.acronym,
                kind=entry.kind or OrgKind.OTHER,
            )
            entry.created = True

    def organisations_to_create(self) -> list[dict[str, Any]]:
        return [entry.as_dict() for entry in self.new_orgs.values()]

    def _may_add(self, org_id: str) -> bool:
        if self.by is None:
            return True  # the instance operator, at the command line
        allowed = self._allowed.get(org_id)
        if allowed is None:
            org = self._orgs_by_id[org_id]
            probe = self.kind.owner_probe(org)
            # An editor adds for their own organisations; a coordinator files a cluster-wide
            # file's rows for any organisation they may see (decision 0160).
            allowed = policy.can(self.by, policy.ADD, probe) or policy.can(
                self.by, policy.IMPORT_FOR, org
            )
            self._allowed[org_id] = allowed
        return allowed
