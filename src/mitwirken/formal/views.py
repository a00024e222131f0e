"""Public pages of a formal procedure: announcement, documents, statement form, review, receipt."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.accounts import assurance
from mitwirken.accounts.assurance import requirement_text
from mitwirken.core import geo, maps
from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.ids import posted_id
from mitwirken.core.spam import TYPED_MAIL_REFUSED, typed_address_over_limit
from mitwirken.core.uploads import attachment_disposition
from mitwirken.projects.models import Module, Project

from . import access, services
from .forms import StatementForm
from .models import Document, DocumentSection, LinkedDocument, Statement, Track
from .receipts import receipt_pdf


def _url_kwargs(procedure: Any) -> dict[str, Any]:
    project = procedure.module.project
    return {"org_slug": project.organisation.slug, "project_slug": project.slug, "module_slug": procedure.module.slug}


def procedure_page(request: HttpRequest, project: Project, module: Module) -> HttpResponse:
    """The announcement (Bekanntmachung): schedule, documents once published, preclusion notice."""
    procedure = getattr(module, "procedure", None)
    if procedure is None:
        raise Http404
    procedure.module = module
    now = timezone.now()
    tracks = [
        track for track in Track.objects.with_phase().filter(round__procedure=procedure)
        if request.user.has_perm("formal.view_track", _attach(track, procedure))
    ]  # fmt: skip
    visible_tracks = [t for t in tracks if request.user.has_perm("formal.view_documents", t)]
    documents = (
        Document.objects.current().filter(procedure=procedure, track__in=visible_tracks)
        .select_related("track__phase").prefetch_related("sections")
    )  # fmt: skip
    # Replaced and withdrawn documents stay retrievable: statements may cite them.
    archived = (
        Document.objects.earlier_or_withdrawn().filter(procedure=procedure, track__in=visible_tracks)
        .order_by("title", "-version").only("id", "title", "version", "withdrawn_at", "withdrawal_reason", "created_at")
    )  # fmt: skip
    # The announcement names what will be published and when, before the documents themselves are visible.
    upcoming = (
        Document.objects.current().filter(procedure=procedure, track__in=[t for t in tracks if t not in visible_tracks])
        .select_related("track__phase").only("id", "title", "kind", "track__phase__start")
    )  # fmt: skip
    # Documents an XBeteiligung sender only links to are shown as links with their period's documents.
    linked = LinkedDocument.objects.filter(procedure=procedure, track__in=visible_tracks,
                                           state=LinkedDocument.State.LINKED).exclude(url="").only("title", "url")  # fmt: skip
    return render(request, "formal/procedure.html", {
        "project": project, "organisation": project.organisation, "module": module, "procedure": procedure,
        "upcoming_documents": upcoming, "archived_documents": archived, "linked_documents": linked,
        # Someone whose login is only too weak still gets the link: the form offers the step-up login.
        "tracks": [(t, request.user.has_perm("formal.submit_statement_any_login", t),
                    requirement_text(t.min_assurance_level) if t.min_assurance_level else "") for t in tracks],
        "documents": documents, "now": now,
        "my_statements": Statement.objects.filter(procedure=procedure, author=request.user).select_related("track__round")
        if request.user.is_authenticated else [],
    })  # fmt: skip


def _attach(track: Track, procedure: Any) -> Track:
    track.round.procedure = procedure
    return track


def _closed_or_refused(request: HttpRequest, procedure: Any, track: Track, *, drafting: bool = False
                       ) -> HttpResponse | None:  # fmt: skip
    """After the deadline the period's notice (403); for people who may not submit here, 404.

    Someone who may submit but whose login's trust level is too low gets the step-up page instead, except
    while drafting: the form says which login the submit needs and offers it, and the draft is kept.
    """
    if not track.is_open():
        return render(request, "formal/closed.html", {"procedure": procedure, "track": track,
                      "message": services.deadline_message(track), **_context(procedure)}, status=403)  # fmt: skip
    if not request.user.has_perm("formal.submit_statement_any_login", track):
        raise Http404
    if drafting:
        return None
    if not assurance.meets(request.user, track.min_assurance_level):
        refused = request.method == "POST"
        return _step_up(request, procedure, track, refused=refused)
    if not request.user.has_perm("formal.submit_statement", track):
        raise Http404
    return None


def _step_up(request: HttpRequest, procedure: Any, track: Track, *, refused: bool, back_to: str = "") -> HttpResponse:
    """The login is all that is missing: say so, and offer BundID with the level, back to the statement form.

    A refused POST (403) saved nothing; the draft saved earlier stays and is shown again after the login.
    """
    form_url = back_to or reverse("formal:statement", kwargs={**_url_kwargs(procedure), "track_pk": track.pk})
    if request.headers.get("HX-Request"):
        return HttpResponse(services.login_too_weak_message(track.min_assurance_level), status=403)
    return render(request, "formal/step_up.html", {
        "procedure": procedure, "track": track, "next_url": form_url, "refused": refused,
        "message": services.login_too_weak_message(track.min_assurance_level) if refused else "",
        **_context(procedure)}, status=403 if refused else 200)  # fmt: skip


def document_download(
    request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, document_pk: int
) -> HttpResponseBase:
    procedure = access.procedure_for_viewer(request.user, org_slug, project_slug, module_slug)
    document = access.document_for_viewer(request.user, procedure, document_pk)
    from mitwirken.core.uploads import serve_upload

    extension = document.file.name.rsplit(".", 1)[-1]
    # FileResponse streams in chunks: plan documents of hundreds of MB never sit in memory.
    return serve_upload(document.file, document.content_type, inline=False,
                        download_name=f"{document.title} ({document.version}. Fassung).{extension}")  # fmt: skip


def _open_track(
    request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, track_pk: int
) -> tuple[Any, Track]:
    procedure = access.procedure_for_viewer(request.user, org_slug, project_slug, module_slug)
    return procedure, access.track_for_viewer(request.user, procedure, track_pk)


def statement_form(
    request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, track_pk: int
) -> HttpResponse:
    procedure, track = _open_track(request, org_slug, project_slug, module_slug, track_pk)
    if not request.user.is_authenticated:  # checked after the lookup, so protected projects stay 404
        return redirect_to_login(request.get_full_path())
    closed = _closed_or_refused(request, procedure, track, drafting=True)
    if closed is not None:
        return closed
    draft = services.draft_for(user=request.user, track=track)
    limit = settings.MITWIRKEN_MAX_ATTACHMENT_BYTES
    form = StatementForm(request.POST or None, request.FILES or None, procedure=procedure, max_attachment_bytes=limit,
                         initial={**draft.data})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "attachments"}
        data["section"] = data["section"].pk if data.get("section") else None
        try:
            # Autosave (htmx) stores the text only; files are added by the explicit buttons.
            uploads = [] if request.headers.get("HX-Request") else form.cleaned_data["attachments"]
            services.draft_save(user=request.user, track=track, data=data, uploads=uploads)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.headers.get("HX-Request"):
                return HttpResponse(
                    _("Entwurf gespeichert um %(time)s Uhr.") % {"time": timezone.localtime().strftime("%H:%M")}
                )
            if request.POST.get("action") == "save":
                messages.success(request, _("Ihr Entwurf ist gespeichert. Sie können später weiterschreiben."))
                return redirect(request.path)
            return redirect("formal:review", **_context(procedure)["url_kwargs"], track_pk=track.pk)
    return render(request, "formal/statement_form.html", {
        "procedure": procedure, "track": track, "form": form, "draft": draft, "attachments": draft.attachments.all(),
        "map_center": _map_center(procedure), "map_area": _map_area(procedure), **_context(procedure)})  # fmt: skip


def _map_area(procedure: Any) -> dict[str, Any]:
    """The outline the drawing map starts on: the project's place, or the organisation's area."""
    project = procedure.module.project
    location = project.location if (project.location or {}).get("type") in geo.AREA_TYPES else None
    return maps.area_collection(location or project.organisation.boundary)


def _map_center(procedure: Any) -> tuple[float, float]:
    """Centre of the organisation's area (lon, lat), or of the demo region if it has none."""
    organisation = procedure.module.project.organisation
    if organisation.bbox_min_lon is not None:
        return (
            (organisation.bbox_min_lon + organisation.bbox_max_lon) / 2,
            (organisation.bbox_min_lat + organisation.bbox_max_lat) / 2,
        )
    return (7.60, 49.99)


