"""Ready replies: response templates offered by the request's type and next statuses, filled with its facts
({public_id}, {service}, {due}, ...) in the language its requester wrote in."""

import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import formats, translation

from contacts.selectors import requester_language
from requests_app.statuses import ALLOWED_TRANSITIONS, Status

from .models import ResponseTemplate

PLACEHOLDER = re.compile(r"\{(\w+)\}")
PLACEHOLDERS = ("public_id", "service", "status", "due", "department")


def _supported(code: str) -> str:
    try:
        return translation.get_supported_language_variant(code) if code else ""
    except LookupError:
        return ""


def reply_language(sr) -> str:
    """The requester's language if the city speaks it, else the city's first language."""
    city = [_supported(code) for code in (sr.jurisdiction.languages or [])] or [settings.LANGUAGE_CODE]
    theirs = _supported(requester_language(sr.pk))
    return theirs if theirs in city else city[0]


def fill(text: str, sr, *, language: str, status: str = "") -> str:
    """The template text with the request's facts put in; unknown placeholders stay as written."""
    with translation.override(language):
        due = ""
        if sr.expected_at is not None:
            local = sr.expected_at.astimezone(ZoneInfo(sr.jurisdiction.timezone))
            due = f"{formats.date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"
        values = {
            "public_id": sr.public_id,
            "service": sr.service_type.localized_name(language),
            "status": str(Status(status or sr.status).label),
            "due": due,
            "department": sr.department.localized_name(language) if sr.department_id else "",
        }
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _offered(jurisdiction_id, service_type_id, statuses):
    return (
        ResponseTemplate.objects.filter(jurisdiction_id=jurisdiction_id)
        .filter(Q(service_type_id=service_type_id) | Q(service_type__isnull=True))
        .filter(Q(status="") | Q(status__in=statuses))
        .order_by("name", "language")
    )


def ready_replies_for(sr) -> list[dict]:
    """The replies that fit this request now, one per name, filled in the requester's language (or the nearest
    the template has)."""
    language = reply_language(sr)
    statuses = set(ALLOWED_TRANSITIONS[sr.status]) | {sr.status}
    by_name: dict[str, dict[str, ResponseTemplate]] = {}
    for template in _offered(sr.jurisdiction_id, sr.service_type_id, statuses):
        by_name.setdefault(template.name, {})[template.language] = template
    replies = []
    for name, versions in by_name.items():
        template = versions.get(language) or next(iter(versions.values()))
        replies.append(
            {
                "id": template.pk,
                "name": name,
                "status": template.status,
                "language": template.language,
                "text": fill(template.text, sr, language=template.language, status=template.status),
            }
        )
    return replies


def reply_for(template: ResponseTemplate, sr) -> str:
    """A chosen template (by its name) filled for one request of a bulk action, in that request's language."""
    language = reply_language(sr)
    versions = {
        t.language: t
        for t in ResponseTemplate.objects.filter(jurisdiction_id=sr.jurisdiction_id, name=template.name).filter(
            Q(service_type_id=sr.service_type_id) | Q(service_type__isnull=True)
        )
    }
    chosen = versions.get(language) or versions.get(template.language) or template
    return fill(chosen.text, sr, language=chosen.language, status=template.status)


def bulk_replies(scope) -> list[ResponseTemplate]:
    """Templates a bulk status change may use: one per name in the user's cities."""
    seen, replies = set(), []
    for template in ResponseTemplate.objects.filter(jurisdiction_id__in=scope.jurisdiction_ids).order_by(
        "name", "language"
    ):
        if template.name not in seen:
            seen.add(template.name)
            replies.append(template)
    return replies
