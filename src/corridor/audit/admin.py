"""Admin pages write audit entries too: every change made through /admin/ goes on the chain."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction

from corridor.audit.models import AuditEntry
from corridor.audit.services import Action, audit_record, diff, redacted_diff, snapshot


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes are audited in the same transaction."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            stored = type(obj).objects.get(pk=obj.pk) if change else None
            before = snapshot(stored) if stored is not None else None
            if hasattr(obj, "updated_by_id"):
                obj.updated_by = request.user
                if not change:
                    obj.created_by = request.user
            super().save_model(request, obj, form, change)
            if before is None:
                audit_record(by=request.user, action=Action.CREATE, obj=obj, changes=snapshot(obj))
            else:
                changed = {**diff(before, snapshot(obj)), **redacted_diff(stored, obj)}
                changed.pop("updated_by", None)
                if changed:
                    audit_record(by=request.user, action=Action.UPDATE, obj=obj, changes=changed)

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
