from django.contrib import admin

from corridor.audit.admin import AuditedAdmin
from corridor.funds.models import Transfer


@admin.register(Transfer)
class TransferAdmin(AuditedAdmin):
    list_display = [
        "sent_on",
        "from_organisation",
        "to_organisation",
        "amount",
        "currency",
        "channel",
        "status",
    ]
    list_filter = ["currency", "channel", "status"]
    # The reference is encrypted: the database cannot search it.
    search_fields = ["from_organisation__name", "to_organisation__name"]
    raw_id_fields = ["from_organisation", "to_organisation"]
    date_hierarchy = "sent_on"
