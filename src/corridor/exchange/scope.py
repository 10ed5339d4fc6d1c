"""What an imported file covers, and the stored records inside that (decision 0150).

A file replaces, with ``--replace``, the stored records of its scope that it no longer
contains; nothing outside the scope is touched. The scope is derived from the file's valid
rows and shown before anything is applied:

- activities: per organisation, the reporting months from the file's first to its last
  (a row without a reporting month counts in the month of its start date);
- incidents: per reporting organisation, the dates from the file's first to its last event,
  in the states (or regions) its events are in;
- displacement figures: per reporting organisation and source, the "as of" dates the file has.

Stored records are compared by identity, never row by row: the file's identities are kept in
one set while its rows are built, the scope's stored records come back in one query per part
(``stored``), and what is missing is the difference.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext as _

from corridor.accounts import policy
from corridor.exchange.kinds.columns import Kind, Record
from corridor.exchange.removal import replaced
from corridor.geo.resolver import get_resolver
from corridor.orgs.models import Organisation
from corridor.situation.models import Source

# Records named in a preview, for each of created, changed and removed.
SAMPLE = 5


@dataclass(frozen=True)
class Part:
    """One organisation's share of a scope: the records it covers and how to say so."""

    organisation: str | None
    where: Q
    text: str


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _month(day: dt.date) -> str:
    return day.strftime("%Y-%m")


class Scope:
    """The identities a file holds and the part of the stored table it covers."""

    def __init__(self, kind: Kind, label: Callable[[str | None], str]) -> None:
        self.model: type[models.Model] = kind.model
        self.owner = kind.owner
        self.label = label
        self.seen: set[Any] = set()
        # Organisations (as the rows name them) with no current record when the file's first
        # row of them was checked for duplicates (``core.rules.InFile.fresh``): their part of
        # the scope holds only the file's own rows (decision 0373).
        self.fresh: set[Any] = set()
        self._parts: list[Part] | None = None

    # -- while rows are built ----------------------------------------------------------

    def identity(self, values: Record) -> Any:
        """How a built row and a stored record are matched: the record id, as 32 hex digits."""
        record = values.id
        return record if isinstance(record, str) else record.hex

    def add(self, batch: list[Record]) -> None:
        raise NotImplementedError

    # -- once the file is read ---------------------------------------------------------

    def parts(self) -> list[Part]:
        """The scope, organisation by organisation (computed once every row is added)."""
        if self._parts is None:
            self._parts = self._make_parts()
        return self._parts

    def _make_parts(self) -> list[Part]:
        raise NotImplementedError

    def describe(self) -> list[str]:
        return [part.text for part in self.parts()]

    def allowed(self, by: Any) -> tuple[list[Part], list[Part], list[Part]]:
        """(parts ``by`` may remove records from, parts they may not, and parts of records
        others entered where ``by`` may remove only their own).

        Someone who may import for an organisation but not remove its records (a
        coordinator bringing in a cluster-wide file) may remove there the records they filed
        and nobody changed since; the others' records of that part are left alone
        (decision 0240)."""
        mine, others, shared = [], [], []
        for part in self.parts():
            if by is None or policy.can(by, policy.DELETE, self._probe(part.organisation)):
                mine.append(part)
            elif self._files_for(by, part.organisation):
                theirs = Q(created_by_id=by.pk, updated_by_id=by.pk)
                mine.append(Part(part.organisation, part.where & theirs, part.text))
                left = _("%(part)s: records others entered or changed") % {"part": part.text}
                shared.append(Part(part.organisation, part.where & ~theirs, left))
            else:
                others.append(part)
        return mine, others, shared

    def _files_for(self, by: Any, organisation: str | None) -> bool:
        if not organisation:
            return False
        found = Organisation.objects.filter(pk=organisation).first()
        return found is not None and policy.can(by, policy.IMPORT_FOR, found)

    def _probe(self, organisation: str | None) -> models.Model:
        # The policy compares organisation ids as UUIDs; built rows carry them as text.
        return self.model(**{self.owner: uuid.UUID(organisation) if organisation else None})

    def where(self, parts: Iterable[Part]) -> Q | None:
        found = None
        for part in parts:
            found = part.where if found is None else found | part.where
        return found

    fields: tuple[str, ...] = ("pk",)

    def stored(self, parts: list[Part]) -> Iterator[tuple]:
        """Rows of ``fields`` of the stored records in these parts, one query a part.

        Read through the cursor, without model instances or UUID objects: a re-import of a
        million rows reads a million ids here.
        """
        for part in parts:
            query = self.model._default_manager.filter(part.where).values_list(*self.fields)
            sql, params = query.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                while rows := cursor.fetchmany(10_000):
                    yield from rows

    def stored_identity(self, row: tuple) -> Any:
        (pk,) = row
        return pk if isinstance(pk, str) else pk.hex

    def missing(self, by: Any) -> tuple[list[Any], list[Part]]:
        """Primary keys of stored records in scope that the file no longer holds, and the
        parts left alone because ``by`` may not remove records there."""
        mine, others, shared = self.allowed(by)
        # The part of an organisation that had no current record before the file holds the
        # file's rows alone, which it holds: nothing of it is missing, and its stored ids (a
        # first import's every row) are not read back (decision 0373).
        fresh = self.fresh
        mine = [part for part in mine if part.organisation not in fresh]
        shared = [part for part in shared if part.organisation not in fresh]
        seen = self.seen
        identity = self.stored_identity
        gone = [row[0] for row in self.stored(mine) if identity(row) not in seen]
        # Others' records there are named only when the file no longer holds some of them.
        kept = others + [
            part for part in shared if any(identity(row) not in seen for row in self.stored([part]))
        ]
        return gone, kept

    def held_again(self, by: Any) -> list[Any]:
        """Primary keys of records a replacing import removed (decision 0282) that this file
        holds again, where ``by`` may remove records (and so restore them)."""
        mine, _, _ = self.allowed(by)
        where = self.where(mine)
        if where is None:
            return []
        removed = self.model.all_objects.filter(where & replaced())  # type: ignore[attr-defined]
        seen, identity = self.seen, self.stored_identity
        return [row[0] for row in removed.values_list(*self.fields) if identity(row) in seen]

    def organisations(self) -> set[str]:
        """The organisations whose records the file holds; a kind with a rollup refreshes
        theirs (only activities have one: decision 0225)."""
        return set()

    def sample(self, where: Q) -> list[str]:
        """A few records as a person would recognise them, for the preview."""
        return [self.line(r) for r in self.model._default_manager.filter(where)[:SAMPLE]]

    def line(self, record: Any) -> str:
        raise NotImplementedError


