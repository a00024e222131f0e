from django.urls import path

from mitwirken.core.replica import replica_tolerant

from . import backoffice, backoffice_analysis, backoffice_editing, backoffice_exchange, backoffice_import, views
from .backoffice_suggestions import suggestion_answer_reject, suggestion_keyword, suggestion_segment

app_name = "formal"
# Addresses before modules had slugs (…/verfahren/<id>/…) redirect here permanently; "ergebnisse/" is the
# dialogue's, so the procedure's published Abwägung moved to "abwaegung/".
legacy_prefix = "verfahren"
legacy_renames = {"ergebnisse/": "abwaegung/"}

# Mounted under the module's address: /<org>/projekte/<project>/<module-slug>/…
module_urlpatterns = [
    path("unterlagen/<int:document_pk>/", views.document_download, name="document"),
    path("frist/<int:track_pk>/stellungnahme/", views.statement_form, name="statement"),
    path("frist/<int:track_pk>/pruefen/", views.statement_review, name="review"),
    path("frist/<int:track_pk>/freigabe/", views.release_list, name="release"),
    path("frist/<int:track_pk>/ohne-konto/", views.unregistered_form, name="unregistered"),
    path("stellungnahmen/<str:reference>/", views.receipt, name="receipt"),
    path("stellungnahmen/<str:reference>/eingangsbestaetigung.pdf", views.receipt_download, name="receipt_pdf"),
    path(
        "stellungnahmen/<str:reference>/anlagen/<int:attachment_pk>/",
        views.receipt_attachment,
        name="receipt_attachment",
    ),
    path("abwaegung/", views.public_results, name="results"),
    path("mitzeichnen/<uuid:token>/", views.cosign, name="cosign"),
    path("bestaetigen/<uuid:token>/", views.confirm, name="confirm"),
]

B = "<slug:org_slug>/projekte/<int:project_pk>/verfahren/<int:module_pk>/"

backoffice_urlpatterns = [
    # Portal-wide (no organisation): messages for an addressee the portal does not know, for the portal
    # administrators. Two segments, so no organisation's slug can shadow it (no formal page is "<org>/zuordnen/").
    path("xbeteiligung/zuordnen/", backoffice_exchange.parked, name="exchange_parked"),
    path("xbeteiligung/zuordnen/<int:message_pk>.xml", backoffice_exchange.parked_xml, name="exchange_parked_xml"),
    # The organisation's XBeteiligung inbox and outbox.
    path("<slug:org_slug>/xbeteiligung/", backoffice_exchange.exchange_list, name="exchange"),
    path("<slug:org_slug>/xbeteiligung/gegenstelle/", backoffice_exchange.partner_endpoint, name="exchange_endpoint"),
    path("<slug:org_slug>/xbeteiligung/<int:message_pk>/", backoffice_exchange.exchange_detail, name="exchange_detail"),
    path(
        "<slug:org_slug>/xbeteiligung/<int:message_pk>/nachricht.xml",
        backoffice_exchange.exchange_xml,
        name="exchange_xml",
    ),
    path(
        "<slug:org_slug>/projekte/<int:project_pk>/verfahren/neu/", backoffice.procedure_create, name="procedure_create"
    ),
    path(
        "<slug:org_slug>/projekte/<int:project_pk>/verfahren/import/",
        backoffice.procedure_import,
        name="procedure_import",
    ),
    path(B, backoffice.procedure_setup, name="procedure_setup"),
    path(B + "unterlagen/", backoffice.documents, name="procedure_documents"),
    path(B + "unterlagen/<int:document_pk>/", backoffice_editing.document_edit, name="procedure_document"),
    path(B + "bezeichnung/", backoffice_editing.procedure_edit, name="procedure_edit"),
    path(B + "durchgaenge/<int:round_pk>/", backoffice_editing.round_edit, name="procedure_round"),
    path(B + "fristen/<int:track_pk>/", backoffice_editing.track_edit, name="procedure_track"),
    path(B + "ergebnis/veroeffentlichen/", backoffice_editing.results_publish, name="procedure_results_publish"),
    path(B + "eingang/", backoffice.inbox, name="procedure_inbox"),
    path(B + "eingang/erfassen/", backoffice.record_statement, name="procedure_record"),
    path(B + "eingang/import/", backoffice_import.import_upload, name="procedure_import_upload"),
    path(B + "eingang/import/pruefen/", backoffice_import.import_check, name="procedure_import_check"),
    path(B + "eingang/<int:statement_pk>/", backoffice.evaluate, name="procedure_statement"),
    path(
        B + "eingang/<int:statement_pk>/vorschlaege/abschnitt/", suggestion_segment, name="procedure_suggestion_segment"
    ),
    path(
        B + "eingang/<int:statement_pk>/abschnitte/<int:segment_pk>/vorschlaege/schlagwort/",
        suggestion_keyword,
        name="procedure_suggestion_keyword",
    ),
    path(
        B + "eingang/<int:statement_pk>/abschnitte/<int:segment_pk>/vorschlaege/antwort/",
        suggestion_answer_reject,
        name="procedure_suggestion_answer",
    ),
    path(
        B + "eingang/<int:statement_pk>/anlagen/<int:attachment_pk>/",
        backoffice.statement_attachment,
        name="procedure_statement_attachment",
    ),
    path(B + "schlagworte/", backoffice.catalogue, name="procedure_catalogue"),
    path(B + "masseneinwendungen/", backoffice.groups, name="procedure_groups"),
    path(B + "masseneinwendungen/<int:statement_pk>/", backoffice.group, name="procedure_group"),
    path(B + "ergebnis/", backoffice.results, name="procedure_results"),
    path(B + "analyse/", backoffice_analysis.analysis, name="procedure_analysis"),
    path(B + "analyse/annahme/", backoffice_analysis.acceptance, name="procedure_acceptance"),
    # The export reads every statement: from the replica (core/replica.py), unless the case worker just wrote.
    path(B + "abwaegungstabelle.<str:file_format>", replica_tolerant(backoffice.export), name="procedure_export"),
    path(B + "eingang/<int:statement_pk>/xbeteiligung.xml", backoffice.statement_xml, name="procedure_statement_xml"),
    path(B + "xbeteiligung-0701.zip", backoffice.statements_xml_batch, name="procedure_xml_batch"),
]
