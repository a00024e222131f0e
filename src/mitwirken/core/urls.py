from django.urls import path

from mitwirken.organisations import sign_language

from . import demo_tiles, maps, views

app_name = "core"

urlpatterns = [
    path("benachrichtigungen/", views.notifications, name="notifications"),
    path("benachrichtigungen/gelesen/", views.notifications_mark_read, name="notifications_mark_read"),
    path("adressen/vorschlaege/", views.address_suggestions, name="address_suggestions"),
    path("karte/orte/", maps.places, name="map_places"),
    path("karte/ort-suchen/", maps.locate, name="map_locate"),
    path("karte/demo/<int:z>/<int:x>/<int:y>.png", demo_tiles.tile, name="demo_tile"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]

page_urlpatterns = [
    path("leichte-sprache/", views.page, {"template": "leichte_sprache"}, name="leichte_sprache"),
    path("gebaerdensprache/", sign_language.portal_page, name="gebaerdensprache"),
    path("gebaerdensprache/videos/<int:video_pk>/", sign_language.video_file, name="sign_language_video"),
    path("gebaerdensprache/untertitel/<int:video_pk>.vtt", sign_language.captions_file, name="sign_language_captions"),
    path("impressum/", views.page, {"template": "imprint"}, name="imprint"),
    path("datenschutz/", views.page, {"template": "privacy"}, name="privacy"),
    path("barrierefreiheit/", views.accessibility, name="accessibility"),
]