def _context(procedure: Any) -> dict[str, Any]:
    project = procedure.module.project
    return {
        "project": project,
        "organisation": project.organisation,
        "module": procedure.module,
        "url_kwargs": _url_kwargs(procedure),
    }


def statement_review(
    request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, track_pk: int
) -> HttpResponse:
    procedure, track = _open_track(request, org_slug, project_slug, module_slug, track_pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        key = request.POST.get("submission_key", "")
        try:
            if request.POST.get("action") == "hand_over":
                services.draft_hand_over(user=request.user, track=track, submission_key=key)
                messages.success(request, _("Ihr Entwurf liegt jetzt Ihrer Koordination zur Freigabe vor."))
                return redirect(procedure.module.project.get_absolute_url())
            statement = services.statement_submit(user=request.user, track=track, submission_key=key)
        except IntegrityError:
            # The same key committed by a concurrent request: that statement is the answer.
            statement = Statement.objects.get(submission_key=key, author=request.user)
        except services.LoginTooWeak:
            return _step_up(request, procedure, track, refused=True)
        except (ValidationError, PermissionDenied) as error:
            message = " ".join(getattr(error, "messages", [_("Die Stellungnahme konnte nicht abgegeben werden.")]))
            messages.error(request, message)
            if not track.is_open():
                return render(request, "formal/closed.html", {"procedure": procedure, "track": track,
                              "message": services.deadline_message(track), **_context(procedure)}, status=403)  # fmt: skip
            return redirect("formal:statement", **_url_kwargs(procedure), track_pk=track.pk)
        return redirect("formal:receipt", **_url_kwargs(procedure), reference=statement.reference)
    closed = _closed_or_refused(request, procedure, track)
    if closed is not None:
        return closed
    draft = services.draft_for(user=request.user, track=track)
    errors = services.validate_draft(draft, procedure)
    section = None
    if draft.value("section"):
        section = (
            DocumentSection.objects.filter(pk=draft.value("section"), document__procedure=procedure)
            .select_related("document").first()
        )  # fmt: skip
    needs_release = track.audience == "agency" and not services.is_agency_coordinator(request.user, track)
    return render(request, "formal/review.html", {
        "procedure": procedure, "track": track, "draft": draft, "errors": errors, "section": section,
        "needs_release": needs_release,
        "attachments": draft.attachments.all(), **_context(procedure)})  # fmt: skip


def receipt(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, reference: str) -> HttpResponse:
    procedure = access.procedure_for_viewer(request.user, org_slug, project_slug, module_slug)
    statement = access.statement_for_viewer(request.user, procedure, reference)
    return render(request, "formal/receipt.html", {"procedure": procedure, "statement": statement,
                  "attachments": statement.attachments.all(), **_context(procedure)})  # fmt: skip


def receipt_download(
    request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, reference: str
) -> HttpResponse:
    procedure = access.procedure_for_viewer(request.user, org_slug, project_slug, module_slug)
    statement = access.statement_for_viewer(request.user, procedure, reference)
    response = HttpResponse(receipt_pdf(statement), content_type="application/pdf")
    response["Content-Disposition"] = attachment_disposition(f"eingangsbestaetigung-{statement.reference}.pdf")
    return response


def receipt_attachment(
    request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, reference: str, attachment_pk: int
) -> HttpResponseBase:
    """An attachment of a submitted statement, for whoever may read the statement (its author, the staff)."""
    from mitwirken.core.uploads import serve_upload

    procedure = access.procedure_for_viewer(request.user, org_slug, project_slug, module_slug)
    statement = access.statement_for_viewer(request.user, procedure, reference)
    item = get_object_or_404(statement.attachments.all(), pk=attachment_pk)
    return serve_upload(item.file, item.content_type, download_name=item.name, inline=False)


def statement_url(statement: Statement) -> str:
    procedure = statement.procedure
    return reverse("formal:receipt", kwargs={**_url_kwargs(procedure), "reference": statement.reference})


def public_results(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str) -> HttpResponse:
    """The anonymised Abwägung, once staff published it and no period runs: released segments only.

    Names appear only where the submitter consented. A mass objection (statements grouped under a lead)
    appears once, with the number of people who raised it.
    """
    from django.core.paginator import Paginator
    from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
    from django.db.models.functions import Coalesce

    from .editing import results_visible
    from .exports import public_author
    from .models import CoSigner, Segment, StatementStatus

    procedure = access.procedure_for_viewer(request.user, org_slug, project_slug, module_slug)
    if not results_visible(procedure):
        return render(request, "formal/results.html", {"procedure": procedure, "page": None, "entries": [],
                      "published": False, **_context(procedure)})  # fmt: skip

    members = (
        Statement.objects.filter(lead=OuterRef("pk")).order_by().values("lead").annotate(c=Count("pk")).values("c")
    )
    own_cosigners = (
        CoSigner.objects.filter(statement=OuterRef("pk"))
        .order_by()
        .values("statement")
        .annotate(c=Count("pk"))
        .values("c")
    )
    member_cosigners = (
        CoSigner.objects.filter(statement__lead=OuterRef("pk")).order_by().values("statement__lead")
        .annotate(c=Count("pk")).values("c")
    )  # fmt: skip
    released = Segment.objects.filter(status=StatementStatus.RELEASED).order_by("number")
    statements = (
        Statement.objects.filter(procedure=procedure, lead__isnull=True, segments__status=StatementStatus.RELEASED)
        .distinct().order_by("reference")
        .only("id", "reference", "author_name", "publish_name", "procedure_id")
        .annotate(
            member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0),
            cosigner_count=Coalesce(Subquery(own_cosigners, output_field=IntegerField()), 0)
            + Coalesce(Subquery(member_cosigners, output_field=IntegerField()), 0),
        )
        .prefetch_related(Prefetch("segments", queryset=released))
    )  # fmt: skip
    page = Paginator(statements, 50).get_page(request.GET.get("seite"))
    entries = [
        {"author": public_author(statement), "segments": list(statement.segments.all()),
         "signers": 1 + statement.member_count + statement.cosigner_count,  # type: ignore[attr-defined]
         "mass": bool(statement.member_count)}  # type: ignore[attr-defined]
        for statement in page.object_list
    ]  # fmt: skip
    return render(
        request,
        "formal/results.html",
        {"procedure": procedure, "page": page, "entries": entries, "published": True, **_context(procedure)},
    )


