"""The volunteer's side of shifts: an opportunity's shifts with sign-up, cancel and swap buttons (plain forms, no
JavaScript needed), "Meine Schichten", and a shift's calendar file.

The page shows why someone cannot sign up (no accepted application, the cut-off, the age on the shift's day);
the services check the same again when the button is pressed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import eligibility, shift_ics
from .models import ACTIVE_SIGNUP, Opportunity, Shift, ShiftSignup, SignupStatus
from .services import shifts as service

PAGE_SIZE = 20


@dataclass
class ShiftRow:
    shift: Shift
    own: ShiftSignup | None
    reason: str  # why this person cannot sign up now ("" where they can)
    within_cutoff: bool


def _visible_opportunity(request: HttpRequest, pk: int) -> Opportunity:
    opportunity = get_object_or_404(Opportunity.objects.select_related("organisation"), pk=pk)
    if not request.user.has_perm("volunteering.view_opportunity", opportunity):
        raise Http404
    return opportunity


def _shift_of(request: HttpRequest, pk: int) -> Shift:
    shift = get_object_or_404(Shift.objects.select_related("opportunity__organisation"), pk=pk)
    if not request.user.has_perm("volunteering.view_opportunity", shift.opportunity):
        raise Http404
    return shift


def upcoming_shifts(opportunity: Opportunity, user: Any, now: datetime) -> QuerySet[Shift]:
    """The opportunity's shifts still to begin, with the waiting list's length and another person's swap offer."""
    offers = ShiftSignup.objects.filter(shift=OuterRef("pk"), status=SignupStatus.CONFIRMED, swap_offered=True)
    if getattr(user, "is_authenticated", False):
        offers = offers.exclude(volunteer=user)
    return (
        Shift.objects.filter(opportunity=opportunity, start__gt=now)
        .annotate(
            waiting=Count("signups", filter=Q(signups__status=SignupStatus.WAITING)),
            swap_offer=Subquery(offers.order_by("updated_at", "pk").values("pk")[:1]),
        )
        .order_by("start", "pk")
    )


def with_waiting_position(signups: QuerySet[ShiftSignup]) -> QuerySet[ShiftSignup]:
    """``ahead``: how many people wait before each sign-up on its shift's waiting list (one subquery)."""
    earlier = Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
    ahead = (
        ShiftSignup.objects.filter(earlier, shift=OuterRef("shift"), status=SignupStatus.WAITING)
        .order_by()
        .values("shift")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return signups.annotate(ahead=Coalesce(Subquery(ahead), 0))


def _age_reasons(user: Any, opportunity: Opportunity, days: set[date]) -> dict[date, str]:
    """The age refusal per shift day. Grown-ups (the usual case) cost one query; only someone young enough for the
    age to matter on some day, or without a birth date where one is needed, is checked day by day."""
    profile = eligibility.profile_of(user)
    limit = max(opportunity.minimum_age or 0, settings.MITWIRKEN_VOLUNTEER_CONSENT_AGE)
    birth_date = profile.birth_date if profile is not None else None
    if birth_date is not None and days and eligibility.age_on(birth_date, min(days)) >= limit:
        return {}
    reasons = {}
    for day in days:
        try:
            eligibility.check_age(user, opportunity, day)
        except ValidationError as error:
            reasons[day] = " ".join(error.messages)
    return reasons


def general_reason(user: Any, opportunity: Opportunity) -> str:
    """Why the person can sign up for none of the opportunity's shifts ("" where nothing stands in the way)."""
    if not opportunity.is_open or not opportunity.organisation.is_verified:
        return _("Für dieses Angebot sind keine Eintragungen mehr möglich.")
    if opportunity.application_required and not eligibility.has_accepted_application(user, opportunity):
        return _(
            "Bitte bewerben Sie sich zuerst für dieses Angebot. Sobald die Organisation Ihre Bewerbung angenommen "
            "hat, können Sie sich hier für Schichten eintragen."
        )
    if not opportunity.application_required:
        try:
            eligibility.check_assurance(user, opportunity, applying=False)
        except ValidationError as error:
            return " ".join(error.messages)
    return ""


def shift_rows(shifts: list[Shift], opportunity: Opportunity, user: Any, now: datetime) -> tuple[list[ShiftRow], str]:
    """Each shift with the person's own sign-up and the reason they cannot sign up; and the reason for all."""
    if not getattr(user, "is_authenticated", False):
        return [ShiftRow(shift, None, "", eligibility.within_cutoff(shift, now)) for shift in shifts], ""
    own = {
        signup.shift_id: signup
        for signup in with_waiting_position(
            ShiftSignup.objects.filter(volunteer=user, shift__in=shifts, status__in=ACTIVE_SIGNUP)
        )
    }
    general = general_reason(user, opportunity)
    days = {timezone.localtime(shift.start).date() for shift in shifts}
    ages = _age_reasons(user, opportunity, days) if not general else {}
    rows = []
    for shift in shifts:
        shift.opportunity = opportunity
        late = eligibility.within_cutoff(shift, now)
        reason = general
        if not reason and late:
            reason = _("Eintragen ist nur bis %(hours)d Stunden vor Beginn möglich. Bitte wenden Sie sich an die "
                       "Koordination.") % {"hours": opportunity.signup_cutoff_hours}  # fmt: skip
        reason = reason or ages.get(timezone.localtime(shift.start).date(), "")
        rows.append(ShiftRow(shift, own.get(shift.pk), reason, late))
    return rows, general


@require_GET
def shifts(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _visible_opportunity(request, pk)
    now = timezone.now()
    page = Paginator(upcoming_shifts(opportunity, request.user, now), PAGE_SIZE).get_page(request.GET.get("seite"))
    rows, general = shift_rows(list(page), opportunity, request.user, now)
    return render(request, "volunteering/shifts/list.html", {
        "opportunity": opportunity, "organisation": opportunity.organisation, "page": page, "rows": rows,
        "general_reason": general, "login_url": f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.path})}",
    })  # fmt: skip


