from django.urls import path

from . import backoffice, views

app_name = "events"

urlpatterns = [
    path("veranstaltungen/", views.calendar, name="calendar"),
    path("<slug:org_slug>/veranstaltungen/<slug:event_slug>/", views.detail, name="detail"),
]

backoffice_urlpatterns = [
    path("<slug:org_slug>/veranstaltungen/", backoffice.events, name="events"),
]
