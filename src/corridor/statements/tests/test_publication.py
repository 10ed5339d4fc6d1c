"""A statement from draft to publication, and each export against its exact expected text."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from corridor.disclosure import DisclosureError
from corridor.statements import services
from corridor.testing.signin import signed_in_client
from corridor.testing.statements import endorsed_statement

pytestmark = pytest.mark.django_db

EXPECTED_MD = """\
# Joint statement on the fifth anniversary

1 February 2026

We, the undersigned, call for a **humanitarian corridor**.[^1]

## Our demands

1. Direct funding to local groups.[^2]
2. An end to airstrikes on civilians.

## Endorsed by

### Japan

1. Aiko Tanaka (in a personal capacity)
2. Sakura Relief Japan

### Norway

3. Fjord Solidarity

### International

4. A health network on the border

2 organisations have requested anonymity.

## Notes

[^1]: OCHA, Myanmar humanitarian update, 10 January 2026, p. 3. https://example.org/ocha-update
[^2]: AAPP, Daily briefing.
"""

EXPECTED_TXT = """\
JOINT STATEMENT ON THE FIFTH ANNIVERSARY

1 February 2026

We, the undersigned, call for a humanitarian corridor.[1]

OUR DEMANDS

1. Direct funding to local groups.[2]
2. An end to airstrikes on civilians.

ENDORSED BY

Japan
1. Aiko Tanaka (in a personal capacity)
2. Sakura Relief Japan

Norway
3. Fjord Solidarity

International
4. A health network on the border

2 organisations have requested anonymity.

NOTES

[1] OCHA, Myanmar humanitarian update, 10 January 2026, p. 3. https://example.org/ocha-update
[2] AAPP, Daily briefing.
"""


def _export(statement, fmt: str) -> str:
    out = io.StringIO()
    services.statement_export(by=None, statement=statement, fmt=fmt, out=out)
    return out.getvalue()


def test_markdown_and_text_exports_are_exactly_the_joint_statement():
    world = endorsed_statement()
    assert _export(world.statement, "md") == EXPECTED_MD
    assert _export(world.statement, "txt") == EXPECTED_TXT


EXPECTED_HTML_ENDORSERS = """\
<section class="endorsers">
<h2>Endorsed by</h2>
<h3>Japan</h3>
<ol start="1"><li value="1">Aiko Tanaka (in a personal capacity)</li><li value="2">Sakura Relief \
Japan</li></ol>
<h3>Norway</h3>
<ol start="3"><li value="3">Fjord Solidarity</li></ol>
<h3>International</h3>
<ol start="4"><li value="4">A health network on the border</li></ol>
<p class="anonymous">2 organisations have requested anonymity.</p>
</section>
<section class="notes">
<h2>Notes</h2>
<ol><li id="fn-1" value="1">OCHA, Myanmar humanitarian update, 10 January 2026, p. 3. <a \
href="https://example.org/ocha-update" rel="nofollow">https://example.org/ocha-update</a></li>\
<li id="fn-2" value="2">AAPP, Daily briefing.</li></ol>
</section>"""


def test_html_export_groups_numbers_counts_and_footnotes():
    world = endorsed_statement()
    html = _export(world.statement, "html")
    assert EXPECTED_HTML_ENDORSERS in html
    assert (
        '<h3>Japan</h3>\n<ol start="1"><li value="1">Aiko Tanaka (in a personal capacity)</li>'
        '<li value="2">Sakura Relief Japan</li></ol>' in html
    )
    assert '<h3>Norway</h3>\n<ol start="3"><li value="3">Fjord Solidarity</li></ol>' in html
    assert '<p class="anonymous">2 organisations have requested anonymity.</p>' in html
    assert '<sup class="fn"><a href="#fn-1">1</a></sup>' in html
    assert "<style>" in html
    assert "@media print" in html  # prints as the "PDF"
    for name in world.anonymous_names:
        assert name not in html


def test_the_public_list_is_the_one_frozen_at_publication():
    world = endorsed_statement()
    before = _export(world.statement, "md")
    fjord = next(e for e in world.statement.endorsements.all() if e.name == "Fjord Solidarity")
    services.endorsement_withdraw(by=world.owner_user, endorsement=fjord, reason="board decision")
    assert _export(world.statement, "md") == before
    assert world.statement.endorsements.get(pk=fjord.pk).withdrawal_reason == "board decision"


def _endorse(world, name: str, listed_as: str, group: str) -> None:
    _invitation, secret = services.invitation_create(
        by=world.owner_user, statement=world.statement, invitee=name
    )
    services.endorsement_accept(secret=secret, name=name, listed_as=listed_as, group=group)


def test_an_endorsement_after_publication_waits_for_the_next_version():
    """What happens today (docs/statements.md, "Endorsements after publication"): a published
    version's list is frozen; a late endorser appears once a new version is published, and the
    owners' page says how many are waiting. The gate still compares the two versions."""
    world = endorsed_statement()
    before = _export(world.statement, "md")
    _endorse(world, "Late Friends of Burma", "name", "Norway")
    assert _export(world.statement, "md") == before
    owners_page = signed_in_client(world.owner_user).get(f"/statements/{world.statement.pk}/")
    assert (
        "Since version 1 was published: 1 new endorsement(s), 0 withdrawal(s)."
        in owners_page.content.decode()
    )
    services.statement_correct(
        by=world.owner_user, statement=world.statement, note="Endorsers who joined later."
    )
    assert _export(world.statement, "md") == before  # a correction in draft changes nothing
    services.statement_submit(by=world.owner_user, statement=world.statement)
    services.statement_publish(
        by=world.owner_user, statement=world.statement, published_on=dt.date(2026, 3, 1)
    )
    world.statement.refresh_from_db()
    after = _export(world.statement, "md")
    assert "### Norway\n\n3. Fjord Solidarity\n4. Late Friends of Burma\n" in after
    assert "5. A health network on the border" in after
    assert "- Version 2, 1 March 2026: Endorsers who joined later." in after
    owners_page = signed_in_client(world.owner_user).get(f"/statements/{world.statement.pk}/")
    assert 'id="unpublished"' not in owners_page.content.decode()
    # A withdrawal and a new anonymous endorsement in one version could be the same endorser
    # moving: the gate refuses that version, as it refuses it between any two versions.
    fjord = next(e for e in world.statement.endorsements.all() if e.name == "Fjord Solidarity")
    services.endorsement_withdraw(by=world.owner_user, endorsement=fjord)
    _endorse(world, "Third Quiet Anonp5w2", "anonymous", "Norway")
    services.statement_correct(by=world.owner_user, statement=world.statement, note="Update.")
    services.statement_submit(by=world.owner_user, statement=world.statement)
    with pytest.raises(DisclosureError, match="publish the withdrawal and the new anonymous"):
        services.statement_publish(by=world.owner_user, statement=world.statement)
