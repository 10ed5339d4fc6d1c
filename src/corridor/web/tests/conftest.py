import datetime as dt

import pytest

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.aid.models import Sector
from corridor.geo.models import AdminUnit
from corridor.geo.services import admin_units_load
from corridor.testing import factories as f
from corridor.testing.signin import sign_in

TOWNSHIP = "MMR005022"


@pytest.fixture
def gazetteer(db):
    if not AdminUnit.objects.filter(level=3, boundary__isnull=False).exists():
        admin_units_load()
    return AdminUnit.objects.get(pcode=TOWNSHIP)


@pytest.fixture
def data(gazetteer):
    org = f.OrganisationFactory(name="Helping Hands")
    source = f.SourceFactory(title="Township report", publisher="Field team")
    f.DisplacementFigureFactory(
        admin_unit=gazetteer, as_of=dt.date(2024, 3, 20), idps=5000, source=source
    )
    f.ActivityFactory(admin_unit=gazetteer, organisation=org, reporting_month=dt.date(2024, 3, 1))
    f.ActivityFactory(
        admin_unit=gazetteer,
        organisation=org,
        sector=Sector.HEALTH,
        reporting_month=dt.date(2024, 2, 1),
    )
    f.IncidentFactory(admin_unit=gazetteer, occurred_on=dt.date(2024, 3, 3))
    return {"org": org, "source": source, "township": gazetteer}


@pytest.fixture
def editor(data, client):
    user = f.UserFactory()
    f.MembershipFactory(user=user, organisation=data["org"], role=OrgRole.EDITOR)
    sign_in(client, user)
    return user


@pytest.fixture
def coordinator(client):
    user = f.UserFactory(global_role=GlobalRole.COORDINATOR)
    sign_in(client, user)
    return user
