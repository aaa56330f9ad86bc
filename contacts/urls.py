from django.urls import path

from . import views

app_name = "contacts"
urlpatterns = [
    path("track/<str:tracking_token>/data/", views.data_page, name="data"),
    path("track/<str:tracking_token>/data/download.json", views.data_download, name="download"),
    path("track/<str:tracking_token>/data/erase/", views.erase, name="erase"),
    path("track/<str:tracking_token>/data/withdraw/<str:purpose>/", views.withdraw, name="withdraw"),
    path("email-updates/<str:sealed>/", views.email_updates, name="email_updates"),
    path("alerts/<str:slug>/", views.alert_subscribe, name="alert_subscribe"),
    path("alerts/confirm/<str:token>/", views.alert_confirm, name="alert_confirm"),
    path("alerts/stop/<str:token>/", views.alert_stop, name="alert_stop"),
]
