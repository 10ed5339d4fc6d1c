"""Money reports: a grant's donor report (printable page, CSV, IATI), its chain-of-custody
picture for the grant's parties, and the network's public transparency ledger (no sign-in).

The figures are computed once in ``exchange.ledger_reports`` (through the disclosure gate) and
``funds.custody``; these views only choose, render and answer. The grant and transfer pages
themselves live in another module.
"""

from __future__ import annotations

import functools
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts import policy
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.core.money import CURRENCY_TABLE
from corridor.disclosure import SUPPRESSED, shared_output, shown, suppressed_legend
from corridor.exchange.ledger_reports import (
    PUBLIC_LEDGER_HEADER,
    ComparedReport,
    DonorReport,
    donor_report,
    donor_report_compared,
    donor_report_compared_header,
    donor_report_compared_rows,
    donor_report_header,
    donor_report_rows,
    public_ledger,
    public_ledger_rows,
)
from corridor.exchange.services import iati_grant_export
from corridor.funds.custody import custody, organisation_labels
from corridor.funds.models import Grant, RateKind
from corridor.funds.queries import grants_visible_to
from corridor.funds.rates import BOTH, ReportingChoice, reporting_choice
from corridor.web.flow import custody_svg
from corridor.web.views.common import csv_response

RATE_KINDS = (RateKind.MARKET, RateKind.OFFICIAL)


