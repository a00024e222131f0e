"""Public event pages: the calendar (list and month), an event's page, registering, and the person's own link
to look at, change, confirm or cancel a registration.

Links sent by e-mail (confirm, accept an offer, cancel) only show a button on GET; the POST acts, so mail
scanners that follow links change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from mitwirken.core import pagecache
from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.spam import TYPED_MAIL_REFUSED, over_limit, typed_address_over_limit
from mitwirken.organisations.models import Organisation

from . import queries
from .forms import CalendarFilterForm, ChangeForm, ConfirmCancelForm, RegistrationForm
from .models import Event, Registration, RegistrationStatus
from .services import details
from .services import registration as service

PAGE_SIZE = 20
SESSION_KEY = "events_registration"


# --- the calendar -----------------------------------------------------------------------------------------------


# Events, with their organisation's name and whether their project is listed.
CALENDAR_SCOPES = ("app:events", "app:organisations", "app:projects")


@require_GET
@pagecache.shared(*CALENDAR_SCOPES)
def calendar(request: HttpRequest) -> HttpResponse:
    return _calendar(request, None)


@require_GET
@pagecache.shared(*CALENDAR_SCOPES)
def org_calendar(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _calendar(request, get_object_or_404(Organisation, slug=org_slug))


def _url(request: HttpRequest, drop: tuple[str, ...] = (), **values: str) -> str:
    """This page's address with some parameters dropped or set (filters kept)."""
    query = request.GET.copy()
    for name in (*drop, *values):
        query.pop(name, None)
    for name, value in values.items():
        query[name] = value
    return "?" + query.urlencode()


def _calendar(request: HttpRequest, organisation: Organisation | None) -> HttpResponse:
    form = CalendarFilterForm(request.GET or None, organisation=organisation)
    filters = form.filters()
    events = Event.objects.public()
    if organisation is not None:
        events = events.filter(organisation=organisation)
    events = queries.filter_calendar(events, filters)
    context: dict[str, Any] = {
        "form": form, "organisation": organisation,
        "filtered": any(value for key, value in filters.items() if key != "radius"),
        "list_url": _url(request, ("ansicht", "monat", "seite")),
        "month_url": _url(request, ("seite",), ansicht="monat"),
    }  # fmt: skip
    if request.GET.get("ansicht") == "monat":
        today = timezone.localdate()
        first = queries.parse_month(request.GET.get("monat"), today)
        month, count = queries.month_of_events(events, first, today)
        context.update({
            "view": "month", "month": month, "count": count, "weekdays": queries.weekdays(),
            "previous_url": _url(request, ("seite",), monat=month.previous.strftime("%Y-%m")),
            "next_url": _url(request, ("seite",), monat=month.next.strftime("%Y-%m")),
            "reset_url": "?" + urlencode({"ansicht": "monat", "monat": first.strftime("%Y-%m")}),
            # "+ K weitere" opens the day in the list view, with the other filters kept.
            "day_query": _url(request, ("ansicht", "monat", "seite", "von", "bis"))[1:],
        })  # fmt: skip
    else:
        if not filters.get("date_from"):
            events = events.upcoming()
        page = queries.calendar_page(events, request.GET.get("seite"), PAGE_SIZE)
        context.update({
            "view": "list", "page": page, "days": queries.group_by_day(page.object_list),
            "query": _url(request, ("seite",))[1:], "reset_url": "?",
        })  # fmt: skip
    return render(request, "events/calendar.html", context)


# --- one event ---------------------------------------------------------------------------------------------------


def _visible_event(request: HttpRequest, org_slug: str, event_slug: str) -> Event:
    """The event for this visitor, or 404 (drafts for the public, protected projects for outsiders)."""
    event = get_object_or_404(
        Event.objects.select_related("organisation", "category", "project__organisation", "series"),
        organisation__slug=org_slug, slug=event_slug,
    )  # fmt: skip
    if not request.user.has_perm("events.view_event", event):
        raise Http404
    return event


def _map_context(event: Event) -> dict[str, Any]:
    if event.lat is None or event.lon is None or event.kind == "online":
        return {}
    return {
        "map_points": [{"lat": event.lat, "lon": event.lon, "title": event.venue_name or event.title,
                        "url": event.get_absolute_url()}],
    }  # fmt: skip


def _event_context(request: HttpRequest, event: Event) -> dict[str, Any]:
    capacities = list(event.capacities.all())
    own = queries.own_registration(request.user, event)
    return {
        "event": event, "organisation": event.organisation, "when": queries.when(event),
        "facts": queries.accessibility_facts(event), "capacities": capacities,
        "series_dates": queries.series_dates(event), "own": own,
        "online": queries.online_link_state(event, own), "registration_open": event.registration_open(),
        "json_ld": mark_safe(queries.json_ld(queries.schema_org(event, request))),
        **_map_context(event),
    }  # fmt: skip


