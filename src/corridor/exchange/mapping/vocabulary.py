"""The words files use for Corridor's fields and codes: headers, KoBo names, values, "NA".

Written for the templates Myanmar files come from: the MIMU 3W template, cluster 5W sheets
(Food Security, WASH, Shelter/NFI/CCCM, Protection), KoBo forms whose question names are
``group_loc/township`` paths, and Burmese headers (Corridor's own Burmese labels among them).
Everything here is compared after ``normalise``; a header is matched against these lists with
rapidfuzz (propose.py), so "Implementing Partner(s)" or "Township_Pcode" need no entry of their own.
"""

from __future__ import annotations

import re
import unicodedata

# Field -> header words, per kind. A field a kind does not have (e.g. "donor" before the
# 4W gained one) is still recognised so that the column is reported as "no Corridor field".
HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "activities": {
        "id": ("record id", "activity id", "activity code", "id", "row id"),
        "org": (
            "implementing partner",
            "implementing partners",
            "implementing organisation",
            "implementing organization",
            "implementing agency",
            "organisation",
            "organization",
            "organisation name",
            "organization name",
            "partner",
            "partner name",
            "agency",
            "org",
            "reporting organisation",
            "reporting organization",
            "reporting partner",
            "ip",
            "ip name",
            "အဖွဲ့အစည်း",
            "အဖွဲ့အစည်းအမည်",
            "အကောင်အထည်ဖော်သည့်အဖွဲ့အစည်း",
        ),
        "org_code": ("organisation id", "organization id", "org id", "org code", "partner code"),
        "sector": (
            "sector",
            "cluster",
            "sector cluster",
            "cluster sector",
            "sector or cluster",
            "humanitarian sector",
            "main sector",
            "ကဏ္ဍ",
            "ကဏ္ဍ အစုအဖွဲ့",
        ),
        "modality": (
            "modality",
            "delivery modality",
            "assistance modality",
            "transfer modality",
            "modality of assistance",
            "type of assistance",
            "assistance type",
            "cash or in kind",
            "cash voucher in kind",
            "cash voucher or in kind",
            "အကူအညီပုံစံ",
        ),
        "channel": ("channel", "delivery channel", "route", "cross border", "လမ်းကြောင်း"),
        "status": (
            "status",
            "activity status",
            "project status",
            "implementation status",
            "အခြေအနေ",
            "လုပ်ငန်းအခြေအနေ",
        ),
        "adm1_name": (
            "state region",
            "state",
            "region",
            "state name",
            "state region name",
            "adm1",
            "adm1 name",
            "ပြည်နယ် တိုင်းဒေသကြီး",
            "ပြည်နယ်",
            "တိုင်းဒေသကြီး",
        ),
        "adm1_code": (
            "state pcode",
            "state region pcode",
            "sr pcode",
            "st pcode",
            "adm1 pcode",
            "adm1 code",
            "state code",
        ),
        "adm2_name": ("district", "district name", "adm2", "adm2 name", "ခရိုင်"),
        "adm2_code": ("district pcode", "d pcode", "dt pcode", "adm2 pcode", "adm2 code"),
        "adm3_name": (
            "township",
            "township name",
            "tsp",
            "tsp name",
            "ts name",
            "adm3",
            "adm3 name",
            "မြို့နယ်",
            "မြို့နယ်အမည်",
        ),
        "adm3_code": (
            "township pcode",
            "tsp pcode",
            "ts pcode",
            "township code",
            "adm3 pcode",
            "adm3 code",
            "pcode",
            "p code",
            "မြို့နယ် pcode",
        ),
        "reporting_month": (
            "reporting month",
            "month",
            "report month",
            "reporting period",
            "month of reporting",
            "reporting date",
            "month reported",
            "အစီရင်ခံသည့်လ",
        ),
        "start_date": (
            "start date",
            "start",
            "date started",
            "activity start date",
            "project start date",
            "from",
            "စတင်သည့်ရက်",
        ),
        "end_date": (
            "end date",
            "end",
            "completion date",
            "activity end date",
            "project end date",
            "to",
            "ပြီးဆုံးသည့်ရက်",
        ),
        "total": (
            "total reached",
            "total",
            "total people reached",
            "total beneficiaries",
            "total beneficiaries reached",
            "people reached",
            "beneficiaries",
            "individuals reached",
            "total individuals",
            "အကူအညီရရှိသူ",
            "စုစုပေါင်း",
        ),
        "households": (
            "households",
            "households reached",
            "hh",
            "hh reached",
            "number of households",
            "of hh",
            "of households",
            "အိမ်ထောင်စု",
        ),
        "value": ("value", "amount", "transfer value", "total value", "cash value", "တန်ဖိုး"),
        "currency": ("currency", "ငွေကြေး"),
        "notes": (
            "notes",
            "remarks",
            "comments",
            "comment",
            "activity",
            "activity description",
            "description",
            "activity details",
            "မှတ်ချက်",
            "လုပ်ငန်း",
        ),
        "donor": ("donor", "donors", "funding source", "funded by", "အလှူရှင်"),
        "village_tract": ("village tract", "village tract name", "vt", "ကျေးရွာအုပ်စု"),
        "village": ("village", "village name", "ward village", "ကျေးရွာ"),
        "sub_sector": ("sub sector", "subsector", "sub cluster"),
        # Columns of the MIMU 3W and cluster 5W templates the first mapping left unmapped.
        "disabled": (
            "persons with disabilities",
            "people with disabilities",
            "persons with disability",
            "people with disability",
            "pwd",
            "pwds",
            "disabled",
            "disability",
            "မသန်စွမ်း",
        ),
        "conditionality": (
            "conditionality",
            "conditional unconditional",
            "conditional or unconditional",
        ),
        "org_acronym": (
            "acronym",
            "organisation acronym",
            "organization acronym",
            "org acronym",
            "partner acronym",
            "abbreviation",
        ),
        "org_type": (
            "organisation type",
            "organization type",
            "type of organisation",
            "type of organization",
            "org type",
            "partner type",
        ),
    },
    "figures": {
        "adm1_name": ("state region", "state", "region", "ပြည်နယ်", "ပြည်နယ် တိုင်းဒေသကြီး"),
        "adm1_code": ("state pcode", "sr pcode", "adm1 pcode"),
        "adm2_name": ("district", "ခရိုင်"),
        "adm2_code": ("district pcode", "adm2 pcode"),
        "adm3_name": ("township", "township name", "tsp", "မြို့နယ်"),
        "adm3_code": ("township pcode", "tsp pcode", "ts pcode", "adm3 pcode", "pcode"),
        "as_of": ("as of", "date", "reporting date", "as of date", "date of data"),
        "idps": ("idps", "idp", "idp population", "displaced", "internally displaced people"),
        "refugees": ("refugees", "refugee"),
        "people_in_need": ("people in need", "pin", "in need", "total pin"),
        "source_title": ("source", "data source"),
        "org": ("organisation", "organization", "reporting organisation", "agency"),
        "notes": ("notes", "remarks", "comments"),
    },
    "incidents": {
        "occurred_on": ("date", "event date", "incident date", "date of incident"),
        "incident_type": ("incident type", "type", "event type", "type of incident"),
        "adm1_name": ("state region", "state", "region", "ပြည်နယ်"),
        "adm1_code": ("state pcode", "adm1 pcode"),
        "adm3_name": ("township", "tsp", "မြို့နယ်"),
        "adm3_code": ("township pcode", "tsp pcode", "pcode"),
        "latitude": ("latitude", "lat"),
        "longitude": ("longitude", "lon", "long", "lng"),
        "fatalities": ("fatalities", "killed", "deaths", "dead"),
        "injuries": ("injuries", "injured"),
        "detained": ("detained", "arrested", "arrests"),
        "description": ("description", "narrative", "notes", "details"),
        "source_title": ("source",),
        "org": ("organisation", "organization", "reporting organisation"),
    },
    # The ledger (decision 0367): the column names of field offices' ledgers, of spreadsheet
    # templates and of other tools' exports, and Corridor's own Burmese labels.
    "grants": {
        "donor": ("donor", "donor name", "funder", "funded by", "from donor", "အလှူရှင်"),
        "recipient": (
            "recipient",
            "grantee",
            "partner",
            "implementing partner",
            "recipient organisation",
            "recipient organization",
            "လက်ခံသူ",
            "လက်ခံသည့်အဖွဲ့အစည်း",
        ),
        "title": (
            "title",
            "grant",
            "grant title",
            "grant name",
            "project",
            "project name",
            "ခေါင်းစဉ်",
        ),
        "amount": (
            "amount",
            "grant amount",
            "budget",
            "total",
            "amount usd",
            "amount thb",
            "amount mmk",
            "pledged amount",
            "ပမာဏ",
            "ငွေပမာဏ",
        ),
        "currency": ("currency", "ccy", "curr", "ငွေကြေး"),
        "pledged_on": (
            "pledged",
            "pledged on",
            "date pledged",
            "pledge date",
            "signed",
            "date signed",
            "agreement date",
            "ကတိပြုသည့်နေ့",
        ),
        "starts_on": ("start", "starts on", "start date", "from date", "စတင်ရက်"),
        "ends_on": ("end", "ends on", "end date", "to date", "ပြီးဆုံးရက်"),
        "purpose": ("purpose", "description", "objective", "ရည်ရွယ်ချက်"),
        "sectors": ("sector", "sectors", "cluster", "ကဏ္ဍ"),
        "reporting": ("reporting", "reporting rule", "reporting requirement"),
    },
    "transfers": {
        "from": (
            "from",
            "from organisation",
            "from organization",
            "sender",
            "sent by",
            "paid by",
            "payer",
            "source of funds",
            "ပေးပို့သူ",
            "ပို့သူ",
        ),
        "to": (
            "to",
            "to organisation",
            "to organization",
            "receiver",
            "recipient",
            "received by",
            "partner",
            "payee",
            "beneficiary organisation",
            "လက်ခံသူ",
        ),
        "amount": (
            "amount",
            "amount sent",
            "sent amount",
            "amount usd",
            "amount thb",
            "amount mmk",
            "amount paid",
            "value",
            "ပမာဏ",
            "ငွေပမာဏ",
            "ပို့ငွေ",
        ),
        "currency": ("currency", "sent currency", "ccy", "curr", "ငွေကြေး"),
        "sent_on": (
            "date sent",
            "sent on",
            "sent",
            "date",
            "transfer date",
            "payment date",
            "date of transfer",
            "ပို့သည့်နေ့",
            "ပို့သည့်ရက်စွဲ",
            "ရက်စွဲ",
        ),
        "channel": (
            "channel",
            "transfer channel",
            "method",
            "payment method",
            "via",
            "transfer method",
            "လမ်းကြောင်း",
        ),
        "fee": ("fee", "fees", "charges", "transfer fee", "commission", "ကြေး"),
        "rate": ("rate", "exchange rate", "fx rate", "fx", "ငွေလဲနှုန်း"),
        "received_amount": ("received amount", "amount received", "received", "ရရှိငွေ"),
        "received_currency": ("received currency", "currency received"),
        "received_on": ("date received", "received on", "receipt date", "ရရှိသည့်နေ့"),
        "grant": ("grant", "grant title", "grant id", "project", "ထောက်ပံ့ငွေ"),
        "reference": (
            "reference",
            "ref",
            "ref no",
            "reference number",
            "transaction id",
            "voucher",
            "ရည်ညွှန်းကုဒ်",
        ),
        "intermediary": ("intermediary", "agent", "carrier", "broker", "hundi agent", "ကြားခံ"),
    },
}

