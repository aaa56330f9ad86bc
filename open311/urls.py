from django.urls import path, re_path, register_converter

from . import views


class FormatConverter:
    regex = "xml|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "open311fmt")

app_name = "open311"
urlpatterns = [
    path("discovery.<open311fmt:fmt>", views.DiscoveryView.as_view(), name="discovery"),
    path("services.<open311fmt:fmt>", views.ServiceListView.as_view(), name="services"),
    path("services/<str:service_code>.<open311fmt:fmt>", views.ServiceDefinitionView.as_view(), name="service"),
    path("requests.<open311fmt:fmt>", views.RequestsView.as_view(), name="requests"),
    path("requests/<str:service_request_id>.<open311fmt:fmt>", views.RequestDetailView.as_view(), name="request"),
    path("tokens/<str:token>.<open311fmt:fmt>", views.TokenView.as_view(), name="token"),
    path("servicerequestupdates.<open311fmt:fmt>", views.UpdatesView.as_view(), name="updates"),
    re_path(r"^[\s\S]*$", views.UnknownPathView.as_view()),  # not ".": a path with a newline is ours too
]
