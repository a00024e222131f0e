from django.urls import path

from . import backoffice, feeds, views

app_name = "events"

urlpatterns = [
    path("veranstaltungen/", views.calendar, name="calendar"),
    path("veranstaltungen/anmeldung/<slug:token>/", views.manage, name="manage"),
    path("veranstaltungen/anmeldung/<slug:token>/bestaetigen/", views.confirm, name="confirm"),
    path("veranstaltungen/anmeldung/<slug:token>/nachruecken/", views.accept_offer, name="accept_offer"),
    path("veranstaltungen/anmeldung/<slug:token>/abmelden/", views.cancel, name="cancel"),
    path("<slug:org_slug>/veranstaltungen/", views.org_calendar, name="org_calendar"),
    path("<slug:org_slug>/veranstaltungen/<slug:event_slug>/", views.detail, name="detail"),
    path("<slug:org_slug>/veranstaltungen/<slug:event_slug>/anmelden/", views.register, name="register"),
    path("<slug:org_slug>/veranstaltungen/<slug:event_slug>/angemeldet/", views.registered, name="registered"),
    path("<slug:org_slug>/veranstaltungen/<slug:event_slug>/kalender.ics", feeds.event_ics, name="ics"),
]

backoffice_urlpatterns = [
    path("<slug:org_slug>/veranstaltungen/", backoffice.events, name="events"),
]
