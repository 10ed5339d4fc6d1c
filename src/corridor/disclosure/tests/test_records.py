"""Organisations, places and single records in public outputs."""

import datetime as dt

import pytest

from corridor.aid.models import Activity
from corridor.disclosure import (
    NOT_NAMED,
    DisclosureError,
    public_org_label,
    public_organisations,
    public_place,
    public_record,
)
from corridor.disclosure.records import FORBIDDEN_FIELDS, PUBLIC_FIELDS
from corridor.geo.models import AdminUnit
from corridor.orgs.models import Organisation, Visibility
from corridor.situation.models import DisplacementFigure, Incident, Indicator
from corridor.testing.factories import (
    ActivityFactory,
    IncidentFactory,
    OrganisationFactory,
    SourceFactory,
    township,
)

TODAY = dt.date(2024, 4, 20)  # cutoff with a 14-day delay: Sunday 2024-03-31


def organisation(visibility, alias=""):
    return Organisation(name="Real Name Group", visibility=visibility, alias=alias)


def test_public_org_is_named_pseudonymous_by_alias_anonymous_not_at_all():
    assert public_org_label(organisation(Visibility.PUBLIC)) == "Real Name Group"
    assert public_org_label(organisation(Visibility.PSEUDONYMOUS, "Blue River")) == "Blue River"
    assert public_org_label(organisation(Visibility.ANONYMOUS, "Blue River")) is None


def test_label_needs_an_organisation():
    with pytest.raises(DisclosureError, match="not an Organisation"):
        public_org_label("Real Name Group")


@pytest.mark.django_db
def test_anonymous_organisations_appear_only_as_a_count_of_k_or_more():
    named = OrganisationFactory(name="Open Aid")
    alias = OrganisationFactory(visibility=Visibility.PSEUDONYMOUS, alias="Blue River")
    hidden = [OrganisationFactory(visibility=Visibility.ANONYMOUS) for _ in range(5)]
    shown = public_organisations([named, alias, *hidden, hidden[0]], k=5)
    assert shown.labels == ("Blue River", "Open Aid")
    assert shown.not_named == 5
    assert all(o.name not in shown.labels for o in hidden)
    few = public_organisations([named, *hidden[:2]], k=5)
    assert few.not_named is None, "two unnamed organisations in a place is too small a count"
    assert public_organisations([named], k=5).not_named == 0


@pytest.mark.django_db
def test_places_are_township_pcodes_at_most():
    unit = township("MMR001001")
    assert public_place(unit) == "MMR001001"
    assert public_place(unit.parent.parent) == "MMR001"
    finer = AdminUnit(pcode="MMR001001V01", level=4, name_en="A village")
    with pytest.raises(DisclosureError, match="finer than a township"):
        public_place(finer)
    with pytest.raises(DisclosureError, match="not an admin unit"):
        public_place((16.8, 96.1))


@pytest.mark.parametrize("model", [Incident, Activity, DisplacementFigure, Indicator])
def test_every_field_of_published_models_has_a_rule(model):
    """A new field is refused by public_record until someone decides it is safe."""
    names = {f.name for f in model._meta.get_fields() if not f.auto_created}
    unruled = names - set(PUBLIC_FIELDS) - set(FORBIDDEN_FIELDS)
    assert not unruled, f"{model.__name__}: decide {sorted(unruled)}"


def as_mapping(instance):
    """Field name -> value as a view would pass it: related objects, not their ids."""
    values = {}
    for f in instance._meta.get_fields():
        if f.auto_created:
            continue
        values[f.name] = (
            list(getattr(instance, f.name).all()) if f.many_to_many else getattr(instance, f.name)
        )
    return values


@pytest.mark.django_db
def test_incident_record_loses_coordinates_text_sources_and_counts():
    reporter = OrganisationFactory(visibility=Visibility.ANONYMOUS, name="Secret Network")
    incident = IncidentFactory(
        occurred_on=dt.date(2024, 3, 13),
        latitude=16.8409,
        longitude=96.1735,
        fatalities=2,
        detained=1,
        description="Witness U Aung at the monastery",
        reporting_organisation=reporter,
    )
    incident.sources.add(SourceFactory(title="Phone call from a medic"))
    public = public_record(as_mapping(incident), today=TODAY)
    assert public == {
        "occurred_on": "2024-W11",
        "incident_type": "airstrike",
        "admin_unit": "MMR005022",
        "reporting_organisation": NOT_NAMED,
    }
    text = repr(public)
    for secret in ("16.84", "96.17", "Witness", "medic", "Secret Network", str(incident.pk)):
        assert secret not in text


@pytest.mark.django_db
def test_activity_record_shows_alias_and_month_not_reach_or_money():
    org = OrganisationFactory(visibility=Visibility.PSEUDONYMOUS, alias="Blue River")
    activity = ActivityFactory(
        organisation=org,
        reporting_month=dt.date(2024, 3, 1),
        start_date=dt.date(2024, 3, 5),
        value=1500,
        currency="USD",
        notes="Delivered via the Moei crossing",
    )
    public = public_record(as_mapping(activity), today=TODAY)
    assert public["organisation"] == "Blue River"
    assert public["reporting_month"] == "2024-03"
    assert public["start_date"] == "2024-W10"
    assert public["end_date"] is None
    for gone in ("women", "men", "value", "currency", "notes", "created_by", "id"):
        assert gone not in public


@pytest.mark.django_db
def test_recent_records_are_withheld():
    after_cutoff = IncidentFactory(occurred_on=dt.date(2024, 4, 1))
    on_cutoff = IncidentFactory(occurred_on=dt.date(2024, 3, 31))
    assert public_record(as_mapping(after_cutoff), today=TODAY) is None
    assert public_record(as_mapping(on_cutoff), today=TODAY) is not None
    this_month = ActivityFactory(reporting_month=dt.date(2024, 4, 1))
    assert public_record(as_mapping(this_month), today=TODAY) is None


def test_unknown_field_is_refused_not_passed_through():
    with pytest.raises(DisclosureError, match="'phone_number' has no disclosure rule"):
        public_record({"phone_number": "+95 9 123"}, today=TODAY)


def test_organisation_id_instead_of_object_is_refused():
    with pytest.raises(DisclosureError, match="pass the Organisation"):
        public_record({"organisation": "6f1c0d9e-uuid"}, today=TODAY)
