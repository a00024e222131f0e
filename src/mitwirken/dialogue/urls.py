from django.urls import path

from . import backoffice, moderation, views

app_name = "dialogue"
# Addresses before modules had slugs (…/dialog/<id>/…) redirect here permanently.
legacy_prefix = "dialog"

# Mounted under the module's address: /<org>/projekte/<project>/<module-slug>/… Comments, flags, ratings,
# following, the moderation queue and blocks are participation's (kommentare/, melden/, bewerten/, folgen/,
# moderation/, sperren/), under the same address.
module_urlpatterns = [
    path("ideen/neu/", views.idea_create, name="idea_create"),
    path("ideen/<int:idea_pk>/", views.idea_detail, name="idea"),
    path("ideen/<int:idea_pk>/bearbeiten/", views.idea_edit, name="idea_edit"),
    path("ideen/<int:idea_pk>/bild/", views.idea_image, name="idea_image"),
    path("ideen/<int:idea_pk>/rueckmeldung/", moderation.feedback, name="feedback"),
    path("absaetze/<int:paragraph_pk>/", views.paragraph_detail, name="paragraph"),
    path("haushalt/<int:idea_pk>/", views.budget_choose, name="budget_choose"),
    path("ergebnisse/", views.results, name="results"),
    path("export.<str:file_format>", moderation.export, name="export"),
]

B = "<slug:org_slug>/projekte/<int:project_pk>/dialog/<int:module_pk>/"

backoffice_urlpatterns = [
    path(B, backoffice.setup, name="dialogue_setup"),
    path(B + "eintrag/<int:idea_pk>/", backoffice.item_edit, name="dialogue_item_edit"),
    path(B + "kapitel/<int:chapter_pk>/", backoffice.chapter_edit, name="dialogue_chapter_edit"),
]
