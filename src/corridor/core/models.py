"""The shape every domain record shares.

UUID keys let field instances create records offline and sync them to a hub later without
collisions; created/updated times and authors say who touched a record last.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Record(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        abstract = True


class RemovedVia(models.TextChoices):
    """How a record was removed: the import that holds it again restores only what a
    replacing import removed, never what a person removed (decision 0354)."""

    PERSON = "person", "by a person"
    REPLACE = "replace", "by an import that replaced it"


class CurrentManager(models.Manager):
    """Rows not removed: every ordinary read (lists, gaps, exports, the API, the dashboard)."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(removed_at__isnull=True)


class Removable(Record):
    """A record that is removed softly: kept, with who removed it, when and why, and hidden
    from every ordinary read (decision 0180).

    ``objects`` (the default manager, so related managers and form lookups use it too) hides
    removed rows; ``all_objects`` shows them, for history, restoring and the admin. Django's
    base manager stays unfiltered, so a transfer or an audit step can still follow a foreign
    key to a removed row, and backups and key rotation reach every row.
    """

    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    removal_reason = models.TextField(blank=True, editable=False)
    # Set by the service that removes (``audit.services.audited_remove`` for a person,
    # ``exchange.removal.records_remove`` for a replacing import); empty while not removed.
    removed_via = models.CharField(
        max_length=8, choices=RemovedVia.choices, blank=True, editable=False
    )

    objects = CurrentManager()
    # The first manager is the default: ``objects`` must stay above this one.
    all_objects = models.Manager()  # noqa: DJ012

    class Meta:
        abstract = True

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


@models.CharField.register_lookup
class CapitalLetters(models.Lookup):
    """``field__capital_letters=3``: exactly three ASCII capital letters (ISO 4217 currency,
    ISO 3166 country codes), in each database's own syntax.

    Django's ``__regex`` becomes ``REGEXP`` on SQLite, a function Django registers in Python.
    A check constraint that calls Python cannot be checked by other SQLite tools (the sqlite3
    shell says "no such function") and must take the interpreter lock for every row an
    import writes on its second thread (decision 0092). ``GLOB '[A-Z][A-Z][A-Z]'`` is
    SQLite's own and matches by code point, like the regular expression on PostgreSQL.
    """

    lookup_name = "capital_letters"

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} ~ %s", [*params, f"^[A-Z]{{{int(self.rhs)}}}$"]

    def as_sqlite(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} GLOB %s", [*params, "[A-Z]" * int(self.rhs)]


def one_of(field: str, allowed: list) -> models.Q:
    """A check-constraint condition: ``field`` holds one of ``allowed``.

    Written as ``field = a OR field = b ...`` rather than ``field IN (a, b, ...)``: for an IN
    list of more than two values SQLite builds a temporary index every time the statement
    runs, and an INSERT runs once per row: the four IN checks on activities were about two
    thirds of an insert's time (decision 0092). PostgreSQL plans both forms alike.
    """
    if not allowed:
        raise ValueError(f"{field}: no allowed values")
    condition = models.Q(**{field: allowed[0]})
    for value in allowed[1:]:
        condition |= models.Q(**{field: value})
    return condition