def release_list(
    request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, track_pk: int
) -> HttpResponse:
    """The agency coordinator's queue: colleagues' drafts waiting for release."""
    from .models import StatementDraft

    procedure, track = _open_track(request, org_slug, project_slug, module_slug, track_pk)
    if not request.user.is_authenticated or not services.is_agency_coordinator(request.user, track):
        raise Http404
    if request.method == "POST":
        try:
            statement = services.statement_release(
                coordinator=request.user, track=track, draft_pk=posted_id(request.POST, "draft")
            )
        except services.LoginTooWeak:
            return _step_up(request, procedure, track, refused=True, back_to=request.path)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [_("Die Freigabe ist nicht möglich.")])))
        else:
            messages.success(request, _("Freigegeben und eingegangen als %(ref)s.") % {"ref": statement.reference})
            return redirect("formal:receipt", **_url_kwargs(procedure), reference=statement.reference)
    drafts = StatementDraft.objects.filter(
        track=track, agency=services.agency_of(request.user, track), awaiting_release_since__isnull=False
    ).select_related("author")
    return render(
        request,
        "formal/release.html",
        {"procedure": procedure, "track": track, "drafts": drafts, **_context(procedure)},
    )


def cosign(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, token: str) -> HttpResponse:
    """Co-sign an existing statement with one's own name and address (Mitzeichnung)."""
    from django.shortcuts import get_object_or_404

    from .forms import CoSignForm

    procedure = access.procedure_for_viewer(request.user, org_slug, project_slug, module_slug)
    statement = get_object_or_404(Statement.objects.select_related("track__phase", "track__round"), procedure=procedure,
                                  cosign_token=token)  # fmt: skip
    statement.procedure = statement.track.round.procedure = procedure
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("formal.view_track", statement.track):
        raise Http404
    user = request.user
    required = statement.track.min_assurance_level
    form = CoSignForm(request.POST or None, initial={"name": getattr(user, "real_name", ""), "street": getattr(user, "street", ""),
                      "postal_code": getattr(user, "postal_code", ""), "city": getattr(user, "city", "")})  # fmt: skip
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.cosign(user=user, statement=statement, **form.cleaned_data)
        except services.LoginTooWeak as error:
            form.add_error(None, error)
            status = 403
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Sie haben die Stellungnahme %(ref)s mitgezeichnet.") % {"ref": statement.reference}
            )
            return redirect(procedure.module.project.get_absolute_url())
    return render(request, "formal/cosign.html", {"procedure": procedure, "statement": statement, "form": form,
                  "open": statement.track.is_open(), "required": required, **_context(procedure)},
                  status=status)  # fmt: skip


