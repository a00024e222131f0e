from django.urls import path

from . import backoffice, backoffice_keys, open311_urls, views

app_name = "reports"

urlpatterns = [
    path("maengelmelder/", views.index, name="index"),
    path("maengelmelder/liste/", views.report_list, name="list"),
    path("maengelmelder/karte.json", views.map_data, name="map_data"),
    path("maengelmelder/melden/", views.report_start, name="start"),
    path("maengelmelder/melden/angaben/", views.report_details, name="details"),
    path("maengelmelder/melden/gesendet/", views.report_sent, name="sent"),
    path("maengelmelder/orte/", views.place_suggestions, name="places"),
    path("maengelmelder/bestaetigen/<uuid:token>/", views.report_confirm, name="confirm"),
    path("maengelmelder/nachfrage/<uuid:token>/", views.followup, name="followup"),
    path("maengelmelder/<int:pk>/", views.report_detail, name="detail"),
    path("maengelmelder/<int:pk>/fotos/<int:photo_pk>/", views.photo, name="photo"),
    path("maengelmelder/<int:pk>/unterstuetzen/", views.report_support, name="support"),
    path("maengelmelder/<int:pk>/behoben/", views.report_confirm_fixed, name="confirm_fixed"),
    path("maengelmelder/<int:pk>/wieder-oeffnen/", views.report_reopen, name="reopen"),
    path("maengelmelder/benachrichtigung/", views.alert_subscribe, name="alert_subscribe"),
    path("maengelmelder/benachrichtigung/<uuid:token>/bestaetigen/", views.alert_confirm, name="alert_confirm"),
    path("maengelmelder/benachrichtigung/<uuid:token>/abmelden/", views.alert_unsubscribe, name="alert_unsubscribe"),
    *open311_urls.urlpatterns,
]

B = "<slug:org_slug>/meldungen/"
backoffice_urlpatterns = [
    path(B, backoffice.inbox, name="report_inbox"),
    path(B + "<int:report_pk>/", backoffice.report_detail, name="report_detail"),
    path(B + "vorlagen/", backoffice.response_templates, name="report_templates"),
    path(B + "kategorien/", backoffice.categories, name="report_categories"),
    path(B + "api-schluessel/", backoffice_keys.api_clients, name="report_api_clients"),
]