# The 4W reach fields an age/sex column adds up into.
REACH = {
    ("f", "adult"): "women",
    ("m", "adult"): "men",
    ("f", "child"): "girls",
    ("m", "child"): "boys",
}
# Count fields: cells are whole numbers (rounded only when the person says so).
COUNTS = frozenset(
    {
        "women",
        "men",
        "girls",
        "boys",
        "unspecified",
        "total",
        "households",
        "idps",
        "refugees",
        "people_in_need",
        "fatalities",
        "injuries",
        "detained",
    }
)

_FEMALE = re.compile(r"\b(female|females|fem|f|women|woman|girls?|mothers?)\b|အမျိုးသမီး|မိန်းကလေး")
_MALE = re.compile(r"\b(male|males|m|men|man|boys?)\b|အမျိုးသား|ယောက်ျားလေး")
_CHILD = re.compile(
    r"\b(girls?|boys?|child|children|minors?|u18|under 18|below 18)\b|< ?18|\b0 ?- ?1[78]\b|"
    r"\b[0-9]{1,2} ?- ?1[0-7]\b|မိန်းကလေး|ယောက်ျားလေး|ကလေး"
)
_ADULT = re.compile(
    r"\b(women|woman|men|man|adults?|elderly|older)\b|\b1[89] ?- ?[0-9]{2}\b|\b[1-9][0-9] ?\+|"
    r"\b[1-9][0-9] and above\b|\b(above|over) 1[78]\b|> ?1[78]\b|> ?59\b|အမျိုးသမီး|အမျိုးသား"
)
_ELDERLY_ONLY = re.compile(r"\b(elderly|older people|older persons)\b|သက်ကြီး")

