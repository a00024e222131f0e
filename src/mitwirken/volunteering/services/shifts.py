"""Signing up for shifts, the waiting list, swaps, and coordinators adding or removing helpers.

Places are counted on ``Shift.taken``. It rises only by the conditional UPDATE ``taken < max_helpers`` inside the
transaction that writes the sign-up, so however many people sign up at once the database hands out exactly
``max_helpers`` places; whoever does not get one is on the waiting list (``SignupStatus.WAITING``, in the order
of ``created_at``). A check constraint on the table refuses an overstaffed shift in any case.

A confirmed place given back goes straight to the first person waiting (the place changes hands, ``taken`` stays);
only without anyone waiting does ``taken`` fall. Every change locks the rows it decides on (``select_for_update``;
on SQLite the IMMEDIATE transaction does the same) and reads their status afresh, so a stale object never gives a
place back twice.

Volunteers sign up, swap and offer swaps only until the opportunity's cut-off before the start; they may still
cancel within it (the coordinators hear of it at once). Coordinators add and remove helpers at any time, never
beyond ``max_helpers``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action

from .. import eligibility
from ..models import ACTIVE_SIGNUP, Shift, ShiftSignup, SignupStatus
from ..rules import coordinates
from . import shift_messaging as messaging

MAX_MESSAGE = 5000
MAX_SUBJECT = 150


def _take_place(shift: Shift) -> bool:
    """One place, if there is one: the database decides, one sign-up at a time."""
    return bool(Shift.objects.filter(pk=shift.pk, taken__lt=F("max_helpers")).update(taken=F("taken") + 1))


def _give_back_place(shift_id: int) -> None:
    Shift.objects.filter(pk=shift_id, taken__gt=0).update(taken=F("taken") - 1)


def _lock_shift(shift_id: int) -> None:
    """Lock the shift's row first, in every change of its list, so changes of one shift run one after the other
    and always take their locks in the same order (shift, then sign-ups): a sign-up that found the shift full
    can never be written after a cancellation that saw nobody waiting and gave the place back."""
    list(Shift.objects.select_for_update().filter(pk=shift_id).values_list("pk", flat=True))


def _locked(signup: ShiftSignup) -> ShiftSignup:
    """The sign-up as stored now, its shift's row and its own row locked until the end of the transaction."""
    shift_id = ShiftSignup.objects.filter(pk=signup.pk).values_list("shift_id", flat=True).get()
    _lock_shift(shift_id)
    return (
        ShiftSignup.objects.select_for_update(of=("self",))
        .select_related("shift__opportunity__organisation")
        .get(pk=signup.pk)
    )


def _shift(shift: Shift) -> Shift:
    return Shift.objects.select_related("opportunity__organisation").get(pk=shift.pk)


def _check_not_signed_up(shift: Shift, user: Any) -> None:
    if ShiftSignup.objects.filter(shift=shift, volunteer=user, status__in=ACTIVE_SIGNUP).exists():
        raise ValidationError(_("Sie sind für diese Schicht schon eingetragen."))


def _check_no_overlap(shift: Shift, user: Any) -> None:
    """Nobody helps in two places at once: an active sign-up for another shift that overlaps this one."""
    overlapping = ShiftSignup.objects.filter(
        volunteer=user, status__in=ACTIVE_SIGNUP, shift__start__lt=shift.end, shift__end__gt=shift.start
    ).exclude(shift=shift)
    if overlapping.exists():
        raise ValidationError(_("Sie sind zu dieser Zeit schon für eine andere Schicht eingetragen."))


