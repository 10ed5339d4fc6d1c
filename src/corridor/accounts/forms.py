from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from corridor.accounts import services
from corridor.accounts.tokens import DEFAULT_DAYS, MAX_DAYS


class PasswordForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("The 6-digit code from your authenticator app, or one recovery code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class ReplaceCheckForm(forms.Form):
    """Before a new authenticator: the password and a code from the current one."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Code from your current authenticator"),
        max_length=40,
        help_text=_("Or one recovery code, if the old phone is gone."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )


class TokenForm(forms.Form):
    """A new API token. The organisations offered are the ones the user may make one for."""

    name = forms.CharField(
        label=_("What is it for?"),
        max_length=100,
        help_text=_("For example: nightly copy to our reporting sheet."),
    )
    organisation = forms.ChoiceField(label=_("Organisation"))
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=[("read", _("Read only")), ("write", _("Read and write"))],
        initial="read",
    )
    days = forms.IntegerField(
        label=_("Expires after (days)"), min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS
    )

    def __init__(self, *args, organisations=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(str(org.pk), str(org)) for org in organisations]


class OwnPasswordForm(PasswordChangeForm):
    """Django's password change (the instance's password rules apply to the new one), with
    the old password checked like a sign-in: throttled and audited, so a session left open on
    a seized phone cannot be used to guess it. ``wait`` is set when the check was refused for
    too many failures."""

    def __init__(self, request: HttpRequest, *args, **kwargs) -> None:
        self.request = request
        self.wait = 0
        super().__init__(request.user, *args, **kwargs)

    @sensitive_variables("old_password")
    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        attempt = services.password_check(
            self.request, username=self.user.get_username(), password=old_password
        )
        if attempt.user is None or attempt.user.pk != self.user.pk:
            self.wait = attempt.wait
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password
