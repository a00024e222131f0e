from django.urls import path

from . import backoffice, views

app_name = "events"

urlpatterns = [
    path("veranstaltungen/", views.calendar, name="calendar"),
    path("<slug:org_slug>/veranstaltungen/<slug:event_slug>/", views.detail, name="detail"),
]

B = "<slug:org_slug>/veranstaltungen/"
E = B + "<int:event_pk>/"

backoffice_urlpatterns = [
    path(B, backoffice.events, name="events"),
    path(B + "neu/", backoffice.event_create, name="event_create"),
    path(B + "reihen/<int:series_pk>/", backoffice.series_detail, name="event_series_detail"),
    path(E, backoffice.event_detail, name="event_detail"),
    path(E + "bearbeiten/", backoffice.event_edit, name="event_edit"),
    path(E + "kontingente/", backoffice.event_capacities, name="event_capacities"),
    path(E + "fragen/", backoffice.event_questions, name="event_questions"),
    path(E + "reihe/", backoffice.event_series, name="event_series"),
    path(E + "anmeldungen/", backoffice.event_registrations, name="event_registrations"),
    path(E + "nachricht/", backoffice.event_message, name="event_message"),
    path(E + "teilnahmeliste.<str:file_format>", backoffice.participant_list, name="event_participants"),
    path(E + "einchecken/", backoffice.checkin, name="event_checkin"),
    path(E + "einchecken/<str:manage_token>/", backoffice.checkin_person, name="event_checkin_person"),
]
