"""Correcting a record in the browser's pages: detail with history, edit, soft removal, restore
and the bulk status change (docs/web.md, "Correcting a record"; decision 0180)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.aid.models import Activity, Status
from corridor.aid.services import activity_remove, activity_restore
from corridor.audit.models import AuditEntry
from corridor.core.errors import InvalidInput
from corridor.situation.models import DisplacementFigure, Incident
from corridor.situation.services import incident_restore
from corridor.testing import factories as f
from corridor.testing.signin import signed_in_client

pytestmark = pytest.mark.django_db

MARCH = dt.date(2024, 3, 1)


@pytest.fixture
def world(gazetteer):
    own = f.OrganisationFactory(name="Helping Hands")
    other = f.OrganisationFactory(name="Other Relief")
    people = {}
    for name, role in (("viewer", OrgRole.VIEWER), ("editor", OrgRole.EDITOR)):
        people[name] = f.UserFactory(username=name)
        f.MembershipFactory(user=people[name], organisation=own, role=role)
    people["stranger"] = f.UserFactory(username="stranger")  # an editor of the other org
    f.MembershipFactory(user=people["stranger"], organisation=other, role=OrgRole.EDITOR)
    people["coordinator"] = f.UserFactory(username="coord", global_role=GlobalRole.COORDINATOR)
    people["admin"] = f.UserFactory(username="boss", global_role=GlobalRole.ADMIN)
    source = f.SourceFactory(title="Camp committee count", publisher="Field team")
    activity = f.ActivityFactory(
        organisation=own, admin_unit=gazetteer, reporting_month=MARCH, women=12000, men=30
    )
    incident = f.IncidentFactory(
        admin_unit=gazetteer,
        occurred_on=dt.date(2024, 3, 3),
        description="Shelling near the market",
        reporting_organisation=own,
    )
    incident.sources.set([source])
    figure = f.DisplacementFigureFactory(
        admin_unit=gazetteer,
        as_of=dt.date(2024, 3, 20),
        idps=4321,
        source=source,
        reporting_organisation=own,
    )
    return {
        "own": own,
        "other": other,
        "people": people,
        "activity": activity,
        "incident": incident,
        "figure": figure,
        "source": source,
        "township": gazetteer,
    }


def without_nonce(content: bytes) -> bytes:
    # Each answer carries its own CSP nonce and CSRF token; nothing else may differ.
    return re.sub(rb'(nonce|value)="[A-Za-z0-9+/=_-]{20,}"', b"", content)


def client_for(world, who):
    return signed_in_client(world["people"][who])


def url(record, action=""):
    base = {Activity: "activities", Incident: "incidents", DisplacementFigure: "figures"}
    path = f"/{base[type(record)]}/{record.pk}/"
    return path + (f"{action}/" if action else "")


# --- Who sees and may correct what ----------------------------------------------------------


def test_editor_sees_the_activity_with_edit_and_remove(world):
    page = client_for(world, "editor").get(url(world["activity"]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Helping Hands" in text
    assert "12,000" in text
    assert "12,039" in text
    assert f'href="{url(world["activity"], "edit")}"' in text
    assert f'href="{url(world["activity"], "remove")}"' in text
    assert '<svg class="map"' in text  # the township on its state's map


@pytest.mark.parametrize("who", ["viewer", "coordinator"])
def test_viewer_and_coordinator_read_but_cannot_correct(world, who):
    c = client_for(world, who)
    activity = world["activity"]
    text = c.get(url(activity)).content.decode()
    assert "12,000" in text
    assert url(activity, "edit") not in text
    assert url(activity, "remove") not in text
    assert c.get(url(activity, "edit")).status_code == 403
    assert c.post(url(activity, "edit"), {"women": 1}).status_code == 403
    assert c.post(url(activity, "remove"), {"reason": "x"}).status_code == 403
    activity.refresh_from_db()
    assert (activity.women, activity.removed_at) == (12000, None)
    denied = AuditEntry.objects.filter(action="denied", object_id=str(activity.pk))
    assert denied.count() == 3


def test_editor_of_another_organisation_learns_nothing_of_an_activity(world):
    c = client_for(world, "stranger")
    activity = world["activity"]
    unknown = "/activities/00000000-0000-4000-8000-00000000dead/"
    for path in (url(activity), url(activity, "edit"), url(activity, "remove")):
        answer = c.get(path)
        assert answer.status_code == 404
        nobody = c.get(unknown + path.split("/", 3)[3])
        assert without_nonce(answer.content) == without_nonce(nobody.content)
    assert c.post(url(activity, "remove"), {"reason": "spite"}).status_code == 404
    assert c.post(url(activity, "restore")).status_code == 404
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_shared_incident_is_read_by_other_organisations_but_not_corrected(world):
    c = client_for(world, "stranger")
    incident = world["incident"]
    text = c.get(url(incident)).content.decode()
    assert "Shelling near the market" in text
    assert "Camp committee count" in text
    assert "Field team" in text
    assert url(incident, "edit") not in text
    assert c.get(url(incident, "edit")).status_code == 403
    assert c.post(url(incident, "remove"), {"reason": "x"}).status_code == 403


def test_anonymous_organisation_is_not_named_in_a_shared_record_or_its_history(world):
    hidden = f.anonymous_organisation("Quiet Helpers")
    author = f.UserFactory(username="quiet-author")
    f.MembershipFactory(user=author, organisation=hidden, role=OrgRole.EDITOR)
    from corridor.situation.services import incident_record, incident_update

    incident = incident_record(
        by=author,
        reporting_organisation=hidden,
        sources=[world["source"]],
        occurred_on=dt.date(2024, 3, 5),
        incident_type="arson",
        admin_unit=world["township"],
        description="Houses burnt",
    )
    incident_update(by=author, incident=incident, fatalities=2)
    text = client_for(world, "stranger").get(url(incident)).content.decode()
    assert "Houses burnt" in text
    assert "→ 2" in text
    assert "Quiet Helpers" not in text
    assert "quiet-author" not in text
    assert str(hidden.pk) not in text
    own = signed_in_client(author).get(url(incident)).content.decode()
    assert "quiet-author" in own


# --- Editing and the history ------------------------------------------------------------------


def _activity_form(activity, **changes):
    data = {
        "township": activity.admin_unit_id,
        "reporting_month": f"{activity.reporting_month:%Y-%m}",
        "sector": activity.sector,
        "modality": activity.modality,
        "channel": activity.channel,
        "women": activity.women,
        "men": activity.men,
        "girls": activity.girls,
        "boys": activity.boys,
        "unspecified": activity.unspecified,
        "households": "",
        "notes": activity.notes,
    }
    data.update(changes)
    return data


def test_edit_form_is_the_entry_form_prefilled(world):
    text = client_for(world, "editor").get(url(world["activity"], "edit")).content.decode()
    assert 'name="women" value="12000"' in text
    assert 'value="2024-03"' in text
    assert "MMR005022" in text  # the township picker holds the record's township
    assert "disabled" in text  # the organisation stays the record's own


def test_editor_corrects_a_mistyped_number_and_the_history_shows_it(world):
    c = client_for(world, "editor")
    activity = world["activity"]
    other = world["other"]
    answer = c.post(
        url(activity, "edit"), _activity_form(activity, women=120, organisation=other.pk)
    )
    assert answer.status_code == 302
    assert answer["Location"] == url(activity)
    activity.refresh_from_db()
    assert activity.women == 120
    assert activity.organisation == world["own"]  # a posted organisation changes nothing
    entry = AuditEntry.objects.get(action="update", object_id=str(activity.pk))
    assert entry.changes["women"] == [12000, 120]
    text = c.get(url(activity)).content.decode()
    history = text[text.index('id="history"') :]
    assert "Women: 12000 → 120" in history
    assert "editor" in history
    assert "Changed" in history


def test_a_wrong_correction_comes_back_next_to_its_field(world):
    c = client_for(world, "editor")
    activity = world["activity"]
    answer = c.post(url(activity, "edit"), _activity_form(activity, women=-5))
    assert answer.status_code == 400
    activity.refresh_from_db()
    assert activity.women == 12000


def test_history_never_shows_protected_values(world):
    from corridor.situation.services import incident_update

    incident = world["incident"]
    admin = world["people"]["admin"]
    incident_update(by=admin, incident=incident, latitude=21.9123, longitude=96.0456)
    incident_update(by=admin, incident=incident, latitude=21.95, longitude=96.1)
    raw = AuditEntry.objects.filter(action="update", object_id=str(incident.pk))
    assert all(e.changes["latitude"][1].startswith("hmac:") for e in raw)
    for who in ("editor", "admin"):
        text = client_for(world, who).get(url(incident)).content.decode()
        assert "Latitude: changed (protected, not shown)" in text
        assert "Longitude: changed (protected, not shown)" in text
        for secret in ("21.9123", "96.0456", "21.95", "96.1", "hmac:"):
            assert secret not in text


def test_incident_and_figure_edits(world):
    c = client_for(world, "editor")
    incident, figure = world["incident"], world["figure"]
    form = c.get(url(incident, "edit")).content.decode()
    assert "Shelling near the market" in form
    answer = c.post(
        url(incident, "edit"),
        {
            "occurred_on": "2024-03-03",
            "incident_type": "shelling",
            "township": incident.admin_unit_id,
            "fatalities": 3,
            "injuries": 0,
            "detained": 0,
            "description": "Shelling near the old market",
            "source": world["source"].pk,
            "source_reliability": "F",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    incident.refresh_from_db()
    assert (incident.incident_type, incident.fatalities) == ("shelling", 3)
    assert list(incident.sources.all()) == [world["source"]]
    answer = c.post(
        url(figure, "edit"),
        {
            "township": figure.admin_unit_id,
            "as_of": "2024-03-20",
            "idps": 1234,
            "source": world["source"].pk,
            "source_reliability": "F",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    figure.refresh_from_db()
    assert figure.idps == 1234
    assert "IDPs: 4321 → 1234" in c.get(url(figure)).content.decode()


# --- Soft removal ------------------------------------------------------------------------------


def test_removing_needs_a_reason(world):
    c = client_for(world, "editor")
    activity = world["activity"]
    assert "Why is it removed?" in c.get(url(activity, "remove")).content.decode()
    answer = c.post(url(activity, "remove"), {"reason": "   "})
    assert answer.status_code == 400
    assert Activity.objects.filter(pk=activity.pk).exists()


def _everywhere(c, world):
    """What each output shows of the world's records, for the person using ``c``."""
    reached = c.get("/api/web/headlines", {"start": "2024-03", "end": "2024-03"}).json()
    return {
        "activities page": c.get("/activities/").content.decode(),
        "incidents page": c.get("/incidents/").content.decode(),
        "township page": c.get(
            f"/townships/{world['township'].pk}/", {"month": "2024-03"}
        ).content.decode(),
        "gaps page": c.get("/gaps/", {"month": "2024-03"}).content.decode(),
        "api activities": c.get("/api/aid/activities/").content.decode(),
        "api incidents": c.get("/api/situation/incidents/").content.decode(),
        "api figures": c.get("/api/situation/figures/").content.decode(),
        "api township": c.get(
            f"/api/web/townships/{world['township'].pk}?month=2024-03"
        ).content.decode(),
        "export activities": c.get(
            "/api/exchange/exports/hxl-internal/activities.csv"
        ).content.decode(),
        "export incidents": c.get(
            "/api/exchange/exports/hxl-internal/incidents.csv"
        ).content.decode(),
        "export figures": c.get("/api/exchange/exports/hxl-internal/figures.csv").content.decode(),
        "dashboard": str(reached),
    }


