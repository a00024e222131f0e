"""Participation pages under a module's address; mounted by the root ``urls.py`` before the plugins' URLs.

The first path segments here belong to participation under every module, so no plugin may claim them
(``urls.plugin_urlpatterns`` refuses). They kept the names they had under the dialogue, so that the permanent
redirects from the old addresses (…/dialog/<id>/<rest>) still land on them.
"""

from django.urls import include, path

from . import views

app_name = "participation"

module_urlpatterns = [
    path("kommentare/<int:comment_pk>/bearbeiten/", views.comment_edit, name="comment_edit"),
    path("melden/<str:kind>/<int:pk>/", views.flag, name="flag"),
    path("bewerten/<str:kind>/<int:pk>/", views.rate, name="rate"),
    path("folgen/", views.follow, name="follow"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/<str:kind>/<int:pk>/", views.moderate, name="moderate"),
    path("sperren/<int:user_pk>/", views.block, name="block"),
]

MODULE_PREFIX = "<slug:org_slug>/projekte/<slug:project_slug>/<slug:module_slug>/"

urlpatterns = [
    path(MODULE_PREFIX, include(module_urlpatterns)),
    # Mein Bereich (/konto/) lists the person's follows with their notification settings.
    path("konto/folgen/<int:follow_pk>/", views.follow_change, name="follow_change"),
]
