"""What a resident form's Idempotency-Key is bound to: the browser that sent it and what the form held, so a key
replayed from elsewhere, or with other content, never returns someone else's tracking link."""

from django.conf import settings

from config import ratelimits


def form_client(request) -> str:
    """The browser that sent the form: its CSRF cookie, which stays the same across an offline resend (even from
    another network), else its address. A key replayed from another browser is another key."""
    return request.COOKIES.get(settings.CSRF_COOKIE_NAME) or ratelimits.client_address(request)


def form_content(request, service_type) -> dict:
    """What the key is bound to: every field of the form (not the CSRF token) and the photos' names and sizes."""
    fields = {
        name: request.POST.getlist(name)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", "idempotency_key")
    }
    return {
        "type": service_type.pk,
        "fields": fields,
        "photos": sorted((name, f.name, f.size) for name in request.FILES for f in request.FILES.getlist(name)),
    }
