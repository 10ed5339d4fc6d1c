from django.contrib import admin

from corridor.aid.models import Activity
from corridor.audit.admin import AuditedAdmin


@admin.register(Activity)
class ActivityAdmin(AuditedAdmin):
    list_display = [
        "organisation",
        "sector",
        "modality",
        "admin_unit",
        "reporting_month",
        "status",
        "people_reached",
    ]
    list_filter = ["sector", "modality", "channel", "status"]
    search_fields = ["organisation__name", "admin_unit__pcode", "admin_unit__name_en"]
    raw_id_fields = ["organisation", "admin_unit"]
    date_hierarchy = "reporting_month"
