"""Language switch: remembered on the user and in Django's language cookie."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

LANGUAGE_CODES = {code for code, _ in settings.LANGUAGES}


@require_POST
def language_switch(request: Any) -> HttpResponse:
    code = request.POST.get("language", "")
    user = request.user
    if code in LANGUAGE_CODES and user.is_authenticated and user.language != code:
        # A preference, not domain data: no audit entry, one column.
        get_user_model().objects.filter(pk=user.pk).update(language=code)
        user.language = code
    return set_language(request)
