"""Sign-in pages: password, then the second factor (or enrolling one), then recovery codes.

Plain HTML forms: everything works without JavaScript.
"""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from corridor.accounts import policy, services, tokens
from corridor.accounts.forms import (
    CodeForm,
    OwnPasswordForm,
    PasswordForm,
    ReplaceCheckForm,
    TokenForm,
)
from corridor.core.errors import CorridorError
from corridor.orgs.queries import organisations_visible_to

SESSION_NEXT = "corridor_next"
SESSION_ENROL_DEVICE = "corridor_enrol_device"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL


def _wait_message(wait: int) -> str:
    minutes = max(1, (wait + 59) // 60)
    return _(
        "Too many failed attempts. Wait %(minutes)d minute(s) and try again, "
        "or ask an administrator to unlock the account."
    ) % {"minutes": minutes}


def _next_step(request: HttpRequest) -> HttpResponse:
    """Where a user who passed the password goes: code, enrolment, or in."""
    user = request.user
    if services.session_verified(request):
        return HttpResponseRedirect(request.session.pop(SESSION_NEXT, settings.LOGIN_REDIRECT_URL))
    if services.second_factor_enrolled(user):
        return redirect("accounts:verify")
    if services.second_factor_required(user):
        return redirect("accounts:enrol")
    services.sign_in_complete(request, user=user, device=None)
    return HttpResponseRedirect(request.session.pop(SESSION_NEXT, settings.LOGIN_REDIRECT_URL))


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if "next" in request.GET:
        request.session[SESSION_NEXT] = _safe_next(request, request.GET["next"])
    if request.user.is_authenticated:
        return _next_step(request)
    form = PasswordForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        attempt = services.password_check(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if attempt.user is not None:
            services.session_start(request, user=attempt.user)
            return _next_step(request)
        if attempt.wait:
            form.add_error(None, _wait_message(attempt.wait))
            status = 429
        else:
            form.add_error(None, _("That user name and password do not match."))
    return render(request, "accounts/login.html", {"form": form}, status=status)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if services.session_verified(request) or not services.second_factor_enrolled(user):
        return _next_step(request)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        attempt = services.second_factor_check(request, user=user, code=form.cleaned_data["code"])
        if attempt.device is not None:
            services.sign_in_complete(request, user=user, device=attempt.device)
            return _next_step(request)
        if attempt.wait:
            form.add_error(None, _wait_message(attempt.wait))
            status = 429
        else:
            form.add_error(None, _("That code did not match."))
    return render(request, "accounts/verify.html", {"form": form}, status=status)


def _grouped(text: str, size: int = 4) -> str:
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if services.second_factor_enrolled(user):
        return _next_step(request)
    device = services.totp_enrol_start(user=user)
    request.session[SESSION_ENROL_DEVICE] = str(device.pk)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_enrol_confirm(
                request, user=user, device_id=device.pk, code=form.cleaned_data["code"]
            )
        except CorridorError as exc:
            form.add_error(None, str(exc))
            status = 400
        else:
            return _show_codes(request, codes)
    context = {
        "form": form,
        "secret": _grouped(base64.b32encode(device.bin_key).decode()),
        "config_url": device.config_url,
    }
    return render(request, "accounts/enrol.html", context, status=status)


def _show_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    next_url = request.session.pop(SESSION_NEXT, settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})


SESSION_REPLACE_DEVICE = "corridor_replace_device"


@never_cache
@sensitive_post_parameters("password", "code")
@require_http_methods(["GET", "POST"])
def second_factor_view(request: HttpRequest) -> HttpResponse:
    """Move your second factor to a new phone: password and a current code first, then the new
    authenticator's key, then a code from it. Needs a verified session."""
    if not services.session_verified(request):
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.path})}")
    user = request.user
    step = request.POST.get("step", "check")
    check_form = ReplaceCheckForm(request.POST if step == "check" else None)
    code_form = CodeForm(request.POST if step == "confirm" else None)
    device = None
    status = 200
    if request.method == "POST" and step == "check" and check_form.is_valid():
        try:
            device = services.totp_replace_start(
                request,
                user=user,
                password=check_form.cleaned_data["password"],
                code=check_form.cleaned_data["code"],
            )
        except CorridorError as exc:
            check_form.add_error(None, str(exc))
            status = 400
        else:
            request.session[SESSION_REPLACE_DEVICE] = str(device.pk)
            code_form = CodeForm()
    elif request.method == "POST" and step == "confirm":
        pending = request.session.get(SESSION_REPLACE_DEVICE)
        device = services.totp_device_pending(user=user, device_id=pending)
        if device is None:
            messages.error(request, _("Start again: the change was not begun or has ended."))
            status = 400
        elif code_form.is_valid():
            try:
                codes = services.totp_replace_confirm(
                    request, user=user, device_id=device.pk, code=code_form.cleaned_data["code"]
                )
            except CorridorError as exc:
                code_form.add_error(None, str(exc))
                status = 400
            else:
                request.session.pop(SESSION_REPLACE_DEVICE, None)
                return render(
                    request,
                    "accounts/recovery_codes.html",
                    {"codes": codes, "next": settings.LOGIN_REDIRECT_URL, "replaced": True},
                )
    context: dict = {"check_form": check_form}
    if device is not None:
        context["code_form"] = code_form
        context["secret"] = _grouped(base64.b32encode(device.bin_key).decode())
        context["config_url"] = device.config_url
    return render(request, "accounts/second_factor.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes (for example after using some). Needs a verified session."""
    if not services.session_verified(request):
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.path})}")
    if request.method == "POST":
        codes = services.recovery_codes_issue(by=request.user, user=request.user)
        return _show_codes(request, codes)
    return render(request, "accounts/recovery_codes_new.html")


