from django.contrib import admin

from corridor.audit.admin import AuditedAdmin
from corridor.funds.models import Dispute, ExchangeRate, Grant, Spending, Transfer


@admin.register(Transfer)
class TransferAdmin(AuditedAdmin):
    list_display = [
        "sent_on",
        "from_organisation",
        "to_organisation",
        "amount",
        "currency",
        "channel",
        "sent_state",
        "received_state",
    ]
    list_filter = ["currency", "channel", "sent_state", "received_state"]
    # The reference is encrypted: the database cannot search it.
    search_fields = ["from_organisation__name", "to_organisation__name"]
    raw_id_fields = ["from_organisation", "to_organisation", "grant"]
    date_hierarchy = "sent_on"


@admin.register(Grant)
class GrantAdmin(AuditedAdmin):
    list_display = ["pledged_on", "title", "donor", "recipient", "amount", "currency"]
    list_filter = ["currency", "reporting"]
    search_fields = ["title", "donor__name", "recipient__name"]
    raw_id_fields = ["donor", "recipient"]


@admin.register(Dispute)
class DisputeAdmin(AuditedAdmin):
    list_display = ["opened_on", "transfer", "opened_by", "resolved_on"]
    raw_id_fields = ["transfer", "opened_by"]


@admin.register(Spending)
class SpendingAdmin(AuditedAdmin):
    list_display = ["spent_on", "grant", "activity", "amount", "currency"]
    raw_id_fields = ["grant", "activity"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(AuditedAdmin):
    list_display = ["on", "from_currency", "to_currency", "rate", "kind", "source"]
    list_filter = ["kind", "from_currency", "to_currency"]
