"""Who is told what about events and registrations, by e-mail, with calendar files where calendars change.

Every e-mail carries the person's manage link (``/veranstaltungen/anmeldung/<manage_token>/``) and goes through
the task queue (``core.mail``). Nothing is sent inside a transaction: the registration service calls the
functions for one person after commit, and the functions for many people (``event_changed``,
``event_cancelled``, ``send_message``, the reminders) queue their batches with ``transaction.on_commit``, so a
rolled back change sends nothing. Large audiences go in tasks of ``BATCH`` people, so 40,000 registrations never
sit in one task.

Calendar files (``ics.py``): the confirmation carries ``einladung.ics`` (METHOD:REQUEST), a change sends a new
REQUEST with a higher SEQUENCE to the confirmed, a cancellation ``absage.ics`` (METHOD:CANCEL).
``Registration.sequence`` is the SEQUENCE the person's calendar has; it only grows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Max, Q, Value
from django.db.models.functions import Greatest
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from mitwirken.core.audit import log_action
from mitwirken.core.dates import with_weekday
from mitwirken.core.text import clean_text

from .. import ics
from ..models import (
    ACTIVE,
    HOLDING,
    CapacityCategory,
    Event,
    Kind,
    Registration,
    RegistrationStatus,
    Status,
)

BATCH = 200
MAX_SUBJECT = 150
MAX_BODY = 10_000

# Audiences of a staff message (``send_message``); a CapacityCategory of the event or "capacity:<pk>" too.
AUDIENCE_ALL = "all"  # everyone active: with a place, waiting for confirmation or approval, on the waiting list
AUDIENCE_REGISTERED = "registered"  # everyone holding a place (confirmed, unconfirmed, pending, offered)
AUDIENCE_WAITING = "waiting"  # the waiting list

# Kinds of batch mails (``send_batch``).
CHANGED, CALLED_OFF, MESSAGE = "changed", "called_off", "message"


# --- addresses -----------------------------------------------------------------------------------------------


def manage_url(registration: Registration) -> str:
    return ics.absolute(f"/veranstaltungen/anmeldung/{registration.manage_token}/")


def confirm_url(registration: Registration) -> str:
    return manage_url(registration) + "bestaetigen/"


def accept_url(registration: Registration) -> str:
    return manage_url(registration) + "nachruecken/"


# --- rendering and sending -------------------------------------------------------------------------------------


def when(moment: datetime) -> str:
    """ "Dienstag, 13. Oktober 2026, 18:00 Uhr" in Europe/Berlin."""
    with translation.override("de"):
        return with_weekday(moment, time_too=True) + " Uhr"


def _until(event: Event) -> str:
    """The end: only the time when the event ends on the day it starts."""
    if ics.local(event.start).date() == ics.local(event.end).date():
        return formats.date_format(ics.local(event.end), "H:i") + " Uhr"
    return when(event.end)


def _context(registration: Registration, event: Event, **extra: Any) -> dict[str, Any]:
    return {
        "site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, "event": event,
        "organisation": event.organisation, "registration": registration, "manage_url": manage_url(registration),
        "event_url": ics.event_url(event), "starts": when(event.start), "ends": _until(event),
        "place": ics.location(event), **extra,
    }  # fmt: skip


def _render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    with translation.override("de"):
        # Plain text: autoescaping would turn "A & B" into "A &amp; B".
        raw_subject = get_template(f"emails/{template}_subject.txt").template  # type: ignore[attr-defined]
        subject = " ".join(raw_subject.render(Context(context, autoescape=False)).split())
        body = render_to_string(f"emails/{template}_body.txt", context)
    return subject, body


QR_FILENAME = "einlass-qr-code.png"


def _send(registration: Registration, template: str, context: dict[str, Any], *, calendar: bytes | None = None,
          method: str = ics.REQUEST, filename: str = "einladung.ics",
          attachments: tuple[tuple[str, bytes, str], ...] = ()) -> None:  # fmt: skip
    if not registration.email:
        return  # erased (GDPR): nobody to tell
    subject, body = _render(template, context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[registration.email],
                                     headers={"Auto-Submitted": "auto-generated"})  # fmt: skip
    if calendar is not None:
        message.attach(filename, calendar.decode(), f"text/calendar; method={method}")
    for attachment in attachments:
        message.attach(*attachment)
    message.send()


def _event(event_id: int) -> Event:
    return Event.objects.select_related("organisation", "category").get(pk=event_id)


def _fresh(registration: Registration) -> tuple[Registration, Event]:
    fresh = Registration.objects.get(pk=registration.pk)
    event = _event(fresh.event_id)
    fresh.event = event
    return fresh, event


def _invitation(registration: Registration, event: Event, method: str = ics.REQUEST) -> bytes:
    return ics.invitation(event, name=registration.name, email=registration.email, sequence=registration.sequence,
                          method=method)  # fmt: skip


def waiting_position(registration: Registration) -> int:
    """1 + the entries ahead on the waiting list (those with a proven address: only they can get offers)."""
    earlier = Q(created_at__lt=registration.created_at) | Q(created_at=registration.created_at, id__lt=registration.pk)
    return Registration.objects.filter(earlier, capacity_id=registration.capacity_id, email_confirmed=True,
                                       status=RegistrationStatus.WAITING).count() + 1  # fmt: skip


# --- one person (called by the registration service after commit) --------------------------------------------


def registered(registration: Registration) -> None:
    """A new registration: confirmed at once (with an account) gets the invitation; otherwise the confirm link,
    the notice that the organiser decides, or the place on the waiting list (without an account with the confirm
    link too: an unconfirmed entry on the waiting list expires)."""
    registration, event = _fresh(registration)
    if registration.status == RegistrationStatus.CONFIRMED:
        confirmed(registration)
        return
    if registration.status not in (RegistrationStatus.UNCONFIRMED, RegistrationStatus.PENDING,
                                   RegistrationStatus.WAITING):  # fmt: skip
        return
    extra: dict[str, Any] = {
        "unconfirmed": registration.status == RegistrationStatus.UNCONFIRMED,
        "pending": registration.status == RegistrationStatus.PENDING,
        "waiting": registration.status == RegistrationStatus.WAITING,
        "confirm_waiting": registration.status == RegistrationStatus.WAITING and not registration.email_confirmed,
        "confirm_url": confirm_url(registration), "hold_minutes": event.hold_minutes,
        "expires": when(registration.expires_at) if registration.expires_at else "",
    }  # fmt: skip
    if extra["waiting"]:
        extra["position"] = waiting_position(registration)
    _send(registration, "event_registered", _context(registration, event, **extra))


def confirmed(registration: Registration) -> None:
    """The place is the person's: the confirmation with the invitation (METHOD:REQUEST) for their calendar."""
    registration, event = _fresh(registration)
    if registration.status != RegistrationStatus.CONFIRMED:
        return
    # A SEQUENCE above anything this address's calendar has for the event (an earlier, cancelled registration
    # left a CANCEL there that a lower SEQUENCE would not overrule).
    earlier = (
        Registration.objects.filter(event=event, email=registration.email).exclude(pk=registration.pk)
        .aggregate(top=Max("sequence"))["top"]
    )  # fmt: skip
    sequence = max(event.sequence, registration.sequence, -1 if earlier is None else earlier + 1)
    Registration.objects.filter(pk=registration.pk).update(sequence=sequence)
    registration.sequence = sequence
    from .checkin import qr_png

    # The QR code opens this registration's check-in page on the staff's phone at the door.
    _send(registration, "event_confirmed", _context(registration, event), calendar=_invitation(registration, event),
          attachments=((QR_FILENAME, qr_png(registration), "image/png"),))  # fmt: skip


