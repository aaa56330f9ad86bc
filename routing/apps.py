from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = _("Routing")

    def ready(self):
        from requests_app.signals import request_filed, status_changed

        from . import receivers

        request_filed.connect(receivers.route_filed_request, dispatch_uid="routing.route_filed_request")
        status_changed.connect(receivers.follow_status_change, dispatch_uid="routing.follow_status_change")
