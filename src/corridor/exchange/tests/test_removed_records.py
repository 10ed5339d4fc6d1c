"""Imports and removed records (decision 0180): a removed figure still holds its key."""

from __future__ import annotations

import datetime as dt

from corridor.accounts.models import OrgRole
from corridor.exchange.services import file_import
from corridor.geo.models import AdminUnit
from corridor.situation.models import DisplacementFigure
from corridor.situation.services import figure_record, figure_remove, source_record
from corridor.testing import factories as f

FIGURES = (
    "#adm3+code,#date,#affected+idps,#meta+source\r\n"
    "MMR004002,2024-03-31,999,UNHCR Myanmar update\r\n"
)


def test_an_import_cannot_take_over_another_organisations_removed_figure(places, write):
    owner = f.OrganisationFactory(name="First Reporter")
    editor = f.UserFactory()
    f.MembershipFactory(user=editor, organisation=owner, role=OrgRole.EDITOR)
    source = source_record(by=editor, title="UNHCR Myanmar update")
    figure = figure_record(
        by=editor,
        reporting_organisation=owner,
        admin_unit=AdminUnit.objects.get(pcode="MMR004002"),
        as_of=dt.date(2024, 3, 31),
        idps=1500,
        source=source,
    )
    figure_remove(by=editor, figure=figure, reason="entered twice")
    other = f.OrganisationFactory(name="Second Reporter")
    result = file_import(path=write("idps.csv", FIGURES), by=None, organisation=other)
    kept = DisplacementFigure.all_objects.get(pk=figure.pk)
    assert (kept.idps, kept.reporting_organisation, kept.removal_reason) == (
        1500,
        owner,
        "entered twice",
    )
    assert not result.ok
    assert "reported by another organisation" in " ".join(e.line() for e in result.errors)
