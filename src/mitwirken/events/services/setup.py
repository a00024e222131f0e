"""Setting events up (every staff write except check-in): events and their status, series, capacity categories,
registration questions, staff decisions on registrations, messages to participants, and the daily upkeep
(visibility of project events, retention of registrations).

Keyword-only, permission checked again (``events.manage_event``), atomic, audited. Messages go out after the
commit (``transaction.on_commit``), so a rolled-back change tells nobody anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Any

from dateutil import rrule as dr
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mitwirken.core.audit import diff_fields, log_action, snapshot
from mitwirken.core.permissions import require
from mitwirken.core.text import clean_text
from mitwirken.projects.models import AccessMode, Project, ProjectStatus

from ..models import (
    CapacityCategory,
    Event,
    Kind,
    Question,
    Registration,
    RegistrationMode,
    Series,
    Status,
    new_manage_token,
)
from . import messaging
from . import registration as registration_service

# What the event form edits (the organisation, status, series and counters are the services').
EVENT_FIELDS = [
    "title", "slug", "description", "project", "category", "start", "end", "kind", "online_url",
    "online_link_minutes", "venue_name", "address", "room", "lat", "lon", "step_free", "accessible_toilet",
    "hearing_loop", "sign_language_on_request", "captioning_on_request", "registration", "registration_deadline",
    "max_companions", "hold_minutes", "offer_hours", "reminder_minutes", "min_assurance_level",
]  # fmt: skip
# Changes registered people must hear about (and their calendars must pick up: SEQUENCE is raised).
NOTIFY_FIELDS = ["start", "end", "kind", "online_url", "venue_name", "address", "room", "lat", "lon"]
AUDIT_FIELDS = [name for name in EVENT_FIELDS if name not in ("project", "category")] + ["project_id", "category_id"]

MAX_SERIES_DATES = 200
MAX_OPTIONS = 50
ANONYMISED_DOMAIN = "anonymisiert.invalid"
QUESTION_TYPES = [
    ("short_text", gettext_lazy("Kurzer Text")),
    ("long_text", gettext_lazy("Längerer Text")),
    ("single", gettext_lazy("Auswahl: eine Antwort")),
    ("multiple", gettext_lazy("Auswahl: mehrere Antworten")),
    ("yes_no", gettext_lazy("Ja oder Nein")),
]
CHOICE_TYPES = ("single", "multiple")
GERMAN_LETTERS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def _audit(actor: Any, action: str, obj: Any, organisation: Any, changes: dict[str, Any] | None = None) -> None:
    log_action(actor=actor, action=action, obj=obj, organisation=organisation, changes=changes)


def german_slug(text: str, max_length: int = 70) -> str:
    return slugify(text.translate(GERMAN_LETTERS))[:max_length].strip("-")


# --- visibility of events in projects -------------------------------------------------------------------------


def project_is_visible(project: Project | None) -> bool:
    """An event in a draft or protected project stays out of public lists (``Event.project_visible``)."""
    return project is None or (project.status != ProjectStatus.DRAFT and project.access != AccessMode.PROTECTED)


def refresh_project_visibility(project: Project) -> int:
    """Set ``project_visible`` of the project's events after its status or access changed; the rows changed."""
    visible = project_is_visible(project)
    return Event.objects.filter(project=project).exclude(project_visible=visible).update(project_visible=visible)


def refresh_all_project_visibility() -> int:
    """The daily safety net: the projects app cannot call into a module when a project changes (two queries)."""
    hidden = Q(project__status=ProjectStatus.DRAFT) | Q(project__access=AccessMode.PROTECTED)
    changed = Event.objects.filter(hidden, project_visible=True).update(project_visible=False)
    return changed + Event.objects.filter(project__isnull=False, project_visible=False).exclude(hidden).update(
        project_visible=True
    )


# --- events -----------------------------------------------------------------------------------------------------


