from typing import Any

from django.urls import path

from mitwirken.core.replica import replica_tolerant

from . import views
from .feeds import ProjectFeed

app_name = "projects"

# Everything under a project's path: the protected-mode test enumerates these patterns.
project_urlpatterns = [
    path("<slug:org_slug>/projekte/<slug:project_slug>/", views.detail, name="detail"),
    path("<slug:org_slug>/projekte/<slug:project_slug>/bild/", views.image, name="image"),
    path(
        "<slug:org_slug>/projekte/<slug:project_slug>/anhaenge/<int:attachment_pk>/",
        views.attachment,
        name="attachment",
    ),
    path("<slug:org_slug>/projekte/<slug:project_slug>/<slug:module_slug>/", views.module_detail, name="module"),
]

# Module addresses from before modules had slugs; plugins add theirs (``legacy_prefix`` in their URL module).
LEGACY = "<slug:org_slug>/projekte/<slug:project_slug>/{prefix}/<int:module_pk>/"


def legacy_urlpatterns(prefix: str, renames: dict[str, str] | None = None) -> list[Any]:
    base = LEGACY.format(prefix=prefix)
    extra = {"renames": renames or {}}
    return [
        path(base, views.legacy_module_redirect, extra, name=f"legacy_{prefix}"),
        path(base + "<path:rest>", views.legacy_module_redirect, extra, name=f"legacy_{prefix}_rest"),
    ]


urlpatterns = [
    path("feed/", ProjectFeed(), name="feed"),
    path("<slug:org_slug>/feed/", ProjectFeed(), name="organisation_feed"),
    path("einladung/<str:token>/", views.invitation, name="invitation"),
    path("zugangscode/", views.redeem_access_code, name="redeem_access_code"),
    # The full-text search may read from the replica (core/replica.py). Not the start page: the page cache would keep
    # a page read from a lagging replica under the newer data's version, for up to a minute.
    path("suche/", replica_tolerant(views.search), name="search"),
    *project_urlpatterns,
    *legacy_urlpatterns("module"),
]
