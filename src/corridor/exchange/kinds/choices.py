"""Our codes as importers accept them: each code, its label and the field's common synonyms."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from corridor.aid.models import Channel, Conditionality, Modality, Sector, Status
from corridor.exchange import values
from corridor.situation.models import IncidentType, Reliability

SECTORS = values.Choices(
    _("sector"),
    Sector,
    {
        "food": "food_security",
        "fsl": "food_security",
        "food security and livelihoods": "food_security",
        "water sanitation hygiene": "wash",
        "shelter": "shelter_nfi",
        "nfi": "shelter_nfi",
        "shelter/nfi/cccm": "shelter_nfi",
        "cash": "multipurpose_cash",
        "mpca": "multipurpose_cash",
        "multi purpose cash": "multipurpose_cash",
        "logistics": "logistics",
        "coordination": "logistics",
        "livelihood": "livelihoods",
    },
)
MODALITIES = values.Choices(
    _("modality"),
    Modality,
    {
        "inkind": "in_kind",
        "services": "service",
        # The words of cluster and Cash Working Group 5Ws (decision 0166).
        "in kind distribution": "in_kind",
        "commodities": "in_kind",
        "cash transfer": "cash",
        "cash transfers": "cash",
        "cash based": "cash",
        "cva": "cash",
        "multi purpose cash": "cash",
        "vouchers": "voucher",
        "e voucher": "voucher",
        "evoucher": "voucher",
        "commodity voucher": "voucher",
        "value voucher": "voucher",
        "service delivery": "service",
    },
)
CONDITIONALITIES = values.Choices(
    _("conditionality"),
    Conditionality,
    {"cond": "conditional", "uncond": "unconditional", "no conditions": "unconditional"},
)
CHANNELS = values.Choices(_("channel"), Channel, {"domestic": "in_country", "local": "in_country"})
STATUSES = values.Choices(_("status"), Status, {"complete": "completed", "active": "ongoing"})
INCIDENT_TYPES = values.Choices(
    _("incident type"), IncidentType, {"detention": "arrest", "clash": "armed_clash"}
)
RELIABILITY = values.Choices(_("reliability"), Reliability)

# Incidents and figures outside this box are not in Myanmar (the database checks it too).
LAT_RANGE = (9.0, 29.0)
LON_RANGE = (92.0, 102.0)
