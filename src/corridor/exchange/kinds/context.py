"""What the builders share for one file: resolver, organisations, sources, stable keys.

``Context`` turns cells into values and records each problem on the row (``Row.error``), so
one pass reports all of a row's errors. Places go through the gazetteer's resolver; names it
cannot settle are queued for a person's review.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process, utils

from corridor.accounts import policy
from corridor.aid.models import Activity
from corridor.core.rules import today
from corridor.exchange import values
from corridor.exchange.kinds.choices import ORG_TYPES, RELIABILITY
from corridor.exchange.kinds.keys import NAMESPACE, StableKeys
from corridor.exchange.table import Row
from corridor.geo.resolver import AMBIGUOUS, NOT_FOUND, PcodeChange, Resolution, get_resolver
from corridor.geo.rules import township_problems
from corridor.orgs.models import Organisation, OrgKind
from corridor.orgs.queries import NAMING_FIELDS, OrganisationNames
from corridor.orgs.services import organisation_create
from corridor.situation.models import Source

# Distinct unknown place names one imported file may queue for review; a dry run queues none.
MAX_REVIEWS = 100
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


def _point(row: Row) -> str:
    """Where a file without p-codes (ACLED) puts the event, for the person who reviews its
    place name: its point and precision. Not for precision 3 (a stand-in point, 0168)."""
    lat, lon, precision = row.get("latitude"), row.get("longitude"), row.get("geo_precision")
    if not (row.table.place_columns and lat and lon) or precision.strip() == "3":
        return ""
    said = f", geo_precision {precision.strip()}" if precision else ""
    return f" (point {lat[:12]}, {lon[:12]}{said})"


def _decided_note(given: str, change: PcodeChange | None, found: Resolution) -> str:
    """The note on a retired code or name a person has decided in the review queue."""
    if change is None or found.method != "alias" or not found.pcode:
        return ""
    old = f"{change.old_pcode} {change.old_name_en}".strip()
    said = "" if given.strip().upper() == change.old_pcode else f"{given}: "
    return f"{said}{old} was retired; filed under {found.pcode} as decided in review"


class Context:
    """What the builders share for one file: resolver, organisations, sources, stable keys."""

    def __init__(
        self,
        *,
        by: Any,
        organisation: Organisation | None,
        kind: str,
        id_prefix: str = "",
        dry_run: bool = False,
        key_at: tuple[int, ...] = (),
        create_orgs: bool = False,
        org_choices: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.by = by
        self.create_orgs = create_orgs
        # A person's review of the organisations to create (the upload page), by code_key of
        # the name: {"create": bool, "acronym": str, "type": str}; what it sets wins over cells.
        self.org_choices = org_choices or {}
        self.may_create_orgs = by is None or policy.can(by, policy.ADD, Organisation)
        self.organisation = organisation
        self.kind = kind
        self.id_prefix = id_prefix
        self.resolver = get_resolver()
        self.reviews: dict[tuple[str, int | None, str], str] = {}
        self.review_room = 0 if dry_run else MAX_REVIEWS
        self.reviews_left_out: set[tuple[str, int | None, str]] = set()
        self._places: dict[tuple[str, ...], tuple[str | None, str, str, str, str]] = {}
        # Rows whose place came through the p-code crosswalk, by the note they get.
        self.place_notes: dict[str, set[int]] = {}
        self.keys = StableKeys(kind, id_prefix, key_at)
        # The record rules' clock, read once for the whole file.
        self.today = today()
        self._dates: dict[str, dt.date] = {}
        self._months: dict[str, dt.date] = {}
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
        self.sources: dict[tuple[str, str, str], uuid.UUID] = {
            (title, publisher, url): pk
            for pk, title, publisher, url in Source.objects.values_list(
                "id", "title", "publisher", "url"
            )
        }
        # Sources first seen in this file, written before the rows that cite them.
        self.new_sources: dict[uuid.UUID, tuple] = {}

    # -- stable keys ------------------------------------------------------------------

    def stable_id(self, row: Row, content: str, scope: str = "") -> uuid.UUID:
        """The record id: the file's own id, else the declared key's cells, else ``content``
        (``keys.content_of`` the row's stored values; kinds/keys.py)."""
        return uuid.UUID(hex=self.keys(row.get("id"), content, scope, row.cells))

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

    # -- cells ------------------------------------------------------------------------

    def date(self, row: Row, name: str, *, required: bool = False) -> dt.date | None:
        raw = row.get(name)
        if not raw:
            if required:
                row.error(name, _("a date is required"))
            return None
        found = self._dates.get(raw)
        if found is None:
            try:
                found = values.date(raw, window=False)
            except values.CellError as exc:
                row.error(name, str(exc), raw)
                return None
            self._dates[raw] = found
        return found

    def month(self, row: Row, name: str) -> dt.date | None:
        raw = row.get(name)
        if not raw:
            return None
        found = self._months.get(raw)
        if found is None:
            try:
                found = values.month(raw, window=False)
            except values.CellError as exc:
                row.error(name, str(exc), raw)
                return None
            self._months[raw] = found
        return found

    @staticmethod
    def count(row: Row, name: str, *, default: int | None = 0) -> int | None:
        raw = row.get(name)
        if not raw:
            return default
        if raw.isdigit() and len(raw) < 8:
            return int(raw)
        try:
            return values.count(raw)
        except values.CellError as exc:
            row.error(name, str(exc), raw)
            return default

    @staticmethod
    def choice(row: Row, name: str, choices: values.Choices, default: str | None = None) -> str:
        raw = row.get(name)
        if not raw:
            if default is None:
                row.error(name, _("a %(field)s is required") % {"field": choices.name})
                return ""
            return default
        try:
            return choices(raw)
        except values.CellError as exc:
            row.error(name, str(exc), raw)
            return ""

    # -- places -----------------------------------------------------------------------

    def place(self, row: Row, *, township_only: bool, up_to: int = 3) -> str | None:
        """The p-code of the deepest place the row names, or None with an error recorded.

        ``up_to``: the deepest level to read (1: the state or region, whatever else the row
        names; for events whose place is known only that well).
        """
        key = tuple(
            row.get(n) if int(n[3]) <= up_to else ""
            for n in ("adm3_code", "adm3_name", "adm2_code", "adm2_name", "adm1_code", "adm1_name")
        )
        cached = self._places.get(key)
        if cached is None:
            cached = self._resolve(
                *key, township_only=township_only, columns=row.table.place_columns
            )
            self._places[key] = cached
        pcode, field, reason, query, note = cached
        if note:
            self.place_notes.setdefault(note, set()).add(row.number)
        if pcode is None:
            row.error(field, reason)
            if query:
                level = int(field[3]) if field.startswith("adm") else None
                parent = row.get("adm1_code") or row.get("adm1_name")
                review = (query, level, parent)
                known = review in self.reviews or review in self.reviews_left_out
                if not known and len(self.reviews) < self.review_room:
                    self.reviews[review] = f"{row.table.name} row {row.number}" + _point(row)
                elif not known:
                    self.reviews_left_out.add(review)
        return pcode

    def _resolve(
        self,
        adm3c: str,
        adm3n: str,
        adm2c: str,
        adm2n: str,
        adm1c: str,
        adm1n: str,
        *,
        township_only: bool,
        columns: str,
    ) -> tuple[str | None, str, str, str, str]:
        """The p-code, or the field at fault, the reason and the name to queue for review;
        last, the crosswalk's note when the place was read through it.

        ``columns``: the place columns of a file without p-codes (ACLED), which the reasons
        then point at instead of asking for a p-code.
        """
        resolver = self.resolver
        parent = adm1c or adm1n or None
        if adm3c or adm3n:
            level, code, name, prefix = 3, adm3c, adm3n, "adm3"
        elif township_only:
            return None, "adm3_code", _("a township (p-code or name) is required"), "", ""
        elif adm2c or adm2n:
            level, code, name, prefix = 2, adm2c, adm2n, "adm2"
            parent = adm1c or adm1n or None
        elif adm1c or adm1n:
            level, code, name, prefix, parent = 1, adm1c, adm1n, "adm1", None
        elif columns:
            reason = _("a place is required (%(columns)s)") % {"columns": columns}
            return None, "adm1_name", reason, "", ""
        else:
            return None, "adm3_code", _("a place (township p-code or name) is required"), "", ""
        note = ""
        if code:
            found = resolver.resolve(code)
            change = resolver.change_for(code)
            if change is not None and not found.accepted:
                reason = self._retired(code, change, found, columns)
                return None, f"{prefix}_code", reason, code.strip().upper(), ""
            if found.method not in ("pcode", "crosswalk") and change is None:
                return (
                    None,
                    f"{prefix}_code",
                    _("unknown p-code %(code)s") % {"code": repr(code)},
                    "",
                    "",
                )
            note = found.note or _decided_note(code, change, found)
            if found.level != level and level == 3:
                # The rule every entry point words alike (a state p-code in a township column).
                reason = township_problems("", found.pcode, found.level)[0].message
                return None, f"{prefix}_code", reason, "", ""
            if found.level != level:
                reason = _("%(code)s is not a level-%(level)s p-code") % {
                    "code": code,
                    "level": level,
                }
                return None, f"{prefix}_code", reason, "", ""
            pcode = found.pcode
        else:
            found = resolver.resolve(name, level=level, parent=parent)
            change = resolver.change_for(name) if found.method in ("crosswalk", "alias") else None
            if change is not None and not found.accepted:
                reason = self._retired(name, change, found, columns)
                return None, f"{prefix}_name", reason, name, ""
            note = found.note or _decided_note(name, change, found)
            if not found.accepted:
                if found.status == AMBIGUOUS and columns:
                    reason = self._ambiguous_names(name, found, columns)
                elif found.status == AMBIGUOUS:
                    options = ", ".join(f"{c.name_en} ({c.pcode})" for c in found.candidates[:4])
                    reason = _("place %(name)s is ambiguous: %(options)s; give the p-code") % {
                        "name": repr(name),
                        "options": options,
                    }
                elif found.status == NOT_FOUND and found.note and level == 3:
                    reason = self._larger_area(name, parent, columns)
                else:
                    reason = self._unsettled(name, found, columns)
                return None, f"{prefix}_name", reason, name, ""
            pcode = found.pcode
        if parent and level > 1 and adm1c and pcode:
            scope = frozenset([adm1c.strip().upper()])
            if adm1c.strip().upper() in resolver.units and not resolver.in_scope(pcode, scope):
                return (
                    None,
                    f"{prefix}_code" if code else f"{prefix}_name",
                    _("%(pcode)s is not in %(state)s")
                    % {"pcode": pcode, "state": adm1c.strip().upper()},
                    "",
                    "",
                )
        return pcode, "", "", "", note

    def _retired(
        self, given: str, change: PcodeChange, found: Resolution, columns: str = ""
    ) -> str:
        """Why a retired code or name whose ground is now several units' was not taken: it
        names them, and says whether the gazetteer review queue got it."""
        names = {
            "given": repr(given),
            "old": f"{change.old_pcode} {change.old_name_en}".strip(),
            "successors": ", ".join(f"{c.name_en} ({c.pcode})" for c in found.candidates),
        }
        if len(self.reviews) < self.review_room:
            return (
                _(
                    "%(given)s names a retired place (%(old)s); its ground is now %(successors)s: "
                    "sent to the gazetteer review queue to pick one"
                )
                % names
            )
        if columns:
            return _(
                "%(given)s names a retired place (%(old)s); its ground is now %(successors)s: "
                "check the %(columns)s names or ask a coordinator to decide it in the "
                "gazetteer review queue"
            ) % {**names, "columns": columns}
        return (
            _(
                "%(given)s names a retired place (%(old)s); its ground is now %(successors)s: "
                "give the place's current p-code or name"
            )
            % names
        )

    def _larger_area(self, name: str, parent: str | None, columns: str) -> str:
        """Why a township cell naming a larger area (Kokang SAZ, Wa SAD) was not taken."""
        wider = self.resolver.resolve(name, parent=parent)
        names = {
            "name": repr(name),
            "areas": ", ".join(f"{c.name_en} ({c.pcode})" for c in wider.candidates[:3]),
            "columns": columns,
        }
        if len(self.reviews) < self.review_room:
            return (
                _(
                    "place %(name)s is %(areas)s, not a township: sent to the gazetteer "
                    "review queue to pick a township in it"
                )
                % names
            )
        if columns:
            return (
                _("place %(name)s is %(areas)s, not a township: check the %(columns)s names")
                % names
            )
        return (
            _("place %(name)s is %(areas)s, not a township: give the township's p-code or name")
            % names
        )

    def _ambiguous_names(self, name: str, found: Any, columns: str) -> str:
        """Why a name of a file without p-codes (ACLED) that fits several places was not taken."""
        names = {
            "name": repr(name),
            "options": ", ".join(f"{c.name_en} ({c.pcode})" for c in found.candidates[:4]),
            "columns": columns,
        }
        if len(self.reviews) < self.review_room:
            return (
                _("place %(name)s is ambiguous: %(options)s; sent to the gazetteer review queue")
                % names
            )
        return (
            _(
                "place %(name)s is ambiguous: %(options)s; check the %(columns)s names "
                "or ask a coordinator to add the name to the gazetteer"
            )
            % names
        )

    def _unsettled(self, name: str, found: Any, columns: str = "") -> str:
        """Why a name was not taken; it says "sent" only when the queue will get it."""
        queued = len(self.reviews) < self.review_room
        if found.status == NOT_FOUND and queued:
            return _("unknown place %(name)s; sent to the gazetteer review queue") % {
                "name": repr(name)
            }
        if found.status == NOT_FOUND and columns:
            return _(
                "unknown place %(name)s; check the %(columns)s names or ask a coordinator "
                "to add the name to the gazetteer"
            ) % {"name": repr(name), "columns": columns}
        if found.status == NOT_FOUND:
            return _(
                "unknown place %(name)s; give its p-code or ask a coordinator "
                "to add the name to the gazetteer"
            ) % {"name": repr(name)}
        best = found.candidates[0]
        names = {"name": repr(name), "place": best.name_en, "pcode": best.pcode}
        if queued:
            return (
                _(
                    "place %(name)s only resembles %(place)s (%(pcode)s); "
                    "sent to the gazetteer review queue"
                )
                % names
            )
        if columns:
            return _(
                "place %(name)s only resembles %(place)s (%(pcode)s); check the "
                "%(columns)s names or ask a coordinator to add the name to the gazetteer"
            ) % {**names, "columns": columns}
        return (
            _(
                "place %(name)s only resembles %(place)s (%(pcode)s); give its "
                "p-code or ask a coordinator to add the name to the gazetteer"
            )
            % names
        )

    # -- organisations ----------------------------------------------------------------

    def org(self, row: Row, *, required: bool, model: type[models.Model]) -> str | None:
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
        if not self._may_add(chosen, model):
            row.error(
                "org" if name else "",
                _("you may not add %(records)s for %(org)s")
                % {
                    "records": model._meta.verbose_name_plural,
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

    def _may_add(self, org_id: str, model: type[models.Model]) -> bool:
        if self.by is None:
            return True  # the instance operator, at the command line
        allowed = self._allowed.get(org_id)
        if allowed is None:
            org = self._orgs_by_id[org_id]
            probe = (
                model(organisation=org) if model is Activity else model(reporting_organisation=org)
            )
            # An editor adds for their own organisations; a coordinator files a cluster-wide
            # file's rows for any organisation they may see (decision 0160).
            allowed = policy.can(self.by, policy.ADD, probe) or policy.can(
                self.by, policy.IMPORT_FOR, org
            )
            self._allowed[org_id] = allowed
        return allowed

    # -- sources ----------------------------------------------------------------------

    def source_ids(
        self, row: Row, *, required: bool, names: list[str] | None = None
    ) -> list[uuid.UUID]:
        """Ids of the sources a row cites (``names``: publisher names from one ACLED cell)."""
        if names is not None:
            titles, publishers, urls, dates, ratings = names, names, [], [], []
        else:
            titles = row.all("source_title")
            publishers = row.all("source_publisher")
            urls = row.all("source_url")
            dates = row.all("source_date")
            ratings = row.all("source_reliability")
        found: list[uuid.UUID] = []
        for at, title in enumerate(titles):
            if not title:
                continue
            title = values.text(title)
            publisher = values.text(publishers[at]) if at < len(publishers) else ""
            url = urls[at] if at < len(urls) else ""
            if url and not url.startswith(("http://", "https://")):
                row.error(
                    "source_url", _("a source link must start with http:// or https://"), url, at=at
                )
                continue
            key = (title[:300], publisher[:200], url[:500])
            pk = self.sources.get(key)
            if pk is None:
                pk = uuid.uuid5(NAMESPACE, "source:" + "|".join(key))
                published = None
                if at < len(dates) and dates[at]:
                    try:
                        published = values.date(dates[at])
                    except values.CellError as exc:
                        row.error("source_date", str(exc), dates[at], at=at)
                rating = "F"
                if at < len(ratings) and ratings[at]:
                    try:
                        rating = RELIABILITY(ratings[at])
                    except values.CellError as exc:
                        row.error("source_reliability", str(exc), ratings[at], at=at)
                self.sources[key] = pk
                self.new_sources[pk] = (pk, key[0], key[1], published, key[2], rating)
            if pk not in found:
                found.append(pk)
        if required and not found and not row.errors:
            row.error("source_title", _("a source is required: an unsourced number is a rumour"))
        return found
