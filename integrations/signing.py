"""Standard Webhooks signatures (https://www.standardwebhooks.com): webhook-id, webhook-timestamp and one
``v1,<base64 HMAC-SHA256>`` per secret in webhook-signature, computed by the reference library."""

import json
from datetime import UTC, datetime

from standardwebhooks import Webhook


def signed_request(
    *, message_id: str, body: dict, secrets: list[str], now: datetime | None = None
) -> tuple[bytes, dict]:
    """The body as sent (compact JSON, UTF-8) and the headers that sign it with every secret given."""
    now = now or datetime.now(UTC)
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    signatures = " ".join(Webhook(secret).sign(msg_id=message_id, timestamp=now, data=text) for secret in secrets)
    headers = {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signatures,
    }
    return text.encode(), headers
