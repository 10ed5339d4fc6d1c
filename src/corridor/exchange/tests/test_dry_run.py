"""A dry run changes nothing but its own run record; a refused import queues few reviews."""

from __future__ import annotations

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.audit.models import AuditEntry
from corridor.exchange.kinds.places import MAX_REVIEWS
from corridor.exchange.models import ImportRun
from corridor.geo.models import PlaceReview
from corridor.testing.factories import MembershipFactory
from corridor.testing.signin import signed_in_client

HEADER = "#sector,#modality,#adm1+code,#adm3+name,#date+reported,#reached+f+adults\r\n"


def unknown_places(count: int) -> bytes:
    rows = "".join(f"health,service,MMR004,Qxzvw Ywa {n:04d},2024-03,4\r\n" for n in range(count))
    return (HEADER + rows).encode()


def row_counts() -> dict[str, int]:
    return {
        model._meta.db_table: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def upload(client, content: bytes, **data):
    return client.post(
        "/api/exchange/imports",
        {"file": SimpleUploadedFile("places.csv", content, "text/csv"), "org": "CRN", **data},
    )


def test_a_refused_dry_run_writes_only_its_run_record(org):
    client = signed_in_client(MembershipFactory(organisation=org, role="editor").user)
    before = row_counts()

    response = upload(client, unknown_places(2000), dry_run="true")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["error_count"]) == ("refused", 2000)
    after = row_counts()
    changed = {
        table: after[table] - before[table] for table in after if after[table] != before[table]
    }
    assert changed == {ImportRun._meta.db_table: 1}
    reason = body["errors"][0]["reason"]
    assert "give its p-code" in reason
    assert "sent to the gazetteer review queue" not in reason


def test_a_refused_import_queues_one_review_per_name_up_to_the_limit(org):
    client = signed_in_client(MembershipFactory(organisation=org, role="editor").user)
    twice = unknown_places(MAX_REVIEWS + 50) + unknown_places(3)[len(HEADER) :]
    audited = AuditEntry.objects.count()

    body = upload(client, twice).json()

    assert body["status"] == "refused"
    assert PlaceReview.objects.count() == MAX_REVIEWS
    assert AuditEntry.objects.count() - audited == MAX_REVIEWS
    reasons = [e["reason"] for e in body["errors"]]
    assert sum("sent to the gazetteer review queue" in r for r in reasons) == MAX_REVIEWS + 3
    assert sum("give its p-code" in r for r in reasons) == 50
    run = ImportRun.objects.get(pk=body["run_id"])
    assert (
        f"50 more unknown place names not queued for review (at most {MAX_REVIEWS} a file)"
        in run.notes
    )

    upload(client, twice)
    assert PlaceReview.objects.count() == MAX_REVIEWS
