from django.urls import path

from . import backoffice, backoffice_exchange, backoffice_tokens, views

app_name = "surveys"

# Mounted under the module's address: /<org>/projekte/<project>/<module-slug>/…
module_urlpatterns = [
    path("seite/<int:number>/", views.page, name="page"),
    path("zugang/", views.enter_code, name="enter_code"),
    path("zugang/<str:code>/", views.code_link, name="code_link"),
    path("fortsetzen/", views.send_resume_link, name="send_resume_link"),
    path("fortsetzen/<str:key>/", views.resume, name="resume"),
    path("danke/", views.done, name="done"),
    path("frage-bild/<int:question_pk>/", views.image, name="image"),
]

B = "<slug:org_slug>/projekte/<int:project_pk>/umfrage/<int:module_pk>/"

backoffice_urlpatterns = [
    path(B, backoffice.builder, name="survey_builder"),
    path(B + "struktur.json", backoffice_exchange.structure_export, name="survey_structure_export"),
    path(B + "import/", backoffice_exchange.structure_import, name="survey_import"),
    path(f"{B}zugangscodes/", backoffice_tokens.token_list, name="survey_tokens"),
    path(f"{B}zugangscodes/codes.csv", backoffice_tokens.token_csv, name="survey_tokens_csv"),
    path(f"{B}zugangscodes/briefe.pdf", backoffice_tokens.token_pdf, name="survey_tokens_pdf"),
    path(B + "einstellungen/", backoffice.settings, name="survey_settings"),
    path(B + "seiten/neu/", backoffice.page_add, name="survey_page_add"),
    path(B + "seiten/<int:page_pk>/", backoffice.page_edit, name="survey_page_edit"),
    path(B + "seiten/<int:page_pk>/aktion/", backoffice.page_action, name="survey_page_action"),
    path(B + "seiten/<int:page_pk>/frage-neu/", backoffice.question_add, name="survey_question_add"),
    path(B + "fragen/<int:question_pk>/", backoffice.question_edit, name="survey_question_edit"),
    path(B + "fragen/<int:question_pk>/aktion/", backoffice.question_action, name="survey_question_action"),
    path(B + "antwortlisten/", backoffice.answer_sets, name="survey_answer_sets"),
    path(B + "antwortlisten/<int:answer_set_pk>/", backoffice.answer_set_edit, name="survey_answer_set_edit"),
    path(B + "vorschau/seite/<int:number>/", backoffice.preview, name="survey_preview"),
]
