from django.urls import path, re_path

from . import open311

app_name = "open311"

urlpatterns = [
    path("discovery.<str:file_format>", open311.discovery, name="discovery"),
    path("services.<str:file_format>", open311.services, name="services"),
    path("services/<slug:code>.<str:file_format>", open311.service_definition, name="service"),
    path("requests.<str:file_format>", open311.requests, name="requests"),
    # <str:pk>, not <int:pk>: a malformed or huge id must get the spec's 404 body, not the portal's HTML page.
    path("requests/<str:pk>.<str:file_format>", open311.request_detail, name="request"),
    path("tokens/<str:token>.<str:file_format>", open311.token_detail, name="token"),
    # Last: everything else below /open311/v2/ answers with the spec's error body, not an HTML page.
    re_path(r"^(?P<path>.*)$", open311.not_found, name="not_found"),
]
