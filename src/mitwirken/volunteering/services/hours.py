"""Hours: attendance at shifts (confirmed at once) and the volunteer's own entries (confirmed by a coordinator).

Every write runs in one transaction and locks what it changes; a refusal is a ``ValidationError`` keyed by the
form field it concerns, so nothing is half-saved and the page shows the message next to the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import rules
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action

from ..models import (
    Application,
    ApplicationStatus,
    Attendance,
    EngagementOrganisation,
    HoursEntry,
    HoursStatus,
    Shift,
    ShiftSignup,
    SignupStatus,
)

MIN_HOURS = Decimal("0.25")
MAX_HOURS_PER_DAY = Decimal("24")
EARLIEST_DAY = date(2000, 1, 1)
# Applications whose organisation a volunteer may enter own hours for (an ended engagement still has its past).
ENGAGED_APPLICATION = (ApplicationStatus.ACCEPTED, ApplicationStatus.ENDED)


def engaged_organisations(user: Any) -> QuerySet[EngagementOrganisation]:
    """Organisations where ``user`` has an accepted (or ended) application or a confirmed shift sign-up."""
    applied = Application.objects.filter(volunteer=user, status__in=ENGAGED_APPLICATION).values(
        "opportunity__organisation"
    )
    signed_up = ShiftSignup.objects.filter(volunteer=user, status=SignupStatus.CONFIRMED).values(
        "shift__opportunity__organisation"
    )
    return EngagementOrganisation.objects.filter(Q(pk__in=applied) | Q(pk__in=signed_up)).order_by("name")


def shift_hours(shift: Shift) -> Decimal:
    return Decimal(str(shift.hours)).quantize(Decimal("0.01"))


def attendance_signups(shift: Shift) -> QuerySet[ShiftSignup]:
    """The confirmed helpers of a shift, whose attendance the coordinator records."""
    return (
        ShiftSignup.objects.filter(shift=shift, status=SignupStatus.CONFIRMED)
        .select_related("volunteer", "hours_entry")
        .order_by("volunteer__display_name", "pk")
    )


def record_attendance(*, shift: Shift, marks: Mapping[int, str], actor: Any, now: datetime | None = None) -> int:
    """Set the attendance of the shift's confirmed helpers (``{signup pk: "attended" | "absent" | ""}``).

    "attended" writes a confirmed hours entry of the shift's duration (``paid`` copied from the opportunity);
    anything else removes the entry the shift wrote. Sign-ups of other shifts are refused (404 in the view).
    Returns the number of changed sign-ups."""
    now = now or timezone.now()
    if shift.start > now:
        raise ValidationError(_("Die Schicht hat noch nicht begonnen. Anwesenheit kann erst ab Schichtbeginn "
                                "erfasst werden."))  # fmt: skip
    allowed = {choice.value for choice in Attendance}
    if any(value not in allowed for value in marks.values()):
        raise ValidationError(_("Bitte wählen Sie für jede Person „anwesend“ oder „nicht erschienen“."))
    changed = 0
    with transaction.atomic():
        signups = {
            signup.pk: signup
            for signup in ShiftSignup.objects.select_for_update()
            .filter(shift=shift, status=SignupStatus.CONFIRMED, pk__in=list(marks))
            .select_related("shift__opportunity")
        }
        if set(marks) - set(signups):
            raise ShiftSignup.DoesNotExist
        hours = shift_hours(shift)
        opportunity = shift.opportunity
        for pk, value in marks.items():
            signup = signups[pk]
            if signup.attendance == value:
                continue
            signup.attendance = value
            signup.save(update_fields=["attendance", "updated_at"])
            HoursEntry.objects.filter(signup=signup).delete()
            if value == Attendance.ATTENDED:
                HoursEntry.objects.create(
                    volunteer_id=signup.volunteer_id, organisation_id=opportunity.organisation_id,
                    opportunity=opportunity, signup=signup, day=timezone.localtime(shift.start).date(),
                    hours=hours, description=opportunity.title, paid=opportunity.paid,
                    status=HoursStatus.CONFIRMED, decided_by=actor, decided_at=now,
                )  # fmt: skip
            changed += 1
        if changed:
            log_action(actor=actor, action="volunteering.attendance", obj=shift,
                       changes={str(pk): value for pk, value in marks.items()})  # fmt: skip
    return changed


def add_own_hours(*, volunteer: Any, organisation: EngagementOrganisation | None, day: date | None,
                  hours: Decimal | None, description: str, today: date | None = None) -> HoursEntry:  # fmt: skip
    """A volunteer's own entry, waiting for the organisation's coordinator."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if organisation is None or not engaged_organisations(volunteer).filter(pk=organisation.pk).exists():
        errors.setdefault("organisation", []).append(_(
            "Sie können Stunden nur für Organisationen eintragen, bei denen Ihre Bewerbung angenommen wurde oder "
            "bei denen Sie für eine Schicht eingetragen sind."
        ))  # fmt: skip
    if day is None:
        errors.setdefault("day", []).append(_("Bitte geben Sie den Tag an."))
    elif day > today:
        errors.setdefault("day", []).append(_("Stunden in der Zukunft können nicht eingetragen werden."))
    elif day < EARLIEST_DAY:
        errors.setdefault("day", []).append(_("Bitte geben Sie einen Tag ab dem 01.01.2000 an."))
    if hours is None or hours < MIN_HOURS or hours > MAX_HOURS_PER_DAY:
        errors.setdefault("hours", []).append(_("Bitte geben Sie zwischen 0,25 und 24 Stunden an."))
    if not description.strip():
        errors.setdefault("description", []).append(_("Bitte beschreiben Sie kurz, was Sie getan haben."))
    if errors or organisation is None or day is None or hours is None:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the person's entries of that day, so two tabs cannot both stay under 24 hours.
        same_day = (
            HoursEntry.objects.select_for_update()
            .filter(volunteer=volunteer, day=day)
            .exclude(status=HoursStatus.REJECTED)
        )
        already = sum((entry.hours for entry in same_day), Decimal(0))
        if already + hours > MAX_HOURS_PER_DAY:
            raise ValidationError({"hours": _(
                "An einem Tag sind höchstens 24 Stunden möglich. Für den %(day)s sind schon %(hours)s Stunden "
                "eingetragen."
            ) % {"day": day.strftime("%d.%m.%Y"), "hours": _number(already)}})  # fmt: skip
        return HoursEntry.objects.create(
            volunteer=volunteer, organisation=organisation, day=day, hours=hours,
            description=description.strip()[:300], paid=_paid_at(volunteer, organisation),
        )  # fmt: skip


