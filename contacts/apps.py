from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Contact data")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from config.config_cache import bump
        from requests_app.signals import request_filed, status_changed

        from . import (
            checks,  # noqa: F401  (registers the key checks)
            receivers,
        )
        from .models import AreaAlert

        # Filing asks the process's copy whether any alert is live (services.queue_area_alerts): a change drops it.
        # Alerts ended by update() send nothing; the copy then errs towards one needless task, never a lost alert.
        for signal in (post_save, post_delete):
            signal.connect(bump, sender=AreaAlert, dispatch_uid="contacts.config_cache.AreaAlert")

        request_filed.connect(receivers.keep_filed_contact, dispatch_uid="contacts.keep_filed_contact")
        status_changed.connect(
            receivers.tell_requester_of_status_change, dispatch_uid="contacts.tell_requester_of_status_change"
        )
