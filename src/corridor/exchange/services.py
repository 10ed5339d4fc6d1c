"""Writes of the exchange app: importing a file, and exports (which are audited as exports)."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts import policy
from corridor.aid.models import Activity
from corridor.audit.services import Action, audit_record
from corridor.core.errors import CorridorError, InvalidInput, NotAllowed
from corridor.disclosure import (
    internal_output,
    is_publishable,
    month_is_publishable,
    public_week_start,
    publication_cutoff,
    publish_table,
    reference_output,
    shared_output,
)
from corridor.exchange import internal_export, sharing
from corridor.exchange.fields import IMPORT_KIND_NAMES, KIND_NAMES, LEDGER_KINDS
from corridor.exchange.formats import hxl, iati, xlsform
from corridor.exchange.mapping import apply as mapped
from corridor.exchange.mapping.queries import saved_mapping_for_file
from corridor.exchange.mapping.spec import Mapping
from corridor.exchange.models import ImportRun
from corridor.exchange.pipeline import DEFAULT_BATCH, ImportResult, Progress, run_import
from corridor.exchange.registry import FORMATS, detect
from corridor.funds.models import Grant, Spending, Transfer
from corridor.funds.queries import transfers_counting_for
from corridor.geo.models import AdminUnit
from corridor.orgs.models import Organisation, Visibility
from corridor.orgs.queries import organisation_find_visible
from corridor.situation.models import DisplacementFigure, Incident

MODELS: dict[str, type[models.Model]] = {
    "activities": Activity,
    "figures": DisplacementFigure,
    "incidents": Incident,
}
# What an import of each kind adds (the ledger's kinds are imported, never exported as HXL).
IMPORTED: dict[str, type[models.Model]] = {**MODELS, "grants": Grant, "transfers": Transfer}


def organisation_find(text: str, *, by: Any) -> Organisation:
    """An organisation by id, name, acronym or alias, among those ``by`` may name (--org, the
    API's ``org``); hidden and missing answer alike (orgs.queries.organisation_find_visible)."""
    return organisation_find_visible(by, text)


def file_import(
    *,
    by: Any,
    path: Path,
    name: str | None = None,
    format: str | None = None,
    kind: str | None = None,
    organisation: Organisation | None = None,
    dry_run: bool = False,
    create_orgs: bool = False,
    org_choices: dict[str, dict[str, Any]] | None = None,
    resumable: bool = False,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    key: list[str] | tuple[str, ...] = (),
    replace: bool = False,
    mapping: Mapping | None = None,
    partial: bool = False,
) -> ImportResult:
    """Import one file through the pipeline; ``by`` None is the instance operator (CLI).

    ``key``: the columns that identify a record (else the file's id column, else each row's
    whole content); ``replace``: the file replaces its scope, so stored records of the scope
    it no longer holds are removed (decision 0150). The person's right to remove is checked
    per organisation of the scope; parts they may not remove from are left alone and named.

    ``mapping`` reads a file of any header through a column and value mapping (exchange/
    mapping); a file whose format cannot be told is read through the saved mapping made for
    its header, when there is one (the result names it).

    Rows that name their organisation are filed under it (editors: only their own;
    coordinators: any they may see); ``organisation`` fills rows that name none. Names
    nobody may use here are listed in ``result.organisations_to_create``; ``create_orgs``
    (coordinators and admins) creates them in the import's transaction (decision 0160);
    ``org_choices`` (the upload's review step), keyed by ``values.code_key`` of a name, may
    leave one out (``create``: False) or set its ``acronym`` and ``type``.

    ``partial``: apply the valid rows and hold the others, with their reasons, for review
    (exchange/held, decision 0205); all or nothing otherwise.
    """
    name = name or path.name
    if kind is not None and kind not in IMPORT_KIND_NAMES:
        raise InvalidInput(f"unknown kind {kind!r}; use one of {', '.join(IMPORT_KIND_NAMES)}")
    if kind in LEDGER_KINDS and format is None and mapping is None:
        format = "ledger"  # a ledger is read through the mapping proposed for its header
    ledger = format == "ledger" or (kind or (mapping.kind if mapping else "")) in LEDGER_KINDS
    if ledger and (replace or key):
        # A ledger row is matched by its sides and reference (decision 0367), and a ledger
        # has no scope of months to replace.
        raise InvalidInput(
            _(
                "a ledger file finds its stored records by sender, receiver and reference: "
                "import it without a key and without replacing"
            )
        )
    if format is not None and format not in FORMATS:
        raise InvalidInput(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    if batch_size < 1:
        raise InvalidInput("the batch size must be at least 1")
    if by is not None:
        # Row-level checks (which organisation each row is for) happen in the pipeline.
        wanted = kind or (mapping.kind if mapping else "")
        if organisation is not None:
            policy.require(by, policy.IMPORT_FOR, organisation)
        elif not policy.can(by, policy.ADD, IMPORTED.get(wanted)):
            policy.require(by, policy.IMPORT_FOR)
        if create_orgs and not policy.can(by, policy.ADD, Organisation):
            try:
                policy.require(by, policy.ADD, Organisation)  # audits the denial
            except NotAllowed:
                raise NotAllowed(
                    "only coordinators and admins may create organisations (--create-orgs); "
                    "import without it, or ask a coordinator"
                ) from None
    if mapping is None and format is None:
        try:
            chosen = detect(path, name)
        except InvalidInput as refusal:
            mapping = saved_mapping_for_file(path, name=name, by=by)
            if mapping is None:
                raise InvalidInput(
                    _(
                        "%(reason)s; or map its columns to Corridor's fields (`corridor import "
                        "FILE --map auto`, or the upload page)"
                    )
                    % {"reason": refusal}
                ) from None
    elif format is not None:
        chosen = FORMATS[format]
    read = chosen.read if mapping is None else functools.partial(mapped.read, mapping=mapping)
    result = run_import(
        by=by,
        path=path,
        name=name,
        format_name=chosen.name if mapping is None else mapped.FORMAT,
        read=read,
        kind=kind,
        organisation=organisation,
        dry_run=dry_run,
        create_orgs=create_orgs,
        org_choices=org_choices,
        resumable=resumable,
        batch_size=batch_size,
        progress=progress,
        key=key,
        replace=replace,
        partial=partial,
    )
    if mapping is not None:
        result.mapping = mapping.name
        note = (
            f"read through the saved mapping {mapping.name!r}"
            if mapping.name
            else "read through a mapping not saved under a name"
        )
        ImportRun.objects.filter(pk=result.run_id).update(
            notes=[note, *ImportRun.objects.values_list("notes", flat=True).get(pk=result.run_id)]
        )
    return result


def _audit_hxl(
    by: Any, kind: str, written: int, organisation: Organisation | None, **changes: str
) -> None:
    with transaction.atomic():
        audit_record(
            by=by,
            action=Action.EXPORT,
            object_type=MODELS[kind]._meta.label_lower,
            changes={
                "format": "hxl",
                "rows": written,
                "organisation": str(organisation.pk) if organisation else "",
                **changes,
            },
        )


def _today(today: dt.date | None) -> dt.date:
    return today if today is not None else timezone.localdate()


@shared_output(
    "exchange.hxl_export_shared",
    what=(
        "HXL tables for sharing: counts per township (p-codes and names), month and, for "
        "activities, sector and organisation public label; suppressed with k; whole months "
        "up to the publication cutoff; no records, free text, sources, coordinates or money"
    ),
)
def hxl_export_shared(
    *,
    by: Any,
    kind: str,
    out: IO[str],
    organisation: Organisation | None = None,
    today: dt.date | None = None,
) -> int:
    """Write the sharing table of one kind as HXL CSV; returns the number of rows.

    Built from counts that passed the disclosure gate (exchange/sharing.py, decision 0100).
    ``organisation`` (activities only) keeps the rows under its public label; each row is
    suppressed on its own, so they read exactly as in the whole table. ``today`` fixes the
    publication cutoff (default: today).
    """
    if kind not in KIND_NAMES:
        raise InvalidInput(f"unknown kind {kind!r}; use one of {', '.join(KIND_NAMES)}")
    if organisation is not None and kind != "activities":
        raise InvalidInput(
            f"the sharing table of {kind} is not split by organisation; export it without "
            "an organisation, or export the internal file"
        )
    if by is not None:
        policy.require(by, policy.EXPORT, organisation)
    day = _today(today)
    table = sharing.shared_table(kind, by=by, organisation=organisation, today=day)
    cutoff = publication_cutoff(day)
    title = (
        f"Corridor {kind} for sharing: counts per township and month, up to "
        f"{sharing.last_month(day)} (publication delay). {sharing.SUPPRESSED} = not shown "
        f"(fewer than {settings.DISCLOSURE_K}, or hidden so that another hidden figure cannot "
        "be worked out). See docs/exchange.md."
    )
    written = hxl.write_table(out, table.columns, table.rows, title=title)
    _audit_hxl(by, kind, written, organisation, audience="shared", cutoff=cutoff.isoformat())
    return written


@internal_output(
    "exchange.hxl_export_internal",
    role=policy.ADD,
    what=(
        "HXL records that import back losslessly: ids, names and coordinates the person may "
        "see, free text, sources; for people who may add these records (editors, admins)"
    ),
)
def hxl_export_internal(
    *, by: Any, kind: str, out: IO[str], organisation: Organisation | None = None
) -> int:
    """Write one table's records as HXL CSV for use inside the organisation; returns the rows.

    Keeps record ids, the real names the person may see and exact coordinates, so the file
    imports back unchanged. Only for people who may add these records (the file is the one
    they would import again); its first row says it is internal.
    """
    if kind not in KIND_NAMES:
        raise InvalidInput(f"unknown kind {kind!r}; use one of {', '.join(KIND_NAMES)}")
    if by is not None:
        policy.require(by, policy.ADD, organisation if organisation else MODELS[kind])
    rows = internal_export.export_records(kind, by=by, organisation=organisation)
    many = max((len(r.get("source_title") or ()) for r in rows), default=1) or 1
    title = (
        f"INTERNAL - Corridor {kind} records with ids and the real names and exact "
        "coordinates you may see. Do not share: for sharing use the export without --internal."
    )
    written = hxl.write(out, kind, rows, title=title, many=many)
    _audit_hxl(by, kind, written, organisation, audience="internal")
    return written


def _week(day: dt.date | None, cutoff: dt.date) -> dt.date | None:
    """A date as public outputs may give it: its week's Monday, and none after the cutoff."""
    if day is None or day > cutoff:
        return None
    return public_week_start(day)


def _stamp(moment: dt.datetime, cutoff: dt.date) -> dt.datetime:
    """An update time as the Monday of its week, no later than the cutoff's week."""
    day = public_week_start(min(moment.date(), cutoff))
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)


def _iati_activity_publishable(activity: Activity, today: dt.date) -> bool:
    if activity.reporting_month is not None:
        return month_is_publishable(activity.reporting_month, today)
    return activity.start_date is not None and is_publishable(activity.start_date, today)


@shared_output(
    "exchange.iati_export",
    what=(
        "an organisation's IATI activity file: township p-codes, public labels, dates as week "
        "starts (or months) up to the publication cutoff, people reached suppressed with k "
        "(suppressed figures left out), amounts of activities and settled transfers"
    ),
)
def iati_export(
    *,
    by: Any,
    organisation: Organisation,
    out: IO[bytes],
    identifier: str | None = None,
    today: dt.date | None = None,
) -> dict[str, int]:
    """Write an organisation's activities and transfers as IATI 2.03 activity XML.

    A sharing output (decision 0100): only activities and transfers dated on or before the
    publication cutoff, dates as the Monday of their week (reporting months as months),
    people reached through the disclosure gate (a suppressed figure is left out), public
    labels only, no coordinates, notes, channels, fees or references. ``identifier``: the
    organisation's IATI organisation identifier, allowed only for a public organisation (it
    would name any other). The file is checked against the official schema before a byte is
    written.
    """
    if by is not None:
        policy.require(by, policy.EXPORT, organisation)
    if identifier is not None:
        if organisation.visibility != Visibility.PUBLIC:
            raise InvalidInput(
                "this organisation is not public: an IATI identifier would name it; "
                "export without --identifier"
            )
        if not iati.IDENTIFIER.match(identifier):
            raise InvalidInput(
                f"{identifier!r} is not an IATI organisation identifier (e.g. GB-CHC-202918)"
            )
    day = _today(today)
    cutoff = publication_cutoff(day)
    chosen = [
        a
        for a in Activity.objects.filter(organisation=organisation)
        .select_related("admin_unit", "organisation")
        .order_by("reporting_month", "start_date", "admin_unit_id", "sector", "id")
        if (by is None or policy.can(by, policy.EXPORT, a)) and _iati_activity_publishable(a, day)
    ]
    people = sharing.suppress_rows(
        {a.pk: {f: getattr(a, f) for f in sharing.REACH} for a in chosen}, sharing.REACH
    )
    households = sharing.suppress_rows(
        {a.pk: {"households": a.households} for a in chosen if a.households is not None},
        ("households",),
    )
    activities = []
    for a in chosen:
        cells, total = people[a.pk]
        women, men, girls, boys, unspecified = cells
        activities.append(
            iati.ActivityEntry(
                id=str(a.pk),
                updated=_stamp(a.updated_at, cutoff),
                sector=a.sector,
                modality=a.modality,
                status=a.status,
                place=iati.Place(a.admin_unit.pcode, a.admin_unit.name_en, a.admin_unit.name_my),
                reporting_month=a.reporting_month,
                start_date=_week(a.start_date, cutoff),
                end_date=_week(a.end_date, cutoff),
                women=women,
                men=men,
                girls=girls,
                boys=boys,
                unspecified=unspecified,
                total=total,
                households=households[a.pk][1] if a.pk in households else None,
                value=a.value,
                currency=a.currency,
            )
        )
    # Only the organisation's own word counts: its leg confirmed, no dispute open (decision
    # 0236); a transfer someone else recorded in its name stays out until it confirms.
    query = (
        transfers_counting_for(organisation)
        .filter(
            Q(from_organisation=organisation, sent_on__lte=cutoff)
            | Q(to_organisation=organisation, received_on__lte=cutoff)
        )
        .select_related("from_organisation", "to_organisation")
        .order_by("sent_on", "currency", "amount", "id")
    )
    parties: dict[Any, iati.Party] = {}
    transfers = []
    for t in query:
        if by is not None and not policy.can(by, policy.EXPORT, t):
            continue
        incoming = t.to_organisation_id == organisation.pk
        other = t.from_organisation if incoming else t.to_organisation
        if other.pk not in parties:
            parties[other.pk] = iati.party(other)
        transfers.append(
            iati.TransferEntry(
                incoming=incoming,
                counterpart=parties[other.pk],
                # Each side publishes its own leg: what it paid, or what it received.
                amount=t.received_amount if incoming else t.amount,
                currency=t.received_currency if incoming else t.currency,
                sent_on=public_week_start((t.received_on or t.sent_on) if incoming else t.sent_on),
                updated=_stamp(t.updated_at, cutoff),
            )
        )
    if not activities and not transfers:
        # IATI has no empty activity file: say so rather than write one that does not validate.
        raise InvalidInput(
            "nothing to publish: this organisation has no activity or settled transfer dated on "
            f"or before the publication cutoff ({cutoff.isoformat()})"
        )
    data = iati.write(
        reporter=iati.party(organisation, ref=identifier or ""),
        activities=activities,
        transfers=transfers,
    )
    problems = iati.validate(data)
    if problems:
        raise CorridorError("the IATI file does not validate: " + "; ".join(problems[:5]))
    out.write(data)
    counts = {"activities": len(activities), "transactions": len(transfers)}
    with transaction.atomic():
        audit_record(
            by=by,
            action=Action.EXPORT,
            object_type=Activity._meta.label_lower,
            changes={
                "format": "iati",
                **counts,
                "cutoff": cutoff.isoformat(),
                "organisation": str(organisation.pk),
            },
        )
    return counts


@shared_output(
    "exchange.iati_grant_export",
    what=(
        "one grant as an organisation's IATI activity: the pledge, its own confirmed transfers "
        "of the grant and its own spending, amounts in their currencies, dates as week starts "
        "up to the publication cutoff, public labels, people reached suppressed with k; no "
        "channels, fees, references or intermediaries"
    ),
)
def iati_grant_export(
    *,
    by: Any,
    grant: Grant,
    out: IO[bytes],
    organisation: Organisation | None = None,
    identifier: str | None = None,
    today: dt.date | None = None,
) -> dict[str, int]:
    """Write one grant as IATI 2.03 activity XML, as ``organisation`` (default: the grant's
    recipient) publishes it: only its own word counts (decision 0236) — transfers of the grant
    whose leg on its side it confirmed, with no open dispute; a transfer another organisation
    recorded in its name stays out until it confirms. Checked against the schema first."""
    organisation = organisation or grant.recipient
    if by is not None:
        policy.require(by, policy.EXPORT, grant)
        policy.require(by, policy.EXPORT, organisation)
    if identifier is not None and (
        organisation.visibility != Visibility.PUBLIC or not iati.IDENTIFIER.match(identifier)
    ):
        raise InvalidInput(
            "an IATI identifier is allowed only for a public organisation, in the form "
            "GB-CHC-202918"
        )
    day = _today(today)
    cutoff = publication_cutoff(day)
    query = (
        transfers_counting_for(organisation)
        .filter(grant=grant)
        .filter(
            Q(from_organisation=organisation, sent_on__lte=cutoff)
            | Q(to_organisation=organisation, received_on__lte=cutoff)
        )
        .select_related("from_organisation", "to_organisation")
        .order_by("sent_on", "currency", "amount", "id")
    )
    transfers = []
    for t in query:
        if by is not None and not policy.can(by, policy.EXPORT, t):
            continue
        incoming = t.to_organisation_id == organisation.pk
        other = t.from_organisation if incoming else t.to_organisation
        transfers.append(
            iati.TransferEntry(
                incoming=incoming,
                counterpart=iati.party(other),
                amount=t.received_amount if incoming else t.amount,
                currency=t.received_currency if incoming else t.currency,
                sent_on=public_week_start((t.received_on or t.sent_on) if incoming else t.sent_on),
                updated=_stamp(t.updated_at, cutoff),
            )
        )
    spent = (
        Spending.objects.filter(grant=grant, spent_on__lte=cutoff)
        .select_related("activity")
        .order_by("spent_on", "id")
    )
    own_spending = [s for s in spent if s.activity.organisation_id == organisation.pk]
    people = {str(s.activity_id): s.activity.people_reached for s in spent}
    reached = publish_table(
        {(pk, "people"): n for pk, n in people.items()}, rows=list(people), columns=["people"]
    ).total()
    sides = organisation.pk in (grant.donor_id, grant.recipient_id)
    pledged = grant.pledged_on <= cutoff
    if not transfers and not own_spending and not (sides and pledged):
        raise InvalidInput(
            "nothing to publish: this organisation has no confirmed transfer or spending of the "
            f"grant dated on or before the publication cutoff ({cutoff.isoformat()})"
        )
    stamps = [grant.updated_at, *(t.updated_at for t in query), *(s.updated_at for s in spent)]
    entry = iati.GrantEntry(
        id=str(grant.pk),
        title=grant.title,
        updated=_stamp(max(stamps), cutoff),
        donor=iati.party(grant.donor),
        recipient=iati.party(grant.recipient),
        commitment=sides and pledged,
        incoming=organisation.pk == grant.recipient_id,
        amount=grant.amount,
        currency=grant.currency,
        pledged_week=public_week_start(grant.pledged_on),
        starts_on=public_week_start(grant.starts_on),
        ends_on=public_week_start(grant.ends_on) if grant.ends_on else None,
        ended=grant.ends_on is not None and grant.ends_on < day,
        people=iati.WITHHELD if reached is None else str(reached),
        transfers=transfers,
        spending=[
            iati.SpendingEntry(public_week_start(s.spent_on), s.amount, s.currency)
            for s in own_spending
        ],
    )
    data = iati.write_grant(reporter=iati.party(organisation, ref=identifier or ""), grant=entry)
    problems = iati.validate(data)
    if problems:
        raise CorridorError("the IATI file does not validate: " + "; ".join(problems[:5]))
    out.write(data)
    counts = {
        "transactions": len(transfers) + len(own_spending) + int(entry.commitment),
    }
    with transaction.atomic():
        audit_record(
            by=by,
            action=Action.EXPORT,
            object_type=Grant._meta.label_lower,
            object_id=str(grant.pk),
            changes={"format": "iati", **counts, "cutoff": cutoff.isoformat(),
                     "organisation": str(organisation.pk)},
        )  # fmt: skip
    return counts


@reference_output(
    "exchange.xlsform_export",
    what="a blank field form: our codes and the gazetteer's state and township names, no records",
)
def xlsform_export(*, form: str) -> bytes:
    """The XLSForm (.xlsx) of one of our field forms, with today's gazetteer as choice lists.

    Holds nothing about organisations or records, so it needs no permission and no audit.
    """
    if form not in xlsform.FORMS:
        raise InvalidInput(f"unknown form {form!r}; use one of {', '.join(xlsform.FORMS)}")
    units = AdminUnit.objects.order_by("pcode")
    states = [(u.pcode, u.name_en, u.name_my) for u in units.filter(level=1)]
    if not states:
        raise InvalidInput("no admin units loaded: run `corridor init`")
    # A township's state is its district's parent.
    districts = dict(units.filter(level=2).values_list("pcode", "parent_id"))
    townships = [
        (u.pcode, u.name_en, u.name_my, districts.get(u.parent_id or "", ""))
        for u in units.filter(level=3)
    ]
    return xlsform.workbook(form, states, townships)
