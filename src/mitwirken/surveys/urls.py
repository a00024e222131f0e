from django.urls import path

from . import backoffice, backoffice_results, results_views, views

app_name = "surveys"

# Mounted under the module's address: /<org>/projekte/<project>/<module-slug>/…
# The published results are "auswertung/": "ergebnisse/" belongs to the dialogue plugin.
module_urlpatterns = [
    path("seite/<int:number>/", views.page, name="page"),
    path("zugang/", views.enter_code, name="enter_code"),
    path("zugang/<str:code>/", views.code_link, name="code_link"),
    path("fortsetzen/", views.send_resume_link, name="send_resume_link"),
    path("fortsetzen/<str:key>/", views.resume, name="resume"),
    path("danke/", views.done, name="done"),
    path("frage-bild/<int:question_pk>/", views.image, name="image"),
    path("auswertung/", results_views.public_results, name="results"),
]

B = "<slug:org_slug>/projekte/<int:project_pk>/umfrage/<int:module_pk>/"

backoffice_urlpatterns = [
    path(B, backoffice.builder, name="survey_builder"),
    path(f"{B}ergebnisse/", backoffice_results.results_page, name="survey_results"),
    path(f"{B}ergebnisse/veroeffentlichen/", backoffice_results.publish, name="survey_results_publish"),
    path(f"{B}ergebnisse/texte/<int:question_pk>/", backoffice_results.texts, name="survey_results_texts"),
    path(f"{B}export.<str:file_format>", backoffice_results.export, name="survey_export"),
]
