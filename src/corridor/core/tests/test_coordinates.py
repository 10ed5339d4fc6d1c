"""One bounding box for exact sites: the model, the API schema and the demo share it."""

import pytest
from django.core.exceptions import ValidationError

from corridor.core.coordinates import LATITUDE_RANGE, LONGITUDE_RANGE
from corridor.situation import api
from corridor.situation.models import Incident


def test_the_api_schema_takes_its_limits_from_the_box():
    schema = api.IncidentChange.model_json_schema()["properties"]
    latitude = schema["latitude"]["anyOf"][0]
    longitude = schema["longitude"]["anyOf"][0]
    assert (latitude["minimum"], latitude["maximum"]) == LATITUDE_RANGE
    assert (longitude["minimum"], longitude["maximum"]) == LONGITUDE_RANGE


@pytest.mark.parametrize(
    ("latitude", "longitude", "refused"),
    [
        (LATITUDE_RANGE[0], LONGITUDE_RANGE[0], set()),
        (LATITUDE_RANGE[1], LONGITUDE_RANGE[1], set()),
        (LATITUDE_RANGE[0] - 0.01, LONGITUDE_RANGE[0], {"latitude"}),
        (LATITUDE_RANGE[1] + 0.01, LONGITUDE_RANGE[1] + 0.01, {"latitude", "longitude"}),
    ],
)
def test_the_model_refuses_exactly_outside_the_box(latitude, longitude, refused):
    incident = Incident(latitude=latitude, longitude=longitude)
    if not refused:
        incident.clean()
        return
    with pytest.raises(ValidationError) as caught:
        incident.clean()
    assert set(caught.value.message_dict) == refused


def test_the_importers_copy_agrees_until_it_imports_the_box():
    # exchange/kinds/choices.py still declares its own box (issue 16: being reworked separately).
    from corridor.exchange.kinds import choices

    assert (choices.LAT_RANGE, choices.LON_RANGE) == (LATITUDE_RANGE, LONGITUDE_RANGE)
