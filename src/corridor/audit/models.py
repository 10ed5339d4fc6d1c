"""The audit trail: an append-only, hash-chained record of who did what and when.

Each entry's hash covers its own content and the previous entry's hash, so editing, removing or
reordering any entry breaks the chain from that point on (``corridor audit verify``).
"""

from __future__ import annotations

from django.db import models


class AuditEntry(models.Model):
    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField()
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        when = f"{self.at:%Y-%m-%d %H:%M}"
        return f"#{self.seq} {when} {self.actor_label} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries are append-only")
