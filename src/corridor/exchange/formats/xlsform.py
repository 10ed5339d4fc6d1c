"""XLSForm field forms whose submissions Corridor imports back (formats/kobo.py).

Two forms: an activity report (one 4W row) and a displacement/needs report (one figure with
its source). Question names are the import pipeline's field names (``sector``, ``adm3_code``,
``women`` ...), so a KoBoToolbox or ODK submission export maps column by column whatever group
path precedes the name. Choice lists come from our own codes (sectors, modalities, channels,
statuses) and the gazetteer (states, townships filtered by state), labelled in English and
Burmese. Written as .xlsx with openpyxl; pyxform turns it into an XForm.

The forms ask for no organisation: a phone carrying the form carries no list of who works
where. Submissions are imported with ``--org`` (or the upload API's ``org``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from openpyxl import Workbook
from pyxform.xls2xform import convert

from corridor.aid.models import Channel, Conditionality, Modality, Sector, Status

FORMS = ("activity", "displacement")
EN = "label::English (en)"
MY = "label::Burmese (my)"
HINT_EN = "hint::English (en)"
HINT_MY = "hint::Burmese (my)"
NOT_NEGATIVE = ". >= 0"
NOT_NEGATIVE_EN = "Must be 0 or more."
NOT_NEGATIVE_MY = "၀ သို့မဟုတ် ထို့ထက် များရမည်။"


@dataclass(frozen=True)
class Question:
    type: str
    name: str
    en: str
    my: str
    required: bool = False
    constraint: str = ""
    appearance: str = ""
    choice_filter: str = ""
    hint_en: str = ""
    hint_my: str = ""
    relevant: str = ""
    calculation: str = ""


def _count(name: str, en: str, my: str) -> Question:
    return Question("integer", name, en, my, constraint=NOT_NEGATIVE)


PLACE = (
    Question("select_one states", "adm1_code", "State/Region", "ပြည်နယ်/တိုင်းဒေသကြီး", True),
    Question(
        "select_one townships",
        "adm3_code",
        "Township",
        "မြို့နယ်",
        True,
        appearance="minimal",
        choice_filter="state=${adm1_code}",
    ),
)

ACTIVITY = (
    ("begin_group", "report", "Activity report", "လုပ်ငန်း အစီရင်ခံစာ"),
    Question("select_one sectors", "sector", "Sector", "ကဏ္ဍ", True),
    Question("select_one modalities", "modality", "Modality", "အကူအညီပုံစံ", True),
    Question("select_one channels", "channel", "Channel", "လမ်းကြောင်း", True),
    Question("select_one statuses", "status", "Status", "အခြေအနေ", True),
    *PLACE,
    Question(
        "date",
        "reporting_month",
        "Reporting month",
        "အစီရင်ခံသည့်လ",
        True,
        appearance="month-year",
    ),
    Question("date", "start_date", "Start date", "စတင်သည့်နေ့"),
    Question(
        "date",
        "end_date",
        "End date",
        "ပြီးဆုံးသည့်နေ့",
        constraint=". >= ${start_date} or ${start_date} = ''",
    ),
    ("end_group", "report"),
    ("begin_group", "reached", "People reached", "အကူအညီ ရရှိသူများ"),
    _count("women", "Women", "အမျိုးသမီး"),
    _count("men", "Men", "အမျိုးသား"),
    _count("girls", "Girls", "မိန်းကလေး"),
    _count("boys", "Boys", "ယောက်ျားလေး"),
    _count("unspecified", "Sex and age not reported", "ကျား/မ နှင့် အသက် မသိရသူ"),
    _count("households", "Households", "အိမ်ထောင်စု"),
    # Decision 0165: "of whom" counts. The calculated total travels with each submission, so
    # the importer reads the elderly as inside women and men, not as more people.
    Question(
        "calculate",
        "total",
        "",
        "",
        calculation="coalesce(${women}, 0) + coalesce(${men}, 0) + coalesce(${girls}, 0)"
        " + coalesce(${boys}, 0) + coalesce(${unspecified}, 0)",
    ),
    Question(
        "integer",
        "elderly_women",
        "Of the women: aged 60 or older",
        "အမျိုးသမီးများအနက် အသက် ၆၀ နှင့်အထက်",
        constraint=". >= 0 and . <= coalesce(${women}, 0)",
        hint_en="Leave empty if not known.",
        hint_my="မသိလျှင် ကွက်လပ်ထားပါ။",
    ),
    Question(
        "integer",
        "elderly_men",
        "Of the men: aged 60 or older",
        "အမျိုးသားများအနက် အသက် ၆၀ နှင့်အထက်",
        constraint=". >= 0 and . <= coalesce(${men}, 0)",
        hint_en="Leave empty if not known.",
        hint_my="မသိလျှင် ကွက်လပ်ထားပါ။",
    ),
    Question(
        "integer",
        "disabled",
        "Of all reached: people with disabilities",
        "အကူအညီရရှိသူ အားလုံးအနက် မသန်စွမ်းသူ",
        constraint=". >= 0 and . <= ${total}",
        hint_en="Leave empty if not known.",
        hint_my="မသိလျှင် ကွက်လပ်ထားပါ။",
    ),
    ("end_group", "reached"),
    Question(
        "select_one conditionalities",
        "conditionality",
        "Conditional or unconditional?",
        "အခြေအနေ သတ်မှတ်ချက်ပါသလား",
        relevant="${modality} = 'cash' or ${modality} = 'voucher'",
    ),
    Question("text", "donor", "Donor", "အလှူရှင်"),
    Question(
        "text",
        "village_tract",
        "Village tract or ward",
        "ကျေးရွာအုပ်စု သို့မဟုတ် ရပ်ကွက်",
        hint_en="Protected: kept encrypted, never shared outside your organisation.",
        hint_my="ကာကွယ်ထားသည်- သင့်အဖွဲ့အစည်းပြင်ပသို့ မမျှဝေပါ။",
    ),
    Question(
        "text",
        "village",
        "Village",
        "ကျေးရွာ",
        hint_en="Protected: kept encrypted, never shared outside your organisation.",
        hint_my="ကာကွယ်ထားသည်- သင့်အဖွဲ့အစည်းပြင်ပသို့ မမျှဝေပါ။",
    ),
    Question("decimal", "value", "Value", "တန်ဖိုး", constraint=NOT_NEGATIVE),
    Question(
        "text",
        "currency",
        "Currency (MMK, THB, USD ...)",
        "ငွေကြေး (MMK, THB, USD ...)",
        constraint="regex(., '^[A-Z]{3}$')",
    ),
    Question(
        "text",
        "notes",
        "Notes",
        "မှတ်ချက်",
        hint_en="No names of people, phone numbers or exact sites.",
        hint_my="လူအမည်၊ ဖုန်းနံပါတ် သို့မဟုတ် တိကျသော နေရာ မရေးပါနှင့်။",
    ),
)

DISPLACEMENT = (
    ("begin_group", "place", "Place and date", "နေရာနှင့် ရက်စွဲ"),
    *PLACE,
    Question("date", "as_of", "As of", "ရက်စွဲ", True),
    ("end_group", "place"),
    ("begin_group", "figures", "Displacement and needs", "နေရပ်စွန့်ခွာမှုနှင့် လိုအပ်ချက်"),
    Question("integer", "idps", "IDPs", "နေရပ်စွန့်ခွာသူ", True, constraint=NOT_NEGATIVE),
    _count("refugees", "Refugees", "ဒုက္ခသည်"),
    _count("people_in_need", "People in need", "အကူအညီ လိုအပ်သူ"),
    ("end_group", "figures"),
    ("begin_group", "source", "Source", "ရင်းမြစ်"),
    Question("text", "source_title", "Source", "ရင်းမြစ်", True),
    Question("text", "source_publisher", "Publisher", "ထုတ်ဝေသူ"),
    Question(
        "text",
        "source_url",
        "Link",
        "လင့်ခ်",
        constraint="regex(., '^https?://')",
    ),
    Question("date", "source_date", "Source date", "ရင်းမြစ် ရက်စွဲ"),
    ("end_group", "source"),
    Question("text", "notes", "Notes", "မှတ်ချက်"),
)

TITLES = {
    "activity": ("Corridor activity report", "corridor_activity"),
    "displacement": ("Corridor displacement and needs report", "corridor_displacement"),
}
SURVEY_COLUMNS = (
    "type",
    "name",
    EN,
    MY,
    HINT_EN,
    HINT_MY,
    "required",
    "constraint",
    "constraint_message::English (en)",
    "constraint_message::Burmese (my)",
    "appearance",
    "choice_filter",
    "relevant",
    "calculation",
)
CHOICE_COLUMNS = ("list_name", "name", EN, MY, "state")


def _survey(form: str) -> list[list[str]]:
    rows = []
    for item in ACTIVITY if form == "activity" else DISPLACEMENT:
        if isinstance(item, tuple):
            kind, name, *labels = item
            en, my = labels if labels else ("", "")
            rows.append([kind, name, en, my] + [""] * (len(SURVEY_COLUMNS) - 4))
            continue
        message = (
            (NOT_NEGATIVE_EN, NOT_NEGATIVE_MY) if item.constraint == NOT_NEGATIVE else ("", "")
        )
        rows.append(
            [
                item.type,
                item.name,
                item.en,
                item.my,
                item.hint_en,
                item.hint_my,
                "yes" if item.required else "",
                item.constraint,
                *message,
                item.appearance,
                item.choice_filter,
                item.relevant,
                item.calculation,
            ]
        )
    return rows


def _labels(choices: Any) -> list[tuple[str, str, str]]:
    found = []
    for member in choices:
        english = str(member.label)
        with translation.override("my"):
            burmese = str(member.label)
        found.append((member.value, english, burmese))
    return found


def choice_rows(
    form: str, states: list[tuple[str, str, str]], townships: list[tuple[str, str, str, str]]
) -> list[list[str]]:
    """Choices: our codes with English and Burmese labels, states, townships by state.

    ``states``: (p-code, English, Burmese); ``townships``: (p-code, English, Burmese, state).
    A missing Burmese name falls back to the English one rather than an empty label.
    """
    rows: list[list[str]] = []
    with translation.override("en"):
        if form == "activity":
            for list_name, choices in (
                ("sectors", Sector),
                ("modalities", Modality),
                ("channels", Channel),
                ("statuses", Status),
                ("conditionalities", Conditionality),
            ):
                rows += [[list_name, code, en, my, ""] for code, en, my in _labels(choices)]
    rows += [["states", pcode, en, my or en, ""] for pcode, en, my in states]
    rows += [["townships", pcode, en, my or en, state] for pcode, en, my, state in townships]
    return rows


def workbook(
    form: str, states: list[tuple[str, str, str]], townships: list[tuple[str, str, str, str]]
) -> bytes:
    """The XLSForm as .xlsx bytes."""
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r}")
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(list(SURVEY_COLUMNS))
    for row in _survey(form):
        survey.append(row)
    choices = book.create_sheet("choices")
    choices.append(list(CHOICE_COLUMNS))
    for row in choice_rows(form, states, townships):
        choices.append(row)
    settings = book.create_sheet("settings")
    title, form_id = TITLES[form]
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([title, form_id, "1", "English (en)"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xform(data: bytes) -> str:
    """The XForm (ODK XML) of an XLSForm, through pyxform."""
    return convert(xlsform=io.BytesIO(data), file_type=".xlsx", pretty_print=True).xform