# Cells that mean "nothing here" in real files; compared after strip() and lower().
BLANKS = frozenset(
    {
        "na",
        "n/a",
        "n.a.",
        "n.a",
        "#n/a",
        "-",
        "--",
        "---",
        "—",
        "–",
        "nil",
        "none",
        "null",
        "x",
        ".",
    }
)

# Value words -> our codes, beyond what the pipeline's own choice lists accept (kinds/choices).
# Keys are compared after values.code_key (letters and digits only, lower case).
VALUES: dict[str, dict[str, str]] = {
    "sector": {
        "food": "food_security",
        "fsl": "food_security",
        "fs": "food_security",
        "foodsecurity": "food_security",
        "foodsecuritylivelihoods": "food_security",
        "foodsecurityandlivelihoods": "food_security",
        "foodassistance": "food_security",
        "စားနပ်ရိက္ခာ": "food_security",
        "wash": "wash",
        "watersanitationandhygiene": "wash",
        "watersanitationhygiene": "wash",
        "ရေနှင့်သန့်ရှင်းရေး": "wash",
        "shelter": "shelter_nfi",
        "nfi": "shelter_nfi",
        "shelternfi": "shelter_nfi",
        "sheltersnfi": "shelter_nfi",
        "sheltercccm": "shelter_nfi",
        "sheltercccmnfi": "shelter_nfi",
        "sheltenficccm": "shelter_nfi",
        "sheltenfi": "shelter_nfi",
        "sheltercampcoordinationandcampmanagementnfi": "shelter_nfi",
        "cccm": "shelter_nfi",
        "နေရာထိုင်ခင်း": "shelter_nfi",
        "health": "health",
        "ကျန်းမာရေး": "health",
        "nutrition": "nutrition",
        "protection": "protection",
        "gbv": "protection",
        "childprotection": "protection",
        "cp": "protection",
        "mineaction": "protection",
        "education": "education",
        "ပညာရေး": "education",
        "livelihood": "livelihoods",
        "livelihoods": "livelihoods",
        "earlyrecovery": "livelihoods",
        "cash": "multipurpose_cash",
        "mpc": "multipurpose_cash",
        "mpca": "multipurpose_cash",
        "cva": "multipurpose_cash",
        "multipurposecash": "multipurpose_cash",
        "multipurposecashassistance": "multipurpose_cash",
        "logistics": "logistics",
        "coordination": "logistics",
    },
    "modality": {
        "inkind": "in_kind",
        "inkinddistribution": "in_kind",
        "kind": "in_kind",
        "distribution": "in_kind",
        "goods": "in_kind",
        "ပစ္စည်း": "in_kind",
        "cash": "cash",
        "cva": "cash",
        "cashtransfer": "cash",
        "cashbased": "cash",
        "unconditionalcash": "cash",
        "conditionalcash": "cash",
        "mobilemoney": "cash",
        "ငွေသား": "cash",
        "voucher": "voucher",
        "vouchers": "voucher",
        "evoucher": "voucher",
        "ဘောက်ချာ": "voucher",
        "service": "service",
        "services": "service",
        "servicedelivery": "service",
        "training": "service",
        "ဝန်ဆောင်မှု": "service",
    },
    "status": {
        "planned": "planned",
        "plan": "planned",
        "pipeline": "planned",
        "notstarted": "planned",
        "စီစဉ်ထား": "planned",
        "ongoing": "ongoing",
        "ongoin": "ongoing",
        "inprogress": "ongoing",
        "active": "ongoing",
        "running": "ongoing",
        "implementing": "ongoing",
        "ဆောင်ရွက်ဆဲ": "ongoing",
        "completed": "completed",
        "complete": "completed",
        "done": "completed",
        "finished": "completed",
        "closed": "completed",
        "ပြီးစီး": "completed",
        "ပြီးဆုံး": "completed",
        "cancelled": "cancelled",
        "canceled": "cancelled",
        "suspended": "cancelled",
    },
    "channel": {
        "incountry": "in_country",
        "local": "in_country",
        "domestic": "in_country",
        "thailand": "cross_border_th",
        "crossborderthailand": "cross_border_th",
        "india": "cross_border_in",
        "crossborderindia": "cross_border_in",
        "china": "cross_border_cn",
        "bangladesh": "cross_border_bd",
    },
}