def pending(registration: Registration, *, accepted: bool = False) -> None:
    """The address is confirmed or the offered place accepted, and staff decide on the registration now (approval
    mode): the person learns that the place is held and that a further e-mail brings the decision."""
    registration, event = _fresh(registration)
    if registration.status != RegistrationStatus.PENDING:
        return
    _send(registration, "event_pending", _context(registration, event, accepted=accepted))


def offered(registration: Registration) -> None:
    """A place came free for someone on the waiting list: accept it before the deadline."""
    registration, event = _fresh(registration)
    if registration.status != RegistrationStatus.OFFERED:
        return
    deadline = when(registration.expires_at) if registration.expires_at else ""
    _send(registration, "event_offered",
          _context(registration, event, accept_url=accept_url(registration), deadline=deadline))  # fmt: skip


def cancelled(registration: Registration, *, by_staff: bool = False) -> None:
    """The registration is cancelled (by the person or by staff): the calendar entry goes (METHOD:CANCEL)."""
    registration, event = _fresh(registration)
    sequence = max(registration.sequence, event.sequence) + 1
    Registration.objects.filter(pk=registration.pk).update(sequence=sequence)
    registration.sequence = sequence
    _send(registration, "event_cancelled", _context(registration, event, by_staff=by_staff),
          calendar=_invitation(registration, event, ics.CANCEL), method=ics.CANCEL, filename="absage.ics")  # fmt: skip


