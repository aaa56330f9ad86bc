from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from config.config_cache import bump
        from requests_app.signals import request_filed, status_changed
        from routing.signals import requests_routed

        from . import (
            inbound_mail,  # noqa: F401  (connects anymail's inbound signal to the email intake)
            receivers,
        )
        from .models import WebhookSubscription

        # The outbox reads the active subscriptions from the process's copy (outbox.record_events).
        for signal in (post_save, post_delete):
            signal.connect(bump, sender=WebhookSubscription, dispatch_uid="integrations.config_cache.Subscription")

        request_filed.connect(receivers.announce_filed_request, dispatch_uid="integrations.announce_filed_request")
        requests_routed.connect(
            receivers.announce_routed_requests, dispatch_uid="integrations.announce_routed_requests"
        )
        status_changed.connect(receivers.announce_status_change, dispatch_uid="integrations.announce_status_change")
