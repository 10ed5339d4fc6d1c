from django.contrib import admin

from corridor.audit.admin import AuditedAdmin
from corridor.orgs.models import Coalition, CoalitionMembership, Organisation


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "acronym", "kind", "base_country", "visibility"]
    list_filter = ["kind", "visibility", "base_country"]
    search_fields = ["name", "name_my", "acronym", "alias"]


class CoalitionMembershipInline(admin.TabularInline):
    model = CoalitionMembership
    extra = 0
    raw_id_fields = ["organisation"]


@admin.register(Coalition)
class CoalitionAdmin(AuditedAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    inlines = [CoalitionMembershipInline]
