from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        from requests_app.signals import request_filed, status_changed
        from routing.signals import requests_routed

        from . import (
            inbound_mail,  # noqa: F401  (connects anymail's inbound signal to the email intake)
            receivers,
        )

        request_filed.connect(receivers.announce_filed_request, dispatch_uid="integrations.announce_filed_request")
        requests_routed.connect(
            receivers.announce_routed_requests, dispatch_uid="integrations.announce_routed_requests"
        )
        status_changed.connect(receivers.announce_status_change, dispatch_uid="integrations.announce_status_change")
