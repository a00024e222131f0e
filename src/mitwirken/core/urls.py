from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("benachrichtigungen/", views.notifications, name="notifications"),
    path("benachrichtigungen/gelesen/", views.notifications_mark_read, name="notifications_mark_read"),
    path("adressen/vorschlaege/", views.address_suggestions, name="address_suggestions"),
]

page_urlpatterns = [
    path("leichte-sprache/", views.page, {"template": "leichte_sprache"}, name="leichte_sprache"),
    path("gebaerdensprache/", views.page, {"template": "gebaerdensprache"}, name="gebaerdensprache"),
    path("impressum/", views.page, {"template": "imprint"}, name="imprint"),
    path("datenschutz/", views.page, {"template": "privacy"}, name="privacy"),
    path("barrierefreiheit/", views.accessibility, name="accessibility"),
]
