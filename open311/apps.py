from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "open311"
    label = "open311"
    verbose_name = _("Open311 API")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from config.config_cache import bump

        from .models import ApiKey

        # Every write reads its key from the process's copy (selectors.writer_for): a change drops it.
        for signal in (post_save, post_delete):
            signal.connect(bump, sender=ApiKey, dispatch_uid="open311.config_cache.ApiKey")
