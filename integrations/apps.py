from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        from . import inbound_mail  # noqa: F401  (connects anymail's inbound signal to the email intake)
