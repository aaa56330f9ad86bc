"""Secrets out of logs: tracking links (they open a resident's data page), API keys, passwords and codes, and
email addresses and phone numbers wherever they turn up. Used by gunicorn's access log (config/gunicorn.py) and
by a filter on every application log handler (settings.LOGGING)."""

import logging
import re

REDACTED = "[redacted]"

# /track/<token>/... : the path segment after /track/ is the requester's private link.
_TRACKING_PATH = re.compile(r"(/track/)[^/?#\s\"']+")
# Query-string and form-style secrets: api_key=..., token=..., password=..., otp_token=...
_SECRET_PARAMETER = re.compile(
    r"((?:^|[?&;\s\"'])(?:api_key|apikey|key|token|otp_token|password|secret|"
    r"email|phone|first_name|last_name|device_id|deviceid)=)[^&;\s\"']*",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w/.:-])(?:\+|%2B)?\(?\d[\d ().-]{7,}\d(?![\w/.:-])")
_PHONE_DIGITS = 9  # fewer is a count, a size or a time, not a phone number


def _phone(match: re.Match) -> str:
    return REDACTED if sum(c.isdigit() for c in match.group()) >= _PHONE_DIGITS else match.group()


def redact(text: str) -> str:
    text = _TRACKING_PATH.sub(r"\1" + REDACTED, text)
    text = _SECRET_PARAMETER.sub(r"\1" + REDACTED, text)
    text = _EMAIL.sub(REDACTED, text)
    return _PHONE.sub(_phone, text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (with its arguments merged in) before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        for name in ("request", "path"):
            # Django's request logger passes the HttpRequest, which a JSON formatter prints with its path.
            value = getattr(record, name, None)
            if value is not None and not isinstance(value, (int, float)):
                setattr(record, name, redact(str(value)))
        return True
