"""Back office: import statements from CSV or XLSX (upload → column mapping and dry run → import).

The uploaded file waits in the default storage under a random name that only the user's session knows, one per
procedure; importing or cancelling removes it (files left behind are removed after a day, ``importing``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation

from . import importing
from .backoffice import _procedure, _render
from .models import Procedure, Track

SESSION_KEY = "formal_statement_import"
# Multipart framing and the other fields around the file.
REQUEST_OVERHEAD = 64 * 1024


class _SizeLimit(FileUploadHandler):
    """Stops reading an upload once it passes the limit, for requests that announce no (or a false) length."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > importing.MAX_FILE_BYTES:
            self.request._import_too_large = True  # type: ignore[union-attr]
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _uploads(request: HttpRequest) -> dict[str, Any]:
    value = request.session.get(SESSION_KEY)
    return value if isinstance(value, dict) else {}


def _stored(request: HttpRequest, procedure: Procedure) -> tuple[importing.StoredFile | None, Track | None]:
    entry = _uploads(request).get(str(procedure.pk))
    stored = importing.StoredFile.from_session(entry) if entry else None
    if stored is None or not isinstance(entry, dict):
        return None, None
    track_pk = entry.get("track")
    if not isinstance(track_pk, int):
        return None, None
    track = Track.objects.with_phase().filter(round__procedure=procedure, pk=track_pk).first()  # type: ignore[attr-defined]
    if track is None:
        return None, None
    track.round.procedure = procedure
    return stored, track


def _forget(request: HttpRequest, procedure: Procedure) -> None:
    uploads = _uploads(request)
    entry = uploads.pop(str(procedure.pk), None)
    if entry:
        stored = importing.StoredFile.from_session(entry)
        if stored is not None:
            stored.discard()
    request.session[SESSION_KEY] = uploads


def _to_inbox(organisation: Organisation, procedure: Procedure) -> HttpResponse:
    return redirect("backoffice:procedure_inbox", org_slug=organisation.slug,
                    project_pk=procedure.module.project.pk, module_pk=procedure.module.pk)  # fmt: skip


def _refused(procedure: Procedure, message: str) -> importing.UploadForm:
    """An empty upload form that says why the file was not taken (the body was never parsed)."""
    form = importing.UploadForm(procedure=procedure)
    form.full_clean()
    form.cleaned_data = {}
    form.add_error(None, message)
    return form


@csrf_exempt  # the CSRF check reads the body; it runs below, after the size check and with the size limit in place
@backoffice_view()
def import_upload(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    procedure = _procedure(organisation, project_pk, module_pk)
    if request.method == "POST":
        length = request.META.get("CONTENT_LENGTH") or ""
        if length.isdigit() and int(length) > importing.MAX_FILE_BYTES + REQUEST_OVERHEAD:
            # Refused before a byte of the body is read.
            form = _refused(procedure, importing.too_large_message(int(length)))
            response = _render(request, "import_statements", organisation, procedure, form=form)
            response.status_code = 413
            return response
        request.upload_handlers = [_SizeLimit(request), *request.upload_handlers]
    return _upload(request, organisation, procedure)


@csrf_protect
def _upload(request: HttpRequest, organisation: Organisation, procedure: Procedure) -> HttpResponse:
    form = importing.UploadForm(request.POST or None, request.FILES or None, procedure=procedure)
    if request.method == "POST":
        if getattr(request, "_import_too_large", False):
            form = _refused(procedure, importing.too_large_message())
        elif form.is_valid():
            try:
                stored = importing.store_upload(form.cleaned_data["upload"])
            except importing.ImportFileError as error:
                form.add_error("upload", error.message)
            else:
                _forget(request, procedure)  # a file uploaded before for this procedure is replaced
                uploads = _uploads(request)
                uploads[str(procedure.pk)] = {**stored.as_session(), "track": form.cleaned_data["track"].pk}
                request.session[SESSION_KEY] = uploads
                return redirect("backoffice:procedure_import_check", org_slug=organisation.slug,
                                project_pk=procedure.module.project.pk, module_pk=procedure.module.pk)  # fmt: skip
    return _render(request, "import_statements", organisation, procedure, form=form,
                   max_bytes=importing.MAX_FILE_BYTES, max_rows=importing.MAX_ROWS)  # fmt: skip


@backoffice_view()
def import_check(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    """The column mapping and the dry run; the confirmed import."""
    procedure = _procedure(organisation, project_pk, module_pk)
    stored, track = _stored(request, procedure)
    if stored is None or track is None:
        messages.info(request, _("Es liegt keine Datei zum Importieren vor. Bitte laden Sie die Datei hoch."))
        return redirect("backoffice:procedure_import_upload", org_slug=organisation.slug,
                        project_pk=project_pk, module_pk=module_pk)  # fmt: skip
    action = request.POST.get("action", "check") if request.method == "POST" else "check"
    if action == "cancel":
        _forget(request, procedure)
        messages.info(request, _("Der Import wurde abgebrochen; es wurde nichts übernommen."))
        return _to_inbox(organisation, procedure)
    try:
        table: importing.Table | None = importing.Table(stored)
    except importing.ImportFileError:
        table = None  # the dry run reports why; with another encoding the file may still be read
    guessed = importing.guess_mapping(table.headers) if table is not None else {}
    form = importing.MappingForm(request.POST if request.method == "POST" else None, table=table, kind=stored.kind,
                                 initial_mapping=guessed)  # fmt: skip
    if table is None and form.is_bound and form.is_valid() and form.encoding() != importing.ENCODING_AUTO:
        try:
            table = importing.Table(stored, form.encoding())
        except importing.ImportFileError:
            table = None
        else:
            form = importing.MappingForm(request.POST, table=table, kind=stored.kind,
                                         initial_mapping=importing.guess_mapping(table.headers))  # fmt: skip
    mapping, encoding = form.mapping(), form.encoding()
    checked = [mapping, encoding]
    entry = _uploads(request).get(str(procedure.pk), {})
    if action == "import" and entry.get("checked") == checked:
        try:
            result = importing.statements_import(actor=request.user, track=track, stored=stored, mapping=mapping,
                                                 encoding=encoding)  # fmt: skip
        except importing.ImportRefused as refused:
            report = refused.report
        except ValidationError as error:  # pragma: no cover - the service's own refusals, shown as they are
            messages.error(request, " ".join(error.messages))
            return _to_inbox(organisation, procedure)
        else:
            _forget(request, procedure)
            text = _("%(count)s Stellungnahmen importiert (%(first)s bis %(last)s).") % {
                "count": result.count, "first": result.first_reference, "last": result.last_reference}  # fmt: skip
            if result.late:
                text += " " + _("%(late)s davon nach Fristende eingegangen und als verspätet markiert.") % {
                    "late": result.late}  # fmt: skip
            messages.success(request, text)
            return _to_inbox(organisation, procedure)
    else:
        report = importing.dry_run(stored=stored, mapping=mapping, procedure=procedure, track=track, encoding=encoding)
        if action == "import":
            messages.warning(request, _("Die Zuordnung wurde geändert. Bitte prüfen Sie das Ergebnis und bestätigen "
                                        "Sie den Import erneut."))  # fmt: skip
    uploads = _uploads(request)
    if str(procedure.pk) in uploads:
        uploads[str(procedure.pk)]["checked"] = checked if report.ok else None
        request.session[SESSION_KEY] = uploads
    return _render(request, "import_statements_check", organisation, procedure, form=form, report=report,
                   stored=stored, track=track)  # fmt: skip
