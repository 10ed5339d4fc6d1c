from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from corridor.accounts.models import Membership, User
from corridor.audit.admin import AuditedAdmin


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["organisation"]


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = ["username", "email", "global_role", "is_active", "is_staff"]
    list_filter = ["global_role", "is_active", "is_staff"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Corridor", {"fields": ("global_role", "language")}),
    )
    inlines = [MembershipInline]
