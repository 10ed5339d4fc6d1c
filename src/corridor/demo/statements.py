"""The demo's joint statements (decision 0300): one published, shaped like a real joint
statement (about forty synthetic endorsers in three country groups, two anonymous, footnotes
to demo sources), and one draft with an English and a Burmese text. Written through the
statements services, so the audit trail and the disclosure gate see them as any other."""

from __future__ import annotations

import datetime as dt
from typing import Any

from corridor.demo.names import MARK_EN, MARK_MY
from corridor.orgs.models import Coalition, Organisation, OrgKind, Visibility
from corridor.situation.models import Source
from corridor.statements import services
from corridor.statements.models import EndorserKind, ListedAs, StatementText

PUBLISHED_TITLE = f"Joint statement on the fifth anniversary of the coup {MARK_EN}"
DRAFT_TITLE = f"Open letter on cross-border aid {MARK_EN}"
PUBLISHED_ON = dt.date(2026, 2, 1)
GROUPS = ("Japan", "Norway", "International")

BODY = """\
Five years on, we, the undersigned organisations from Myanmar, Japan, Norway and around the \
world, stand with the people of Myanmar.[^1]

More than three million people have been forced from their homes, and airstrikes on villages, \
schools and clinics continue.[^2]

## We call for

1. A **humanitarian corridor** that lets aid reach every township, across lines of control and \
across borders.
2. Direct, flexible funding to local groups, who reach the people others cannot.[^3]
3. Targeted sanctions on the revenue that pays for the airstrikes.

*This is a synthetic statement made for the Corridor demo.*"""

DRAFT_BODY = "We ask donors to fund cross-border aid through local groups.[^1]"
DRAFT_BODY_MY = "နယ်စပ်ဖြတ်ကျော် အကူအညီကို ဒေသခံအဖွဲ့များမှတစ်ဆင့် ထောက်ပံ့ရန် တောင်းဆိုပါသည်။[^1]"

STEMS = {
    "Japan": ("Sakura", "Hikari", "Midori", "Kibou", "Tsubasa", "Yume", "Aozora", "Hoshi",
              "Kaze", "Mirai", "Nozomi", "Umi", "Sora"),
    "Norway": ("Fjord", "Nordlys", "Bjork", "Vinter", "Skog", "Havet", "Fjell", "Elva",
               "Stjerne", "Lys", "Tindra", "Solrenning", "Varde"),
    "International": ("Mekong", "Open Borders", "Lantern", "Compass", "Meridian", "Horizon",
                      "Common Ground", "Harbour", "Bridge", "Monsoon", "Delta", "Salween"),
}  # fmt: skip
KINDS = ("Solidarity Network", "Relief Fund", "Friends of Myanmar", "Peace Forum",
         "Rights Watch", "Aid Alliance")  # fmt: skip


def _endorsers() -> list[tuple[str, str, str, str, str]]:
    """(kind, name, listed as, display name, group) for the published statement."""
    rows: list[tuple[str, str, str, str, str]] = []
    for group, stems in STEMS.items():
        for index, stem in enumerate(stems):
            rows.append((EndorserKind.ORGANISATION, f"{stem} {KINDS[index % len(KINDS)]} "
                         f"{MARK_EN}", ListedAs.NAME, "", group))  # fmt: skip
    rows += [
        (EndorserKind.ORGANISATION, f"Thanlwin Health Workers Union {MARK_EN}",
         ListedAs.DISPLAY_NAME, f"A health workers' union in Myanmar {MARK_EN}", "International"),
        (EndorserKind.INDIVIDUAL, f"Haruka Mori {MARK_EN}", ListedAs.NAME, "", "Japan"),
        (EndorserKind.INDIVIDUAL, f"Ingrid Lunde {MARK_EN}", ListedAs.NAME, "", "Norway"),
        (EndorserKind.ORGANISATION, f"Karenni Teachers Group {MARK_EN}", ListedAs.ANONYMOUS, "",
         "International"),
        (EndorserKind.ORGANISATION, f"Sagaing Youth Relief {MARK_EN}", ListedAs.ANONYMOUS, "",
         "Japan"),
    ]  # fmt: skip
    return rows


def demo_statements(*, by: Any = None) -> int:
    """Make the demo's two statements unless they are there already; return how many made."""
    if StatementText.objects.filter(title__in=(PUBLISHED_TITLE, DRAFT_TITLE)).exists():
        return 0
    owner = (
        Organisation.objects.filter(visibility=Visibility.PUBLIC, kind=OrgKind.LOCAL_CSO)
        .order_by("name")
        .first()
    )
    if owner is None:
        return 0
    sources = list(Source.objects.order_by("published_on", "title")[:3])
    coalitions = list(Coalition.objects.order_by("name")[:1])
    statement = services.statement_create_draft(
        by=by, owner=owner, title=PUBLISHED_TITLE, body=BODY,
        footnotes=[(s, "") for s in sources], coalitions=coalitions,
        group_order=", ".join(GROUPS),
    )  # fmt: skip
    for kind, name, listed_as, display, group in _endorsers():
        _invitation, secret = services.invitation_create(
            by=by, statement=statement, invitee=name, kind=kind, group=group
        )
        services.endorsement_accept(
            secret=secret, name=name, listed_as=listed_as, display_name=display, group=group
        )
    services.statement_submit(by=by, statement=statement)
    services.statement_publish(by=by, statement=statement, published_on=PUBLISHED_ON)
    _asks(by, statement, sources)
    draft = services.statement_create_draft(
        by=by, owner=owner, title=DRAFT_TITLE, body=DRAFT_BODY, footnotes=sources[:1],
        coalitions=coalitions,
    )  # fmt: skip
    services.statement_text_set(
        by=by, statement=draft, language="my", title=f"နယ်စပ်ဖြတ်ကျော် အကူအညီဆိုင်ရာ ပွင့်လင်းပေးစာ {MARK_MY}",
        body=DRAFT_BODY_MY,
    )  # fmt: skip
    return 2


# (target, kind, what is asked, [(date, status, summary, cite the first source?)]): synthetic.
ASKS = [
    ("Government of Japan", "government",
     "Impose targeted sanctions on the military's conglomerates and jet-fuel suppliers.",
     [(dt.date(2026, 3, 10), "acknowledged", "The foreign ministry said it is studying the call.",
       False),
      (dt.date(2026, 6, 2), "partial", "Sanctions on two jet-fuel suppliers; none on the "
       "conglomerates.", True)]),
    ("ASEAN", "bloc", "Keep the junta's leaders out of ASEAN summits until violence ends.",
     [(dt.date(2026, 4, 20), "refused", "The summit invited a junta representative.", False)]),
    ("Example Telecom Holdings", "company",
     "Withdraw from the joint venture with a military-owned company.", []),
]  # fmt: skip


def _asks(by: Any, statement: Any, sources: list[Source]) -> None:
    """The published statement's asks, two with dated responses (the public tracker's demo)."""
    for target, kind, text, responses in ASKS:
        ask = services.ask_add(
            by=by, statement=statement, text=text, target=target, target_kind=kind
        )
        for on, status, summary, cite in responses:
            services.response_add(
                by=by, ask=ask, on=on, status=status, summary=summary,
                source=sources[0] if cite and sources else None,
            )  # fmt: skip
