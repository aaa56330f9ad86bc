from django.conf import settings
from django.contrib import admin
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.urls import include, path
from django_otp.admin import OTPAdminSite
from drf_spectacular.views import SpectacularAPIView

from frontend.views import api_docs

from .health import healthz, livez
from .metrics import metrics

# The admin changes configuration and reads access logs: its sign-in asks for the authenticator code too, and
# every admin page needs a session verified by one (django-otp's admin site).
admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[]), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),  # Swagger UI from our static files, under the strict CSP
    path("open311/v2/", include("open311.urls")),
    path("staff/permits/", include("frontend.permit_pages.staff_urls")),
    path("staff/", include("frontend.staff.urls")),
    path("", include("contacts.urls")),  # the requester's data page, before the frontend's /track/ pages
    path("", include("frontend.permit_pages.urls")),  # before the frontend's /<city>/ and /track/ pages
    path("", include("frontend.public.urls")),
    path("", include("frontend.urls")),
]

if settings.ANYMAIL:
    # Inbound mail webhooks only once a secret guards them (ANYMAIL_WEBHOOK_SECRET or Mailgun's signing key).
    urlpatterns.insert(0, path("anymail/", include("integrations.urls")))


def public_media(request, path):
    # Only public copies are in the default storage (originals and permit documents have storages of their own,
    # requests_app/storage.py): the folder under MEDIA_ROOT, or the bucket's public prefix, streamed from there.
    try:
        handle = default_storage.open(path)
    except (FileNotFoundError, IsADirectoryError, SuspiciousFileOperation):
        raise Http404 from None
    return FileResponse(handle)


if settings.DEBUG or settings.MEDIA_URL.startswith("/"):
    # Public photo copies are blurred, stripped and renamed; a reverse proxy may serve them instead.
    urlpatterns.append(path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", public_media))
