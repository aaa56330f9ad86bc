import uuid

from . import BaseSmsBackend

# Like django.core.mail.outbox: tests read what was "sent" here.
outbox: list[dict] = []


class LocmemSmsBackend(BaseSmsBackend):
    def send(self, *, to: str, body: str) -> str:
        message_id = uuid.uuid4().hex
        outbox.append({"id": message_id, "to": to, "body": body})
        return message_id
