"""Back office: download a survey's structure as JSON, import one (JSON of ours or an XLSForm workbook).

Import is two steps: the upload is checked and converted (nothing is written) and staff see what will be created
and what could not be taken over; "Importieren" then writes it. The checked document travels signed in the
confirmation form, so the second step imports exactly what was shown, and is validated again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mitwirken.core.uploads import attachment_disposition, check_zip
from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation

from . import exchange, xlsform
from .access import staff_survey
from .models import Survey

SALT = "surveys.exchange"
CHECKED_FOR = 3600  # seconds a checked upload may wait for "Importieren"
ZIP_SIGNATURE = b"PK\x03\x04"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Datei"),
        help_text=gettext_lazy("Eine Struktur-Datei aus mitwirken (.json, höchstens 1 MB) oder ein XLSForm "
                               "(.xlsx mit den Blättern survey, choices und settings, höchstens 5 MB)."),
    )  # fmt: skip


def _survey(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> Survey:
    return staff_survey(request.user, organisation, project_pk, module_pk)


@backoffice_view()
def structure_export(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    survey = _survey(request, organisation, project_pk, module_pk)
    response = HttpResponse(exchange.dumps(exchange.export(survey)), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = attachment_disposition(f"umfrage-{survey.module.slug}.json")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@backoffice_view()
def structure_import(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    survey = _survey(request, organisation, project_pk, module_pk)
    context: dict[str, Any] = {"organisation": organisation, "project": survey.module.project,
                               "module": survey.module, "survey": survey, "section": "projects", "tab": "modules",
                               "refusal": exchange.refusal(survey)}  # fmt: skip
    form = ImportForm()
    if request.method == "POST" and not context["refusal"]:
        if "payload" in request.POST:
            done = _confirm(request, survey, context)
            if done is not None:
                return done
        else:
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                _check(form, survey, context)
    context["form"] = form
    context.update(_current(survey))
    return render(request, "surveys/backoffice/exchange.html", context)


def _check(form: ImportForm, survey: Survey, context: dict[str, Any]) -> None:
    """Step 1: read, convert and validate the upload; on success put the preview and the signed payload in."""
    try:
        document, notes = _read(form.cleaned_data["file"])
    except ValidationError as error:
        form.add_error("file", error.messages)
        return
    if problems := exchange.validate(document):
        form.add_error("file", problems)
        return
    context["preview"] = _summary(document)
    context["notes"] = notes
    context["payload"] = signing.dumps({"survey": survey.pk, "document": document, "notes": notes}, salt=SALT,
                                       compress=True)  # fmt: skip


def _read(upload: Any) -> tuple[Any, list[str]]:
    """The document in an upload and the notes of its conversion; the content decides the format, not the name."""
    if upload.size > xlsform.MAX_BYTES:
        raise ValidationError(_("Die Datei ist zu groß (höchstens 5 MB)."))
    head = upload.read(4)
    upload.seek(0)
    if head == ZIP_SIGNATURE:
        check_zip(upload)
        converted = xlsform.convert(upload.read())
        return converted.document, converted.notes
    if upload.size > exchange.MAX_BYTES:
        raise ValidationError(_("Die Datei ist zu groß (höchstens 1 MB)."))
    return exchange.parse(upload.read()), []


def _confirm(request: HttpRequest, survey: Survey, context: dict[str, Any]) -> HttpResponse | None:
    """Step 2: import the checked document; errors appear on the page, nothing is half-saved."""
    try:
        checked = signing.loads(request.POST["payload"], salt=SALT, max_age=CHECKED_FOR)
    except signing.BadSignature:
        context["import_errors"] = [_("Die Prüfung ist abgelaufen. Bitte laden Sie die Datei noch einmal hoch.")]
        return None
    if checked.get("survey") != survey.pk:
        raise Http404
    try:
        imported = exchange.import_structure(actor=request.user, survey=survey, document=checked["document"])
    except ValidationError as error:
        context["import_errors"] = error.messages
        return None
    context.update({"imported": imported, "notes": checked["notes"]})
    return render(request, "surveys/backoffice/exchange_done.html", context)


def _summary(document: dict[str, Any]) -> dict[str, Any]:
    pages = document["pages"]
    return {"pages": len(pages), "questions": sum(len(page.get("questions", [])) for page in pages),
            "quotas": len(document.get("quotas", [])),
            "answer_sets": sorted({question["answer_set"] for page in pages for question in page.get("questions", [])
                                   if question.get("answer_set")})}  # fmt: skip


def _current(survey: Survey) -> dict[str, Any]:
    """What an import would replace."""
    return {"current_pages": survey.pages.count(), "current_questions": survey.questions.count(),
            "current_drafts": survey.drafts.count()}  # fmt: skip