def _registration_form(request: HttpRequest, event: Event, capacities: list[Any], data: Any = None) -> RegistrationForm:
    return RegistrationForm(data, event=event, capacities=capacities, questions=event.questions.all(),
                            user=request.user)  # fmt: skip


@require_GET
def detail(request: HttpRequest, org_slug: str, event_slug: str) -> HttpResponse:
    event = _visible_event(request, org_slug, event_slug)
    context = _event_context(request, event)
    if context["registration_open"] and context["own"] is None and context["capacities"]:
        # Below the event's trust level the page shows the notice with the BundID button instead of the form.
        if request.user.has_perm("events.register_event", event):
            context["form"] = _registration_form(request, event, context["capacities"])
        else:
            context["assurance_missing"] = True
    return render(request, "events/detail.html", context)


def register(request: HttpRequest, org_slug: str, event_slug: str) -> HttpResponse:
    """The registration form on its own page (the event page shows it too and posts here)."""
    event = _visible_event(request, org_slug, event_slug)
    capacities = list(event.capacities.all())
    if not event.registration_open() or not capacities:
        messages.info(request, _closed_reason(event))
        return redirect(event)
    own = queries.own_registration(request.user, event)
    if own is not None:
        messages.info(request, _("Sie sind zu dieser Veranstaltung bereits angemeldet."))
        return redirect("events:manage", token=own.manage_token)
    page = {"event": event, "organisation": event.organisation, "when": queries.when(event)}
    if not request.user.has_perm("events.register_event", event):
        # Open, but the login's trust level is too low: the notice with the way to BundID, nothing saved.
        refusal = service.assurance_refusal(event) if request.method == "POST" else ""
        return render(request, "events/register.html", {**page, "assurance_missing": True, "refusal": refusal},
                      status=403)  # fmt: skip
    form = _registration_form(request, event, capacities, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if over_limit(request, "events.register", per_user="10/m", per_ip="20/m"):
            form.is_valid()
            form.add_error(None, _("Von Ihrem Anschluss kamen in kurzer Zeit sehr viele Anmeldungen. Bitte warten Sie "
                                   "eine Minute."))  # fmt: skip
        elif (
            form.is_valid()
            and not request.user.is_authenticated
            and typed_address_over_limit(request, "events.register", form.cleaned_data["email"])
        ):
            form.add_error(None, TYPED_MAIL_REFUSED)
        elif form.is_valid():
            try:
                registration = service.register(
                    event=event, capacity=form.cleaned_data["capacity"], name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"], user=request.user, **form.extras(),
                )  # fmt: skip
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                request.session[SESSION_KEY] = registration.pk
                return redirect("events:registered", org_slug=org_slug, event_slug=event_slug)
    return render(request, "events/register.html", {**page, "form": form})


def _closed_reason(event: Event) -> str:
    """Why the form is not taken: the event is cancelled, the deadline has passed, or there is no registration."""
    try:
        service.check_open(event)
    except ValidationError as error:
        return " ".join(error.messages)
    return _("Für diese Veranstaltung ist keine Anmeldung (mehr) möglich.")


@require_GET
def registered(request: HttpRequest, org_slug: str, event_slug: str) -> HttpResponse:
    """What happened to the registration just sent: a place, the waiting list, the e-mail link, or approval."""
    event = _visible_event(request, org_slug, event_slug)
    registration = (
        Registration.objects.filter(pk=request.session.get(SESSION_KEY) or 0, event=event)
        .select_related("capacity").first()
    )  # fmt: skip
    if registration is None:
        return redirect(event)
    # The manage link is shown only where the address needs no proof: an account's own registration.
    # Without an account the link comes by e-mail, so that only the owner of the address can confirm.
    own = request.user.is_authenticated and registration.user_id == request.user.pk
    return render(request, "events/registered.html", {
        "event": event, "organisation": event.organisation, "registration": registration, "own": own,
        "position": _waiting_position(registration), "when": queries.when(event),
    })  # fmt: skip


def _waiting_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITING:
        return None
    ahead = Registration.objects.filter(
        capacity_id=registration.capacity_id, status=RegistrationStatus.WAITING, email_confirmed=True
    ).filter(Q(created_at__lt=registration.created_at) | Q(created_at=registration.created_at, pk__lt=registration.pk))
    return ahead.count() + 1


# --- the person's own link ---------------------------------------------------------------------------------------


def _by_token(token: str) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("event__organisation", "event__category", "capacity"), manage_token=token
    )


def _manage_context(registration: Registration) -> dict[str, Any]:
    event = registration.event
    return {
        "registration": registration, "event": event, "organisation": event.organisation, "when": queries.when(event),
        "online": queries.online_link_state(event, registration), "position": _waiting_position(registration),
        "changeable": details.changeable(registration), "answers": _answer_rows(registration),
    }  # fmt: skip


