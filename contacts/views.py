"""The requester's own data page, reached only through the private tracking link."""

import json
from functools import wraps

from django.contrib.gis.geos import Point
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config import ratelimits
from requests_app.models import Jurisdiction, ServiceRequest
from requests_app.public_ids import secret_digest

from .forms import AreaAlertForm
from .models import Contact
from .purposes import Purpose
from .selectors import data_held_for
from .services import (
    InvalidLink,
    accept_email_updates,
    confirm_area_alert,
    erase_requester,
    stop_area_alert,
    subscribe_to_area_alerts,
    unseal_email_updates_link,
    withdraw_consent,
)
from .wording import EMAIL_REPLY_WORDING_VERSION, consent_wording

DONE_NOTICES = {"erased", "withdrawn", "words"}


def _request_for(tracking_token: str) -> ServiceRequest:
    sr = ServiceRequest.objects.only("pk", "tracking_token_digest").tracked_by(tracking_token).first()
    # Compared again in constant time so a near-miss digest takes as long as a wrong one.
    if sr is None or not constant_time_compare(sr.tracking_token_digest, secret_digest(tracking_token)):
        raise Http404
    sr.tracking_token = tracking_token  # the pages link to each other; the database has only the digest
    return sr


def private_page(view):
    """Resolve the token to its request (404 alike for unknown and malformed ones) and keep the page private."""

    @wraps(view)
    def wrapper(request, tracking_token, **kwargs):
        sr = ratelimits.looked_up_or_counted(request, lambda: _request_for(tracking_token))
        response = never_cache(view)(request, sr, **kwargs)
        # The token is in the URL: never send it to another site. ("no-referrer" would also make Chromium send
        # "Origin: null" with our own forms, which the CSRF check rightly refuses.)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


@require_GET
@private_page
def data_page(request, sr):
    done = request.GET.get("done", "")
    data = data_held_for(sr.pk)
    details = (data["contact"] or {}).get("details", {})
    return render(
        request,
        "contacts/data_page.html",
        {
            "data": data,
            "token": sr.tracking_token,
            "done": done if done in DONE_NOTICES else "",
            "sr": sr,
            "details": [(Contact._meta.get_field(name).verbose_name, value) for name, value in details.items()],
        },
    )


@require_GET
@private_page
def data_download(request, sr):
    data = data_held_for(sr.pk)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="civic311-{data["request"]}-my-data.json"'
    return response


@require_POST
@private_page
def erase(request, sr):
    words_only = request.POST.get("words_only") == "on"
    erase_requester(sr.pk, with_words=words_only or request.POST.get("with_words") == "on", contact=not words_only)
    return redirect(f"{request.path.rsplit('erase/', 1)[0]}?done={'words' if words_only else 'erased'}")


@require_http_methods(["GET", "POST"])
@private_page
def withdraw(request, sr, purpose):
    if purpose not in Purpose.values:
        raise Http404
    if request.method == "POST":
        withdraw_consent(service_request_id=sr.pk, purpose=purpose)
        return redirect(f"{request.path.rsplit('withdraw/', 1)[0]}?done=withdrawn")
    return render(request, "contacts/withdraw.html", {"purpose": Purpose(purpose), "token": sr.tracking_token})


@require_http_methods(["GET", "POST"])
@never_cache
def email_updates(request, sealed):
    # A GET only asks: mail scanners open links, and a consent must be a person's click.
    try:
        offer = unseal_email_updates_link(sealed)
    except InvalidLink:
        return render(request, "contacts/email_updates.html", {"invalid": True}, status=404)
    sr = ServiceRequest.objects.only("public_id").filter(pk=offer["service_request_id"]).first()
    if sr is None:
        raise Http404
    done = False
    if request.method == "POST":
        accept_email_updates(sealed)
        done = True
    response = render(
        request,
        "contacts/email_updates.html",
        {
            "public_id": sr.public_id,
            "done": done,
            "question": consent_wording(Purpose.STATUS_UPDATES, EMAIL_REPLY_WORDING_VERSION),
        },
    )
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _alerts_page(response):
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_http_methods(["GET", "POST"])
def alert_subscribe(request, slug):
    jurisdiction = get_object_or_404(Jurisdiction, slug=slug)
    form = AreaAlertForm(request.POST or None, jurisdiction=jurisdiction)
    if request.method == "POST" and form.is_valid():
        ratelimits.count(ratelimits.filing_limit(), ratelimits.client_address(request))
        data = form.cleaned_data
        point = Point(data["lon"], data["lat"], srid=4326) if data.get("lat") is not None else None
        try:
            subscribe_to_area_alerts(
                jurisdiction=jurisdiction,
                email=data["email"],
                language=get_language(),
                months=data["months"],
                area=data["area"],
                point=point,
                radius_metres=data["radius"] if point else None,
            )
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            return render(request, "contacts/alert_asked.html", {"jurisdiction": jurisdiction})
    return render(request, "contacts/alert_subscribe.html", {"jurisdiction": jurisdiction, "form": form})


@require_http_methods(["GET", "POST"])
@never_cache
def alert_confirm(request, token):
    # A GET only asks: mail scanners open links, and the second opt-in must be a person's click.
    state = "ask"
    if request.method == "POST":
        state = "confirmed" if confirm_area_alert(token) else "unknown"
    return _alerts_page(
        render(
            request,
            "contacts/alert_link.html",
            {"state": state, "action": "confirm"},
            status=404 if state == "unknown" else 200,
        )
    )


@csrf_exempt  # RFC 8058 one-click: a mail program POSTs "List-Unsubscribe=One-Click" with no cookie or token
@require_http_methods(["GET", "POST"])
@never_cache
def alert_stop(request, token):
    state = "ask"
    if request.method == "POST":
        state = "stopped" if stop_area_alert(token) else "unknown"
    return _alerts_page(render(request, "contacts/alert_link.html", {"state": state, "action": "stop"}))
