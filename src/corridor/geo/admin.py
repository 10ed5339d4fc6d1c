from django.contrib import admin

from corridor.audit.admin import AuditedAdmin
from corridor.geo.models import AdminUnit


@admin.register(AdminUnit)
class AdminUnitAdmin(AuditedAdmin):
    list_display = ["pcode", "name_en", "name_my", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["pcode", "name_en", "name_my"]
    exclude = ["boundary"]
    raw_id_fields = ["parent"]