class ActivityScope(Scope):
    def __init__(self, kind: Kind, label: Callable[[str | None], str]) -> None:
        super().__init__(kind, label)
        self.months: set[tuple[str, dt.date]] = set()

    def add(self, batch: list[Record]) -> None:
        # Every valid 4W row has a reporting month or a start date (builders.period_problems).
        self.months.update(
            (v.organisation_id, v.reporting_month or v.start_date.replace(day=1)) for v in batch
        )

    def organisations(self) -> set[str]:
        return {org for org, _month in self.months}

    def _make_parts(self) -> list[Part]:
        spans: dict[str, list[dt.date]] = {}
        for org, month in self.months:
            span = spans.setdefault(org, [month, month])
            span[0], span[1] = min(span[0], month), max(span[1], month)
        parts = []
        for org, (first, last) in sorted(spans.items(), key=lambda item: self.label(item[0])):
            where = Q(organisation_id=org) & (
                Q(reporting_month__gte=first, reporting_month__lte=last)
                | Q(
                    reporting_month__isnull=True,
                    start_date__gte=first,
                    start_date__lt=_next_month(last),
                )
            )
            months = (
                _month(first)
                if first == last
                else _("%(first)s to %(last)s") % {"first": _month(first), "last": _month(last)}
            )
            text = _("%(org)s: activities of %(months)s") % {
                "org": self.label(org),
                "months": months,
            }
            parts.append(Part(org, where, text))
        return parts

    def line(self, record: Any) -> str:
        month = record.reporting_month or record.start_date
        people = record.women + record.men + record.girls + record.boys + record.unspecified
        return (
            f"{record.admin_unit_id} {record.sector} {record.modality} "
            f"{_month(month) if month else ''}: {people} people reached"
        )


