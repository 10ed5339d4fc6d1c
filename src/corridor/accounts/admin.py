from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as OTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from corridor.accounts.models import ApiToken, Membership, User
from corridor.accounts.panic import user_panic
from corridor.accounts.tokens import token_revoke
from corridor.audit.admin import AuditedAdmin, audit_saved
from corridor.core.errors import NotAllowed

# The admins other packages register change who may do what and how people sign in: they are
# audited like ours (an authenticator's seed only as "set"/"changed", corridor.audit.protected).
admin.site.unregister(Group)
admin.site.unregister(TOTPDevice)


@admin.register(Group)
class GroupAdmin(AuditedAdmin, DjangoGroupAdmin):
    pass


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(AuditedAdmin, OTPDeviceAdmin):
    pass


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
    actions = ["panic"]

    def user_change_password(self, request, id, form_url=""):
        # Django's password form saves the user itself, past save_model: audit it here. The
        # entry says the password changed, never the hash.
        with transaction.atomic():
            stored = self.get_object(request, unquote(id))
            response = super().user_change_password(request, id, form_url)
            if stored is not None:
                audit_saved(request.user, stored, User.objects.get(pk=stored.pk))
        return response

    @admin.action(description="Panic: disable, end all sessions, revoke password and 2FA")
    def panic(self, request, queryset):
        # docs/security/panic.md: for a seized device or an arrested user, at once.
        for user in queryset:
            try:
                result = user_panic(by=request.user, user=user)
            except NotAllowed as exc:
                self.message_user(request, f"{user}: {exc}", messages.ERROR)
                continue
            self.message_user(
                request,
                f"{result.username}: disabled, {result.sessions_ended} session(s) ended, "
                f"password and {result.devices_removed} authenticator device(s) revoked, "
                f"{result.tokens_revoked} API token(s) revoked.",
                messages.WARNING,
            )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every user's API tokens, for admins: who, where, what, until when; never the secret.

    Tokens are made by their owners (/accounts/tokens/, ``corridor tokens create``) and only
    revoked here, through ``token_revoke`` (audited): nothing else about a token changes.
    """

    list_display = [
        "prefix",
        "user",
        "organisation",
        "scope",
        "name",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["scope", "revoked_at", "expires_at"]
    search_fields = ["prefix", "user__username", "name"]
    fields = list_display
    readonly_fields = list_display
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked tokens stay listed: the audit trail refers to them

    @admin.action(description="Revoke the selected API tokens")
    def revoke(self, request, queryset):
        ended = 0
        for token in queryset:
            try:
                ended += token_revoke(by=request.user, token=token, reason="revoked by an admin")
            except NotAllowed as exc:
                self.message_user(request, f"{token.prefix}: {exc}", messages.ERROR)
        self.message_user(request, f"{ended} API token(s) revoked.", messages.WARNING)
