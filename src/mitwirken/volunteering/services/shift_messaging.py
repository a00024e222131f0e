"""E-mails about shifts: sign-up, moving up from the waiting list, a short-notice cancellation and a swap (to the
coordinators), a coordinator adding or removing someone, a coordinator's message to the helpers, the reminder.

Everything goes through Django's mail API, which queues it (``core.mail``); the services call these functions
after commit with ids, so a rolled back change sends nothing and every mail reads the state that was saved.
Each person gets their own e-mail: no address of a volunteer is shown to another or to the coordinators, and
the coordinators' addresses are not shown to volunteers (messages are sent by the portal).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation

from mitwirken.core.dates import with_weekday

from .. import shift_ics
from ..models import Coordinator, EngagementOrganisation, Shift, ShiftSignup, SignupStatus


def when(moment: datetime) -> str:
    """ "Samstag, 12. Dezember 2026, 09:00 Uhr" in Europe/Berlin."""
    with translation.override("de"):
        return with_weekday(moment, time_too=True) + " Uhr"


def until(shift: Shift) -> str:
    start, end = timezone.localtime(shift.start), timezone.localtime(shift.end)
    if start.date() == end.date():
        return formats.date_format(end, "H:i") + " Uhr"
    return when(shift.end)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _context(shift: Shift, **extra: Any) -> dict[str, Any]:
    opportunity = shift.opportunity
    return {
        "site_name": settings.SITE_NAME, "shift": shift, "opportunity": opportunity,
        "organisation": opportunity.organisation, "starts": when(shift.start), "ends": until(shift),
        "place": shift_ics.shift_place(shift), "shifts_url": shift_ics.shifts_url(shift),
        "my_shifts_url": _absolute(reverse("volunteering:my_shifts")),
        "coordinator_url": _absolute(reverse("volunteering:coordinator_shift", kwargs={
            "org_slug": opportunity.organisation.slug, "pk": shift.pk})),
        "cutoff_hours": opportunity.signup_cutoff_hours, **extra,
    }  # fmt: skip


def _render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Subject and body in German; the templates are plain text (``autoescape off``)."""
    with translation.override("de"):
        subject, body = (render_to_string(f"emails/volunteering/{template}_{part}.txt", context)
                         for part in ("subject", "body"))  # fmt: skip
    return " ".join(subject.split()), body


def send(to: Iterable[str], template: str, context: dict[str, Any], *, calendar: bytes | None = None,
         filename: str = "schicht.ics") -> int:  # fmt: skip
    """One e-mail to each address (never several recipients on one message); returns how many."""
    subject, body = _render(template, context)
    sent = 0
    for address in dict.fromkeys(a for a in to if a):
        message = EmailMultiAlternatives(subject=subject, body=body, to=[address],
                                         headers={"Auto-Submitted": "auto-generated"})  # fmt: skip
        if calendar is not None:
            message.attach(filename, calendar.decode(), "text/calendar; method=PUBLISH")
        message.send()
        sent += 1
    return sent


def _signup(signup_id: int) -> ShiftSignup | None:
    return (
        ShiftSignup.objects.select_related("shift__opportunity__organisation", "volunteer").filter(pk=signup_id).first()
    )


def coordinator_addresses(organisation: EngagementOrganisation) -> list[str]:
    """The coordinators' addresses; the organisation's contact address where it has no coordinator."""
    addresses = list(Coordinator.objects.filter(organisation=organisation).values_list("user__email", flat=True))
    return addresses or [organisation.contact_email]


def _to_volunteer(signup: ShiftSignup, template: str, *, calendar: bool = False, **extra: Any) -> None:
    shift = signup.shift
    context = _context(shift, signup=signup, name=str(signup.volunteer), **extra)
    ics = shift_ics.shift_calendar(shift) if calendar else None
    send([signup.volunteer.email], template, context, calendar=ics, filename=shift_ics.filename(shift))


def signed_up(signup_id: int) -> None:
    """The confirmation (with the calendar file) or the place on the waiting list."""
    signup = _signup(signup_id)
    if signup is None or signup.status not in (SignupStatus.CONFIRMED, SignupStatus.WAITING):
        return
    confirmed = signup.status == SignupStatus.CONFIRMED
    _to_volunteer(signup, "shift_signed_up", calendar=confirmed, confirmed=confirmed)


def moved_up(signup_id: int) -> None:
    """Someone gave back their place: the first person waiting has it now ("Sie sind nachgerückt")."""
    signup = _signup(signup_id)
    if signup is not None and signup.status == SignupStatus.CONFIRMED:
        _to_volunteer(signup, "shift_moved_up", calendar=True)


def short_notice_cancellation(signup_id: int) -> None:
    """To the coordinators at once: a helper cancelled within the cut-off."""
    signup = _signup(signup_id)
    if signup is None:
        return
    shift = signup.shift
    helpers = ShiftSignup.objects.filter(shift=shift, status=SignupStatus.CONFIRMED).count()
    context = _context(shift, name=str(signup.volunteer), helpers=helpers,
                       understaffed=helpers < shift.min_helpers)  # fmt: skip
    send(coordinator_addresses(shift.opportunity.organisation), "shift_short_notice", context)


def swapped(offer_id: int, taken_id: int) -> None:
    """A swap happened: the coordinators and the person who offered it hear who has the place now; the taker
    gets the confirmation."""
    offer, taken = _signup(offer_id), _signup(taken_id)
    if offer is None or taken is None:
        return
    shift = taken.shift
    context = _context(shift, name=str(offer.volunteer), taker=str(taken.volunteer))
    send(coordinator_addresses(shift.opportunity.organisation), "shift_swapped_coordinator", context)
    _to_volunteer(offer, "shift_swapped_given", taker=str(taken.volunteer))
    _to_volunteer(taken, "shift_signed_up", calendar=True, confirmed=True)


def added_by_coordinator(signup_id: int) -> None:
    signup = _signup(signup_id)
    if signup is not None and signup.status == SignupStatus.CONFIRMED:
        _to_volunteer(signup, "shift_added", calendar=True)


def removed_by_coordinator(signup_id: int) -> None:
    signup = _signup(signup_id)
    if signup is not None:
        _to_volunteer(signup, "shift_removed")


def message_to_helpers(shift_id: int, signup_ids: list[int], subject: str, body: str, sender_id: int) -> int:
    """A coordinator's message, to each confirmed helper on their own."""
    shift = Shift.objects.select_related("opportunity__organisation").filter(pk=shift_id).first()
    if shift is None:
        return 0
    addresses = ShiftSignup.objects.filter(pk__in=signup_ids, status=SignupStatus.CONFIRMED).values_list(
        "volunteer__email", flat=True
    )
    context = _context(shift, subject=subject, body=body)
    return send(list(addresses), "shift_message", context)


def reminder(signup: ShiftSignup) -> None:
    """The reminder about a day ahead, with the calendar file."""
    _to_volunteer(signup, "shift_reminder", calendar=True)
