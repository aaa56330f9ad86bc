"""A receiver of Civic311 webhooks: verify the Standard Webhooks signature, refuse old timestamps, drop repeats.

Civic311 signs every message with each of the subscription's whsec_ secrets (several during a rotation) and
sends it again, with the same webhook-id, until the receiver answers 2xx. Copy this into any Python service
(Flask, Django, FastAPI: pass the raw body bytes and the headers) and keep the seen ids somewhere durable.

    pip install standardwebhooks
"""

from standardwebhooks import Webhook, WebhookVerificationError


class Civic311WebhookReceiver:
    def __init__(self, secret: str):
        self.webhook = Webhook(secret)  # the whsec_ secret shown in Civic311's admin
        self.seen: set[str] = set()  # in production: a table with a unique column

    def handle(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        """Returns the HTTP status and a short text to answer with."""
        try:
            # Checks the HMAC-SHA256 signature over "id.timestamp.body" and refuses a webhook-timestamp more
            # than five minutes away from now: a captured message can't be replayed later.
            event = self.webhook.verify(body, headers)
        except WebhookVerificationError as exc:
            return 400, str(exc)
        message_id = {k.lower(): v for k, v in headers.items()}["webhook-id"]
        if message_id in self.seen:
            return 200, "already handled"
        self.seen.add(message_id)
        self.on_event(event["type"], event["data"])
        return 200, "ok"

    def on_event(self, event_type: str, data: dict) -> None:
        """Your code: e.g. event_type "request.closed", data["service_request_id"], data["request"]["status"]."""
