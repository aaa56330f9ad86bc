from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Contact data")

    def ready(self):
        from requests_app.signals import request_filed, status_changed

        from . import (
            checks,  # noqa: F401  (registers the key checks)
            receivers,
        )

        request_filed.connect(receivers.keep_filed_contact, dispatch_uid="contacts.keep_filed_contact")
        status_changed.connect(
            receivers.tell_requester_of_status_change, dispatch_uid="contacts.tell_requester_of_status_change"
        )
