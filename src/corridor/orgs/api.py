"""JSON API for organisations: the directory as the caller may see it, and the profile an
organisation admin keeps. Creating and removing organisations is for network admins (admin
site, CLI), so there is no POST or DELETE here."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.security import django_auth

from corridor.core.schema import CountryCode, Limit, Line, Offset, not_null, page_of
from corridor.orgs import services
from corridor.orgs.models import Organisation, OrgKind, Visibility
from corridor.orgs.queries import organisations_visible_to

router = Router(tags=["organisations"], auth=django_auth)


class OrganisationOut(Schema):
    id: UUID
    name: str
    name_my: str
    acronym: str
    kind: OrgKind
    base_country: str
    visibility: Visibility
    alias: str


class OrganisationPage(Schema):
    count: int
    items: list[OrganisationOut]


class OrganisationChange(Schema):
    name: Line | None = None
    name_my: Line | None = None
    acronym: Line | None = None
    kind: OrgKind | None = None
    base_country: CountryCode | None = None
    visibility: Visibility | None = None
    alias: Line | None = None


def organisation_out(organisation: Organisation) -> dict[str, Any]:
    return {name: getattr(organisation, name) for name in OrganisationOut.model_fields}


@router.get("/organisations/", response=OrganisationPage, summary="Organisations")
def organisation_list(request: Any, limit: Limit = 100, offset: Offset = 0) -> dict:
    rows = organisations_visible_to(request.user).order_by("name", "id")
    return page_of(rows, limit, offset, organisation_out)


@router.get("/organisations/{pk}/", response=OrganisationOut, summary="One organisation")
def organisation_detail(request: Any, pk: UUID) -> dict:
    return organisation_out(get_object_or_404(organisations_visible_to(request.user), pk=pk))


@router.patch(
    "/organisations/{pk}/", response=OrganisationOut, summary="Update an organisation's profile"
)
def organisation_change(request: Any, pk: UUID, payload: OrganisationChange) -> dict:
    organisation = get_object_or_404(organisations_visible_to(request.user), pk=pk)
    values = not_null(payload.dict(exclude_unset=True))
    return organisation_out(
        services.organisation_update(by=request.user, organisation=organisation, **values)
    )
