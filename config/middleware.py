"""Project-wide middleware: headers Django does not set by itself, and a clean 503 while the database is away."""

import logging

logger = logging.getLogger(__name__)

# Pages may ask for the resident's location ("use my location"); nothing else a browser can offer is used.
PERMISSIONS_POLICY = (
    "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), magnetometer=(), "
    "gyroscope=(), accelerometer=(), browsing-topics=()"
)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class LoadSheddingMiddleware:
    """Past capacity, a request that waited too long for a thread gets 503 and Retry-After straight away, in the
    caller's format (config/shedding.py measures the wait). Health, liveness and metrics are always answered, so a load
    balancer and the operator still see a live server."""

    EXEMPT = ("/healthz", "/livez", "/metrics")

    def __init__(self, get_response):
        from django.conf import settings

        self.limit_ms = settings.WEB_MAX_QUEUE_WAIT_MS
        self.retry_after = str(settings.WEB_SHED_RETRY_AFTER_SECONDS)
        self.get_response = get_response

    def __call__(self, request):
        waited = request.META.get("HTTP_X_CIVIC311_QUEUE_WAIT_MS")
        if waited and self.limit_ms and not request.path.startswith(self.EXEMPT):
            try:
                over = float(waited) > self.limit_ms
            except ValueError:
                over = False
            if over:
                response = _service_unavailable(request)
                response["Retry-After"] = self.retry_after
                response["Cache-Control"] = "no-store"
                return response
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """While PostgreSQL is unreachable (restart, failover), answer 503 with Retry-After instead of a 500.

    The failed request's transaction never committed, so nothing is half-written; the client retries, and
    Django reconnects by itself once the server is back (CONN_HEALTH_CHECKS), without restarting processes.
    """

    RETRY_AFTER_SECONDS = "5"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError, close_old_connections

        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        close_old_connections()
        logger.warning("database unavailable: %s", type(exception).__name__)
        response = _service_unavailable(request)
        response["Retry-After"] = self.RETRY_AFTER_SECONDS
        return response


def _service_unavailable(request):
    from django.utils.translation import gettext as _

    return _error_in_callers_format(
        request, 503, _("The service is briefly unavailable. Please try again in a few seconds.")
    )


def _error_in_callers_format(request, status: int, message: str, title: str = ""):
    """Open311 XML or JSON error list under /open311/, JSON for a script, a page (or plain text) otherwise."""
    from django.http import HttpResponse, JsonResponse
    from django.shortcuts import render
    from django.utils.html import escape

    path = request.path
    if path.endswith(".xml"):
        body = (
            f'<?xml version="1.0" encoding="utf-8"?><errors><error><code>{status}</code>'
            f"<description>{escape(message)}</description></error></errors>"
        )
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    if path.endswith(".json") or path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        return JsonResponse(
            [{"code": status, "description": message}] if path.startswith("/open311/") else {"detail": message},
            status=status,
            safe=False,
        )
    if title:
        return render(request, "frontend/refused.html", {"title": title, "message": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class UploadLimitsMiddleware:
    """Refuses a form body that is too large, or has too many files or fields, before anything reads it, with a
    clear message in the caller's format (Django alone would answer a bare 400 from the CSRF check).

    Single photos are checked later by requests_app.photos.prepare_photo; nothing here is stored.
    """

    FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
        from django.http.multipartparser import MultiPartParserError
        from django.utils.translation import gettext as _

        if request.method != "POST" or not request.content_type.startswith(self.FORM_TYPES):
            return self.get_response(request)
        if request.path.startswith("/anymail/"):
            # Inbound mail webhooks verify a signature over the raw body, which parsing the form here would consume.
            return self.get_response(request)
        title = _("Your upload was refused")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BODY_BYTES
        if length > limit:
            return _error_in_callers_format(
                request,
                413,
                _("What you sent is too large: at most %(mb)d MB in all.") % {"mb": limit // (1024 * 1024)},
                title,
            )
        try:
            request.POST, request.FILES  # noqa: B018 - parse now, so the limits below answer, not the CSRF check
        except TooManyFilesSent:
            return _error_in_callers_format(
                request,
                400,
                _("Too many files: send at most %(n)d.") % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FILES},
                title,
            )
        except (TooManyFieldsSent, RequestDataTooBig):
            return _error_in_callers_format(request, 400, _("Too many or too large form fields."), title)
        except MultiPartParserError:
            return _error_in_callers_format(request, 400, _("The form could not be read."), title)
        return self.get_response(request)
