"""Writes of the exchange app: importing a file, and exports (which are audited as exports)."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.db import models, transaction
from django.db.models import Q

from corridor.accounts import policy
from corridor.aid.models import Activity
from corridor.audit.services import Action, audit_record
from corridor.core.errors import CorridorError, InvalidInput
from corridor.exchange import records
from corridor.exchange.fields import KINDS
from corridor.exchange.formats import hxl, iati, xlsform
from corridor.exchange.pipeline import DEFAULT_BATCH, ImportResult, Progress, run_import
from corridor.exchange.registry import FORMATS, detect
from corridor.funds.models import Transfer, TransferStatus
from corridor.geo.models import AdminUnit
from corridor.orgs.models import Organisation, Visibility
from corridor.orgs.queries import organisation_find_visible
from corridor.situation.models import DisplacementFigure, Incident

MODELS: dict[str, type[models.Model]] = {
    "activities": Activity,
    "figures": DisplacementFigure,
    "incidents": Incident,
}


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
    resumable: bool = False,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one file through the pipeline; ``by`` None is the instance operator (CLI)."""
    name = name or path.name
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if format is not None and format not in FORMATS:
        raise InvalidInput(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    if batch_size < 1:
        raise InvalidInput("the batch size must be at least 1")
    if by is not None:
        # Row-level checks (which organisation each row is for) happen in the pipeline.
        policy.require(by, policy.ADD, organisation if organisation else MODELS.get(kind or ""))
    chosen = FORMATS[format] if format else detect(path, name)
    return run_import(
        by=by,
        path=path,
        name=name,
        format_name=chosen.name,
        read=chosen.read,
        kind=kind,
        organisation=organisation,
        dry_run=dry_run,
        resumable=resumable,
        batch_size=batch_size,
        progress=progress,
    )


def hxl_export(
    *,
    by: Any,
    kind: str,
    out: IO[str],
    organisation: Organisation | None = None,
    public: bool = True,
) -> int:
    """Write one table as HXL CSV; returns the number of rows.

    ``public``: organisations appear only by their public label (never anonymous ones), and
    record ids and exact coordinates are left out. Internal exports (``public=False``) keep
    everything, so they import back losslessly; they need the export permission on each row.
    """
    if kind not in KINDS:
        raise InvalidInput(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if by is not None:
        policy.require(by, policy.EXPORT, organisation)
    rows = records.export_records(kind, by=by, organisation=organisation, public=public)
    many = max((len(r.get("source_title") or ()) for r in rows), default=1) or 1
    written = hxl.write(out, kind, rows, public=public, many=many)
    with transaction.atomic():
        audit_record(
            by=by,
            action=Action.EXPORT,
            object_type=MODELS[kind]._meta.label_lower,
            changes={
                "format": "hxl",
                "rows": written,
                "public": public,
                "organisation": str(organisation.pk) if organisation else "",
            },
        )
    return written


def iati_export(
    *, by: Any, organisation: Organisation, out: IO[bytes], identifier: str | None = None
) -> dict[str, int]:
    """Write an organisation's activities and transfers as IATI 2.03 activity XML.

    Only what may be public goes in (formats/iati.py): public labels, no coordinates, notes,
    channels, fees or references. ``identifier``: the organisation's IATI organisation
    identifier, allowed only for a public organisation (it would name any other). The file is
    checked against the official schema before a byte is written.
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
    activities = [
        iati.ActivityEntry(
            id=str(a.pk),
            updated=a.updated_at,
            sector=a.sector,
            modality=a.modality,
            status=a.status,
            place=iati.Place(a.admin_unit.pcode, a.admin_unit.name_en, a.admin_unit.name_my),
            reporting_month=a.reporting_month,
            start_date=a.start_date,
            end_date=a.end_date,
            women=a.women,
            men=a.men,
            girls=a.girls,
            boys=a.boys,
            unspecified=a.unspecified,
            households=a.households,
            value=a.value,
            currency=a.currency,
        )
        for a in Activity.objects.filter(organisation=organisation)
        .select_related("admin_unit", "organisation")
        .order_by("reporting_month", "start_date", "admin_unit_id", "sector", "id")
        if by is None or policy.can(by, policy.EXPORT, a)
    ]
    # A disputed transfer may not have happened: it is left out until settled.
    query = (
        Transfer.objects.filter(Q(from_organisation=organisation) | Q(to_organisation=organisation))
        .exclude(status=TransferStatus.DISPUTED)
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
                amount=t.amount,
                currency=t.currency,
                sent_on=t.sent_on,
                updated=t.updated_at,
            )
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
            changes={"format": "iati", **counts, "organisation": str(organisation.pk)},
        )
    return counts


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