def test_removed_records_vanish_from_every_list_total_export_and_the_api(world):
    c = client_for(world, "editor")
    activity, incident, figure = world["activity"], world["incident"], world["figure"]
    before = _everywhere(c, world)
    markers = {
        "activities page": url(activity),
        "incidents page": url(incident),
        "township page": url(figure),
        "gaps page": "12,039",
        "api activities": str(activity.pk),
        "api incidents": str(incident.pk),
        "api figures": str(figure.pk),
        "api township": "4321",
        "export activities": str(activity.pk),
        "export incidents": str(incident.pk),
        "export figures": str(figure.pk),
        "dashboard": "12039",
    }
    for where, marker in markers.items():
        assert marker in before[where], where
    for record in (activity, incident, figure):
        answer = c.post(url(record, "remove"), {"reason": "entered twice"})
        assert answer.status_code == 302
    after = _everywhere(c, world)
    for where, marker in markers.items():
        assert marker not in after[where], where
    for record in (activity, incident, figure):
        api = {Activity: "aid/activities", Incident: "situation/incidents"}.get(
            type(record), "situation/figures"
        )
        assert c.get(f"/api/{api}/{record.pk}/").status_code == 404
    # The rows are kept, with who removed them and why, and the trail says so.
    kept = Activity.all_objects.get(pk=activity.pk)
    assert kept.removal_reason == "entered twice"
    assert kept.removed_by == world["people"]["editor"]
    assert AuditEntry.objects.filter(action="remove").count() == 3


