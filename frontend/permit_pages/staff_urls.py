from django.urls import path

from . import staff_views

app_name = "permit_staff"
urlpatterns = [
    path("", staff_views.queue, name="queue"),
    path("<str:public_id>/", staff_views.detail, name="permit"),
    path("<str:public_id>/documents/<int:document_id>/", staff_views.document, name="document"),
    path("<str:public_id>/<slug:action>/", staff_views.act, name="act"),
]