def sign_up(shift: Shift, user: Any, now: datetime | None = None) -> ShiftSignup:
    """Sign ``user`` up: a place if one is free (CONFIRMED), otherwise the waiting list (WAITING).

    Raises ValidationError with a German message where the person may not (cut-off, age on the shift's day, no
    accepted application, already signed up, another shift at the same time); nothing is saved then."""
    now = now or timezone.now()
    shift = _shift(shift)
    eligibility.check_can_sign_up(user, shift, now)
    _check_not_signed_up(shift, user)
    _check_no_overlap(shift, user)
    try:
        with transaction.atomic():
            _lock_shift(shift.pk)
            status = SignupStatus.CONFIRMED if _take_place(shift) else SignupStatus.WAITING
            signup = ShiftSignup.objects.create(shift=shift, volunteer=user, status=status)
    except IntegrityError:
        # The same person twice at the same moment (a double click): the partial unique constraint refused the
        # second row, and its place went back with the rolled back transaction.
        raise ValidationError(_("Sie sind für diese Schicht schon eingetragen.")) from None
    signup.shift = shift
    transaction.on_commit(lambda: messaging.signed_up(signup.pk))
    return signup


def _promote_first_waiting(shift_id: int) -> ShiftSignup | None:
    """Hand a freed place to the first person waiting (locked); without anyone the place is given back."""
    first = (
        ShiftSignup.objects.select_for_update()
        .filter(shift_id=shift_id, status=SignupStatus.WAITING)
        .order_by("created_at", "id")
        .first()
    )
    if first is None:
        _give_back_place(shift_id)
        return None
    first.status = SignupStatus.CONFIRMED
    first.save(update_fields=["status", "updated_at"])
    return first


def fill_from_waiting_list(shift_id: int) -> list[ShiftSignup]:
    """Give free places (after the coordinators raised the maximum) to the people waiting, first come first."""
    promoted: list[ShiftSignup] = []
    with transaction.atomic():
        _lock_shift(shift_id)
        while True:
            first = (
                ShiftSignup.objects.select_for_update().filter(shift_id=shift_id, status=SignupStatus.WAITING)
                .order_by("created_at", "id").first()
            )  # fmt: skip
            if first is None or not Shift.objects.filter(pk=shift_id, taken__lt=F("max_helpers")).update(
                taken=F("taken") + 1
            ):
                break
            first.status = SignupStatus.CONFIRMED
            first.save(update_fields=["status", "updated_at"])
            promoted.append(first)
            _after_release(first)
    return promoted


def _release(signup: ShiftSignup) -> ShiftSignup | None:
    """Cancel a locked, active sign-up; returns whoever moved up into its place."""
    was_confirmed = signup.status == SignupStatus.CONFIRMED
    signup.status = SignupStatus.CANCELLED
    signup.swap_offered = False
    signup.save(update_fields=["status", "swap_offered", "updated_at"])
    return _promote_first_waiting(signup.shift_id) if was_confirmed else None


def _after_release(promoted: ShiftSignup | None) -> None:
    if promoted is not None:
        promoted_id = promoted.pk
        transaction.on_commit(lambda: messaging.moved_up(promoted_id))


def _active_locked(shift: Shift, user: Any) -> ShiftSignup | None:
    """The person's active sign-up for the shift, locked, if there is one."""
    return ShiftSignup.objects.select_for_update().filter(shift=shift, volunteer=user, status__in=ACTIVE_SIGNUP).first()


def _confirm(shift: Shift, user: Any, own: ShiftSignup | None) -> ShiftSignup:
    """A confirmed sign-up for a place already accounted for: the person's waiting entry, or a new one."""
    if own is None:
        return ShiftSignup.objects.create(shift=shift, volunteer=user, status=SignupStatus.CONFIRMED)
    own.status = SignupStatus.CONFIRMED
    own.save(update_fields=["status", "updated_at"])
    return own


