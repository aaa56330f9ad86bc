"""A text field stored encrypted (``contacts.crypto``). Empty stays empty, so erasure is visible in the data."""

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Encrypted at rest; it can't be searched or sorted, which is the point."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return crypto.encrypt(value)
