from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = _("Service requests")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from config.config_cache import bump

        from .models import Jurisdiction, Question, ServiceType

        # Every filing reads these from the process's copy (selectors.filing_service_type): a change drops it.
        for model in (Jurisdiction, ServiceType, Question):
            for signal in (post_save, post_delete):
                signal.connect(bump, sender=model, dispatch_uid=f"requests_app.config_cache.{model.__name__}")