def cancel(signup: ShiftSignup, by: Any, now: datetime | None = None) -> ShiftSignup | None:
    """The volunteer gives back their place or leaves the waiting list. Within the cut-off the coordinators are
    told at once (a short-notice cancellation). Returns the person who moved up, if any."""
    now = now or timezone.now()
    with transaction.atomic():
        signup = _locked(signup)
        if signup.volunteer_id != getattr(by, "pk", None):
            raise ValidationError(_("Diese Eintragung gehört nicht Ihnen."))
        if signup.status not in ACTIVE_SIGNUP:
            raise ValidationError(_("Diese Eintragung ist schon abgesagt."))
        if signup.shift.start <= now:
            raise ValidationError(_("Diese Schicht hat schon begonnen. Bitte wenden Sie sich an die Koordination."))
        short_notice = signup.status == SignupStatus.CONFIRMED and eligibility.within_cutoff(signup.shift, now)
        promoted = _release(signup)
        _after_release(promoted)
        if short_notice:
            signup_id = signup.pk
            transaction.on_commit(lambda: messaging.short_notice_cancellation(signup_id))
    return promoted


def _check_before_cutoff(shift: Shift, now: datetime) -> None:
    if shift.start <= now:
        raise ValidationError(_("Diese Schicht hat schon begonnen."))
    if eligibility.within_cutoff(shift, now):
        raise ValidationError(_(
            "Tauschen ist nur bis %(hours)d Stunden vor Schichtbeginn möglich. Bitte wenden Sie sich an die "
            "Koordination."
        ) % {"hours": shift.opportunity.signup_cutoff_hours})  # fmt: skip


def offer_swap(signup: ShiftSignup, by: Any | None = None, now: datetime | None = None, *, offered: bool = True
               ) -> ShiftSignup:  # fmt: skip
    """Offer one's confirmed place to another volunteer (``offered=False`` takes the offer back)."""
    now = now or timezone.now()
    with transaction.atomic():
        signup = _locked(signup)
        if by is not None and signup.volunteer_id != getattr(by, "pk", None):
            raise ValidationError(_("Diese Eintragung gehört nicht Ihnen."))
        if signup.status != SignupStatus.CONFIRMED:
            raise ValidationError(_("Nur eine bestätigte Eintragung kann zum Tausch angeboten werden."))
        if offered:
            _check_before_cutoff(signup.shift, now)
        signup.swap_offered = offered
        signup.save(update_fields=["swap_offered", "updated_at"])
    return signup


def take_swap(signup: ShiftSignup, other_user: Any, now: datetime | None = None) -> ShiftSignup:
    """``other_user`` takes the place offered for swapping: the offer's sign-up is cancelled, the taker gets a
    confirmed one (a waiting entry of theirs becomes it), ``taken`` stays. The coordinators are told."""
    now = now or timezone.now()
    shift = _shift(signup.shift)
    if signup.volunteer_id == getattr(other_user, "pk", None):
        raise ValidationError(_("Das ist Ihre eigene Eintragung."))
    eligibility.check_can_sign_up(other_user, shift, now)
    _check_no_overlap(shift, other_user)
    try:
        with transaction.atomic():
            offer = _locked(signup)
            if offer.status != SignupStatus.CONFIRMED or not offer.swap_offered:
                raise ValidationError(_("Dieses Tauschangebot gibt es nicht mehr."))
            own = _active_locked(shift, other_user)
            if own is not None and own.status == SignupStatus.CONFIRMED:
                raise ValidationError(_("Sie sind für diese Schicht schon eingetragen."))
            offer.status = SignupStatus.CANCELLED
            offer.swap_offered = False
            offer.save(update_fields=["status", "swap_offered", "updated_at"])
            taken = _confirm(shift, other_user, own)
            offer_id, taken_id = offer.pk, taken.pk
            transaction.on_commit(lambda: messaging.swapped(offer_id, taken_id))
    except IntegrityError:
        raise ValidationError(_("Sie sind für diese Schicht schon eingetragen.")) from None
    return taken


# --- coordinators -----------------------------------------------------------------------------------------------


def _check_coordinator(shift: Shift, by: Any) -> None:
    if not coordinates(by, shift.opportunity.organisation):
        raise ValidationError(_("Nur die Koordination der Organisation kann die Liste der Helfenden ändern."))


