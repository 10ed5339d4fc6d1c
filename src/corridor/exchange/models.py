"""What the import pipeline remembers: each run, and the committed batches of resumable runs.

An ImportBatch row is written in the same transaction as the rows of its batch, so after a
crash the table says exactly which batches are in the database and which must be redone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.core.crypto.fields import EncryptedTextField
from corridor.core.models import Record, one_of


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    APPLIED = "applied", _("Applied")
    CHECKED = "checked", _("Checked (dry run)")
    REFUSED = "refused", _("Refused: errors in the file")


class ImportRun(Record):
    file_name = models.CharField(max_length=255, help_text=_("Name only; uploads are not kept."))
    checksum = models.CharField(max_length=64, help_text=_("SHA-256 of the file's bytes."))
    format = models.CharField(max_length=16)
    kind = models.CharField(max_length=16)
    organisation = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(
        default=0, help_text=_("Records of the file's scope it no longer held, removed.")
    )
    held = models.PositiveIntegerField(
        default=0, help_text=_("Rows held for review by a partial import (decision 0205).")
    )
    error_count = models.PositiveIntegerField(default=0)
    # Neutralised CSV (file,row,column,value,reason); capped, the count above is complete.
    error_report = models.TextField(blank=True)
    notes = models.JSONField(default=list, blank=True, help_text=_("Warnings, ignored columns."))
    # Digests and counts only, no cell values (exchange/replay.py).
    replay = models.JSONField(
        null=True,
        blank=True,
        help_text=_("What an unchanged re-import of the file is answered from (decision 0369)."),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=one_of("status", RunStatus.values), name="importrun_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.kind}, {self.status})"


class ImportBatch(models.Model):
    """One committed batch of a resumable import, keyed by what identifies it across runs."""

    checksum = models.CharField(max_length=64)
    kind = models.CharField(max_length=16)
    batch_size = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    rows = models.PositiveIntegerField()
    run = models.ForeignKey(ImportRun, null=True, on_delete=models.SET_NULL, related_name="+")
    committed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["checksum", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["checksum", "kind", "batch_size", "number"], name="importbatch_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checksum[:12]} {self.kind} batch {self.number}"


class SavedMapping(Record):
    """A column and value mapping saved by name, reused for files of the same shape.

    ``signature`` is the SHA-256 of the file's normalised header cells (mapping/spec.py): a
    file whose header rows give the same signature gets this mapping without being asked.
    ``spec`` is the mapping as ``corridor maps export`` writes it (mapping/spec.py, to_json).
    """

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16)
    signature = models.CharField(max_length=64, db_index=True)
    headers = models.JSONField(default=list, help_text=_("The file's header, one per column."))
    spec = models.JSONField(default=dict)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class HeldStatus(models.TextChoices):
    HELD = "held", _("Held for review")
    APPLIED = "applied", _("Fixed and applied")
    DROPPED = "dropped", _("Dropped")


class HeldRow(Record):
    """A row a partial import did not apply, kept with its reasons until a person fixes it,
    picks its township, or drops it (decision 0205, docs/exchange.md "Partial imports").

    The cells and reasons may hold protected values (village, free text, names): both are
    encrypted at rest. ``table`` is what the pipeline needs to read the row again exactly as
    the file gave it (kind, format, plan of fields to columns, labels, key columns): no
    values. Who may see and settle it: exchange/access.py.
    """

    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="held_rows")
    # The upload's organisation (None: a coordinator's file naming each row's organisation).
    organisation = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    row = models.PositiveIntegerField(help_text=_("Row number in the file, as a spreadsheet."))
    table = models.JSONField(default=dict)
    cells = EncryptedTextField(help_text=_("The row's cells as JSON, with any fixes."))
    reasons = EncryptedTextField(help_text=_("Why it is held: JSON of column, value, reason."))
    status = models.CharField(max_length=10, choices=HeldStatus.choices, default=HeldStatus.HELD)
    applied_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "row"]
        constraints = [
            models.CheckConstraint(
                condition=one_of("status", HeldStatus.values), name="heldrow_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "organisation"])]

    def __str__(self) -> str:
        return f"{self.file_name} row {self.row} ({self.status})"