# --- everyone (called by the back office's services, inside their transaction) -------------------------------

CHANGE_FIELDS = ("title", "start", "end", "kind", "venue_name", "address", "room", "online_url", "description")


def _value(event: Event, name: str) -> str:
    value = getattr(event, name)
    if isinstance(value, datetime):
        return when(value)
    if name == "kind":
        return str(event.get_kind_display())
    if name in ("online_url", "description"):
        return _("geändert, siehe Veranstaltungsseite")
    return str(value) if value else _("(keine Angabe)")


def describe_changes(event: Event, changes: Mapping[str, Any] | Iterable[str]) -> list[str]:
    """Lines like "Beginn: Dienstag, 20. Oktober 2026, 19:00 Uhr" for the fields that matter to attendees,
    with the event's current values; ``changes`` is a mapping as from ``core.audit.diff_fields`` or field names."""
    names = list(changes.keys() if isinstance(changes, Mapping) else changes)
    lines = []
    with translation.override("de"):
        for name in CHANGE_FIELDS:
            if name in names:
                label = str(getattr(Event._meta.get_field(name), "verbose_name", name))
                lines.append(f"{label}: {_value(event, name)}")
    return lines


def _queue(kind: str, event: Event, ids: list[int], extra: dict[str, Any] | None = None) -> None:
    """After commit, one task per ``BATCH`` recipients."""
    chunks = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
    for chunk in chunks:
        transaction.on_commit(lambda chunk=chunk: send_batch.enqueue(kind, event.pk, chunk, extra or {}))  # type: ignore[misc]


def _raise_sequences(event: Event, ids: list[int], statuses: Iterable[str]) -> None:
    Event.objects.filter(pk=event.pk).update(sequence=F("sequence") + 1)
    event.refresh_from_db(fields=["sequence"])
    Registration.objects.filter(pk__in=ids, status__in=list(statuses)).update(
        sequence=Greatest(F("sequence") + 1, Value(event.sequence))
    )


def event_changed(event: Event, changes: Mapping[str, Any] | Iterable[str]) -> int:
    """The date, time or place changed: the SEQUENCE goes up (``Event.sequence`` via F()) and everyone active is
    told, the confirmed with an updated invitation (METHOD:REQUEST). Returns the number of people told.

    Call it inside the transaction that saves the change; the e-mails go after commit."""
    ids = list(Registration.objects.filter(event=event, status__in=ACTIVE).order_by("pk").values_list("pk", flat=True))
    _raise_sequences(event, ids, [RegistrationStatus.CONFIRMED])
    _queue(CHANGED, event, ids, {"changes": describe_changes(event, changes)})
    return len(ids)


def event_cancelled(event: Event) -> int:
    """The event is called off: the SEQUENCE goes up and everyone active gets the notice with METHOD:CANCEL.

    Call it inside the transaction that sets ``Status.CANCELLED``, before registrations are changed: the people
    are those active at that moment, and the e-mails go after commit. Returns the number of people told."""
    ids = list(Registration.objects.filter(event=event, status__in=ACTIVE).order_by("pk").values_list("pk", flat=True))
    _raise_sequences(event, ids, ACTIVE)
    _queue(CALLED_OFF, event, ids)
    return len(ids)


