"""Word lists for fictional organisation and coalition names, in English and Burmese.

Every name is built from a nature word and a generic kind of group, so it sounds like a group
that could exist without being one that does: no ethnic or place names, no person names, no
acronyms of real bodies. Names always end in the synthetic marker (MARK_EN / MARK_MY).
"""

from __future__ import annotations

from corridor.orgs.models import OrgKind

MARK_EN = "(synthetic)"
MARK_MY = "(နမူနာ)"  # "sample": the Burmese marker for demo data
RECORD_NOTE = "Synthetic demo record"

# (English, Burmese) nature words used as the first half of a name.
STEMS: list[tuple[str, str]] = [
    ("Golden Valley", "ရွှေချိုင့်ဝှမ်း"),
    ("Morning Star", "မိုးသောက်ကြယ်"),
    ("White Lotus", "ကြာဖြူ"),
    ("Bamboo Grove", "ဝါးရုံ"),
    ("Silver River", "ငွေမြစ်"),
    ("Green Hills", "တောင်စိမ်း"),
    ("Rising Sun", "နေထွက်"),
    ("Evening Breeze", "ညနေလေညင်း"),
    ("Clear Water", "ရေကြည်"),
    ("Full Moon", "လပြည့်ဝန်း"),
    ("Teak Leaf", "ကျွန်းရွက်"),
    ("Rainbow", "သက်တံ့"),
    ("Banyan Tree", "ညောင်ပင်"),
    ("Blue Sky", "ကောင်းကင်ပြာ"),
    ("Candle Light", "ဖယောင်းတိုင်အလင်း"),
    ("Jasmine", "စံပယ်"),
    ("New Dawn", "အရုဏ်သစ်"),
    ("Sunflower", "နေကြာ"),
    ("Pine Ridge", "ထင်းရှူးတောင်"),
    ("Mango Grove", "သရက်ခြံ"),
    ("Twin Rivers", "မြစ်နှစ်သွယ်"),
    ("Quiet Lake", "ကန်ငြိမ်"),
    ("Evergreen", "အမြဲစိမ်း"),
    ("Firefly", "ပိုးစုန်းကြူး"),
    ("Wild Orchid", "သစ်ခွ"),
    ("Thousand Hands", "လက်တစ်ထောင်"),
]

# (English, Burmese) second halves, by the kind of organisation they suit.
SUFFIXES: dict[str, list[tuple[str, str]]] = {
    OrgKind.LOCAL_CSO: [
        ("Relief Network", "ကယ်ဆယ်ရေးကွန်ရက်"),
        ("Youth Volunteers", "လူငယ်စေတနာ့ဝန်ထမ်းအဖွဲ့"),
        ("Women's Association", "အမျိုးသမီးအသင်း"),
        ("Community Health Team", "ရပ်ရွာကျန်းမာရေးအဖွဲ့"),
        ("Mutual Support Group", "အပြန်အလှန်ကူညီရေးအဖွဲ့"),
        ("Social Welfare Society", "လူမှုကူညီရေးအသင်း"),
    ],
    OrgKind.ETHNIC: [
        ("Community Development Association", "ဒေသဖွံ့ဖြိုးရေးအသင်း"),
        ("Cultural and Welfare Council", "ယဉ်ကျေးမှုနှင့်လူမှုဖူလုံရေးကောင်စီ"),
    ],
    OrgKind.RESISTANCE_ADMIN: [
        ("Interim Township Administration", "ယာယီမြို့နယ်အုပ်ချုပ်ရေး"),
        ("Local Administration Committee", "ဒေသအုပ်ချုပ်ရေးကော်မတီ"),
    ],
    OrgKind.DIASPORA: [
        ("Solidarity Fund Abroad", "ပြည်ပစည်းလုံးရေးရန်ပုံငွေ"),
        ("Friends Abroad Network", "ပြည်ပမိတ်ဆွေကွန်ရက်"),
    ],
    OrgKind.NUG_NUCC: [
        ("Humanitarian Liaison Unit", "လူသားချင်းစာနာမှုဆက်သွယ်ရေးဌာန"),
        ("Relief Coordination Office", "ကယ်ဆယ်ရေးညှိနှိုင်းရေးရုံး"),
    ],
    OrgKind.INGO: [
        ("Aid International", "အပြည်ပြည်ဆိုင်ရာအကူအညီ"),
        ("Relief Partners", "ကယ်ဆယ်ရေးမိတ်ဖက်များ"),
    ],
    OrgKind.UN: [
        ("United Relief Programme", "ပူးပေါင်းကယ်ဆယ်ရေးအစီအစဉ်"),
    ],
    OrgKind.DONOR: [
        ("Development Fund", "ဖွံ့ဖြိုးရေးရန်ပုံငွေ"),
        ("Foundation", "ဖောင်ဒေးရှင်း"),
    ],
    OrgKind.OTHER: [
        ("Logistics Cooperative", "ထောက်ပံ့ပို့ဆောင်ရေးသမဝါယမ"),
        ("Media Collective", "မီဒီယာအဖွဲ့"),
    ],
}

# Coalitions: (English name, what the network does).
COALITIONS: list[tuple[str, str]] = [
    ("Border Relief Coordination Platform", "cross-border relief groups sharing pipelines"),
    ("Women-led Response Alliance", "women-led groups that sign joint statements"),
    ("Northwest Community Health Network", "community health teams sharing medicines"),
    ("Open Data for Relief Circle", "groups that publish their 4W data together"),
]


def org_name(stem: tuple[str, str], suffix: tuple[str, str]) -> tuple[str, str]:
    """The English and Burmese name of a fictional organisation, both marked synthetic."""
    return (
        f"{stem[0]} {suffix[0]} {MARK_EN}",
        f"{stem[1]}{suffix[1]} {MARK_MY}",
    )


def acronym(english: str) -> str:
    words = english.replace(MARK_EN, "").replace("'s", "").split()
    return "D-" + "".join(word[0] for word in words if word[0].isupper())