def add_helper(shift: Shift, user: Any, by: Any, now: datetime | None = None) -> ShiftSignup:
    """A coordinator puts ``user`` on the shift at any time (also ahead of the waiting list, also after the
    cut-off), never beyond ``max_helpers``. Someone waiting gets their place from the waiting list."""
    now = now or timezone.now()
    shift = _shift(shift)
    _check_coordinator(shift, by)
    eligibility.check_age(user, shift.opportunity, timezone.localtime(shift.start).date())
    _check_no_overlap(shift, user)
    try:
        with transaction.atomic():
            _lock_shift(shift.pk)
            own = _active_locked(shift, user)
            if own is not None and own.status == SignupStatus.CONFIRMED:
                raise ValidationError({"volunteer": _("Diese Person ist schon eingetragen.")})
            if not _take_place(shift):
                raise ValidationError({"volunteer": _(
                    "Die Schicht ist voll (%(max)d Plätze). Entfernen Sie zuerst jemanden oder erhöhen Sie die "
                    "Höchstzahl."
                ) % {"max": shift.max_helpers}})  # fmt: skip
            signup = _confirm(shift, user, own)
            log_action(actor=by, action="volunteering.shift_helper_added", obj=signup,
                       changes={"shift": shift.pk, "volunteer": user.pk})  # fmt: skip
            signup_id = signup.pk
            transaction.on_commit(lambda: messaging.added_by_coordinator(signup_id))
    except IntegrityError:
        raise ValidationError({"volunteer": _("Diese Person ist schon eingetragen.")}) from None
    return signup


def remove_helper(signup: ShiftSignup, by: Any, now: datetime | None = None) -> ShiftSignup | None:
    """A coordinator takes someone off the shift or its waiting list at any time; the first person waiting moves
    up into a freed place. Returns that person's sign-up, if any."""
    with transaction.atomic():
        signup = _locked(signup)
        _check_coordinator(signup.shift, by)
        if signup.status not in ACTIVE_SIGNUP:
            raise ValidationError(_("Diese Person ist nicht mehr eingetragen."))
        promoted = _release(signup)
        log_action(actor=by, action="volunteering.shift_helper_removed", obj=signup,
                   changes={"shift": signup.shift_id, "volunteer": signup.volunteer_id})  # fmt: skip
        _after_release(promoted)
        signup_id = signup.pk
        transaction.on_commit(lambda: messaging.removed_by_coordinator(signup_id))
    return promoted


def message_helpers(shift: Shift, by: Any, subject: str, body: str) -> int:
    """An e-mail through the portal to every confirmed helper of the shift, each on their own (nobody sees the
    others' addresses, nor the coordinator's). Returns how many were written to."""
    shift = _shift(shift)
    _check_coordinator(shift, by)
    subject, body = " ".join(subject.split()), body.strip()
    errors = {}
    if len(subject) > MAX_SUBJECT:
        errors["subject"] = _("Der Betreff darf höchstens %(max)d Zeichen lang sein.") % {"max": MAX_SUBJECT}
    if not body:
        errors["body"] = _("Bitte schreiben Sie eine Nachricht.")
    elif len(body) > MAX_MESSAGE:
        errors["body"] = _("Die Nachricht darf höchstens %(max)d Zeichen lang sein.") % {"max": MAX_MESSAGE}
    if errors:
        raise ValidationError(errors)
    helper_ids = list(
        ShiftSignup.objects.filter(shift=shift, status=SignupStatus.CONFIRMED).values_list("pk", flat=True)
    )
    if not helper_ids:
        raise ValidationError({"body": _("Für diese Schicht ist noch niemand eingetragen.")})
    log_action(actor=by, action="volunteering.shift_message", obj=shift, changes={"recipients": len(helper_ids)})
    transaction.on_commit(lambda: messaging.message_to_helpers(shift.pk, helper_ids, subject, body, by.pk))
    return len(helper_ids)
