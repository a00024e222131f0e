from django.urls import path

from . import open311

app_name = "open311"

urlpatterns = [
    path("discovery.<str:file_format>", open311.discovery, name="discovery"),
    path("services.<str:file_format>", open311.services, name="services"),
    path("services/<slug:code>.<str:file_format>", open311.service_definition, name="service"),
]
