from django.urls import path

from . import crew_views, photo_views, views

app_name = "staff"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("two-factor/", views.two_factor_page, name="two_factor"),
    path("map.geojson", views.map_data, name="map_data"),
    path("changes.json", views.changes, name="changes"),
    path("views/", views.save_view, name="save_view"),
    path("views/<int:pk>/delete/", views.delete_view, name="delete_view"),
    path("bulk/", views.bulk, name="bulk"),
    path("photos/<int:pk>/original/", photo_views.photo_original, name="photo_original"),
    path("photos/<int:pk>/moderate/", photo_views.moderate_photo, name="moderate_photo"),
    path("crew/", crew_views.crew_page, name="crew"),
    path("crew/shortlist.json", crew_views.crew_shortlist_data, name="crew_shortlist"),
    path("crew/actions/", crew_views.crew_action, name="crew_action"),
    path("crew/requests/<str:public_id>/phone/", crew_views.crew_phone, name="crew_phone"),
    path("crew/manifest.webmanifest", crew_views.crew_manifest, name="crew_manifest"),
    path("crew/sw.js", crew_views.crew_service_worker, name="crew_sw"),
    path("requests/<str:public_id>/", views.request_detail, name="request"),
    path("requests/<str:public_id>/contact/", views.show_contact, name="contact"),
    path("requests/<str:public_id>/<slug:action>/", views.act, name="act"),
]