PCODE_TOWNSHIP = re.compile(r"^MMR\d{6}$")
PCODE_DISTRICT = re.compile(r"^MMR\d{3}D\d{3}$")
PCODE_STATE = re.compile(r"^MMR\d{3}$")
_NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?$")
_DATE = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{4}|"
    r"\d{1,2}[ -][A-Za-z]+[ -]\d{4})([T ][\d:.]+Z?)?$"
)
_MONTH = re.compile(r"^(\d{4}-\d{1,2}|[A-Za-z]+[ -]\d{4})$")


def normalise(header: str) -> str:
    """A header as compared: lower case, punctuation gone (not + < > or a range), one space."""
    text = unicodedata.normalize("NFC", header).strip().lower().replace("_", " ")
    text = re.sub(r"[^\w\u1000-\u109f+<>\-]+", " ", text)
    text = re.sub(r"(?<![\d])-|-(?![\d])", " ", text)
    return " ".join(text.split())


def kobo_question(header: str) -> str | None:
    """The question name of a KoBo column named by its group path (``group_loc/township``)."""
    text = header.strip()
    if "/" in text and re.fullmatch(r"[A-Za-z0-9_.\-/]+", text):
        return text.rsplit("/", 1)[-1]
    return None


def age_sex(header: str) -> tuple[str | None, str | None]:
    """(sex "f"/"m", age "adult"/"child") a count header names; either may be None."""
    text = normalise(header)
    female = bool(_FEMALE.search(text))
    male = bool(_MALE.search(text))
    sex = "f" if female and not male else "m" if male and not female else None
    child = bool(_CHILD.search(text))
    adult = bool(_ADULT.search(text))
    age = "child" if child and not adult else "adult" if adult and not child else None
    return sex, age


def elderly_only(header: str) -> bool:
    return bool(_ELDERLY_ONLY.search(normalise(header)))


def looks(value: str) -> str:
    """What a cell looks like: pcode3/pcode2/pcode1, date, month, number, blank or text."""
    text = value.strip()
    if not text or text.lower() in BLANKS:
        return "blank"
    if PCODE_TOWNSHIP.match(text):
        return "pcode3"
    if PCODE_DISTRICT.match(text):
        return "pcode2"
    if PCODE_STATE.match(text):
        return "pcode1"
    if _NUMBER.match(text):
        return "number"
    if _DATE.match(text):
        return "date"
    if _MONTH.match(text):
        return "month"
    return "text"
