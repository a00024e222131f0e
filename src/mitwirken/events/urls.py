from django.urls import path

from . import backoffice, feeds, views

app_name = "events"

urlpatterns = [
    path("veranstaltungen/", views.calendar, name="calendar"),
    path("veranstaltungen/anmeldung/<slug:token>/", views.manage, name="manage"),
    path("veranstaltungen/anmeldung/<slug:token>/bestaetigen/", views.confirm, name="confirm"),
    path("veranstaltungen/anmeldung/<slug:token>/nachruecken/", views.accept_offer, name="accept_offer"),
    path("veranstaltungen/anmeldung/<slug:token>/abmelden/", views.cancel, name="cancel"),
    path("veranstaltungen/anmeldung/<slug:token>/einlass.png", views.entry_code, name="entry_code"),
    path("<slug:org_slug>/veranstaltungen/", views.org_calendar, name="org_calendar"),
    path("<slug:org_slug>/veranstaltungen/<slug:event_slug>/", views.detail, name="detail"),
    # Calendar files (.ics): feeds to subscribe to, one event to add, and the personal feed (feeds.py).
    path("veranstaltungen/kalender.ics", feeds.portal_feed, name="feed"),
    path("veranstaltungen/art/<slug:category_slug>/kalender.ics", feeds.category_feed, name="category_feed"),
    path("<slug:org_slug>/veranstaltungen/kalender.ics", feeds.organisation_feed, name="organisation_feed"),
    path("<slug:org_slug>/projekte/<slug:project_slug>/veranstaltungen.ics", feeds.project_feed, name="project_feed"),
    path("<slug:org_slug>/veranstaltungen/<slug:event_slug>/kalender.ics", feeds.event_ics, name="ics"),
    path("veranstaltungen/meine/<str:token>.ics", feeds.personal_feed, name="my_calendar_feed"),
    path("veranstaltungen/meine/kalender/", feeds.calendar_token, name="my_calendar_token"),
    path("<slug:org_slug>/veranstaltungen/<slug:event_slug>/anmelden/", views.register, name="register"),
    path("<slug:org_slug>/veranstaltungen/<slug:event_slug>/angemeldet/", views.registered, name="registered"),
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
