from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "corridor.audit"
    label = "audit"
    verbose_name = "Audit trail"
