"""Project-wide middleware: headers Django does not set by itself, and a clean 503 while the database is away."""
import logging

logger = logging.getLogger(__name__)

# Pages may ask for the resident's location ("use my location"); nothing else a browser can offer is used.
PERMISSIONS_POLICY = ("geolocation=(self), camera=(), microphone=(), payment=(), usb=(), magnetometer=(), "
                      "gyroscope=(), accelerometer=(), browsing-topics=()")


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


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
    from django.http import HttpResponse, JsonResponse
    from django.utils.translation import gettext as _

    message = _("The service is briefly unavailable. Please try again in a few seconds.")
    path = request.path
    if path.endswith(".xml"):
        body = ('<?xml version="1.0" encoding="utf-8"?><errors><error><code>503</code>'
                f"<description>{message}</description></error></errors>")
        return HttpResponse(body, status=503, content_type="text/xml; charset=utf-8")
    if path.endswith(".json") or path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        return JsonResponse([{"code": 503, "description": message}] if path.startswith("/open311/")
                            else {"detail": message}, status=503, safe=False)
    return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
