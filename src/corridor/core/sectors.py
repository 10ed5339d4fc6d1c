"""The humanitarian sectors (clusters) as used in Myanmar coordination.

Shared by 4W activities (``aid``) and need figures (``situation``), which sit in one layer and
may not import each other; ``aid.models.Sector`` is this class.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    # The humanitarian cluster list as used in Myanmar coordination.
    FOOD_SECURITY = "food_security", _("Food security")
    HEALTH = "health", _("Health")
    NUTRITION = "nutrition", _("Nutrition")
    WASH = "wash", _("Water, sanitation and hygiene")
    SHELTER_NFI = "shelter_nfi", _("Shelter and non-food items")
    PROTECTION = "protection", _("Protection")
    EDUCATION = "education", _("Education")
    LIVELIHOODS = "livelihoods", _("Livelihoods")
    MULTIPURPOSE_CASH = "multipurpose_cash", _("Multi-purpose cash")
    LOGISTICS = "logistics", _("Logistics and coordination")
