from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "corridor.web"
    label = "web"
    verbose_name = _("Web pages")

    def ready(self) -> None:
        # Register the situation brief's output mark (docs/security/disclosure.md): only the
        # `corridor statements brief` command calls it, and it imports it late.
        from corridor.web import briefs  # noqa: F401
