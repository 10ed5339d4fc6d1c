"""The sync state of an instance: its identity, its peers, the bundles exchanged, one version
per synced record and the conflicts kept for review (decision 0275).

The domain tables do not change: a record's version lives in ``Version``, a side table keyed
by the record's kind and UUID.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from corridor.core.crypto.fields import EncryptedBinaryField, EncryptedTextField
from corridor.core.ids import uuid7


class Identity(models.Model):
    """This instance: one row, made on first use. Its id is the instance id every version's
    hybrid logical clock ends with. The private keys are stored encrypted with the keyring."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    name = models.CharField(max_length=100)
    signing_key = EncryptedBinaryField()  # Ed25519 private key, raw 32 bytes
    box_key = EncryptedBinaryField()  # X25519 private key, raw 32 bytes
    signing_public = models.CharField(max_length=64)  # base64
    box_public = models.CharField(max_length=64)  # base64
    # The hybrid logical clock's last reading and the local change counter.
    clock = models.CharField(max_length=64, blank=True)
    changes = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "identity"

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    HUB = "hub", "Hub"
    FIELD = "field", "Field instance"


class Peer(models.Model):
    """Another instance this one exchanges bundles with, registered after an out-of-band
    check of its fingerprint. Its id is that instance's own id."""

    id = models.UUIDField(primary_key=True, editable=False)
    name = models.CharField(max_length=100, unique=True)
    role = models.CharField(max_length=8, choices=Role.choices)
    signing_public = models.CharField(max_length=64)
    box_public = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64)
    # A field peer receives the records of these organisations only (records.peer_may_receive).
    organisations = models.ManyToManyField("orgs.Organisation", blank=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_seq = models.BigIntegerField(default=0)  # the last bundle number written to it
    acked_seq = models.BigIntegerField(default=0)  # the highest of ours it acknowledged
    acked_change = models.BigIntegerField(default=0)  # it holds our changes up to this one
    received_seq = models.BigIntegerField(default=0)  # the highest of its bundles applied here

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(role__in=Role.values), name="peer_role")]

    def __str__(self) -> str:
        return self.name


class Direction(models.TextChoices):
    OUT = "out", "Written"
    IN = "in", "Applied"


class Bundle(models.Model):
    """A bundle written to or applied from a peer: the replay check and the acknowledgements."""

    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="bundles")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    seq = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    rows = models.IntegerField(default=0)
    # Written bundles: the local change counter they carry changes up to.
    changes_upto = models.BigIntegerField(default=0)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["peer", "direction", "seq"], name="bundle_once"),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="bundle_direction"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.peer_id} #{self.seq}"


class Version(models.Model):
    """The current version of one synced record at this instance.

    ``hlc`` orders versions across instances (``corridor.sync.hlc``); ``superseded`` lists the
    versions this one is known to replace (its ancestry, trimmed), which tells an edit made
    on top of another from a concurrent one; ``digest`` is the record's content as last
    versioned, so a local edit is found by comparing; ``change`` is the local change counter
    when this row last changed, which decides what the next bundle to each peer carries."""

    kind = models.CharField(max_length=40)
    record_id = models.UUIDField()
    hlc = models.CharField(max_length=64)
    superseded = models.JSONField(default=list)
    digest = models.CharField(max_length=64)
    change = models.BigIntegerField(db_index=True)
    came_from = models.ForeignKey(
        Peer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "record_id"], name="version_per_record")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id} @ {self.hlc}"


class Resolution(models.TextChoices):
    KEPT = "kept", "Kept the version that won"
    TOOK_LOST = "took_lost", "Took the version that lost"


class Conflict(models.Model):
    """Two concurrent versions of one record: the higher clock was kept, the other is here for
    a person to review. The lost content may hold protected values, so it is encrypted."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    kind = models.CharField(max_length=40)
    record_id = models.UUIDField()
    kept_hlc = models.CharField(max_length=64)
    lost_hlc = models.CharField(max_length=64)
    lost = EncryptedTextField()  # the losing version's fields, as JSON
    found_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the person who reviewed it chose (empty: marked reviewed at the command line).
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)

    class Meta:
        ordering = ["-found_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "record_id", "lost_hlc"], name="conflict_once_per_version"
            ),
            models.CheckConstraint(
                condition=Q(resolution__in=["", *Resolution.values]), name="conflict_resolution"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id}: kept {self.kept_hlc}, lost {self.lost_hlc}"
