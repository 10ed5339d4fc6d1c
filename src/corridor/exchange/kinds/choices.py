"""Our codes as importers accept them: each code, its label and the field's common synonyms."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from corridor.aid.models import Channel, Conditionality, Modality, Sector, Status
from corridor.core.coordinates import LATITUDE_RANGE, LONGITUDE_RANGE
from corridor.exchange import values
from corridor.orgs.models import OrgKind
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

# Incidents and figures outside this box are not in Myanmar: the one box (core/coordinates.py).
LAT_RANGE = LATITUDE_RANGE
LON_RANGE = LONGITUDE_RANGE

# Organisation types as 5W files write them (MIMU 3W, cluster 5W), onto our kinds.
ORG_TYPES = values.Choices(
    _("organisation type"),
    OrgKind,
    {
        "NNGO": OrgKind.LOCAL_CSO,
        "LNGO": OrgKind.LOCAL_CSO,
        "National NGO": OrgKind.LOCAL_CSO,
        "Local NGO": OrgKind.LOCAL_CSO,
        "NGO": OrgKind.LOCAL_CSO,
        "CSO": OrgKind.LOCAL_CSO,
        "CBO": OrgKind.LOCAL_CSO,
        "FBO": OrgKind.LOCAL_CSO,
        "International NGO": OrgKind.INGO,
        "UN Agency": OrgKind.UN,
        "UN": OrgKind.UN,
        "EAO": OrgKind.ETHNIC,
        "Ethnic health organisation": OrgKind.ETHNIC,
        "EHO": OrgKind.ETHNIC,
        "Red Cross": OrgKind.OTHER,
        "RCRC": OrgKind.OTHER,
        "Government": OrgKind.OTHER,
        "Private sector": OrgKind.OTHER,
    },
)
