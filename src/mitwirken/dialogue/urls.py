from django.urls import path

from . import backoffice, views

app_name = "dialogue"
# Addresses before modules had slugs (…/dialog/<id>/…) redirect here permanently.
legacy_prefix = "dialog"

# Mounted under the module's address: /<org>/projekte/<project>/<module-slug>/…
module_urlpatterns = [
    path("ideen/neu/", views.idea_create, name="idea_create"),
    path("ideen/<int:idea_pk>/", views.idea_detail, name="idea"),
    path("ideen/<int:idea_pk>/bearbeiten/", views.idea_edit, name="idea_edit"),
    path("ideen/<int:idea_pk>/bild/", views.idea_image, name="idea_image"),
    path("ideen/<int:idea_pk>/bewerten/", views.rate, name="rate"),
    path("ideen/<int:idea_pk>/rueckmeldung/", views.feedback, name="feedback"),
    path("absaetze/<int:paragraph_pk>/", views.paragraph_detail, name="paragraph"),
    path("kommentare/<int:comment_pk>/bearbeiten/", views.comment_edit, name="comment_edit"),
    path("melden/<str:kind>/<int:pk>/", views.flag, name="flag"),
    path("folgen/", views.follow, name="follow"),
    path("ergebnisse/", views.results, name="results"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/<str:kind>/<int:pk>/", views.moderate, name="moderate"),
    path("sperren/<int:user_pk>/", views.block, name="block"),
    path("export.<str:file_format>", views.export, name="export"),
]

B = "<slug:org_slug>/projekte/<int:project_pk>/dialog/<int:module_pk>/"

backoffice_urlpatterns = [
    path(B, backoffice.setup, name="dialogue_setup"),
]