def _refusal_as_400(view: Any) -> Any:
    """A day, rate kind or currency the report cannot use (or a missing rate) is a 400 with
    the reason; raised through the shared mark (a refusal holds no data), answered outside."""

    @functools.wraps(view)
    def answer(request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except InvalidInput as exc:
            return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc

    return answer


def _grant(request: Any, pk: Any, action: str) -> Grant:
    grant = (
        grants_visible_to(request.user).select_related("donor", "recipient").filter(pk=pk).first()
    )
    if grant is None:
        raise Http404
    if not policy.can(request.user, action, grant):
        raise PermissionDenied
    return grant


def _choice(request: Any, *, allow_both: bool = True) -> ReportingChoice:
    """What the report values in: ?currency= (default the grant's), ?rates= (market, official,
    agent, or both side by side) and ?on= (the day holdings are valued on, default today)."""
    return reporting_choice(
        currency=request.GET.get("currency"),
        rates=request.GET.get("rates"),
        on=request.GET.get("on"),
        today=timezone.localdate(),
        allow_both=allow_both,
    )


#: The currencies the choice on a report offers besides the grant's own (any ISO code works).
REPORT_CURRENCIES = ("USD", "EUR", "THB", "MMK")


def _choice_context(grant: Grant, choice: ReportingChoice, *, allow_both: bool) -> dict:
    """What the report's "show in" form needs: the currencies, the rate kinds, the choice."""
    kinds: list[tuple[str, str]] = [(kind.value, str(kind.label)) for kind in RateKind]
    if allow_both:
        kinds.append((BOTH, _("Official and market, side by side")))
    return {
        "choice": choice,
        "currencies": list(dict.fromkeys((grant.currency, *REPORT_CURRENCIES))),
        "shown_currency": choice.currency_for(grant.currency),
        "rate_choices": kinds,
        "shown_rates": BOTH if choice.both else choice.kind,
    }


def _report(grant: Grant, choice: ReportingChoice) -> DonorReport | ComparedReport:
    """The donor report as asked. In the grant's own currency at one kind of rate a rate the
    table lacks leaves its amounts out, named on the page (as always); in a currency the reader
    chose, or at both kinds, it is refused (a 400 naming the pair and the day, decision 0365)."""
    if choice.is_default(grant.currency):
        return donor_report(grant, valued_on=choice.on, rate_kind=choice.kind,
                            missing_rates="note")  # fmt: skip
    found = [
        donor_report(grant, valued_on=choice.on, rate_kind=kind, currency=choice.currency)
        for kind in choice.kinds
    ]
    return donor_report_compared(*found) if choice.both else found[0]


# --- A grant's donor report ----------------------------------------------------------------------


@login_required
@_refusal_as_400
@shared_output(
    "web.grant_report",
    what=(
        "/money/grants/<pk>/report/: a grant's donor report, printable to PDF: where its "
        "amount is now (custody parts), the confirmed hops by public label and channel family "
        "with week starts, spending by sector, township and month, people reached suppressed "
        "with k; for the grant's donor and recipient"
    ),
)
def grant_report_page(request: Any, pk: Any) -> HttpResponse:
    grant = _grant(request, pk, policy.EXPORT)
    choice = _choice(request)
    found = _report(grant, choice)
    compared = found if isinstance(found, ComparedReport) else None
    report = found.official if isinstance(found, ComparedReport) else found
    return render(
        request,
        "web/grant_report.html",
        {
            "report": report,
            "compared": compared,
            "rates_used": found.rates,
            "grant": grant,
            **_choice_context(grant, choice, allow_both=True),
            "legend": suppressed_legend(),
            "suppressed": SUPPRESSED,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@_refusal_as_400
@shared_output(
    "web.grant_report_csv",
    what="/money/grants/<pk>/report.csv: the donor report's lines as CSV (the page's figures)",
)
def grant_report_csv(request: Any, pk: Any) -> HttpResponse:
    grant = _grant(request, pk, policy.EXPORT)
    choice = _choice(request)
    day = choice.on
    found = _report(grant, choice)
    if isinstance(found, ComparedReport):
        header = donor_report_compared_header(found)
        rows = [[shown(v) for v in row] for row in donor_report_compared_rows(found)]
        rows += [[suppressed_legend()],
                 [f"valued on {day.isoformat()} in {found.official.currency} with official "
                  "and market rates; difference = market − official"]]  # fmt: skip
        rows += [[f"rate {r['on']} 1 {r['from']} = {r['rate']} {r['to']} ({r['kind']}, "
                  f"{r['source']})"] for r in found.rates]  # fmt: skip
        return csv_response(f"corridor-grant-{grant.pk}", header, rows)
    rows = [[shown(v) for v in row] for row in donor_report_rows(found)]
    valued = f"valued on {day.isoformat()} with {choice.kind} rates"
    if found.in_other_currency:
        valued = f"valued on {day.isoformat()} in {found.currency} with {choice.kind} rates"
    rows += [[suppressed_legend()], [valued]]
    rows += [[f"rate {r['on']} 1 {r['from']} = {r['rate']} {r['to']} ({r['source']})"]
             for r in found.rates]  # fmt: skip
    return csv_response(f"corridor-grant-{grant.pk}", donor_report_header(found), rows)


@login_required
@_refusal_as_400
@shared_output(
    "web.grant_iati",
    what="/money/grants/<pk>/iati.xml: the IATI file of exchange.iati_grant_export, as a download",
)
def grant_iati(request: Any, pk: Any) -> HttpResponse:
    grant = _grant(request, pk, policy.EXPORT)
    mine = policy.organisation_ids(request.user)
    # Published as the side the person belongs to (the recipient when both, or neither).
    organisation = (
        grant.donor if grant.donor_id in mine and grant.recipient_id not in mine else None
    )
    out = io.BytesIO()
    iati_grant_export(by=request.user, grant=grant, out=out, organisation=organisation)
    response = HttpResponse(out.getvalue(), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="corridor-grant-{grant.pk}.xml"'
    return response


# --- The chain-of-custody picture ----------------------------------------------------------------


@login_required
@_refusal_as_400
def grant_custody_page(request: Any, pk: Any) -> HttpResponse:
    """For the grant's parties (and the intermediaries its money went through): the picture and
    the custody parts, organisations named as the viewer may see them."""
    grant = _grant(request, pk, policy.VIEW)
    choice = _choice(request, allow_both=False)
    # In the grant's currency a missing rate is named on the page; in another, refused (400).
    missing = "note" if choice.is_default(grant.currency) else "refuse"
    found = custody(grant, valued_on=choice.on, rate_kind=choice.kind, missing_rates=missing,
                    currency=choice.currency)  # fmt: skip
    label = organisation_labels(found, request.user)

    parts = [
        {
            "key": key,
            "label": label(key.split(":", 1)[1]) if ":" in key else key,
            "value": value,
            "complete": key not in found.incomplete,
        }
        for key, value in found.breakdown.items()
    ]
    return render(
        request,
        "web/grant_custody.html",
        {
            "grant": grant,
            "found": found,
            "parts": parts,
            "svg": custody_svg(found, label=label),
            "query": request.GET.urlencode(),
            "may_report": policy.can(request.user, policy.EXPORT, grant),
            **_choice_context(grant, choice, allow_both=False),
        },
    )


# --- The public transparency ledger --------------------------------------------------------------


def _ledger(request: Any) -> Any:
    currency = (request.GET.get("currency") or "USD").upper()
    if currency not in CURRENCY_TABLE:
        raise InvalidInput(_("currency: use an ISO 4217 code such as USD, THB or MMK"))
    kind = request.GET.get("rates") or RateKind.MARKET
    if kind not in RATE_KINDS:
        raise InvalidInput(_("rates: use market or official"))
    return public_ledger(today=timezone.localdate(), currency=currency, rate_kind=kind)


@_refusal_as_400
@shared_output(
    "web.public_ledger",
    what=(
        "/ledger/: the network's money by month and channel family, sector or state/region, "
        "for anyone (no sign-in): settled transfers and spending valued in one currency, a "
        "cell shown only with k distinct routes or spenders (complementary suppression), whole "
        "months up to the publication cutoff; no organisation, route, reference or agent"
    ),
)
def ledger_page(request: Any) -> HttpResponse:
    ledger = _ledger(request)
    tables = []
    for table in ledger.tables:
        rows = [
            {
                "month": month,
                "cells": [shown(table.amount(month, key)) for key in table.keys],
                "total": shown(table.amount(month, None)),
            }
            for month in table.months
        ]
        totals = [shown(table.amount(None, key)) for key in table.keys]
        tables.append({
            "table": table, "rows": rows, "totals": totals,
            "labels": [table.labels[k] for k in table.keys],
            "total": shown(table.amount(None, None)),
        })  # fmt: skip
    return render(
        request,
        "web/ledger.html",
        {
            "ledger": ledger,
            "tables": tables,
            "legend": suppressed_legend(),
            "query": request.GET.urlencode(),
            "currencies": ("USD", "EUR", "THB", "MMK"),
        },
    )


@_refusal_as_400
@shared_output(
    "web.public_ledger_csv",
    what="/ledger.csv: the public ledger's figures as CSV, suppressed ones as the mark",
)
def ledger_csv(request: Any) -> HttpResponse:
    ledger = _ledger(request)
    rows = [[shown(v) for v in row] for row in public_ledger_rows(ledger)]
    rows += [[suppressed_legend()], [f"{ledger.rate_kind} rates; months up to {ledger.until}"]]
    return csv_response("corridor-ledger", PUBLIC_LEDGER_HEADER, rows)
