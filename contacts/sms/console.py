import sys
import uuid

from . import BaseSmsBackend


class ConsoleSmsBackend(BaseSmsBackend):
    """Development only: writes the message to stdout, as Django's console mail backend does."""

    def send(self, *, to: str, body: str) -> str:
        message_id = uuid.uuid4().hex
        sys.stdout.write(f"SMS {message_id} to {to}\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return message_id