def _paid_at(volunteer: Any, organisation: EngagementOrganisation) -> bool:
    """Own entries count as paid when every engagement of the person at the organisation is paid."""
    paid_flags = set(
        Application.objects.filter(
            volunteer=volunteer, opportunity__organisation=organisation, status__in=ENGAGED_APPLICATION
        ).values_list("opportunity__paid", flat=True)
    )
    return paid_flags == {True}


def decide_hours(*, entry: HoursEntry, actor: Any, confirm: bool, note: str = "") -> HoursEntry:
    """Confirm or reject a pending entry (the coordinator of the entry's organisation)."""
    if not rules.has_perm("volunteering.decide_hours", actor, entry):
        raise HoursEntry.DoesNotExist
    with transaction.atomic():
        entry = HoursEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != HoursStatus.PENDING:
            raise ValidationError(_("Über diese Stunden wurde schon entschieden."))
        entry.status = HoursStatus.CONFIRMED if confirm else HoursStatus.REJECTED
        entry.note = note.strip()[:300]
        entry.decided_by = actor
        entry.decided_at = timezone.now()
        entry.save(update_fields=["status", "note", "decided_by", "decided_at"])
        log_action(actor=actor, action=f"volunteering.hours.{entry.status}", obj=entry)
    return entry


def _number(value: Decimal) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def confirmed_total(entries: QuerySet[HoursEntry]) -> Decimal:
    return entries.filter(status=HoursStatus.CONFIRMED).aggregate(total=Sum("hours"))["total"] or Decimal(0)
