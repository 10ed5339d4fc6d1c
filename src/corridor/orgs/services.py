"""Writes to organisations: an organisation admin keeps their organisation's profile.

Creating organisations is for network admins (the Django admin and the CLI) and for
coordinators bringing in a cluster-wide file that names new partners (decision 0160).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from corridor.accounts import policy
from corridor.audit.services import audited_create, audited_update
from corridor.core.errors import InvalidInput
from corridor.orgs.models import Organisation, OrgKind, Visibility

ORGANISATION_UPDATABLE = frozenset(
    {"name", "name_my", "acronym", "kind", "base_country", "visibility", "alias"}
)
# The alias a new organisation is shown by outside Corridor until it chooses otherwise.
NEUTRAL_ALIAS = "Partner {short}"


def neutral_alias(pk: uuid.UUID) -> str:
    return NEUTRAL_ALIAS.format(short=str(pk)[:8])


def organisation_update(*, by: Any, organisation: Organisation, **values: Any) -> Organisation:
    unknown = sorted(set(values) - ORGANISATION_UPDATABLE)
    if unknown:
        raise InvalidInput(f"organisation: field(s) {', '.join(unknown)} cannot be set")
    policy.require(by, policy.CHANGE, organisation)
    return audited_update(organisation, by=by, **values)


@transaction.atomic
def organisation_create(
    *,
    by: Any,
    name: str,
    acronym: str = "",
    kind: str = OrgKind.OTHER,
    base_country: str = "MM",
    visibility: str = Visibility.PSEUDONYMOUS,
    alias: str = "",
    name_my: str = "",
    pk: uuid.UUID | None = None,
) -> Organisation:
    """A new organisation, audited. Not public unless asked: a group named in someone else's
    file has not chosen to be named outside Corridor, so it is pseudonymous under a neutral
    alias ("Partner 1a2b3c4d") until its own admin decides (decision 0160).

    ``by`` None is the operator at the instance's own command line, who may do everything.
    """
    if by is not None:
        policy.require(by, policy.ADD, Organisation)
    org = Organisation(
        id=pk or uuid.uuid4(),
        name=name.strip(),
        acronym=acronym.strip(),
        kind=kind,
        base_country=base_country.strip().upper(),
        visibility=visibility,
        alias=alias.strip(),
        name_my=name_my.strip(),
    )
    if visibility == Visibility.PSEUDONYMOUS and not org.alias:
        org.alias = neutral_alias(org.pk)
    try:
        return audited_create(org, by=by)
    except ValidationError as exc:
        detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise InvalidInput(f"organisation {name.strip()!r}: {detail}") from None