def _answer_rows(registration: Registration) -> list[tuple[str, str]]:
    rows = []
    for question in registration.event.questions.all():
        value = registration.answers.get(question.code)
        if value in (None, "", [], {}):
            continue
        labels = {str(code): str(label) for code, label in (question.options or [])} | {
            "ja": _("Ja"),
            "nein": _("Nein"),
        }
        if isinstance(value, dict):
            codes = value.get("choices") or [value.get("choice")]
            text = ", ".join(labels.get(str(code), str(code)) for code in codes if code)
        else:
            text = labels.get(str(value), str(value)) if question.type in ("yes_no", "single") else str(value)
        rows.append((question.text, text))
    return rows


def manage(request: HttpRequest, token: str) -> HttpResponse:
    registration = _by_token(token)
    event = registration.event
    context = _manage_context(registration)
    form = None
    if context["changeable"]:
        initial = {"companions": str(registration.companions), "sign_language": registration.sign_language,
                   "captioning": registration.captioning}  # fmt: skip
        form = ChangeForm(request.POST if request.method == "POST" else None, initial=initial, event=event,
                          questions=event.questions.all(), answers=registration.answers)  # fmt: skip
        if request.method == "POST" and form.is_valid():
            extras = form.extras()
            try:
                if extras["companions"] != registration.companions:
                    service.change_companions(registration, extras["companions"])
                details.change_details(registration, answers=extras["answers"],
                                       sign_language=extras["sign_language"], captioning=extras["captioning"])  # fmt: skip
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Ihre Änderungen sind gespeichert."))
                return redirect("events:manage", token=token)
    elif request.method == "POST":
        messages.error(request, _("Diese Anmeldung kann nicht mehr geändert werden."))
        return redirect("events:manage", token=token)
    return render(request, "events/manage.html", {**context, "form": form})


def entry_code(request: HttpRequest, token: str) -> HttpResponse:
    """The QR code for the door, also on the registration's page: only for a confirmed place of a coming event."""
    from .services.checkin import qr_png

    registration = _by_token(token)
    if registration.status != RegistrationStatus.CONFIRMED or registration.event.is_cancelled:
        raise Http404
    response = HttpResponse(qr_png(registration), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


def cancel(request: HttpRequest, token: str) -> HttpResponse:
    registration = _by_token(token)
    if registration.status not in (*service.HOLDING, RegistrationStatus.WAITING):
        messages.info(request, _("Diese Anmeldung ist nicht mehr aktiv."))
        return redirect("events:manage", token=token)
    form = ConfirmCancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        service.cancel(registration)
        messages.success(request, _("Sie haben sich abgemeldet. Ihr Platz geht an die nächste Person."))
        return redirect("events:manage", token=token)
    return render(request, "events/cancel.html", {**_manage_context(registration), "form": form})


def _done_message(registration: Registration) -> str:
    status = registration.status
    if status == RegistrationStatus.CONFIRMED:
        return _("Vielen Dank, Ihre Anmeldung ist bestätigt.")
    if status == RegistrationStatus.PENDING:
        return _("Vielen Dank. Ihre Anmeldung wartet jetzt auf die Freigabe durch die Verwaltung.")
    if status == RegistrationStatus.OFFERED:
        return _("Vielen Dank, Ihre E-Mail-Adresse ist bestätigt. Für Sie ist ein Platz frei geworden: Bitte nehmen "
                 "Sie ihn an.")  # fmt: skip
    return _("Vielen Dank, Ihre E-Mail-Adresse ist bestätigt. Sie stehen auf der Warteliste; wird ein Platz frei, "
             "schicken wir Ihnen eine E-Mail.")  # fmt: skip


def _link_action(request: HttpRequest, token: str, *, waiting_for: Callable[[Registration], bool], act: Any,
                 template: str) -> HttpResponse:  # fmt: skip
    """Confirm the e-mail address or accept an offered place: GET shows the button, POST acts."""
    registration = _by_token(token)
    now = timezone.now()
    waiting = waiting_for(registration)
    expired = registration.status == RegistrationStatus.EXPIRED or (
        waiting and registration.expires_at is not None and registration.expires_at <= now
    )
    error = ""
    if request.method == "POST" and waiting:
        try:
            act(registration)
        except ValidationError as problem:
            error = " ".join(problem.messages)
            expired = True
        else:
            messages.success(request, _done_message(registration))
            return redirect("events:manage", token=token)
    elif request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405)
    return render(request, template, {**_manage_context(registration), "expired": expired, "error": error,
                                      "pending": waiting and not expired})  # fmt: skip


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _link_action(request, token, waiting_for=service.needs_email_confirmation, act=service.confirm_email,
                        template="events/confirm.html")  # fmt: skip


def accept_offer(request: HttpRequest, token: str) -> HttpResponse:
    return _link_action(request, token, waiting_for=_offered, act=service.accept_offer,
                        template="events/accept_offer.html")  # fmt: skip


def _offered(registration: Registration) -> bool:
    return registration.status == RegistrationStatus.OFFERED
