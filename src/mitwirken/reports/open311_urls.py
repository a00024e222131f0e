from django.urls import path, re_path

from mitwirken.core.replica import replica_tolerant

from . import open311

# Open311 GeoReport v2, mounted by reports/urls.py inside the "reports" namespace.
V2 = "open311/v2/"
# Services and requests may be read from the replica (core/replica.py; the POST of a request is not). Not the
# token look-up: an app asks for it right after its POST, keeps no cookie, and the replica may not have the report.

urlpatterns = [
    path(V2 + "discovery.<str:file_format>", open311.discovery, name="open311_discovery"),
    path(V2 + "services.<str:file_format>", replica_tolerant(open311.services), name="open311_services"),
    path(
        V2 + "services/<slug:code>.<str:file_format>",
        replica_tolerant(open311.service_definition),
        name="open311_service",
    ),
    path(V2 + "requests.<str:file_format>", replica_tolerant(open311.requests), name="open311_requests"),
    # <str:pk>, not <int:pk>: a malformed or huge id must get the spec's 404 body, not the portal's HTML page.
    path(V2 + "requests/<str:pk>.<str:file_format>", replica_tolerant(open311.request_detail), name="open311_request"),
    path(V2 + "tokens/<str:token>.<str:file_format>", open311.token_detail, name="open311_token"),
    # Last: everything else below /open311/v2/ answers with the spec's error body, not an HTML page.
    re_path(r"^open311/v2/(?P<path>.*)$", open311.not_found, name="open311_not_found"),
]