def _token_organisations(user) -> list:
    """Organisations the user may make a token for: their own (network admins: all)."""
    rows = organisations_visible_to(user)
    if not policy.is_admin(user):
        rows = rows.filter(pk__in=policy.organisation_ids(user))
    return list(rows)


@never_cache
@require_http_methods(["GET", "POST"])
def tokens_view(request: HttpRequest) -> HttpResponse:
    """The user's API tokens: list, make one (its text shown on this answer only), revoke."""
    if not services.session_verified(request):
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.path})}")
    user = request.user
    organisations = _token_organisations(user)
    issued = None
    form = TokenForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        chosen = {str(org.pk): org for org in organisations}[form.cleaned_data["organisation"]]
        try:
            issued = tokens.token_create(
                by=user,
                user=user,
                organisation=chosen,
                scope=form.cleaned_data["scope"],
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
        except CorridorError:
            form.add_error(None, _("You may not make a token with that access there."))
        else:
            form = TokenForm(organisations=organisations)
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "issued": issued,
            "tokens": tokens.tokens_of(user),
            "now": timezone.now(),
        },
    )


@require_POST
def token_revoke_view(request: HttpRequest, pk: str) -> HttpResponse:
    if not services.session_verified(request):
        return redirect("accounts:login")
    token = tokens.token_find(owner=request.user, text=str(pk))
    if token is None:
        raise Http404
    tokens.token_revoke(by=request.user, token=token)
    messages.success(request, _("Token %(prefix)s revoked.") % {"prefix": token.prefix})
    return redirect("accounts:tokens")


@never_cache
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def password_view(request: HttpRequest) -> HttpResponse:
    """Change your own password; every other session you have ends (a lost or seized device)."""
    if not services.session_verified(request):
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.path})}")
    user = request.user
    form = OwnPasswordForm(request, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            ended = services.password_change(
                by=user,
                user=user,
                password=form.cleaned_data["new_password1"],
                keep_session=request.session.session_key,
            )
            # This session stays signed in, under a new key.
            update_session_auth_hash(request, user)
            messages.success(
                request,
                _("Your password is changed.")
                + (" " + _("You were signed out everywhere else.") if ended else ""),
            )
            return redirect(settings.LOGIN_REDIRECT_URL)
        if form.wait:
            form.add_error(None, _wait_message(form.wait))
            status = 429
    return render(request, "accounts/password.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin signs in through the same two steps as everyone (no way around the code)."""
    query = {"next": request.GET["next"]} if "next" in request.GET else {}
    target = reverse("accounts:login")
    return redirect(f"{target}?{urlencode(query)}" if query else target)
