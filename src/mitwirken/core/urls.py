from django.urls import path

from . import maps, views

app_name = "core"

urlpatterns = [
    path("benachrichtigungen/", views.notifications, name="notifications"),
    path("benachrichtigungen/gelesen/", views.notifications_mark_read, name="notifications_mark_read"),
    path("karte/orte/", maps.places, name="map_places"),
    path("karte/ort-suchen/", maps.locate, name="map_locate"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]

page_urlpatterns = [
    path("leichte-sprache/", views.page, {"template": "leichte_sprache"}, name="leichte_sprache"),
    path("gebaerdensprache/", views.page, {"template": "gebaerdensprache"}, name="gebaerdensprache"),
    path("impressum/", views.page, {"template": "imprint"}, name="imprint"),
    path("datenschutz/", views.page, {"template": "privacy"}, name="privacy"),
    path("barrierefreiheit/", views.accessibility, name="accessibility"),
]
