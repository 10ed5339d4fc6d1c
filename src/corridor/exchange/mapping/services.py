"""Writes of mappings: saving one by name (a new name, or the same name saved again)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from corridor.accounts import policy
from corridor.audit.services import audited_create, audited_update
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.exchange.mapping.spec import Mapping
from corridor.exchange.models import SavedMapping

MAX_NAME = 100


@transaction.atomic
def mapping_save(*, by: Any, name: str, mapping: Mapping) -> SavedMapping:
    """Save ``mapping`` under ``name`` for files of the same header; audited.

    Anyone who may import files may save a mapping (editors, organisation admins,
    coordinators: it holds headers and codes, no records); saving over a name replaces it,
    allowed to the person who made it and to admins. ``by`` None is the instance operator
    (CLI).
    """
    if by is not None:
        policy.require(by, policy.IMPORT_FOR)
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(_("a mapping name is 1 to %(most)s characters") % {"most": MAX_NAME})
    mapping.check()
    mapping.name = name
    spec = mapping.to_json()
    values = {
        "kind": mapping.kind,
        "signature": mapping.signature,
        "headers": mapping.headers,
        "spec": spec,
    }
    existing = SavedMapping.objects.select_for_update().filter(name=name).first()
    if existing is None:
        return audited_create(SavedMapping(name=name, **values), by=by)
    if by is not None and existing.created_by_id != by.pk and not policy.is_admin(by):
        raise NotAllowed(
            _("the mapping %(name)r was saved by someone else; save yours under another name")
            % {"name": name}
        )
    return audited_update(existing, by=by, **values)
