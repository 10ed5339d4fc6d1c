"""The exchange page: the files Corridor gives back (HXL, IATI, field forms) and the way in.

A plain page of links. The downloads are the exchange API's export routes
(/api/exchange/exports/..., /api/exchange/forms/...), which call the same services as
`corridor export`: they check the access policy, write only what the person may export and
audit each export.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from corridor.accounts import policy
from corridor.exchange.fields import KINDS
from corridor.exchange.formats.xlsform import FORMS
from corridor.orgs.queries import organisations_user_can_export


@login_required
def exchange_page(request: Any) -> HttpResponse:
    user = request.user
    return render(
        request,
        "web/exchange.html",
        {
            "kinds": KINDS,
            "forms": FORMS,
            "organisations": organisations_user_can_export(user).order_by("name"),
            "may_export": policy.can(user, policy.EXPORT),
            "may_import": policy.can(user, policy.ADD),
        },
    )
