from django.urls import path

from . import backoffice, views

app_name = "dialogue"

P = "<slug:org_slug>/projekte/<slug:project_slug>/dialog/<int:module_pk>/"

urlpatterns = [
    path(P + "ideen/neu/", views.idea_create, name="idea_create"),
    path(P + "ideen/<int:idea_pk>/", views.idea_detail, name="idea"),
    path(P + "ideen/<int:idea_pk>/bearbeiten/", views.idea_edit, name="idea_edit"),
    path(P + "ideen/<int:idea_pk>/bild/", views.idea_image, name="idea_image"),
    path(P + "ideen/<int:idea_pk>/bewerten/", views.rate, name="rate"),
    path(P + "ideen/<int:idea_pk>/rueckmeldung/", views.feedback, name="feedback"),
    path(P + "absaetze/<int:paragraph_pk>/", views.paragraph_detail, name="paragraph"),
    path(P + "kommentare/<int:comment_pk>/bearbeiten/", views.comment_edit, name="comment_edit"),
    path(P + "melden/<str:kind>/<int:pk>/", views.flag, name="flag"),
    path(P + "folgen/", views.follow, name="follow"),
    path(P + "ergebnisse/", views.results, name="results"),
    path(P + "moderation/", views.moderation, name="moderation"),
    path(P + "moderation/<str:kind>/<int:pk>/", views.moderate, name="moderate"),
    path(P + "sperren/<int:user_pk>/", views.block, name="block"),
    path(P + "export.<str:file_format>", views.export, name="export"),
]

B = "<slug:org_slug>/projekte/<int:project_pk>/dialog/<int:module_pk>/"

backoffice_urlpatterns = [
    path(B, backoffice.setup, name="dialogue_setup"),
]