def _back(request: HttpRequest, shift: Shift) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(reverse("volunteering:shifts", kwargs={"pk": shift.opportunity_id}) + f"#schicht-{shift.pk}")


def _act(request: HttpRequest, shift: Shift, write: Any, success: str) -> HttpResponse:
    try:
        write()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return _back(request, shift)


@require_POST
def sign_up(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("volunteering:shifts", kwargs={"pk": _shift_of(request, pk).opportunity_id}))
    shift = _shift_of(request, pk)
    try:
        signup = service.sign_up(shift, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if signup.status == SignupStatus.CONFIRMED:
            messages.success(request, _("Vielen Dank, Sie sind für die Schicht eingetragen. Eine Bestätigung mit "
                                        "Kalenderdatei ist per E-Mail unterwegs."))  # fmt: skip
        else:
            messages.info(request, _("Die Schicht ist voll. Sie stehen auf der Warteliste und rücken automatisch "
                                     "nach, sobald ein Platz frei wird."))  # fmt: skip
    return _back(request, shift)


def _own_signup(request: HttpRequest, pk: int) -> ShiftSignup:
    """The person's own sign-up; anyone else's is 404."""
    return get_object_or_404(ShiftSignup.objects.select_related("shift__opportunity__organisation"), pk=pk,
                             volunteer_id=request.user.pk)  # fmt: skip


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    signup = _own_signup(request, pk)
    waiting = signup.status == SignupStatus.WAITING
    success = _("Sie stehen nicht mehr auf der Warteliste.") if waiting else _(
        "Sie haben abgesagt. Ihr Platz geht an die nächste Person auf der Warteliste.")  # fmt: skip
    return _act(request, signup.shift, lambda: service.cancel(signup, request.user), success)


@login_required
@require_POST
def offer_swap(request: HttpRequest, pk: int) -> HttpResponse:
    signup = _own_signup(request, pk)
    offered = request.POST.get("action") != "withdraw"
    success = _("Ihre Schicht ist zum Tausch angeboten. Sie bleiben eingetragen, bis jemand sie übernimmt.") if (
        offered) else _("Sie haben das Tauschangebot zurückgenommen.")  # fmt: skip
    return _act(request, signup.shift, lambda: service.offer_swap(signup, request.user, offered=offered), success)


@login_required
@require_POST
def take_swap(request: HttpRequest, pk: int) -> HttpResponse:
    signup = get_object_or_404(
        ShiftSignup.objects.select_related("shift__opportunity__organisation"),
        pk=pk, status=SignupStatus.CONFIRMED, swap_offered=True,
    )  # fmt: skip
    shift = _shift_of(request, signup.shift_id)
    success = _("Sie haben die Schicht übernommen. Die Koordination ist informiert.")
    return _act(request, shift, lambda: service.take_swap(signup, request.user), success)


MY_PAGE_SIZE = 20


def my_signups(user: Any) -> QuerySet[ShiftSignup]:
    return ShiftSignup.objects.filter(volunteer=user).select_related("shift__opportunity__organisation")


@login_required
@require_GET
def my_shifts(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    upcoming = with_waiting_position(my_signups(request.user)).filter(status__in=ACTIVE_SIGNUP, shift__end__gt=now).order_by(
        "shift__start", "pk")  # fmt: skip
    past = my_signups(request.user).filter(status=SignupStatus.CONFIRMED, shift__end__lte=now).order_by(
        "-shift__start", "-pk")  # fmt: skip
    return render(request, "volunteering/shifts/mine.html", {
        "upcoming": Paginator(upcoming, MY_PAGE_SIZE).get_page(request.GET.get("kommend")),
        "past": Paginator(past, MY_PAGE_SIZE).get_page(request.GET.get("vergangen")), "now": now,
    })  # fmt: skip


@login_required
@require_GET
def shift_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    signup = _own_signup(request, pk)
    response = HttpResponse(
        shift_ics.shift_calendar(signup.shift, cancelled=signup.status == SignupStatus.CANCELLED),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{shift_ics.filename(signup.shift)}"'
    return response
