"""The exchange page: the files Corridor gives back (HXL, IATI, field forms) and the way in.

A plain page of links. The downloads are the exchange API's export routes
(/api/exchange/exports/..., /api/exchange/forms/...), which call the same services as
`corridor export`: they check the access policy, write only what the person may export and
audit each export. Internal HXL links are offered only to people the internal export serves
(who may add records); the sharing ones to everyone who may export.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from corridor.accounts import policy
from corridor.disclosure import internal_output
from corridor.exchange.fields import KIND_NAMES
from corridor.exchange.formats.xlsform import FORMS
from corridor.geo.queries import place_reviews
from corridor.orgs.queries import organisations_user_can_export


@internal_output(
    "web.exchange_page",
    role=policy.VIEW,
    what="links to the downloads; names only the signed-in person's own organisations",
)
@login_required
def exchange_page(request: Any) -> HttpResponse:
    user = request.user
    organisations = list(organisations_user_can_export(user).order_by("name"))
    may_add = set(policy.allowed(user, policy.ADD, organisations))
    return render(
        request,
        "web/exchange.html",
        {
            "kinds": KIND_NAMES,
            "forms": FORMS,
            "organisations": [(org, org in may_add) for org in organisations],
            "may_export": policy.can(user, policy.EXPORT),
            "may_export_internal": policy.can(user, policy.ADD),
            "may_import": policy.can(user, policy.ADD),
            # The gazetteer's review queue, for the people who decide it.
            "place_reviews": (
                place_reviews().count()
                if policy.is_admin(user) or policy.is_coordinator(user)
                else None
            ),
        },
    )
