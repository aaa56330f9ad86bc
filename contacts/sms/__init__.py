"""Text messages through a small backend interface, chosen by ``CIVIC311_SMS_BACKEND`` (a dotted class path).

Backends: ``console`` (development: prints), ``locmem`` (tests: keeps an outbox), ``twilio`` (Twilio's REST API).
"""

import abc

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(RuntimeError):
    """A provider did not accept a message. Messages name the provider's status, never the number."""


class BaseSmsBackend(abc.ABC):
    @abc.abstractmethod
    def send(self, *, to: str, body: str) -> str:
        """Send ``body`` to the phone number ``to``; return the provider's message id. Raises SmsError."""


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.CIVIC311_SMS_BACKEND)()
