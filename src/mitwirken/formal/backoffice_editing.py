"""Back-office pages that change what staff set up: procedure data, rounds, periods, documents, publication."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.ids import posted_id
from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation

from . import editing, services
from .backoffice import _procedure, _render
from .forms import (
    AnnounceForm,
    ProcedureChangeForm,
    PublishResultsForm,
    ReasonForm,
    ReplaceDocumentForm,
    RoundForm,
    TrackAssuranceForm,
    TrackChangeForm,
)
from .models import Document, DocumentSection, Round, Track


def _setup_url(organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    return redirect(
        "backoffice:procedure_setup", org_slug=organisation.slug, project_pk=project_pk, module_pk=module_pk
    )


def _documents_url(organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    return redirect(
        "backoffice:procedure_documents", org_slug=organisation.slug, project_pk=project_pk, module_pk=module_pk
    )


def _error_message(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@backoffice_view()
def procedure_edit(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    """Name and type of the procedure; a type change re-checks every period against the new type's law."""
    procedure = _procedure(organisation, project_pk, module_pk)
    initial = {"name": procedure.module.name, "procedure_type": procedure.procedure_type}
    form = ProcedureChangeForm(request.POST or None, initial=initial)
    ask_confirmation = False
    if request.method == "POST" and form.is_valid():
        try:
            editing.procedure_change(actor=request.user, procedure=procedure, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            ask_confirmation = (
                "procedure_type" in getattr(error, "error_dict", {})
                and form.cleaned_data.get("procedure_type") != procedure.procedure_type
            )
        else:
            messages.success(request, _("Bezeichnung und Verfahrensart sind gespeichert."))
            return _setup_url(organisation, project_pk, module_pk)
    return _render(request, "procedure_edit", organisation, procedure, form=form, ask_confirmation=ask_confirmation)


@backoffice_view()
def round_edit(
    request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int, round_pk: int
) -> HttpResponse:
    procedure = _procedure(organisation, project_pk, module_pk)
    round_ = get_object_or_404(Round, procedure=procedure, pk=round_pk)
    round_.procedure = procedure
    form = RoundForm(request.POST if request.POST.get("action") == "change" else None, initial={"kind": round_.kind})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "delete":
                editing.round_delete(actor=request.user, round=round_)
                messages.success(request, _("Der Durchgang ist gelöscht."))
                return _setup_url(organisation, project_pk, module_pk)
            if form.is_valid():
                editing.round_change(actor=request.user, round=round_, kind=form.cleaned_data["kind"])
                messages.success(request, _("Der Durchgang ist gespeichert."))
                return _setup_url(organisation, project_pk, module_pk)
        except ValidationError as error:
            if request.POST.get("action") == "delete":
                _error_message(request, error)
            else:
                add_service_errors(form, error)
    return _render(request, "round_edit", organisation, procedure, round=round_, form=form,
                   has_tracks=round_.tracks.exists())  # fmt: skip


@backoffice_view()
def track_edit(
    request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int, track_pk: int
) -> HttpResponse:
    """Change, re-announce or delete one period."""
    procedure = _procedure(organisation, project_pk, module_pk)
    track = get_object_or_404(Track.objects.with_phase(), round__procedure=procedure, pk=track_pk)
    track.round.procedure = procedure
    action = request.POST.get("action")
    initial = {"first_day": timezone.localtime(track.start).date(), "last_day": track.last_day,
               "announced_at": track.announced_at, "override_reason": track.period_override_reason}  # fmt: skip
    form = TrackChangeForm(request.POST if action == "change" else None, initial=initial)
    announce_form = AnnounceForm(request.POST if action == "announce" else None)
    assurance_form = TrackAssuranceForm(request.POST if action == "assurance" else None,
                                        initial={"min_assurance_level": track.min_assurance_level})  # fmt: skip
    if request.method == "POST":
        try:
            if action == "assurance" and assurance_form.is_valid():
                editing.track_assurance_change(actor=request.user, track=track, **assurance_form.cleaned_data)
                messages.success(request, _("Die nötige Anmeldung ist gespeichert."))
                return redirect(request.path)
            if action == "delete":
                editing.track_delete(actor=request.user, track=track)
                messages.success(request, _("Die Frist ist gelöscht."))
                return _setup_url(organisation, project_pk, module_pk)
            if action == "announce" and announce_form.is_valid():
                editing.track_announce(actor=request.user, track=track, **announce_form.cleaned_data)
                messages.success(request, _("Die neue Bekanntmachung ist vermerkt."))
                return redirect(request.path)
            if action == "change" and form.is_valid():
                change = editing.track_change(actor=request.user, track=track, **form.cleaned_data)
                messages.success(request, _("Die Frist ist gespeichert."))
                if change.notified:
                    messages.info(request, ngettext(
                        "%(count)s Person mit einem Entwurf wurde über die Verlängerung informiert.",
                        "%(count)s Personen mit einem Entwurf wurden über die Verlängerung informiert.",
                        change.notified) % {"count": change.notified})  # fmt: skip
                if change.reannouncement_due:
                    messages.warning(request, _("Die geänderte Frist muss neu bekannt gemacht werden. Vermerken Sie "
                                                "die Bekanntmachung, sobald sie erfolgt ist."))  # fmt: skip
                return redirect(request.path)
        except ValidationError as error:
            if action == "delete":
                _error_message(request, error)
            else:
                target = {"announce": announce_form, "assurance": assurance_form}.get(action or "", form)
                add_service_errors(target, error)
    return _render(request, "track_edit", organisation, procedure, track=track, form=form,
                   announce_form=announce_form, assurance_form=assurance_form, dependants=editing.track_dependants(track))  # fmt: skip


@backoffice_view()
def document_edit(
    request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int, document_pk: int
) -> HttpResponse:
    """One document: replace it with a new version, withdraw it, delete it, reorder its sections."""
    procedure = _procedure(organisation, project_pk, module_pk)
    document = get_object_or_404(
        Document.objects.select_related("track__phase", "track__round", "superseded_by"), procedure=procedure,
        pk=document_pk,
    )  # fmt: skip
    document.procedure = procedure
    document.track.round.procedure = procedure
    action = request.POST.get("action")
    replace_form = ReplaceDocumentForm(
        request.POST if action == "replace" else None, request.FILES if action == "replace" else None,
        initial={"title": document.title, "text_alternative": document.text_alternative,
                 "sections": "\n".join(str(section) for section in document.sections.all())},
    )  # fmt: skip
    needs_reason = services.replacement_needs_reason(document)
    if needs_reason:  # the service insists; the label must not call it optional
        replace_form.fields["change_note"].mandatory_on_submit = True  # type: ignore[attr-defined]
    withdraw_form = ReasonForm(request.POST if action == "withdraw" else None, prefix="withdraw")
    if request.method == "POST":
        try:
            if action == "delete":
                editing.document_delete(actor=request.user, document=document)
                messages.success(request, _("Die Unterlage ist gelöscht."))
                return _documents_url(organisation, project_pk, module_pk)
            if action == "section_move":
                section = get_object_or_404(DocumentSection, document=document, pk=posted_id(request.POST, "section"))
                section.document = document
                editing.section_move(actor=request.user, section=section, direction=request.POST.get("direction", ""))
                return redirect(f"{request.path}#abschnitte")
            if action == "withdraw" and withdraw_form.is_valid():
                editing.document_withdraw(actor=request.user, document=document, **withdraw_form.cleaned_data)
                messages.success(request, _("Die Unterlage ist zurückgezogen. Sie bleibt mit der Begründung abrufbar."))
                return _documents_url(organisation, project_pk, module_pk)
            if action == "replace" and replace_form.is_valid():
                new = services.document_add(actor=request.user, procedure=procedure, track=document.track,
                                            kind=document.kind, replaces=document, **replace_form.cleaned_data)  # fmt: skip
                messages.success(request, _("Die %(version)s. Fassung ist hochgeladen; die bisherige Fassung bleibt "
                                            "abrufbar.") % {"version": new.version})  # fmt: skip
                return _documents_url(organisation, project_pk, module_pk)
        except ValidationError as error:
            if action in ("delete", "section_move"):
                _error_message(request, error)
            else:
                add_service_errors(withdraw_form if action == "withdraw" else replace_form, error)
    return _render(request, "document_edit", organisation, procedure, document=document, replace_form=replace_form,
                   withdraw_form=withdraw_form, sections=document.sections.all(),
                   needs_reason=needs_reason)  # fmt: skip


@backoffice_view()
def results_publish(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    """The explicit publication of the Abwägung, with a confirmation; it can be taken back with a reason."""
    procedure = _procedure(organisation, project_pk, module_pk)
    action = request.POST.get("action")
    form = PublishResultsForm(request.POST if action == "publish" else None)
    unpublish_form = ReasonForm(request.POST if action == "unpublish" else None, prefix="unpublish")
    if request.method == "POST":
        try:
            if action == "publish" and form.is_valid():
                editing.results_publish(actor=request.user, procedure=procedure)
                messages.success(request, _("Das Ergebnis der Abwägung ist veröffentlicht."))
                return redirect(request.path)
            if action == "unpublish" and unpublish_form.is_valid():
                editing.results_unpublish(actor=request.user, procedure=procedure, **unpublish_form.cleaned_data)
                messages.success(request, _("Die Veröffentlichung ist zurückgenommen."))
                return redirect(request.path)
        except ValidationError as error:
            add_service_errors(unpublish_form if action == "unpublish" else form, error)
    from .models import Segment, StatementStatus

    released = Segment.objects.filter(statement__procedure=procedure, status=StatementStatus.RELEASED).count()
    return _render(request, "results_publish", organisation, procedure, form=form, unpublish_form=unpublish_form,
                   problems=editing.results_publish_problems(procedure), released=released)  # fmt: skip
