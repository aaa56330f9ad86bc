import sys
import uuid

from . import BaseSmsBackend


class ConsoleSmsBackend(BaseSmsBackend):
    """Development: writes the message to stdout, with the number masked, since stdout ends up in logs."""

    def send(self, *, to: str, body: str) -> str:
        message_id = uuid.uuid4().hex
        sys.stdout.write(f"SMS {message_id} to ...{to[-2:]}\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return message_id
