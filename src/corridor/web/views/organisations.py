"""The organisation directory: every organisation named the way the viewer may see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from corridor.accounts import policy
from corridor.disclosure import public_organisations
from corridor.orgs.models import OrgKind, Visibility
from corridor.orgs.queries import OrganisationNames, organisations_listed

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Entry:
    """One row of the directory: what the viewer may read of one organisation."""

    name: str
    name_my: str = ""
    acronym: str = ""
    kind: StrOrPromise = ""  # the kind's label, translated when the page is drawn
    visibility: StrOrPromise = ""
    pk: Any = None  # set only when the viewer may open the organisation's page
    mine: bool = False


@login_required
def organisations_page(request: Any) -> HttpResponse:
    """Organisations the viewer may see by their name (their own first), others by their
    public label (decision 0110, ``OrganisationNames``), anonymous ones they may not see only
    as a count, withheld when it is below k (``public_organisations``)."""
    names = OrganisationNames(request.user)
    mine = {str(pk) for pk in policy.organisation_ids(request.user)}
    kinds = dict(OrgKind.choices)
    visibilities = dict(Visibility.choices)
    entries: list[Entry] = []
    listed, unnamed = organisations_listed(names)
    for org, seen in listed:
        if seen or org.visibility == Visibility.PUBLIC:
            entries.append(
                Entry(
                    name=names.label(org),
                    name_my=org.name_my,
                    acronym=org.acronym,
                    kind=kinds.get(org.kind, org.kind),
                    visibility=visibilities.get(org.visibility, org.visibility),
                    pk=org.pk if seen else None,
                    mine=str(org.pk) in mine,
                )
            )
        else:
            entries.append(Entry(name=names.label(org)))  # a pseudonym: its alias, nothing more
    entries.sort(key=lambda e: (not e.mine, e.name.casefold()))
    not_named = public_organisations(unnamed).not_named
    return render(request, "web/organisations.html", {"entries": entries, "not_named": not_named})
