from django.urls import path

from . import views

app_name = "frontend"
urlpatterns = [
    path("", views.home, name="home"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("offline/", views.offline, name="offline"),
    path("track/<str:token>/", views.track, name="track"),
    path("track/<str:token>/filed/", views.filed, name="filed"),
    path("track/<str:token>/reopen/", views.reopen, name="reopen"),
    path("track/<str:token>/fixed/", views.fixed, name="fixed"),
    path("track/<str:token>/add/", views.add_to, name="add_to"),
    path("requests/<str:public_id>/", views.public_request, name="public_request"),
    path("requests/<str:public_id>/me-too/", views.me_too, name="me_too"),
    path("<str:slug>/report/", views.pick_service, name="pick_service"),
    path("<str:slug>/report/<str:code>/", views.report, name="report"),
    path("<str:slug>/report/<str:code>/nearby/", views.nearby, name="nearby"),
    path("<str:slug>/places/", views.places, name="places"),
    path("<str:slug>/places/at/", views.place_at, name="place_at"),
    path("<str:slug>/areas/", views.areas, name="areas"),
    path("<str:slug>/streets/<int:z>/<int:x>/<int:y>.json", views.street_tile, name="street-tile"),
    path("<str:slug>/streets/<int:z>/<int:x>/<int:y>.mvt", views.street_vector_tile, name="street-vector-tile"),
]
