"""Writes to organisations: an organisation admin keeps their organisation's profile.

Creating and deleting organisations is for network admins (the Django admin and the CLI).
"""

from __future__ import annotations

from typing import Any

from corridor.accounts import policy
from corridor.audit.services import audited_update
from corridor.core.errors import InvalidInput
from corridor.orgs.models import Organisation

ORGANISATION_UPDATABLE = frozenset(
    {"name", "name_my", "acronym", "kind", "base_country", "visibility", "alias"}
)


def organisation_update(*, by: Any, organisation: Organisation, **values: Any) -> Organisation:
    unknown = sorted(set(values) - ORGANISATION_UPDATABLE)
    if unknown:
        raise InvalidInput(f"organisation: field(s) {', '.join(unknown)} cannot be set")
    policy.require(by, policy.CHANGE, organisation)
    return audited_update(organisation, by=by, **values)