class IncidentScope(Scope):
    def __init__(self, kind: Kind, label: Callable[[str | None], str]) -> None:
        super().__init__(kind, label)
        self.days: dict[str | None, list[dt.date]] = {}
        self.places: dict[str | None, set[str]] = {}

    def add(self, batch: list[Record]) -> None:
        for v in batch:
            org, day = v.reporting_organisation_id, v.occurred_on
            span = self.days.setdefault(org, [day, day])
            span[0], span[1] = min(span[0], day), max(span[1], day)
            self.places.setdefault(org, set()).add(v.admin_unit_id)

    def _make_parts(self) -> list[Part]:
        units = get_resolver().units

        def state(pcode: str) -> str:
            seen = set()
            while units[pcode].level > 1 and units[pcode].parent in units and pcode not in seen:
                seen.add(pcode)
                pcode = units[pcode].parent  # type: ignore[assignment]
            return pcode

        parts = []
        for org, (first, last) in sorted(self.days.items(), key=lambda i: self.label(i[0])):
            states = {state(p) for p in self.places[org] if p in units}
            inside = sorted(p for p in units if state(p) in states)
            where = Q(occurred_on__gte=first, occurred_on__lte=last, admin_unit_id__in=inside)
            where &= (
                Q(reporting_organisation__isnull=True) if org is None else Q(**{self.owner: org})
            )
            names = ", ".join(sorted(units[s].name_en for s in states))
            text = _("%(org)s: incidents of %(first)s to %(last)s in %(places)s") % {
                "org": self.label(org),
                "first": first,
                "last": last,
                "places": names,
            }
            parts.append(Part(org, where, text))
        return parts

    def line(self, record: Any) -> str:
        return f"{record.occurred_on} {record.incident_type} {record.admin_unit_id}"


class FigureScope(Scope):
    def __init__(self, kind: Kind, label: Callable[[str | None], str]) -> None:
        super().__init__(kind, label)
        self.dates: set[tuple[str | None, str, dt.date]] = set()

    def identity(self, values: Record) -> Any:
        # A figure is its place, date and source: the table's unique key (decision 0080).
        return (values.admin_unit_id, values.as_of, str(values.source_id))

    def add(self, batch: list[Record]) -> None:
        self.dates.update((v.reporting_organisation_id, str(v.source_id), v.as_of) for v in batch)

    def _make_parts(self) -> list[Part]:
        grouped: dict[tuple[str | None, str], set[dt.date]] = {}
        for org, source, as_of in self.dates:
            grouped.setdefault((org, source), set()).add(as_of)
        parts = []
        for (org, source), days in sorted(grouped.items(), key=lambda i: (self.label(i[0][0]),)):
            where = Q(source_id=source, as_of__in=sorted(days))
            where &= (
                Q(reporting_organisation__isnull=True) if org is None else Q(**{self.owner: org})
            )
            title = (
                Source.objects.filter(pk=source).values_list("title", flat=True).first() or source
            )
            dates = ", ".join(str(d) for d in sorted(days))
            text = _("%(org)s: figures of %(source)s as of %(dates)s") % {
                "org": self.label(org),
                "source": title,
                "dates": dates,
            }
            parts.append(Part(org, where, text))
        return parts

    fields = ("pk", "admin_unit_id", "as_of", "source_id")

    def stored_identity(self, row: tuple) -> Any:
        _pk, unit, as_of, source = row
        if not isinstance(as_of, dt.date):  # SQLite's cursor gives dates as text
            as_of = dt.date.fromisoformat(as_of)
        return (unit, as_of, str(uuid.UUID(str(source))))

    def line(self, record: Any) -> str:
        return f"{record.admin_unit_id} as of {record.as_of}: {record.idps} IDPs"


SCOPES: dict[str, type[Scope]] = {
    "activities": ActivityScope,
    "incidents": IncidentScope,
    "figures": FigureScope,
}