def audience_of(event: Event, audience: str | CapacityCategory) -> Any:
    """The registrations a staff message goes to; ValidationError for an unknown audience."""
    registrations = Registration.objects.filter(event=event)
    if isinstance(audience, CapacityCategory) or str(audience).startswith("capacity:"):
        pk = audience.pk if isinstance(audience, CapacityCategory) else str(audience).split(":", 1)[1]
        capacity = CapacityCategory.objects.filter(event=event, pk=pk if str(pk).isdigit() else 0).first()
        if capacity is None:
            raise ValidationError({"audience": _("Bitte wählen Sie eines der Kontingente dieser Veranstaltung.")})
        return registrations.filter(capacity=capacity, status__in=HOLDING)
    statuses = {AUDIENCE_ALL: ACTIVE, AUDIENCE_REGISTERED: HOLDING, AUDIENCE_WAITING: (RegistrationStatus.WAITING,)}
    if audience not in statuses:
        raise ValidationError({"audience": _("Bitte wählen Sie, wer die Nachricht erhalten soll.")})
    return registrations.filter(status__in=statuses[str(audience)])


def send_message(actor: Any, event: Event, subject: str, body: str, audience: str | CapacityCategory) -> int:
    """A message from staff to the registered, one capacity category, the waiting list or everyone active;
    written to the audit log. Returns the number of recipients."""
    if not actor.has_perm("events.manage_event", event):
        raise PermissionDenied
    subject, body = clean_text(subject), clean_text(body)
    errors = {}
    if not subject or len(subject) > MAX_SUBJECT:
        errors["subject"] = _("Bitte geben Sie einen Betreff an (höchstens %(max)d Zeichen).") % {"max": MAX_SUBJECT}
    if not body or len(body) > MAX_BODY:
        errors["body"] = _("Bitte schreiben Sie eine Nachricht (höchstens %(max)d Zeichen).") % {"max": MAX_BODY}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        ids = list(audience_of(event, audience).order_by("pk").values_list("pk", flat=True))
        label = f"capacity:{audience.pk}" if isinstance(audience, CapacityCategory) else str(audience)
        log_action(actor=actor, action="event.message", obj=event, organisation=event.organisation,
                   changes={"subject": subject, "audience": label, "recipients": len(ids)})  # fmt: skip
        _queue(MESSAGE, event, ids, {"subject": subject, "body": body})
    return len(ids)


@task()
def send_batch(kind: str, event_id: int, registration_ids: list[int], extra: dict[str, Any]) -> int:
    """One batch of a change notice, a cancellation of the event, or a staff message."""
    event = Event.objects.select_related("organisation", "category").filter(pk=event_id).first()
    if event is None:
        return 0
    registrations = Registration.objects.filter(pk__in=registration_ids, event=event).order_by("pk")
    if kind != CALLED_OFF:
        # Who cancelled in the meantime is not told any more (a called-off event's notice goes to all).
        registrations = registrations.filter(status__in=ACTIVE)
    sent = 0
    for registration in registrations:
        registration.event = event
        context = _context(registration, event, **extra)
        if kind == CHANGED:
            calendar = _invitation(registration, event) if registration.status == RegistrationStatus.CONFIRMED else None
            _send(registration, "event_changed", context, calendar=calendar)
        elif kind == CALLED_OFF:
            _send(registration, "event_called_off", context, calendar=_invitation(registration, event, ics.CANCEL),
                  method=ics.CANCEL, filename="absage.ics")  # fmt: skip
        elif kind == MESSAGE:
            _send(registration, "event_message", context)
        else:
            raise ValueError(kind)
        sent += 1
    return sent


@task()
def send_reminder_batch(event_id: int, minutes: int, after_id: int = 0) -> int:
    """The reminder to the confirmed, ``BATCH`` at a time; nothing if the event was cancelled meanwhile or began."""
    event = Event.objects.select_related("organisation", "category").filter(pk=event_id).first()
    if event is None or event.status != Status.PUBLISHED or event.start <= timezone.now():
        return 0
    batch = list(
        Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED, pk__gt=after_id).order_by("pk")[
            :BATCH
        ]
    )
    for registration in batch:
        registration.event = event
        online = bool(event.online_url) and event.kind != Kind.IN_PERSON
        _send(registration, "event_reminder", _context(registration, event, minutes=minutes, online=online))
    if len(batch) == BATCH:
        send_reminder_batch.enqueue(event_id, minutes, batch[-1].pk)
    return len(batch)
