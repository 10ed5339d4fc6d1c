import pytest

from corridor.geo.resolver import Resolver, invalidate_resolver
from corridor.geo.services import admin_units_load


@pytest.fixture
def units(db):
    """The shipped MIMU admin units, loaded the way `corridor init` loads them."""
    admin_units_load(by=None)
    invalidate_resolver()
    yield
    invalidate_resolver()


@pytest.fixture
def resolver(units):
    return Resolver.from_database()
