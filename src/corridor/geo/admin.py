from django.contrib import admin

from corridor.audit.admin import AuditedAdmin
from corridor.geo.models import AdminUnit, PlaceAlias, PlaceReview


@admin.register(AdminUnit)
class AdminUnitAdmin(AuditedAdmin):
    list_display = ["pcode", "name_en", "name_my", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["pcode", "name_en", "name_my"]
    exclude = ["boundary"]
    raw_id_fields = ["parent"]


@admin.register(PlaceAlias)
class PlaceAliasAdmin(AuditedAdmin):
    list_display = ["alias", "admin_unit", "kind", "source"]
    list_filter = ["kind"]
    search_fields = ["alias", "admin_unit__pcode", "admin_unit__name_en"]
    raw_id_fields = ["admin_unit"]


@admin.register(PlaceReview)
class PlaceReviewAdmin(AuditedAdmin):
    """Read-only here: decisions go through `corridor geo review`, which also creates the alias."""

    list_display = ["query", "context", "level", "status", "chosen", "decided_at"]
    list_filter = ["status", "level"]
    search_fields = ["query", "context"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
