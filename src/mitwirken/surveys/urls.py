from django.urls import path

from . import backoffice, backoffice_exchange, backoffice_results, backoffice_tokens, results_views, views

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
    path(f"{B}struktur.json", backoffice_exchange.structure_export, name="survey_structure_export"),
    path(f"{B}import/", backoffice_exchange.structure_import, name="survey_import"),
    path(f"{B}zugangscodes/", backoffice_tokens.token_list, name="survey_tokens"),
    path(f"{B}zugangscodes/codes.csv", backoffice_tokens.token_csv, name="survey_tokens_csv"),
    path(f"{B}zugangscodes/briefe.pdf", backoffice_tokens.token_pdf, name="survey_tokens_pdf"),
    path(f"{B}einstellungen/", backoffice.settings, name="survey_settings"),
    path(f"{B}seiten/neu/", backoffice.page_add, name="survey_page_add"),
    path(f"{B}seiten/<int:page_pk>/", backoffice.page_edit, name="survey_page_edit"),
    path(f"{B}seiten/<int:page_pk>/aktion/", backoffice.page_action, name="survey_page_action"),
    path(f"{B}seiten/<int:page_pk>/frage-neu/", backoffice.question_add, name="survey_question_add"),
    path(f"{B}fragen/<int:question_pk>/", backoffice.question_edit, name="survey_question_edit"),
    path(f"{B}fragen/<int:question_pk>/aktion/", backoffice.question_action, name="survey_question_action"),
    path(f"{B}antwortlisten/", backoffice.answer_sets, name="survey_answer_sets"),
    path(f"{B}antwortlisten/<int:answer_set_pk>/", backoffice.answer_set_edit, name="survey_answer_set_edit"),
    path(f"{B}vorschau/seite/<int:number>/", backoffice.preview, name="survey_preview"),
    path(f"{B}ergebnisse/", backoffice_results.results_page, name="survey_results"),
    path(f"{B}ergebnisse/veroeffentlichen/", backoffice_results.publish, name="survey_results_publish"),
    path(f"{B}ergebnisse/texte/<int:question_pk>/", backoffice_results.texts, name="survey_results_texts"),
    path(f"{B}export.<str:file_format>", backoffice_results.export, name="survey_export"),
]
