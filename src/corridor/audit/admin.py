"""Admin pages write audit entries too: every change made through /admin/ goes on the chain.

Django's own admin log (``django_admin_log``: an object's history page, "Recent actions") names
a record by its kind and id, never by ``str(record)``: that is the name of a pseudonymous or
anonymous organisation, a person's user name, a membership with both. The audit trail never
held those; the admin log now holds them no more than it does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import translation
from django.utils.text import capfirst

from corridor.audit.models import AuditEntry
from corridor.audit.services import Action, audit_diff, audit_record, snapshot


def admin_log_label(obj: models.Model) -> str:
    """How the admin log names a record: "Organisation #<id>" (English, as Django keeps its log
    messages), or only the kind once the record is deleted and has no id."""
    with translation.override(None):
        kind = capfirst(str(obj._meta.verbose_name))
    return kind if obj.pk is None else f"{kind} #{obj.pk}"


def _admin_log(
    request: Any, objs: Iterable[models.Model], flag: int, message: Any = ""
) -> list[LogEntry]:
    """The admin log's entries for ``objs``, as Django writes them but for the record's text."""
    if isinstance(message, list):
        message = json.dumps(message)
    return LogEntry.objects.bulk_create(
        [
            LogEntry(
                user_id=request.user.pk,
                content_type_id=ContentType.objects.get_for_model(obj, for_concrete_model=False).pk,
                object_id=str(obj.pk),
                object_repr=admin_log_label(obj)[:200],
                action_flag=flag,
                change_message=message,
            )
            for obj in objs
        ]
    )


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes, its inlines' included, are audited in the same
    transaction; its entries in Django's admin log name records by kind and id only."""

    def log_addition(self, request, obj, message):
        (entry,) = _admin_log(request, [obj], ADDITION, message)
        return entry

    def log_change(self, request, obj, message):
        (entry,) = _admin_log(request, [obj], CHANGE, message)
        return entry

    def log_deletions(self, request, queryset):
        return _admin_log(request, queryset, DELETION)

    def construct_change_message(self, request, form, formsets, add=False):
        """Django's message, the inline records it names (added, changed, deleted) by their
        labels, in the order Django lists them."""
        message = super().construct_change_message(request, form, formsets, add)
        labels = iter(
            [
                admin_log_label(obj)
                for formset in formsets or ()
                for obj in (
                    *formset.new_objects,
                    *(changed for changed, _fields in formset.changed_objects),
                    *formset.deleted_objects,
                )
            ]
        )
        for part in message:
            for detail in part.values():
                if "object" in detail:
                    detail["object"] = next(labels, detail.get("name", ""))
        return message

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            stored = type(obj)._default_manager.get(pk=obj.pk) if change else None
            if hasattr(obj, "updated_by_id"):
                obj.updated_by = request.user
                if not change:
                    obj.created_by = request.user
            super().save_model(request, obj, form, change)
            audit_saved(request.user, stored, obj)

    def delete_model(self, request, obj):
        with transaction.atomic():
            before, label, pk = snapshot(obj), obj._meta.label_lower, str(obj.pk)
            super().delete_model(request, obj)
            audit_record(
                by=request.user,
                action=Action.DELETE,
                object_type=label,
                object_id=pk,
                changes=before,
            )

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def save_related(self, request, form, formsets, change):
        """Many-to-many fields (a user's groups and permissions) change here, past save_model."""
        with transaction.atomic():
            obj = form.instance
            before = _related_ids(obj) if change else {}
            super().save_related(request, form, formsets, change)
            after = _related_ids(obj)
            changed = {
                name: [before.get(name, []), ids]
                for name, ids in after.items()
                if before.get(name, []) != ids
            }
            if changed:
                audit_record(by=request.user, action=Action.UPDATE, obj=obj, changes=changed)

    def save_formset(self, request, form, formset, change):
        """Inline rows (a user's memberships, a coalition's members) are changes too."""
        with transaction.atomic():
            # The forms already hold the submitted values: read what was stored before.
            stored = {
                id(inline.instance): type(inline.instance)._default_manager.get(
                    pk=inline.instance.pk
                )
                for inline in formset.initial_forms
                if inline.instance.pk is not None
            }
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                audit_saved(request.user, None, obj)
            for obj, _fields in formset.changed_objects:
                audit_saved(request.user, stored[id(obj)], obj)
            for obj in formset.deleted_objects:
                before = stored[id(obj)]
                audit_record(
                    by=request.user,
                    action=Action.DELETE,
                    object_type=before._meta.label_lower,
                    object_id=str(before.pk),
                    changes=snapshot(before),
                )


def _related_ids(obj) -> dict[str, list[str]]:
    return {
        field.name: sorted(str(pk) for pk in getattr(obj, field.name).values_list("pk", flat=True))
        for field in obj._meta.many_to_many
    }


def audit_saved(by, stored, obj) -> None:
    """The entry for an admin save: the whole object when new, else what changed."""
    if stored is None:
        audit_record(by=by, action=Action.CREATE, obj=obj, changes=snapshot(obj))
        return
    changed = audit_diff(stored, obj)
    if changed:
        audit_record(by=by, action=Action.UPDATE, obj=obj, changes=changed)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["seq", "at", "actor_label", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
