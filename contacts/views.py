"""The requester's own data page, reached only through the private tracking link."""
import json
from functools import wraps

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config import ratelimits
from requests_app.models import ServiceRequest

from .models import Contact
from .purposes import Purpose
from .selectors import data_held_for
from .services import erase_contact, withdraw_consent

DONE_NOTICES = {"erased", "withdrawn"}


def _request_for(tracking_token: str) -> ServiceRequest:
    sr = ServiceRequest.objects.only("pk", "tracking_token").filter(tracking_token=tracking_token).first()
    # Compared again in constant time so a near-miss token takes as long as a wrong one.
    if sr is None or not constant_time_compare(sr.tracking_token, tracking_token):
        raise Http404
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
    return render(request, "contacts/data_page.html", {
        "data": data, "token": sr.tracking_token, "done": done if done in DONE_NOTICES else "", "sr": sr,
        "details": [(Contact._meta.get_field(name).verbose_name, value) for name, value in details.items()],
    })


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
    erase_contact(service_request_id=sr.pk)
    return redirect(f"{request.path.rsplit('erase/', 1)[0]}?done=erased")


@require_http_methods(["GET", "POST"])
@private_page
def withdraw(request, sr, purpose):
    if purpose not in Purpose.values:
        raise Http404
    if request.method == "POST":
        withdraw_consent(service_request_id=sr.pk, purpose=purpose)
        return redirect(f"{request.path.rsplit('withdraw/', 1)[0]}?done=withdrawn")
    return render(request, "contacts/withdraw.html", {"purpose": Purpose(purpose), "token": sr.tracking_token})
