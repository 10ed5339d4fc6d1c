from django import forms
from django.utils.translation import gettext_lazy as _

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