def unregistered_form(
    request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, track_pk: int
) -> HttpResponse:
    """A statement without an account: stored unconfirmed, received when the e-mail link is confirmed."""
    from .forms import UnregisteredStatementForm

    procedure, track = _open_track(request, org_slug, project_slug, module_slug, track_pk)
    if not services.unregistered_allowed(track):
        raise Http404
    if not track.is_open():
        return render(request, "formal/closed.html", {"procedure": procedure, "track": track,
                      "message": services.deadline_message(track), **_context(procedure)}, status=403)  # fmt: skip
    form = UnregisteredStatementForm(request.POST or None, procedure=procedure)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        email = data.pop("email")

        def confirm_url(submission: Any) -> str:
            # The configured address, never the Host header the client sent.
            return settings.SITE_URL.rstrip("/") + reverse(
                "formal:confirm", kwargs={**_url_kwargs(procedure), "token": submission.token}
            )

        if typed_address_over_limit(request, "formal.unregistered", email):
            form.add_error(None, TYPED_MAIL_REFUSED)
        else:
            try:
                services.unregistered_start(track=track, email=email, data=data, confirm_url=confirm_url)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return render(request, "formal/unregistered_sent.html", {"procedure": procedure, "track": track,
                              "email": email, **_context(procedure)})  # fmt: skip
    return render(request, "formal/unregistered_form.html", {"procedure": procedure, "track": track, "form": form,
                  **_context(procedure)})  # fmt: skip


def confirm(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, token: str) -> HttpResponse:
    """GET shows what will happen (mail scanners must not confirm); POST confirms and shows the receipt."""
    from django.shortcuts import get_object_or_404

    from .models import UnregisteredSubmission

    procedure = access.procedure_for_viewer(request.user, org_slug, project_slug, module_slug)
    submission = get_object_or_404(UnregisteredSubmission.objects.select_related("statement"), token=token,
                                   track__round__procedure=procedure)  # fmt: skip
    statement = submission.statement
    error = None
    if request.method == "POST" and statement is None:
        try:
            statement = services.unregistered_confirm(token=str(token))
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if statement is not None and request.GET.get("pdf"):
        response = HttpResponse(receipt_pdf(statement), content_type="application/pdf")
        response["Content-Disposition"] = attachment_disposition(f"eingangsbestaetigung-{statement.reference}.pdf")
        return response
    return render(request, "formal/confirm.html", {"procedure": procedure, "submission": submission, "statement": statement,
                  "error": error, **_context(procedure)}, status=403 if error else 200)  # fmt: skip
