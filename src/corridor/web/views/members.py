"""An organisation's people: its admins invite, change the role of and remove members; whoever
holds an invitation link joins (decision 0190)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from corridor.accounts import policy
from corridor.accounts.models import OrgRole
from corridor.accounts.services import session_verified
from corridor.core.errors import InvalidInput, NotAllowed
from corridor.orgs import services
from corridor.orgs.models import Organisation, public_label
from corridor.orgs.queries import (
    invitation_by_secret,
    invitations_open_for,
    memberships_managed_by,
    organisations_visible_to,
)
from corridor.web.views.common import uuid_or_none

SESSION_NEW_LINK = "corridor_new_invitation_link"


def _managed(request: HttpRequest, pk: Any) -> Organisation:
    """The organisation, if the person may manage its people: 404 when they may not even see
    it (nothing learnt), 403 when they see it but do not manage it."""
    organisation = organisations_visible_to(request.user).filter(pk=pk).first()
    if organisation is None:
        raise Http404
    if not policy.can(request.user, policy.ADMINISTER, organisation):
        raise PermissionDenied
    return organisation


@login_required
@require_http_methods(["GET", "POST"])
def members_page(request: HttpRequest, pk: Any) -> HttpResponse:
    organisation = _managed(request, pk)
    members = memberships_managed_by(request.user, organisation)
    invitations = invitations_open_for(request.user, organisation)
    if request.method == "POST":
        what = request.POST.get("do", "")
        try:
            if what == "invite":
                _invitation, secret = services.invitation_create(
                    by=request.user, organisation=organisation, role=request.POST.get("role", "")
                )
                # Shown once, on the page the browser is sent to next (so reloading it makes
                # no second invitation), then gone from the session.
                request.session[SESSION_NEW_LINK] = request.build_absolute_uri(
                    reverse("web:join", args=[secret])
                )
            elif what == "revoke":
                pk = uuid_or_none(request.POST.get("invitation"))
                found = invitations.filter(pk=pk).first() if pk else None
                if found is None:
                    raise InvalidInput(_("That invitation no longer works."))
                services.invitation_revoke(by=request.user, invitation=found)
                messages.success(request, _("The invitation link no longer works."))
            elif what in ("role", "remove"):
                pk = uuid_or_none(request.POST.get("membership"))
                membership = members.filter(pk=pk).first() if pk else None
                if membership is None:
                    raise InvalidInput(_("That person is no longer a member."))
                if what == "role":
                    services.membership_role_change(
                        by=request.user, membership=membership, role=request.POST.get("role", "")
                    )
                    messages.success(
                        request,
                        _("%(user)s is now %(role)s.")
                        % {"user": membership.user.username, "role": membership.get_role_display()},
                    )
                else:
                    services.membership_remove(by=request.user, membership=membership)
                    messages.success(
                        request,
                        _("%(user)s is no longer a member.") % {"user": membership.user.username},
                    )
            else:
                raise InvalidInput(_("Nothing to do."))
        except (InvalidInput, NotAllowed) as exc:
            messages.error(request, str(exc))
        return redirect("web:members", pk=organisation.pk)
    link = request.session.pop(SESSION_NEW_LINK, "")
    return render(
        request,
        "web/members.html",
        {
            "organisation": organisation,
            "members": list(members),
            "invitations": list(invitations),
            "roles": OrgRole.choices,
            "link": link,
            "lifetime_days": services.INVITATION_LIFETIME.days,
        },
    )


class JoinForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Choose a user name"), max_length=150)
    password = forms.CharField(
        label=gettext_lazy("Choose a password"), widget=forms.PasswordInput, strip=False
    )
    again = forms.CharField(
        label=gettext_lazy("The password again"), widget=forms.PasswordInput, strip=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("again"):
            self.add_error("again", gettext_lazy("The two passwords differ."))
        return data


@require_http_methods(["GET", "POST"])
def join_page(request: HttpRequest, secret: str) -> HttpResponse:
    """Open to anyone with the link. Names the organisation only as it may be named outside
    Corridor (a leaked link must not reveal an anonymous organisation)."""
    invitation = invitation_by_secret(secret)
    if invitation is None:
        return render(request, "web/join.html", {"closed": True}, status=404)
    organisation = invitation.organisation
    shown = public_label(organisation.visibility, organisation.name, organisation.alias)
    user = request.user if request.user.is_authenticated and session_verified(request) else None
    signed_in = user is not None
    form = JoinForm(request.POST or None) if not signed_in else None
    if request.method == "POST":
        try:
            if user is not None:
                services.invitation_accept(secret=secret, user=user)
                messages.success(request, _("You are now a member."))
                return redirect("web:organisations")
            if form is not None and form.is_valid():
                services.invitation_accept(
                    secret=secret,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                )
                messages.success(
                    request,
                    _(
                        "Your account is ready. Sign in now; Corridor will then set up your "
                        "second factor."
                    ),
                )
                return redirect("accounts:login")
        except services.InvitationClosed:
            return render(request, "web/join.html", {"closed": True}, status=404)
        except InvalidInput as exc:
            if form is not None:
                form.add_error(None, str(exc))
            else:
                messages.error(request, str(exc))
    return render(
        request,
        "web/join.html",
        {
            "closed": False,
            "shown": shown,
            "role": invitation.get_role_display(),
            "form": form,
            "signed_in": signed_in,
        },
    )
