from django.urls import path

from . import views

app_name = "permit_pages"
urlpatterns = [
    path("<str:slug>/permits/<str:code>/apply/", views.apply, name="apply"),
    path("track/<str:token>/permit/filed/", views.filed, name="filed"),
    path("track/<str:token>/permit/answer/", views.answer, name="answer"),
    path("track/<str:token>/permit/extension/", views.extension, name="extension"),
    path("track/<str:token>/permit/documents/<int:document_id>/", views.document, name="document"),
    path("track/<str:token>/permit/certificate.pdf", views.certificate, name="certificate"),
    path("permits/verify/<str:code>/", views.verify, name="verify"),
    path("map/<str:slug>/permits.geojson", views.permits_geojson, name="map-layer"),
    path("open-data/<str:slug>/permits.csv", views.permits_csv, name="export-csv"),
    path("open-data/<str:slug>/permits.geojson", views.permits_geojson, name="export-geojson"),
]
