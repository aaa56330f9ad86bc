"""What the page apps share (the resident pages, the permit pages, the public pages and the staff pages), so that
none of them imports another: a city's page in its language, tracking links, the questions of a form."""

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import get_supported_language_variant, parse_accept_lang_header

from config import ratelimits
from requests_app.models import Jurisdiction, Question, ServiceRequest
from requests_app.selectors import jurisdiction_by_slug

from . import selectors


def use_jurisdiction_language(request, jurisdiction: Jurisdiction) -> None:
    """A chosen language (cookie) wins, then a browser language the jurisdiction offers, then its default
    (Chinese for Shenzhen)."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    offered = set(jurisdiction.languages)
    for code, _q in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        try:
            variant = get_supported_language_variant(code)
        except LookupError:
            continue
        if variant in offered:
            return
    language = jurisdiction.default_language
    translation.activate(language)
    request.LANGUAGE_CODE = language


def jurisdiction_for(request, slug: str) -> Jurisdiction:
    jurisdiction = jurisdiction_by_slug(slug)  # cached by version (config/config_cache.py)
    if jurisdiction is None:
        raise Http404
    use_jurisdiction_language(request, jurisdiction)
    return jurisdiction


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def questions_with_answers(service_type, data) -> list[dict]:
    rows = []
    for question in service_type.questions.all():
        name = f"q_{question.code}"
        if question.datatype == Question.Datatype.MULTIVALUELIST:
            value = data.getlist(name) if data else []
        else:
            value = data.get(name, "") if data else ""
        rows.append(
            {
                "question": question,
                "name": name,
                "value": value,
                "choices": [
                    (
                        str(v["key"]),
                        v.get("name_translations", {}).get(translation.get_language(), "")
                        or v.get("name", str(v["key"])),
                    )
                    for v in question.values
                ],
            }
        )
    return rows


def plain_required_messages(service_type, answers: dict, errors: dict) -> dict:
    # The domain names a missing answer by its code (what an Open311 client needs); a resident reads the
    # message beside the question, so plain words serve better there.
    def blank(value) -> bool:
        values = value if isinstance(value, list) else [value]
        return not any(str(v).strip() for v in values if v is not None)

    missing = {q.code for q in service_type.questions.all() if q.required and blank(answers.get(q.code))}
    return {
        name: [_("Please answer this question.")] if name in missing else messages_
        for name, messages_ in errors.items()
    }


def tracked(request, token: str) -> ServiceRequest:
    """The request behind a tracking link. Failed lookups count against the client's address, so that
    guessing tokens stops after a few tries; raises RateLimited then, and Http404 for an unknown token."""
    return ratelimits.looked_up_or_counted(request, lambda: selectors.tracking_page_for(token=token))


def map_layer_config(slug: str) -> dict:
    """What the public map needs to draw active permits as their own layer, with its words."""
    return {
        "url": reverse("permit_pages:map-layer", args=[slug]),
        "labels": {
            "layer": _("Permits (streets in use and why)"),
            "valid": _("Permit valid"),
            "check": _("Check this permit"),
            "until": _("until"),
        },
    }
