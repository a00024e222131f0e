from django.urls import path

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
    path("<slug:org_slug>/projekte/<slug:project_slug>/module/<int:module_pk>/", views.module_detail, name="module"),
]

urlpatterns = [
    path("feed/", ProjectFeed(), name="feed"),
    path("<slug:org_slug>/feed/", ProjectFeed(), name="organisation_feed"),
    path("einladung/<str:token>/", views.invitation, name="invitation"),
    path("zugangscode/", views.redeem_access_code, name="redeem_access_code"),
    *project_urlpatterns,
]
