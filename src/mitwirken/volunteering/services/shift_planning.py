"""Planning an opportunity's shifts: one shift, a weekly series, changing and deleting them.

Times are typed in German local time (Europe/Berlin) and stored aware. A shift somebody signed up for (places
taken or a waiting list) keeps existing and never gets fewer places than are taken; the sign-ups themselves
belong to the shifts service, which counts ``Shift.taken``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mitwirken.core.audit import log_action

from ..models import Opportunity, OpportunityStatus, Shift, ShiftSeries, ShiftSignup, SignupStatus
from ..rules import coordinates
from . import shifts

MAX_SERIES_SHIFTS = 100

WEEKDAY_ADVERBS = ["montags", "dienstags", "mittwochs", "donnerstags", "freitags", "samstags", "sonntags"]


@dataclass(frozen=True)
class ShiftData:
    day: date
    start_time: time
    end_time: time
    place: str = ""
    tasks: str = ""
    min_helpers: int = 1
    max_helpers: int = 1


def local_moment(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment), timezone.get_default_timezone())


def _check_times_and_places(data: ShiftData) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.end_time <= data.start_time:
        errors["end_time"] = _("Das Ende der Schicht muss nach ihrem Beginn liegen.")
    if data.max_helpers < 1:
        errors["max_helpers"] = _("Eine Schicht braucht mindestens einen Platz.")
    elif data.min_helpers > data.max_helpers:
        errors["min_helpers"] = _("Es können nicht mehr Helfende nötig sein, als Plätze da sind (höchstens %(max)d)."
                                  ) % {"max": data.max_helpers}  # fmt: skip
    return errors


def _check_opportunity(actor: Any, opportunity: Opportunity) -> None:
    if not coordinates(actor, opportunity.organisation):
        raise PermissionDenied
    if opportunity.status == OpportunityStatus.ENDED:
        raise ValidationError(_("Das Angebot ist beendet; es bekommt keine neuen Schichten mehr."))


def has_helpers(shift: Shift) -> bool:
    return shift.taken > 0 or shift.signups.filter(status=SignupStatus.WAITING).exists()


@transaction.atomic
def shift_save(*, actor: Any, opportunity: Opportunity, data: ShiftData, shift: Shift | None = None) -> Shift:
    """Add a shift, or change one (its places never below those already taken)."""
    _check_opportunity(actor, opportunity)
    errors = _check_times_and_places(data)
    start, end = local_moment(data.day, data.start_time), local_moment(data.day, data.end_time)
    if shift is None:
        if "end_time" not in errors and start <= timezone.now():
            errors["day"] = _("Der Beginn der Schicht liegt in der Vergangenheit.")
        shift = Shift(opportunity=opportunity)
    else:
        shift = Shift.objects.select_for_update().get(pk=shift.pk, opportunity=opportunity)
        if data.max_helpers < shift.taken and "max_helpers" not in errors:
            errors["max_helpers"] = ngettext(
                "Es ist bereits %(taken)d Person eingetragen; es müssen mindestens so viele Plätze bleiben.",
                "Es sind bereits %(taken)d Personen eingetragen; es müssen mindestens so viele Plätze bleiben.",
                shift.taken,
            ) % {"taken": shift.taken}
    if errors:
        raise ValidationError(errors)
    creating = shift.pk is None
    added = 0 if creating else data.max_helpers - shift.max_helpers
    shift.start, shift.end = start, end
    shift.place, shift.tasks = data.place.strip(), data.tasks.strip()
    shift.min_helpers, shift.max_helpers = data.min_helpers, data.max_helpers
    shift.full_clean()
    shift.save()
    log_action(actor=actor, action="volunteering.shift_created" if creating else "volunteering.shift_changed",
               obj=shift, organisation=opportunity.organisation.exchange.organisation)  # fmt: skip
    if added > 0:
        # New places go to the people waiting, in their order, once the larger maximum is committed.
        transaction.on_commit(lambda: shifts.fill_from_waiting_list(shift.pk))
    return shift


def series_days(first_day: date, last_day: date, weekdays: list[int]) -> list[date]:
    """The days from ``first_day`` to ``last_day`` (both included) that fall on ``weekdays`` (0 = Monday)."""
    days: list[date] = []
    day = first_day
    while day <= last_day and len(days) <= MAX_SERIES_SHIFTS:
        if day.weekday() in weekdays:
            days.append(day)
        day += timedelta(days=1)
    return days


def describe_series(weekdays: list[int], start_time: time, end_time: time, count: int) -> str:
    """ "wöchentlich samstags 10:00–13:00, 6 Termine" (German: stored once, shown to coordinators)."""
    with translation.override("de"):
        names = [WEEKDAY_ADVERBS[day] for day in sorted(set(weekdays))]
        days = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " und " + names[-1]
        times = f"{formats.time_format(start_time, 'H:i')}–{formats.time_format(end_time, 'H:i')}"
        return f"wöchentlich {days} {times}, {count} {'Termin' if count == 1 else 'Termine'}"


@transaction.atomic
def series_create(*, actor: Any, opportunity: Opportunity, first_day: date, last_day: date, weekdays: list[int],
                  data: ShiftData) -> ShiftSeries:  # fmt: skip
    """Weekly shifts on the chosen weekdays between two days (at most ``MAX_SERIES_SHIFTS``), all or none."""
    _check_opportunity(actor, opportunity)
    errors = _check_times_and_places(data)
    weekdays = sorted({day for day in weekdays if 0 <= day <= 6})
    if not weekdays:
        errors["weekdays"] = _("Bitte wählen Sie mindestens einen Wochentag.")
    if last_day < first_day:
        errors["last_day"] = _("Der letzte Tag darf nicht vor dem ersten liegen.")
    elif first_day < timezone.localdate():
        errors["first_day"] = _("Der erste Tag liegt in der Vergangenheit.")
    days = series_days(first_day, last_day, weekdays) if not errors else []
    if not errors and not days:
        errors["weekdays"] = _("Zwischen den beiden Tagen liegt keiner der gewählten Wochentage.")
    if len(days) > MAX_SERIES_SHIFTS:
        errors["last_day"] = _("Eine Reihe hat höchstens %(max)d Schichten. Bitte wählen Sie einen früheren letzten "
                               "Tag oder weniger Wochentage.") % {"max": MAX_SERIES_SHIFTS}  # fmt: skip
    now = timezone.now()
    if not errors and local_moment(days[0], data.start_time) <= now:
        days = days[1:]  # today's shift has already begun: the series starts with the next one
        if not days:
            errors["first_day"] = _("Der Beginn der Schicht liegt in der Vergangenheit.")
    if errors:
        raise ValidationError(errors)
    series = ShiftSeries.objects.create(
        opportunity=opportunity, description=describe_series(weekdays, data.start_time, data.end_time, len(days))
    )
    Shift.objects.bulk_create([
        Shift(opportunity=opportunity, series=series, start=local_moment(day, data.start_time),
              end=local_moment(day, data.end_time), place=data.place.strip(), tasks=data.tasks.strip(),
              min_helpers=data.min_helpers, max_helpers=data.max_helpers)
        for day in days
    ])  # fmt: skip
    log_action(actor=actor, action="volunteering.shift_series_created", obj=series,
               organisation=opportunity.organisation.exchange.organisation, changes={"shifts": len(days)})  # fmt: skip
    return series


@transaction.atomic
def shift_delete(*, actor: Any, shift: Shift) -> None:
    shift = Shift.objects.select_for_update().select_related("opportunity__organisation__exchange").get(pk=shift.pk)
    if not coordinates(actor, shift.opportunity.organisation):
        raise PermissionDenied
    if has_helpers(shift):
        raise ValidationError(_(
            "Für diese Schicht haben sich bereits Helfende eingetragen; sie kann nicht gelöscht werden. Sagen Sie "
            "den Helfenden zuerst ab oder ändern Sie Zeit und Aufgaben."
        ))  # fmt: skip
    log_action(actor=actor, action="volunteering.shift_deleted", obj=shift,
               organisation=shift.opportunity.organisation.exchange.organisation)  # fmt: skip
    shift.delete()


@transaction.atomic
def series_delete_future(*, actor: Any, series: ShiftSeries) -> tuple[int, int]:
    """Delete the series' future shifts nobody signed up for. Returns (deleted, kept because of sign-ups)."""
    opportunity = series.opportunity
    if not coordinates(actor, opportunity.organisation):
        raise PermissionDenied
    future = Shift.objects.select_for_update().filter(series=series, start__gt=timezone.now())
    waiting = ShiftSignup.objects.filter(shift=OuterRef("pk"), status=SignupStatus.WAITING)
    free = future.filter(taken=0).exclude(Exists(waiting))
    ids = list(free.values_list("pk", flat=True))
    kept = future.exclude(pk__in=ids).count()
    Shift.objects.filter(Q(pk__in=ids)).delete()
    log_action(actor=actor, action="volunteering.shift_series_deleted", obj=series,
               organisation=opportunity.organisation.exchange.organisation,
               changes={"deleted": len(ids), "kept": kept})  # fmt: skip
    return len(ids), kept
