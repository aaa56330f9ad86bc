from . import BaseSmsBackend, SmsError


class DisabledSmsBackend(BaseSmsBackend):
    """For a city that sends no text messages: every message fails (and is shown as failed), none is "sent"."""

    def send(self, *, to: str, body: str) -> str:
        raise SmsError("text messages are turned off (CIVIC311_SMS_BACKEND)")