def test_removed_record_page_is_for_those_who_may_restore_it(world):
    editor = client_for(world, "editor")
    activity = world["activity"]
    editor.post(url(activity, "remove"), {"reason": "wrong township"})
    text = editor.get(url(activity)).content.decode()
    assert "wrong township" in text
    assert "Restore" in text
    assert url(activity, "edit") not in text
    for who in ("viewer", "coordinator", "stranger"):
        assert client_for(world, who).get(url(activity)).status_code == 404
    assert client_for(world, "viewer").post(url(activity, "restore")).status_code == 404
    assert editor.get(url(activity, "restore")).status_code == 405  # a POST only
    answer = editor.post(url(activity, "restore"))
    assert answer.status_code == 302
    assert Activity.objects.filter(pk=activity.pk).exists()
    history = editor.get(url(activity)).content.decode()
    assert "Removed: wrong township" in history
    assert "Restored" in history


def test_a_removed_figure_blocks_its_twin_with_a_clear_reason(world):
    from corridor.core.errors import InvalidInput
    from corridor.situation.services import figure_record, figure_remove

    figure = world["figure"]
    editor = world["people"]["editor"]
    figure_remove(by=editor, figure=figure, reason="duplicate")
    with pytest.raises(InvalidInput, match="restore it"):
        figure_record(
            by=editor,
            reporting_organisation=world["own"],
            admin_unit=figure.admin_unit,
            as_of=figure.as_of,
            source=figure.source,
            idps=10,
        )


