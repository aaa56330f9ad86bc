from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "frontend.public"
    label = "public"
    verbose_name = _("Public map, statistics and open data")

    def ready(self):
        from requests_app.signals import status_changed
        from routing.signals import requests_routed

        from . import receivers

        requests_routed.connect(receivers.count_routed_requests, dispatch_uid="public.count_routed_requests")
        status_changed.connect(receivers.count_status_change, dispatch_uid="public.count_status_change")
