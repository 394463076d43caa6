"""/open311/v2/: the format is the path's suffix (.xml or .json), as GeoReport v2 requires."""

from django.urls import re_path

from . import views

app_name = "open311"
FMT = r"\.(?P<fmt>xml|json)$"
urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/(?P<service_code>[^/.]{1,40})" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(r"^requests/(?P<service_request_id>[^/.]{1,40})" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/.]{1,64})" + FMT, views.token, name="token"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
