"""A malformed contact key must stop a deploy, not the first resident who gives an email."""

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, register


@register()
def contact_keys_are_fernet_keys(app_configs, **kwargs):
    errors = []
    for position, key in enumerate(k.strip() for k in settings.CIVIC311_CONTACT_KEYS):
        try:
            Fernet(key)
        except ValueError:
            # The position only: the key itself must never reach a log.
            errors.append(
                Error(
                    f"CIVIC311_CONTACT_KEYS entry {position + 1} is not a Fernet key",
                    hint="Make one with: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'",
                    id="contacts.E001",
                )
            )
    return errors
