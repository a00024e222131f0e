"""The organisation's events in the back office: list, set-up, series, registrations, check-in, lists.

Every view is wrapped in ``backoffice_view`` (404 for anyone who is not the organisation's staff) and fetches
its event relative to the organisation, so a foreign id is a 404 even under one's own slug. Writes are services
(``services/setup.py``, ``services/checkin.py``); these views only parse, call and redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core.exports import XLSX_TYPE
from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.ids import posted_id
from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation

from . import lists
from .backoffice_forms import (
    CapacityForm,
    CheckinSearchForm,
    EventFilterForm,
    EventForm,
    MessageForm,
    QuestionForm,
    ReasonForm,
    SeriesForm,
)
from .models import INTERPRETING, CapacityCategory, Event, Question, Registration, RegistrationStatus, Series
from .services import checkin as checkin_service
from .services import setup

PAGE_SIZE = 25
REGISTRATIONS_PAGE_SIZE = 100
CHECKIN_RESULTS = 30


def _event(organisation: Organisation, event_pk: int) -> Event:
    return get_object_or_404(
        Event.objects.select_related("organisation", "category", "project", "series"),
        organisation=organisation, pk=event_pk,
    )  # fmt: skip


def _context(organisation: Organisation, event: Event | None = None, tab: str = "", **extra: Any) -> dict[str, Any]:
    return {"organisation": organisation, "section": "events", "event": event, "tab": tab, **extra}


def _event_url(name: str, event: Event) -> str:
    return reverse(f"backoffice:{name}", kwargs={"org_slug": event.organisation.slug, "event_pk": event.pk})


# --- list -------------------------------------------------------------------------------------------------------


def filtered_events(organisation: Organisation, form: EventFilterForm) -> QuerySet[Event]:
    events = Event.objects.filter(organisation=organisation).select_related("category")
    data = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    when = data.get("when", "")
    if when == "past":
        events = events.filter(end__lt=now).order_by("-start", "-pk")
    elif when == "all":
        events = events.order_by("-start", "-pk")
    else:
        events = events.filter(end__gte=now).order_by("start", "pk")
    if data.get("status"):
        events = events.filter(status=data["status"])
    if data.get("category"):
        events = events.filter(category=data["category"])
    query = (data.get("q") or "").strip()
    if query:
        events = events.filter(Q(title__icontains=query) | Q(venue_name__icontains=query) | Q(address__icontains=query))
    registrations = Registration.objects.filter(event=OuterRef("pk"))
    if data.get("pending"):
        events = events.filter(Exists(registrations.filter(status=RegistrationStatus.PENDING)))
    if data.get("interpreting"):
        events = events.filter(Exists(registrations.filter(INTERPRETING)))
    return events


@backoffice_view()
def events(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """Queries do not grow with the events: count, page (with its places), one GROUP BY for the counts."""
    form = EventFilterForm(request.GET or None)
    places = (
        CapacityCategory.objects.filter(event=OuterRef("pk")).order_by().values("event")
        .annotate(total=Sum("capacity")).values("total")
    )  # fmt: skip
    events = filtered_events(organisation, form).annotate(places_total=Subquery(places))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("seite"))
    rows = list(page.object_list)
    counts = lists.attendance(rows)
    query = request.GET.copy()
    query.pop("seite", None)
    return render(request, "events/backoffice/list.html", _context(
        organisation, form=form, page=page, query=query.urlencode(),
        rows=[(event, counts[event.pk], event.places_total) for event in rows],
    ))  # fmt: skip


# --- create, edit, status ---------------------------------------------------------------------------------------


def _event_form_page(request: HttpRequest, organisation: Organisation, event: Event | None) -> HttpResponse:
    form = EventForm(request.POST or None, instance=event, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            saved = setup.event_save(actor=request.user, organisation=organisation, data=form.service_data(),
                                     event=event)  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if event is None:
                messages.success(request, _("Die Veranstaltung ist als Entwurf angelegt. Legen Sie nun die Plätze "
                                            "fest und veröffentlichen Sie sie."))  # fmt: skip
                return redirect(_event_url("event_capacities", saved))
            messages.success(request, _("Die Änderungen sind gespeichert."))
            return redirect(_event_url("event_detail", saved))
    return render(request, "events/backoffice/form.html", _context(
        organisation, event, "edit", form=form,
    ))  # fmt: skip


@backoffice_view()
def event_create(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    return _event_form_page(request, organisation, None)


@backoffice_view()
def event_edit(request: HttpRequest, organisation: Organisation, event_pk: int) -> HttpResponse:
    return _event_form_page(request, organisation, _event(organisation, event_pk))


@backoffice_view()
def event_detail(request: HttpRequest, organisation: Organisation, event_pk: int) -> HttpResponse:
    """The overview of one event: facts, places, counts, and the status actions (publish, postpone, cancel)."""
    event = _event(organisation, event_pk)
    action = request.POST.get("action", "")
    reason_form = ReasonForm(request.POST if action in ("postpone", "cancel") else None, prefix=action or None)
    if request.method == "POST":
        try:
            if action == "delete":
                setup.event_delete(actor=request.user, event=event)
                messages.success(request, _("Der Entwurf ist gelöscht."))
                return redirect("backoffice:events", org_slug=organisation.slug)
            if action == "publish" or reason_form.is_valid():
                reason = reason_form.cleaned_data["reason"] if action != "publish" else ""
                setup.event_change_status(actor=request.user, event=event, action=action, reason=reason)
                messages.success(request, {
                    "publish": _("Die Veranstaltung ist veröffentlicht."),
                    "postpone": _("Die Veranstaltung ist als verschoben markiert; die Angemeldeten werden informiert."),
                    "cancel": _("Die Veranstaltung ist abgesagt; die Angemeldeten werden informiert."),
                }.get(action, ""))  # fmt: skip
                return redirect(_event_url("event_detail", event))
        except ValidationError as error:
            if action in ("postpone", "cancel"):
                add_service_errors(reason_form, error)
            else:
                messages.error(request, " ".join(error.messages))
    capacities = list(event.capacities.all())
    return render(request, "events/backoffice/detail.html", _context(
        organisation, event, "detail", capacities=capacities, counts=lists.attendance([event])[event.pk],
        postpone_form=reason_form if action == "postpone" else ReasonForm(prefix="postpone"),
        cancel_form=reason_form if action == "cancel" else ReasonForm(prefix="cancel"),
        when=lists.event_when(event), where=lists.event_where(event),
    ))  # fmt: skip


# --- capacities and questions -------------------------------------------------------------------------------------


@backoffice_view()
def event_capacities(request: HttpRequest, organisation: Organisation, event_pk: int) -> HttpResponse:
    event = _event(organisation, event_pk)
    capacities = list(event.capacities.all())
    action = request.POST.get("action", "")
    selected = None
    if request.method == "POST" and action in ("save", "delete"):
        selected = get_object_or_404(CapacityCategory, event=event, pk=posted_id(request.POST, "capacity_pk"))
    forms = {c.pk: CapacityForm(request.POST if selected is not None and selected.pk == c.pk and action == "save"
                                else None, initial={"name": c.name, "capacity": c.capacity}, prefix=f"c{c.pk}")
             for c in capacities}  # fmt: skip
    new_form = CapacityForm(request.POST if action == "add" else None, prefix="new")
    if request.method == "POST":
        form = new_form if action == "add" else forms.get(selected.pk) if selected else None
        try:
            if action == "delete" and selected is not None:
                setup.capacity_delete(actor=request.user, capacity=selected)
                messages.success(request, _("Das Kontingent ist entfernt."))
                return redirect(_event_url("event_capacities", event))
            if form is not None and form.is_valid():
                setup.capacity_save(actor=request.user, event=event, name=form.cleaned_data["name"],
                                    places=form.cleaned_data["capacity"], capacity=selected)  # fmt: skip
                messages.success(request, _("Das Kontingent ist gespeichert."))
                return redirect(_event_url("event_capacities", event))
        except ValidationError as error:
            if form is not None and action != "delete":
                add_service_errors(form, error)
            else:
                messages.error(request, " ".join(error.messages))
    return render(request, "events/backoffice/capacities.html", _context(
        organisation, event, "capacities", rows=[(c, forms[c.pk]) for c in capacities], new_form=new_form,
    ))  # fmt: skip


@backoffice_view()
def event_questions(request: HttpRequest, organisation: Organisation, event_pk: int) -> HttpResponse:
    event = _event(organisation, event_pk)
    questions = list(event.questions.all())
    action = request.POST.get("action", "")
    selected = None
    if request.method == "POST" and action in ("save", "delete"):
        selected = get_object_or_404(Question, event=event, pk=posted_id(request.POST, "question_pk"))
    forms = {q.pk: QuestionForm(request.POST if selected is not None and selected.pk == q.pk and action == "save"
                                else None, initial=QuestionForm.initial_for(q), prefix=f"q{q.pk}")
             for q in questions}  # fmt: skip
    new_form = QuestionForm(request.POST if action == "add" else None, prefix="new")
    if request.method == "POST":
        form = new_form if action == "add" else forms.get(selected.pk) if selected else None
        try:
            if action == "delete" and selected is not None:
                setup.question_delete(actor=request.user, question=selected)
                messages.success(request, _("Die Frage ist gelöscht."))
                return redirect(_event_url("event_questions", event))
            if form is not None and form.is_valid():
                data = form.cleaned_data
                setup.question_save(actor=request.user, event=event, text=data["text"], type=data["type"],
                                    required=data["required"], options=data["options"], question=selected)  # fmt: skip
                messages.success(request, _("Die Frage ist gespeichert."))
                return redirect(_event_url("event_questions", event))
        except ValidationError as error:
            if form is not None and action != "delete":
                add_service_errors(form, error)
            else:
                messages.error(request, " ".join(error.messages))
    return render(request, "events/backoffice/questions.html", _context(
        organisation, event, "questions", rows=[(q, forms[q.pk]) for q in questions], new_form=new_form,
        answered=event.registrations.exclude(answers={}).exists() if questions else False,
    ))  # fmt: skip


# --- series -----------------------------------------------------------------------------------------------------


@backoffice_view()
def event_series(request: HttpRequest, organisation: Organisation, event_pk: int) -> HttpResponse:
    """Repeat this event as a series (it becomes the first date), or show the series it belongs to."""
    event = _event(organisation, event_pk)
    if event.series_id:
        return redirect("backoffice:event_series_detail", org_slug=organisation.slug, series_pk=event.series_id)
    form = SeriesForm(request.POST or None, initial={"frequency": "weekly",
                                                     "weekdays": [timezone.localtime(event.start).weekday()]})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            series = setup.series_create(actor=request.user, event=event, recurrence=form.recurrence())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Die Reihe ist angelegt: %(count)d Termine.") % {"count": series.events.count()}
            )
            return redirect("backoffice:event_series_detail", org_slug=organisation.slug, series_pk=series.pk)
    return render(request, "events/backoffice/series_form.html", _context(
        organisation, event, "series", form=form, when=lists.event_when(event),
    ))  # fmt: skip


@backoffice_view()
def series_detail(request: HttpRequest, organisation: Organisation, series_pk: int) -> HttpResponse:
    series = get_object_or_404(Series, organisation=organisation, pk=series_pk)
    dates = list(series.events.select_related("organisation").order_by("start", "pk"))
    counts = lists.attendance(dates)
    return render(request, "events/backoffice/series.html", _context(
        organisation, series=series, rows=[(event, counts[event.pk]) for event in dates],
        total=lists.total(counts.values()), exdates=sorted(series.exdates),
    ))  # fmt: skip


# --- registrations ----------------------------------------------------------------------------------------------

REGISTRATION_FILTERS = {
    "": (RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING, RegistrationStatus.UNCONFIRMED,
         RegistrationStatus.OFFERED, RegistrationStatus.WAITING),
    "pending": (RegistrationStatus.PENDING,),
    "waiting": (RegistrationStatus.WAITING, RegistrationStatus.OFFERED),
    "cancelled": (RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED, RegistrationStatus.EXPIRED),
}  # fmt: skip


@backoffice_view()
def event_registrations(request: HttpRequest, organisation: Organisation, event_pk: int) -> HttpResponse:
    event = _event(organisation, event_pk)
    if request.method == "POST":
        registration = get_object_or_404(Registration.objects.select_related("event__organisation", "capacity"),
                                         event=event, pk=posted_id(request.POST, "registration_pk"))  # fmt: skip
        action = request.POST.get("action", "")
        try:
            if action == "approve":
                done = setup.registration_approve(actor=request.user, registration=registration)
                text = _("%(name)s ist angemeldet; die Person wird informiert.")
            elif action == "decline":
                done = setup.registration_decline(actor=request.user, registration=registration)
                text = _("Die Anmeldung von %(name)s ist abgelehnt; die Person wird informiert.")
            elif action == "cancel":
                before = registration.status
                done = setup.registration_cancel(actor=request.user, registration=registration).status != before
                text = _("%(name)s ist abgemeldet; die Person wird informiert.")
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if done:
                messages.success(request, text % {"name": registration.name})
            else:
                messages.info(request, _("Nichts geändert: Der Status der Anmeldung hat sich inzwischen geändert."))
        return redirect(request.get_full_path())
    status = request.GET.get("status", "")
    statuses = REGISTRATION_FILTERS.get(status, REGISTRATION_FILTERS[""])
    registrations = (
        event.registrations.filter(status__in=statuses)
        .select_related("capacity")
        .order_by("status", "created_at", "pk")
    )
    page = Paginator(registrations, REGISTRATIONS_PAGE_SIZE).get_page(request.GET.get("seite"))
    questions = list(event.questions.all())
    rows = [(registration, lists.answers_text(questions, registration.answers, "; ")) for registration in page]
    counts = lists.attendance([event])[event.pk]
    return render(request, "events/backoffice/registrations.html", _context(
        organisation, event, "registrations", page=page, rows=rows, counts=counts, status=status,
        query=f"status={status}" if status else "", questions=questions,
    ))  # fmt: skip


@backoffice_view()
def event_message(request: HttpRequest, organisation: Organisation, event_pk: int) -> HttpResponse:
    event = _event(organisation, event_pk)
    form = MessageForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            setup.message_send(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Nachricht wird verschickt."))
            return redirect(_event_url("event_registrations", event))
    return render(request, "events/backoffice/message.html", _context(organisation, event, "registrations", form=form))


@backoffice_view()
def participant_list(
    request: HttpRequest, organisation: Organisation, event_pk: int, file_format: str
) -> HttpResponseBase:
    event = _event(organisation, event_pk)
    name = f"teilnahmeliste-{event.slug}"
    if file_format == "pdf":
        return HttpResponse(lists.participants_pdf(event), content_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{name}.pdf"', "X-Content-Type-Options": "nosniff",
        })  # fmt: skip
    if file_format == "xlsx":
        return FileResponse(lists.participants_xlsx(event), as_attachment=True, filename=f"{name}.xlsx",
                            content_type=XLSX_TYPE)  # fmt: skip
    raise Http404


# --- check-in ---------------------------------------------------------------------------------------------------


def _checked_in_message(result: checkin_service.CheckIn) -> tuple[int, str]:
    name = result.registration.name
    if result.new:
        return messages.SUCCESS, _("%(name)s ist eingecheckt.") % {"name": name}
    at = result.local_time
    return messages.WARNING, _("%(name)s ist bereits eingecheckt um %(time)s Uhr.") % {
        "name": name, "time": at.strftime("%H:%M") if at else ""
    }  # fmt: skip


def _check_in_action(request: HttpRequest, registration: Registration) -> None:
    action = request.POST.get("action", "")
    try:
        if action == "checkin":
            level, text = _checked_in_message(checkin_service.check_in(request.user, registration))
            messages.add_message(request, level, text)
        elif action == "undo":
            if checkin_service.undo_check_in(request.user, registration):
                messages.success(
                    request, _("Der Check-in von %(name)s ist zurückgenommen.") % {"name": registration.name}
                )
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))


@backoffice_view()
def checkin(request: HttpRequest, organisation: Organisation, event_pk: int) -> HttpResponse:
    """The door: search by name (big buttons, phone-sized) or scan the QR code of the confirmation."""
    event = _event(organisation, event_pk)
    if request.method == "POST":
        registration = get_object_or_404(Registration.objects.select_related("event__organisation"), event=event,
                                         pk=posted_id(request.POST, "registration_pk"))  # fmt: skip
        _check_in_action(request, registration)
        query = request.POST.get("q", "")[:100]
        return redirect(_event_url("event_checkin", event) + (f"?q={query}" if query else ""))
    form = CheckinSearchForm(request.GET or None)
    query = form.cleaned_data.get("q", "").strip() if form.is_valid() else ""
    results: list[Registration] = []
    if query:
        results = list(
            event.registrations.filter(Q(name__icontains=query) | Q(email__icontains=query))
            .filter(status__in=(RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING,
                                RegistrationStatus.UNCONFIRMED, RegistrationStatus.OFFERED))
            .select_related("capacity").order_by("name", "pk")[:CHECKIN_RESULTS]
        )  # fmt: skip
    counts = lists.attendance([event])[event.pk]
    response = render(request, "events/backoffice/checkin.html", _context(
        organisation, event, "checkin", form=form, query=query, results=results, counts=counts,
        more=len(results) == CHECKIN_RESULTS, when=lists.event_when(event),
    ))  # fmt: skip
    # The one page that may use the camera (to scan QR codes); the portal's default policy forbids it everywhere.
    response["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=(self)"
    return response


@backoffice_view()
def checkin_person(request: HttpRequest, organisation: Organisation, event_pk: int, manage_token: str) -> HttpResponse:
    """What the QR code opens: the person and one button (GET changes nothing; mail scanners follow links)."""
    event = _event(organisation, event_pk)
    registration = get_object_or_404(Registration.objects.select_related("capacity", "event__organisation"),
                                     event=event, manage_token=manage_token)  # fmt: skip
    if request.method == "POST":
        _check_in_action(request, registration)
        return redirect(request.path)
    checked_in_at = timezone.localtime(registration.checked_in_at) if registration.checked_in_at else None
    return render(request, "events/backoffice/checkin_person.html", _context(
        organisation, event, "checkin", registration=registration, checked_in_at=checked_in_at,
        requests=lists.requests_text(registration), can_check_in=registration.status == RegistrationStatus.CONFIRMED,
        answers=lists.answers_text(list(event.questions.all()), registration.answers, "; "),
    ))  # fmt: skip
