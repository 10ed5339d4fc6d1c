from django.contrib import admin

from corridor.audit.admin import AuditedAdmin
from corridor.situation.models import DisplacementFigure, Incident, Indicator, Source


@admin.register(Source)
class SourceAdmin(AuditedAdmin):
    list_display = ["title", "publisher", "published_on", "reliability"]
    list_filter = ["reliability"]
    search_fields = ["title", "publisher"]


@admin.register(DisplacementFigure)
class DisplacementFigureAdmin(AuditedAdmin):
    list_display = ["admin_unit", "as_of", "idps", "refugees", "people_in_need", "source"]
    list_filter = ["as_of"]
    search_fields = ["admin_unit__pcode", "admin_unit__name_en"]
    raw_id_fields = ["admin_unit", "source"]
    date_hierarchy = "as_of"


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ["label", "value", "as_of", "admin_unit", "source"]
    raw_id_fields = ["admin_unit", "source"]


@admin.register(Incident)
class IncidentAdmin(AuditedAdmin):
    list_display = ["occurred_on", "incident_type", "admin_unit", "fatalities", "detained"]
    list_filter = ["incident_type"]
    search_fields = ["admin_unit__pcode", "admin_unit__name_en", "description"]
    raw_id_fields = ["admin_unit"]
    filter_horizontal = ["sources"]
    date_hierarchy = "occurred_on"
