"""The fields of each kind of table, with the HXL hashtags they are exchanged under.

One list per kind serves both directions: the exporter writes ``hashtag`` and ``header``; the
importer accepts ``hashtag`` or any of ``patterns`` (libhxl tag patterns: ``+attr`` required,
``-attr`` excluded), the most specific matching pattern deciding a column's field. Fields
without a hashtag come from other formats (ACLED, KoBo) only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    hashtag: str | None
    header: str = ""
    patterns: tuple[str, ...] = ()
    many: bool = False  # repeated columns (e.g. several sources) are all kept, in order
    exported: bool = True  # written by the HXL export
    protected: bool = False  # left out of public exports (exact coordinates, record ids)


# What a file may say of an organisation Corridor does not know yet, for creating it
# (decision 0160); read only for the list of organisations to create, never exported.
ORG_DETAIL = (
    Field("org_acronym", "#org+acronym", "Organisation acronym", exported=False),
    Field("org_type", "#org+type", "Organisation type", exported=False),
)

PLACE = (
    Field("adm1_code", "#adm1+code", "State/Region p-code"),
    Field("adm1_name", "#adm1+name", "State/Region", ("#adm1-code",)),
    Field("adm2_code", "#adm2+code", "District p-code"),
    Field("adm2_name", "#adm2+name", "District", ("#adm2-code",)),
    Field("adm3_code", "#adm3+code", "Township p-code"),
    Field("adm3_name", "#adm3+name", "Township", ("#adm3-code",)),
)

ACTIVITY_FIELDS = (
    Field("id", "#meta+id", "Record id", ("#activity+id", "#activity+code"), protected=True),
    Field("org_code", "#org+code", "Organisation id", protected=True),
    Field("org", "#org+name", "Organisation", ("#org+impl", "#org-code-funder-donor")),
    *ORG_DETAIL,
    Field("sector", "#sector", "Sector", ("#sector+cluster", "#sector+code")),
    Field("modality", "#modality", "Modality"),
    Field("channel", "#channel", "Channel"),
    Field("status", "#status", "Status", ("#status+activity",)),
    *PLACE,
    Field("reporting_month", "#date+reported", "Reporting month", ("#date-start-end",)),
    Field("start_date", "#date+start", "Start date"),
    Field("end_date", "#date+end", "End date"),
    Field("women", "#reached+f+adults", "Women reached"),
    Field("men", "#reached+m+adults", "Men reached"),
    Field("girls", "#reached+f+children", "Girls reached"),
    Field("boys", "#reached+m+children", "Boys reached"),
    Field("unspecified", "#reached+unspecified", "Reached, sex and age not reported"),
    Field("total", "#reached+total", "People reached (total)", ("#reached+ind-f-m",)),
    Field("households", "#reached+hh", "Households reached"),
    Field("value", "#value", "Value", ("#value+transfer", "#value+total")),
    Field("currency", "#currency", "Currency"),
    Field("notes", "#description", "Notes", ("#description+notes", "#meta+notes")),
    # Decision 0165: "of whom" counts. A file's elderly columns are age bands beside the
    # women and men columns (the cluster 5W), unless its total says they are "of whom".
    Field(
        "elderly_women",
        "#reached+f+elderly",
        "Of the women reached: 60 or older",
        ("#reached+f+adults+elderly", "#reached+f+age60plus", "#reached+f+age65plus"),
    ),
    Field(
        "elderly_men",
        "#reached+m+elderly",
        "Of the men reached: 60 or older",
        ("#reached+m+adults+elderly", "#reached+m+age60plus", "#reached+m+age65plus"),
    ),
    # The HXL core dictionary has no disability attribute; +disabled is the one in use.
    Field(
        "disabled",
        "#reached+disabled",
        "Of all reached: people with disabilities",
        ("#reached+pwd", "#reached+disabilities", "#reached+ind+disabled", "#reached+ind+pwd"),
    ),
    Field("donor", "#org+funder", "Donor", ("#org+donor", "#org+funder+name")),
    Field("conditionality", "#modality+conditionality", "Conditional or unconditional"),
    # Below the township (decision 0167): internal exports only, for those who may see it.
    Field(
        "village_tract",
        "#adm4+name",
        "Village tract or ward",
        ("#adm4", "#loc+villagetract"),
        protected=True,
    ),
    Field("village", "#loc+name", "Village", ("#loc+village", "#adm5+name"), protected=True),
)

SOURCE = (
    Field("source_title", "#meta+source+name", "Source", ("#meta+source",), many=True),
    Field("source_publisher", "#meta+source+publisher", "Source publisher", many=True),
    Field("source_url", "#meta+source+url", "Source link", many=True),
    Field("source_date", "#meta+source+date", "Source date", many=True),
    Field("source_reliability", "#meta+source+reliability", "Source reliability", many=True),
)

FIGURE_FIELDS = (
    Field("id", "#meta+id", "Record id", protected=True),
    *PLACE,
    Field("as_of", "#date", "As of", ("#date+reported", "#date-start-end")),
    Field("idps", "#affected+idps", "IDPs", ("#affected+displaced", "#population+idps")),
    Field("refugees", "#affected+refugees", "Refugees"),
    Field("people_in_need", "#inneed+ind", "People in need", ("#inneed",)),
    # Need by sector and validity period (decision 0176): empty sector = all sectors.
    Field("sector", "#sector", "Sector of the need", ("#sector+cluster", "#sector+code")),
    Field("valid_from", "#date+start", "Need valid from", ("#date+valid+start",)),
    Field("valid_to", "#date+end", "Need valid to", ("#date+valid+end",)),
    *SOURCE,
    Field("org_code", "#org+code", "Reporting organisation id", protected=True),
    Field("org", "#org+name", "Reporting organisation", ("#org-code",)),
    *ORG_DETAIL,
    Field("notes", "#description", "Notes"),
)

INCIDENT_FIELDS = (
    Field("id", "#meta+id", "Record id", protected=True),
    Field("occurred_on", "#date+occurred", "Date", ("#date-reported",)),
    Field("incident_type", "#event+type", "Incident type", ("#event+type+code",)),
    *PLACE,
    Field("latitude", "#geo+lat", "Latitude", protected=True),
    Field("longitude", "#geo+lon", "Longitude", protected=True),
    Field("fatalities", "#affected+killed", "Killed"),
    Field("injuries", "#affected+injured", "Injured"),
    Field("detained", "#affected+detained", "Detained", ("#affected+arrested",)),
    Field("description", "#description", "Description", ("#event+description",)),
    Field("sub_event_type", "#event+type+sub", "Sub-event type (source's own)"),
    Field("geo_precision", "#geo+precision", "Place precision (1 town, 2 near, 3 region)"),
    *SOURCE,
    Field("org_code", "#org+code", "Reporting organisation id", protected=True),
    Field("org", "#org+name", "Reporting organisation", ("#org-code",)),
    *ORG_DETAIL,
    # ACLED-style files only:
    Field("acled_event_type", None, "event_type", exported=False),
    Field("acled_actors", None, "actor1", many=True, exported=False),
    Field("acled_location", None, "location", exported=False),
    Field("acled_sources", None, "source", exported=False),
)

# The ledger (decision 0367): grants and transfers come in through the same pipeline, read
# through a mapping of the file's own headers; they have no HXL hashtags and are never
# exported as HXL (money is not shared that way: docs/money.md).
GRANT_FIELDS = (
    Field("donor", None, "Donor", exported=False),
    Field("recipient", None, "Recipient", exported=False),
    Field("title", None, "Title", exported=False),
    Field("amount", None, "Amount", exported=False),
    Field("currency", None, "Currency", exported=False),
    Field("pledged_on", None, "Pledged on", exported=False),
    Field("starts_on", None, "Starts on", exported=False),
    Field("ends_on", None, "Ends on", exported=False),
    Field("purpose", None, "Purpose", exported=False),
    Field("sectors", None, "Sectors", exported=False),
    Field("reporting", None, "Reporting", exported=False),
)
TRANSFER_FIELDS = (
    Field("from", None, "From (sender)", exported=False),
    Field("to", None, "To (receiver)", exported=False),
    Field("amount", None, "Amount sent", exported=False),
    Field("currency", None, "Currency sent", exported=False),
    Field("sent_on", None, "Date sent", exported=False),
    Field("channel", None, "Channel", exported=False),
    Field("fee", None, "Fee", exported=False),
    Field("rate", None, "Exchange rate", exported=False),
    Field("received_amount", None, "Amount received", exported=False),
    Field("received_currency", None, "Currency received", exported=False),
    Field("received_on", None, "Date received", exported=False),
    Field("grant", None, "Grant", exported=False),
    Field("reference", None, "Reference", exported=False),
    Field("intermediary", None, "Intermediary (agent)", exported=False),
)

FIELDS = {
    "activities": ACTIVITY_FIELDS,
    "figures": FIGURE_FIELDS,
    "incidents": INCIDENT_FIELDS,
    "grants": GRANT_FIELDS,
    "transfers": TRANSFER_FIELDS,
}
# The kinds exchanged as HXL both ways (exports, shared tables).
KIND_NAMES = ("activities", "figures", "incidents")
# The ledger's kinds: imported only, row by row through the funds services.
LEDGER_KINDS = ("grants", "transfers")
IMPORT_KIND_NAMES = KIND_NAMES + LEDGER_KINDS