# --- Bulk status ---------------------------------------------------------------------------------


def test_bulk_status_changes_the_chosen_rows_one_by_one(world):
    own_second = f.ActivityFactory(
        organisation=world["own"], admin_unit=world["township"], status=Status.PLANNED
    )
    foreign = f.ActivityFactory(organisation=world["other"], admin_unit=world["township"])
    c = client_for(world, "editor")
    page = c.get("/activities/").content.decode()
    assert f'value="{world["activity"].pk}"' in page
    assert 'name="status"' in page
    answer = c.post(
        "/activities/status/",
        {
            "ids": [world["activity"].pk, own_second.pk, foreign.pk, "not-an-id"],
            "status": Status.COMPLETED,
            "back": "sector=food_security",
        },
    )
    assert answer.status_code == 302
    assert answer["Location"] == "/activities/?sector=food_security"
    statuses = dict(Activity.objects.values_list("pk", "status"))
    assert statuses[world["activity"].pk] == statuses[own_second.pk] == Status.COMPLETED
    assert statuses[foreign.pk] == Status.ONGOING  # not visible to the editor: ignored
    updates = AuditEntry.objects.filter(action="update", changes__has_key="status")
    assert updates.count() == 2


def test_bulk_status_is_refused_per_row_to_those_who_may_not_correct(world):
    c = client_for(world, "coordinator")
    assert 'name="ids"' not in c.get("/activities/").content.decode()
    answer = c.post(
        "/activities/status/", {"ids": [world["activity"].pk], "status": Status.COMPLETED}
    )
    assert answer.status_code == 302
    world["activity"].refresh_from_db()
    assert world["activity"].status == Status.ONGOING
    assert AuditEntry.objects.filter(action="denied", object_id=str(world["activity"].pk)).exists()
    follow = c.get("/activities/").content.decode()
    assert "1 activities were not changed" in follow


def test_the_bulk_boxes_ask_the_policy_without_a_query_per_row(world):
    """Which rows get a box is asked of the policy for each row, with the editor's memberships
    read once for the page: more rows on the page, no more queries."""
    c = client_for(world, "editor")

    def page_and_queries() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            page = c.get("/activities/").content.decode()
        return page, len(queries.captured_queries)

    _few, before = page_and_queries()
    more = [
        f.ActivityFactory(organisation=world[org], admin_unit=world["township"])
        for org in ["own"] * 8 + ["other"] * 4
    ]
    page, after = page_and_queries()
    assert after == before
    boxes = set(re.findall(r'name="ids" value="([^"]+)"', page))
    assert boxes == {str(a.pk) for a in [world["activity"], *more[:8]]}


def test_lists_link_to_the_record_pages(world):
    c = client_for(world, "viewer")
    assert url(world["activity"]) in c.get("/activities/").content.decode()
    assert url(world["incident"]) in c.get("/incidents/").content.decode()
    township = c.get(f"/townships/{world['township'].pk}/").content.decode()
    assert url(world["figure"]) in township
    assert url(world["incident"]) in township


def test_a_record_is_removed_once_and_restored_once(world):
    """The one removal helper (audit.services.audited_remove / audited_restore) says so for
    every kind of record, whoever calls it."""
    editor = world["people"]["editor"]
    activity = world["activity"]
    with pytest.raises(InvalidInput, match="activity is not removed"):
        activity_restore(by=editor, activity=activity)
    activity_remove(by=editor, activity=activity, reason="entered twice")
    with pytest.raises(InvalidInput, match="activity is already removed"):
        activity_remove(by=editor, activity=activity, reason="again")
    with pytest.raises(InvalidInput, match="incident is not removed"):
        incident_restore(by=editor, incident=world["incident"])
