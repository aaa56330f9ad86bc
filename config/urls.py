from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView

from frontend.views import api_docs

from .health import healthz
from .metrics import metrics

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[]), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),  # Swagger UI from our static files, under the strict CSP
    path("open311/v2/", include("requests_app.open311.urls")),
    path("staff/", include("frontend.staff.urls")),
    path("", include("contacts.urls")),  # the requester's data page, before the frontend's /track/ pages
    path("", include("frontend.public.urls")),
    path("", include("frontend.urls")),
]

if settings.DEBUG or settings.MEDIA_URL.startswith("/"):
    # Uploaded photos are stripped and renamed on upload; a reverse proxy may serve them instead.
    urlpatterns.append(path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve,
                            {"document_root": settings.MEDIA_ROOT}))