def unique_slug(organisation: Any, text: str, *, exclude_pk: int | None = None) -> str:
    base = german_slug(text) or "veranstaltung"
    others = Event.objects.filter(organisation=organisation, slug__startswith=base)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    taken = set(others.values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _check_event(event: Event) -> None:
    errors: dict[str, str] = {}
    if not clean_text(event.title):
        errors["title"] = _("Bitte geben Sie einen Titel an.")
    if event.start and event.end and event.end <= event.start:
        errors["end"] = _("Das Ende muss nach dem Beginn liegen.")
    if event.kind in (Kind.ONLINE, Kind.HYBRID) and not event.online_url:
        errors["online_url"] = _("Bitte geben Sie den Link zur Online-Teilnahme an.")
    if event.kind in (Kind.IN_PERSON, Kind.HYBRID) and not (event.venue_name or event.address):
        errors["venue_name"] = _("Bitte geben Sie den Ort oder die Adresse an.")
    if (event.lat is None) != (event.lon is None):
        errors["lat"] = _("Bitte geben Sie Breite und Länge an, oder keines von beiden.")
    if event.registration_deadline and event.start and event.registration_deadline > event.start:
        errors["registration_deadline"] = _("Der Anmeldeschluss muss vor dem Beginn liegen.")
    if errors:
        raise ValidationError(errors)


def event_save(*, actor: Any, organisation: Any, data: Mapping[str, Any], event: Event | None = None) -> Event:
    """Create or change an event. A slug left empty comes from the title (unique in the organisation).

    A change of time or place of a published (or postponed) event raises ``Event.sequence`` and tells the
    registered people through ``messaging.event_changed(event, changes)`` (``changes``: field → [old, new])."""
    creating = event is None
    event = event or Event(organisation=organisation)
    require(actor, "events.manage_event", event)
    if event.organisation_id != organisation.pk:
        raise ValidationError(_("Diese Veranstaltung gehört zu einer anderen Organisation."))
    project = data.get("project")
    if project is not None and project.organisation_id != organisation.pk:
        raise ValidationError({"project": _("Bitte wählen Sie eines der Projekte Ihrer Organisation.")})
    before = snapshot(event, AUDIT_FIELDS)
    notify_before = snapshot(event, NOTIFY_FIELDS)
    for name in EVENT_FIELDS:
        if name in data and name != "slug":
            setattr(event, name, data[name])
    event.title = clean_text(event.title)
    slug = german_slug(data.get("slug") or "", 80)
    if slug:
        if Event.objects.filter(organisation=organisation, slug=slug).exclude(pk=event.pk).exists():
            raise ValidationError({"slug": _("Diese Kurzbezeichnung hat schon eine andere Veranstaltung.")})
        event.slug = slug
    elif not event.slug:
        event.slug = unique_slug(organisation, event.title, exclude_pk=event.pk)
    _check_event(event)
    event.project_visible = project_is_visible(event.project)
    changes = {} if creating else {k: [notify_before[k], getattr(event, k)] for k in NOTIFY_FIELDS
                                   if notify_before[k] != getattr(event, k)}  # fmt: skip
    notify = bool(changes) and event.status in (Status.PUBLISHED, Status.POSTPONED)
    with transaction.atomic():
        event.full_clean()
        event.save()
        _audit(actor, "events.event_create" if creating else "events.event_change", event, organisation,
               diff_fields(event, before, AUDIT_FIELDS))  # fmt: skip
        if notify:
            # Raises the iCalendar SEQUENCE and picks the people now; the e-mails go after commit.
            messaging.event_changed(event, changes)
    return event


def event_delete(*, actor: Any, event: Event) -> None:
    """Drafts without registrations can go; everything else is cancelled instead (people were told about it)."""
    require(actor, "events.manage_event", event)
    if event.status != Status.DRAFT or event.registrations.exists():
        raise ValidationError(_(
            "Nur Entwürfe ohne Anmeldungen können gelöscht werden. Sagen Sie die Veranstaltung stattdessen ab."
        ))  # fmt: skip
    with transaction.atomic():
        _audit(actor, "events.event_delete", event, event.organisation, {"title": event.title})
        event.delete()


def event_change_status(*, actor: Any, event: Event, action: str, reason: str = "") -> Event:
    """Publish, postpone (reason) or cancel (reason); a cancelled date of a series joins ``Series.exdates``."""
    require(actor, "events.manage_event", event)
    reason = clean_text(reason)
    old = event.status
    if action == "publish":
        if old not in (Status.DRAFT, Status.POSTPONED):
            raise ValidationError(_("Nur Entwürfe und verschobene Veranstaltungen können veröffentlicht werden."))
        if event.registration != RegistrationMode.OFF and not event.capacities.exists():
            raise ValidationError(_("Für die Anmeldung fehlt ein Platzkontingent. Bitte legen Sie eines an."))
        new, reason = Status.PUBLISHED, ""
    elif action in ("postpone", "cancel"):
        if old not in (Status.PUBLISHED, Status.POSTPONED) or (action == "postpone" and old == Status.POSTPONED):
            raise ValidationError(
                _("Nur veröffentlichte Veranstaltungen können verschoben werden.") if action == "postpone"
                else _("Nur veröffentlichte oder verschobene Veranstaltungen können abgesagt werden. Einen Entwurf "
                       "können Sie löschen.")
            )  # fmt: skip
        if not reason:
            raise ValidationError({"reason": _("Bitte geben Sie den Grund an; er wird veröffentlicht.")})
        new = Status.CANCELLED if action == "cancel" else Status.POSTPONED
    else:
        raise ValidationError(_("Diese Aktion gibt es nicht."))
    with transaction.atomic():
        event.status, event.status_reason = new, reason
        event.save(update_fields=["status", "status_reason", "updated_at"])
        if new == Status.CANCELLED and event.series_id:
            series = Series.objects.select_for_update().get(pk=event.series_id)
            day = timezone.localtime(event.start).date().isoformat()
            if day not in series.exdates:
                series.exdates = sorted([*series.exdates, day])
                series.save(update_fields=["exdates"])
        _audit(actor, f"events.event_{action}", event, event.organisation, {"status": [old, new], "reason": reason})
        # Both raise the iCalendar SEQUENCE and pick the people now; the e-mails go after commit.
        if new == Status.CANCELLED:
            messaging.event_cancelled(event)
        elif old != Status.DRAFT:
            messaging.event_changed(event, {"status": [old, new]})
    if old == Status.POSTPONED and new == Status.PUBLISHED:
        # Places freed while the event was postponed were offered to nobody (offers need a published event).
        for capacity in event.capacities.all():
            registration_service.promote(capacity)
    return event


# --- capacity categories ----------------------------------------------------------------------------------------


def capacity_save(
    *, actor: Any, event: Event, name: str, places: int, capacity: CapacityCategory | None = None
) -> CapacityCategory:
    """Add or change a category. Never below the places already taken (a conditional UPDATE, so a registration
    arriving meanwhile cannot slip under it); more places go to the waiting list at once."""
    require(actor, "events.manage_event", event)
    name = clean_text(name)
    errors = {}
    if not name or len(name) > 80:
        errors["name"] = _("Bitte geben Sie einen Namen an (höchstens 80 Zeichen).")
    if places is None or places < 0:
        errors["capacity"] = _("Bitte geben Sie die Zahl der Plätze an (0 oder mehr).")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if capacity is None:
            position = (event.capacities.aggregate(last=Max("position"))["last"] or 0) + 1
            capacity = CapacityCategory.objects.create(event=event, name=name, capacity=places, position=position)
            _audit(actor, "events.capacity_add", capacity, event.organisation, {"name": name, "capacity": places})
            return capacity
        if capacity.event_id != event.pk:
            raise ValidationError(_("Dieses Kontingent gehört zu einer anderen Veranstaltung."))
        old = capacity.capacity
        if not CapacityCategory.objects.filter(pk=capacity.pk, taken__lte=places).update(name=name, capacity=places):
            capacity.refresh_from_db()
            raise ValidationError({"capacity": _(
                "In diesem Kontingent sind schon %(taken)d Plätze vergeben (angemeldet, reserviert oder angeboten). "
                "Es kann nicht weniger Plätze haben."
            ) % {"taken": capacity.taken}})  # fmt: skip
        capacity.refresh_from_db()
        _audit(actor, "events.capacity_change", capacity, event.organisation, {"capacity": [old, places]})
    if places > old:
        registration_service.promote(capacity)
    return capacity


def capacity_delete(*, actor: Any, capacity: CapacityCategory) -> None:
    event = capacity.event
    require(actor, "events.manage_event", event)
    if capacity.registrations.exists():
        raise ValidationError(_(
            "Zu diesem Kontingent gibt es Anmeldungen; es kann nicht entfernt werden. Sie können die Plätze bis "
            "auf die vergebenen verringern."
        ))  # fmt: skip
    with transaction.atomic():
        _audit(actor, "events.capacity_delete", capacity, event.organisation, {"name": capacity.name})
        capacity.delete()


# --- registration questions -------------------------------------------------------------------------------------


def parse_options(text: str) -> list[list[str]]:
    """Answer options, one per line, as ``[[code, label], …]``; codes come from the labels (stable)."""
    options: list[list[str]] = []
    codes: set[str] = set()
    for line in (text or "").splitlines():
        label = clean_text(line)
        if not label:
            continue
        code = german_slug(label, 40) or f"option-{len(options) + 1}"
        while code in codes:
            code = f"{code[:36]}-{len(options) + 1}"
        codes.add(code)
        options.append([code, label[:200]])
    return options


def question_save(
    *, actor: Any, event: Event, text: str, type: str, required: bool = False, options: str = "",
    question: Question | None = None,
) -> Question:  # fmt: skip
    require(actor, "events.manage_event", event)
    text = clean_text(text)
    errors = {}
    if not text or len(text) > 300:
        errors["text"] = _("Bitte geben Sie die Frage an (höchstens 300 Zeichen).")
    if type not in dict(QUESTION_TYPES):
        errors["type"] = _("Bitte wählen Sie einen der Fragetypen.")
    parsed = parse_options(options) if type in CHOICE_TYPES else []
    if type in CHOICE_TYPES and len(parsed) < 2:
        errors["options"] = _("Bitte geben Sie mindestens zwei Antwortmöglichkeiten an, eine pro Zeile.")
    if len(parsed) > MAX_OPTIONS:
        errors["options"] = _("Bitte geben Sie höchstens %(max)d Antwortmöglichkeiten an.") % {"max": MAX_OPTIONS}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if question is None:
            base = german_slug(text, 34) or "frage"
            codes = set(event.questions.values_list("code", flat=True))
            code, number = base, 2
            while code in codes:
                code, number = f"{base}-{number}", number + 1
            position = (event.questions.aggregate(last=Max("position"))["last"] or 0) + 1
            question = Question(event=event, code=code, position=position)
            action = "events.question_add"
        elif question.event_id != event.pk:
            raise ValidationError(_("Diese Frage gehört zu einer anderen Veranstaltung."))
        else:
            action = "events.question_change"
        question.text, question.type, question.required, question.options = text, type, required, parsed
        question.full_clean()
        question.save()
        _audit(actor, action, question, event.organisation, {"text": text, "type": type})
    return question


def question_delete(*, actor: Any, question: Question) -> None:
    require(actor, "events.manage_event", question.event)
    with transaction.atomic():
        _audit(actor, "events.question_delete", question, question.event.organisation, {"text": question.text})
        question.delete()


# --- series -----------------------------------------------------------------------------------------------------

WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
RRULE_WEEKDAYS = [dr.MO, dr.TU, dr.WE, dr.TH, dr.FR, dr.SA, dr.SU]


@dataclass
class Recurrence:
    """The simple form's answer: weekly on some weekdays, or monthly on the nth weekday (-1: the last)."""

    frequency: str  # "weekly" | "monthly"
    weekdays: list[int] = field(default_factory=list)  # 0 = Monday
    nth: int | None = None
    until: date | None = None
    count: int | None = None
    exdates: list[date] = field(default_factory=list)


def _rule(recurrence: Recurrence, local_start: datetime) -> tuple[dr.rrule, str]:
    """The dateutil rule in local (naive Berlin) time, and the RRULE text (UNTIL in UTC, as RFC 5545 wants)."""
    errors: dict[str, str] = {}
    if recurrence.frequency == "weekly":
        if not recurrence.weekdays:
            errors["weekdays"] = _("Bitte wählen Sie mindestens einen Wochentag.")
        byweekday: Any = [RRULE_WEEKDAYS[day] for day in sorted(set(recurrence.weekdays))]
        byday = ",".join(WEEKDAY_CODES[day] for day in sorted(set(recurrence.weekdays)))
        freq = dr.WEEKLY
    elif recurrence.frequency == "monthly":
        if recurrence.nth not in (1, 2, 3, 4, -1):
            errors["nth"] = _("Bitte wählen Sie, am wievielten Wochentag des Monats.")
        weekday = local_start.weekday()
        byweekday = RRULE_WEEKDAYS[weekday](recurrence.nth or 1)
        byday = f"{recurrence.nth}{WEEKDAY_CODES[weekday]}"
        freq = dr.MONTHLY
    else:
        raise ValidationError({"frequency": _("Bitte wählen Sie, wie oft die Veranstaltung stattfindet.")})
    if (recurrence.until is None) == (recurrence.count is None):
        errors["until"] = _("Bitte geben Sie entweder ein Enddatum oder die Zahl der Termine an.")
    elif recurrence.count is not None and not 2 <= recurrence.count <= MAX_SERIES_DATES:
        errors["count"] = _("Eine Reihe hat 2 bis %(max)d Termine.") % {"max": MAX_SERIES_DATES}
    elif recurrence.until is not None and recurrence.until <= local_start.date():
        errors["until"] = _("Das Enddatum muss nach dem ersten Termin liegen.")
    if errors:
        raise ValidationError(errors)
    text = f"FREQ={'WEEKLY' if freq == dr.WEEKLY else 'MONTHLY'};BYDAY={byday}"
    if recurrence.until is not None:
        local_until = datetime.combine(recurrence.until, time(23, 59, 59))
        until_utc = timezone.make_aware(local_until).astimezone(UTC)
        text += f";UNTIL={until_utc:%Y%m%dT%H%M%SZ}"
        rule = dr.rrule(freq, dtstart=local_start, byweekday=byweekday, until=local_until)
    else:
        text += f";COUNT={recurrence.count}"
        rule = dr.rrule(freq, dtstart=local_start, byweekday=byweekday, count=recurrence.count)
    return rule, text


def series_dates(event: Event, recurrence: Recurrence) -> tuple[list[datetime], str]:
    """The local start times of the series (the event itself first) and its RRULE; German errors by field."""
    local_start = timezone.localtime(event.start).replace(tzinfo=None, microsecond=0)  # as dateutil counts
    rule, text = _rule(recurrence, local_start)
    dates = list(islice(rule, MAX_SERIES_DATES + 1))
    if len(dates) > MAX_SERIES_DATES:
        raise ValidationError({"until": _(
            "Die Reihe hätte mehr als %(max)d Termine. Bitte wählen Sie ein früheres Enddatum."
        ) % {"max": MAX_SERIES_DATES}})  # fmt: skip
    if not dates or dates[0] != local_start:
        raise ValidationError({"frequency": _(
            "Der erste Termin ist die Veranstaltung selbst (%(day)s). Die Regel muss diesen Tag einschließen: "
            "Bitte wählen Sie den passenden Wochentag."
        ) % {"day": local_start.strftime("%d.%m.%Y")}})  # fmt: skip
    if local_start.date() in recurrence.exdates:
        raise ValidationError({"exdates": _(
            "Der erste Termin ist die Veranstaltung selbst; sagen Sie ihn bei Bedarf einzeln ab."
        )})  # fmt: skip
    excluded = set(recurrence.exdates)
    return [moment for moment in dates if moment.date() not in excluded], text


COPY_SKIP = {"id", "uid", "sequence", "created_at", "updated_at", "slug", "start", "end", "series",
             "registration_deadline"}  # fmt: skip


def series_create(*, actor: Any, event: Event, recurrence: Recurrence) -> Series:
    """Repeat an event: one ``Event`` per date, computed in Berlin time (18:00 stays 18:00 across DST), each with
    the event's settings and a copy of its capacity categories and questions; each date changes on its own."""
    require(actor, "events.manage_event", event)
    if event.series_id:
        raise ValidationError(_("Diese Veranstaltung gehört schon zu einer Reihe."))
    dates, text = series_dates(event, recurrence)
    berlin = timezone.get_default_timezone()
    local_start = timezone.localtime(event.start).replace(tzinfo=None, microsecond=0)
    local_length = timezone.localtime(event.end).replace(tzinfo=None) - local_start
    deadline_before = event.start - event.registration_deadline if event.registration_deadline else None
    base = german_slug(event.title, 60) or "veranstaltung"
    taken = set(Event.objects.filter(organisation=event.organisation_id, slug__startswith=base)
                .values_list("slug", flat=True))  # fmt: skip
    values = {f.attname: getattr(event, f.attname) for f in Event._meta.concrete_fields if f.name not in COPY_SKIP}
    with transaction.atomic():
        series = Series.objects.create(
            organisation=event.organisation, title=event.title, rrule=text, first_start=event.start,
            duration=event.end - event.start, exdates=sorted({day.isoformat() for day in recurrence.exdates}),
        )  # fmt: skip
        event.series = series
        event.save(update_fields=["series", "updated_at"])
        copies = []
        for moment in dates[1:]:
            slug, number = f"{base}-{moment:%Y-%m-%d}", 2
            while slug in taken:
                slug, number = f"{base}-{moment:%Y-%m-%d}-{number}", number + 1
            taken.add(slug)
            start = timezone.make_aware(moment, berlin)
            copies.append(Event(
                **values, series=series, slug=slug, start=start, end=timezone.make_aware(moment + local_length, berlin),
                registration_deadline=start - deadline_before if deadline_before is not None else None,
            ))  # fmt: skip
        Event.objects.bulk_create(copies)
        copies = list(Event.objects.filter(series=series).exclude(pk=event.pk))  # ids on every database
        capacities, questions = list(event.capacities.all()), list(event.questions.all())
        CapacityCategory.objects.bulk_create([
            CapacityCategory(event=copy, name=c.name, capacity=c.capacity, position=c.position)
            for copy in copies for c in capacities
        ])  # fmt: skip
        Question.objects.bulk_create([
            Question(event=copy, position=q.position, code=q.code, type=q.type, text=q.text, required=q.required,
                     options=q.options)
            for copy in copies for q in questions
        ])  # fmt: skip
        _audit(actor, "events.series_create", series, event.organisation,
               {"rrule": text, "dates": len(copies) + 1, "from_event": event.pk})  # fmt: skip
    return series


# --- registrations: staff decisions and messages ------------------------------------------------------------------


def registration_approve(*, actor: Any, registration: Registration) -> bool:
    """Approval mode: a pending registration becomes confirmed (the registration service does the status)."""
    require(actor, "events.manage_event", registration.event)
    with transaction.atomic():
        done = registration_service.approve(registration)
        if done:
            _audit(actor, "events.registration_approve", registration.event, registration.event.organisation,
                   {"registration": registration.pk})  # fmt: skip
    return done


def registration_decline(*, actor: Any, registration: Registration) -> bool:
    """Approval mode: a pending registration is declined; the registration service gives its places to the
    waiting list."""
    require(actor, "events.manage_event", registration.event)
    with transaction.atomic():
        done = registration_service.decline(registration)
        if done:
            _audit(actor, "events.registration_decline", registration.event, registration.event.organisation,
                   {"registration": registration.pk})  # fmt: skip
    return done


def registration_cancel(*, actor: Any, registration: Registration) -> Registration:
    """Cancel on someone's behalf (a phone call, a letter): the registration service does the places."""
    require(actor, "events.manage_event", registration.event)
    with transaction.atomic():
        before = registration.status
        registration = registration_service.cancel(registration, by_staff=True)
        if registration.status != before:
            _audit(actor, "events.registration_cancel", registration.event, registration.event.organisation,
                   {"registration": registration.pk})  # fmt: skip
    return registration


def message_send(*, actor: Any, event: Event, subject: str, body: str, audience: str) -> int:
    """Staff write to the event's people: ``messaging.send_message`` checks, audits and queues the e-mails."""
    return messaging.send_message(actor, event, subject, body, audience)


# --- daily upkeep -----------------------------------------------------------------------------------------------


def release_all_expired(now: datetime | None = None) -> int:
    """Expired holds, offers and unconfirmed waiting-list entries of every event that has some (one query to find
    them, then per such event)."""
    now = now or timezone.now()
    event_ids = (
        Registration.objects.filter(registration_service.expired_filter(now))
        .values_list("event_id", flat=True)
        .distinct()
    )
    return sum(registration_service.release_expired(event, now) for event in Event.objects.filter(pk__in=event_ids))


def retention_days() -> int:
    return int(getattr(settings, "MITWIRKEN_EVENT_RETENTION_DAYS", 90))


def anonymise_past_registrations(now: datetime | None = None, batch: int = 500) -> int:
    """Registrations of events that ended more than ``MITWIRKEN_EVENT_RETENTION_DAYS`` ago lose name, e-mail,
    answers, account and the company acted for; the rows stay (status, companions, category, requests, check-in) so every count and
    statistic of the event still adds up. The secret link changes, so an old e-mail link shows nothing."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    return anonymise(Registration.objects.filter(event__end__lt=cutoff), batch)


def anonymise(registrations: Any, batch: int = 500) -> int:
    """Remove the person from these registrations, keeping the rows for the counts (see above)."""
    rows = registrations.exclude(email__endswith="@" + ANONYMISED_DOMAIN).only(
        "pk", "name", "email", "answers", "user", "manage_token", "expires_at", "on_behalf_of_name", "on_behalf_of_id"
    )
    done = 0
    while True:
        chunk = list(rows[:batch])
        if not chunk:
            return done
        for registration in chunk:
            registration.name = _("Anonymisiert")
            registration.email = f"anonym-{registration.pk}@{ANONYMISED_DOMAIN}"
            registration.answers = {}
            registration.user = None
            registration.manage_token = new_manage_token()
            registration.expires_at = None
            # With Mein Unternehmenskonto, the company acted for (a sole trader's is the person's own name).
            registration.on_behalf_of_name = registration.on_behalf_of_id = ""
        with transaction.atomic():
            Registration.objects.bulk_update(
                chunk, ["name", "email", "answers", "user", "manage_token", "expires_at", "on_behalf_of_name",
                        "on_behalf_of_id"], batch_size=batch,
            )  # fmt: skip
        done += len(chunk)
