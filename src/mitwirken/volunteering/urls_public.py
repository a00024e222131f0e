"""URLs of the search, an opportunity's page, an organisation's page, the volunteer's profile, bookmarks and saved searches."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views_public as views

urlpatterns: list[URLPattern] = [
    path("ehrenamt/", views.search_view, name="search"),
    path("ehrenamt/angebote/<int:pk>/", views.opportunity_view, name="opportunity"),
    path("ehrenamt/angebote/<int:pk>/merken/", views.bookmark_toggle, name="bookmark"),
    path("ehrenamt/organisationen/<slug:org_slug>/", views.organisation_view, name="organisation"),
    path("ehrenamt/profil/", views.profile_view, name="profile"),
    path("ehrenamt/einverstaendnis/<str:token>/", views.parent_consent, name="parent_consent"),
    path("ehrenamt/merkliste/", views.bookmarks_view, name="bookmarks"),
    path("ehrenamt/suchen/", views.saved_searches_view, name="saved_searches"),
    path("ehrenamt/suchen/<int:pk>/loeschen/", views.saved_search_delete, name="saved_search_delete"),
    path("ehrenamt/vorschlaege/", views.suggestions_view, name="suggestions"),
]
backoffice_urlpatterns: list[URLPattern] = []
