"""Transfers recorded before the ledger had legs: give each its legs (decision 0236).

The old ``status`` said sent / received / disputed without saying which side said so. The
sent leg is the old amount, currency and date. A leg is confirmed only when the person who
recorded the transfer was an editor (or organisation admin) of that leg's side, as far as their
memberships show now; otherwise it is a claim for that side to confirm. This fails closed: a
transfer an editor of one side recorded in the other's name counts in nobody else's reports.

- ``received``: a received leg of the amount less the fee, same currency, on the sent date;
- ``disputed``: the same, and an open dispute opened by the recorder's side (the receiver when
  unknown) with a note saying it came from the old status, dated the day sent;
- ``sent``: no received leg.

Going back sets ``status`` from the legs and open disputes.
"""

from django.db import migrations

EDIT_ROLES = ("editor", "org_admin")
NOTE = "Marked disputed before transfers had two legs (migration 0006); say what is wrong."


def to_legs(apps, schema_editor):
    Transfer = apps.get_model("funds", "Transfer")
    Dispute = apps.get_model("funds", "Dispute")
    Membership = apps.get_model("accounts", "Membership")
    edits: dict = {}
    for user_id, org_id in Membership.objects.filter(role__in=EDIT_ROLES).values_list(
        "user_id", "organisation_id"
    ):
        edits.setdefault(user_id, set()).add(org_id)
    for t in Transfer.objects.all().iterator():
        mine = edits.get(t.created_by_id, set())
        t.sent_state = "confirmed" if t.from_organisation_id in mine else "claimed"
        if t.status in ("received", "disputed"):
            t.received_state = "confirmed" if t.to_organisation_id in mine else "claimed"
            t.received_amount = t.amount - (t.fee or 0)
            t.received_currency = t.currency
            t.received_on = t.sent_on
        t.save(
            update_fields=[
                "sent_state",
                "received_state",
                "received_amount",
                "received_currency",
                "received_on",
            ]
        )
        if t.status == "disputed":
            opener = (
                t.from_organisation_id if t.from_organisation_id in mine else t.to_organisation_id
            )
            Dispute.objects.create(
                transfer_id=t.pk,
                opened_by_id=opener,
                opened_on=t.sent_on,  # when it was marked is not known; never earlier
                note=NOTE,
                created_by_id=t.created_by_id,
                updated_by_id=t.created_by_id,
            )


def to_status(apps, schema_editor):
    Transfer = apps.get_model("funds", "Transfer")
    Dispute = apps.get_model("funds", "Dispute")
    disputed = set(
        Dispute.objects.filter(resolved_on__isnull=True).values_list("transfer_id", flat=True)
    )
    for t in Transfer.objects.all().iterator():
        if t.pk in disputed:
            t.status = "disputed"
        elif t.received_state:
            t.status = "received"
        else:
            t.status = "sent"
        t.save(update_fields=["status"])


class Migration(migrations.Migration):
    dependencies = [
        ("funds", "0005_ledger"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(to_legs, to_status)]
