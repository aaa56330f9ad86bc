from django.urls import path

from . import views

app_name = "contacts"
urlpatterns = [
    path("track/<str:tracking_token>/data/", views.data_page, name="data"),
    path("track/<str:tracking_token>/data/download.json", views.data_download, name="download"),
    path("track/<str:tracking_token>/data/erase/", views.erase, name="erase"),
    path("track/<str:tracking_token>/data/withdraw/<str:purpose>/", views.withdraw, name="withdraw"),
]
