"""The coordinators' side of shifts: the organisation's coming shifts with their staffing, and one shift's
helper list with its waiting list, adding and removing helpers, and a message to all helpers.

Only the organisation's coordinators get here (``access.coordinator_view``; everyone else 404). A volunteer's
e-mail address shows only where the person chose to share it on an application to this organisation.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from mitwirken.core.forms_util import add_service_errors

from .access import coordinator_context, coordinator_view
from .models import (
    ACTIVE_APPLICATION,
    ACTIVE_SIGNUP,
    Application,
    EngagementOrganisation,
    Shift,
    ShiftSignup,
    SignupStatus,
)
from .services import shifts as service

PAGE_SIZE = 25
TAB = "schichten"


def organisation_shifts(organisation: EngagementOrganisation) -> QuerySet[Shift]:
    """Shifts not yet over, with the length of their waiting lists (one query for any number of rows)."""
    return (
        Shift.objects.filter(opportunity__organisation=organisation, end__gt=timezone.now())
        .select_related("opportunity")
        .annotate(waiting=Count("signups", filter=Q(signups__status=SignupStatus.WAITING)))
        .order_by("start", "pk")
    )


@coordinator_view
@require_GET
def shift_list(request: HttpRequest, organisation: EngagementOrganisation) -> HttpResponse:
    page = Paginator(organisation_shifts(organisation), PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(request, "volunteering/shifts/coordinator_list.html",
                  coordinator_context(organisation, TAB, page=page))  # fmt: skip


def candidates(organisation: EngagementOrganisation, shift: Shift) -> QuerySet[Any]:
    """Who a coordinator may add: people who applied or signed up at the organisation, not yet on the shift."""
    user_model = get_user_model()
    applied = Application.objects.filter(volunteer=OuterRef("pk"), opportunity__organisation=organisation,
                                         status__in=ACTIVE_APPLICATION)  # fmt: skip
    signed_up = ShiftSignup.objects.filter(volunteer=OuterRef("pk"), shift__opportunity__organisation=organisation,
                                           status__in=ACTIVE_SIGNUP)  # fmt: skip
    on_shift = ShiftSignup.objects.filter(volunteer=OuterRef("pk"), shift=shift, status=SignupStatus.CONFIRMED)
    return (
        user_model.objects.filter(Exists(applied) | Exists(signed_up))
        .exclude(Exists(on_shift))
        .order_by("display_name", "pk")
    )


class HelperChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class AddHelperForm(forms.Form):
    volunteer = HelperChoiceField(
        label=gettext_lazy("Person"), queryset=get_user_model().objects.none(),
        empty_label=gettext_lazy("Bitte wählen"),
        help_text=gettext_lazy("Personen, die sich bei Ihrer Organisation beworben oder eingetragen haben."),
        error_messages={"required": gettext_lazy("Bitte wählen Sie eine Person aus."),
                        "invalid_choice": gettext_lazy("Bitte wählen Sie eine Person aus der Liste.")},
    )  # fmt: skip

    def __init__(self, *args: Any, organisation: EngagementOrganisation, shift: Shift, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = candidates(organisation, shift)  # type: ignore[attr-defined]


class MessageForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Betreff"), max_length=service.MAX_SUBJECT,
                              required=False)  # fmt: skip
    body = forms.CharField(
        label=gettext_lazy("Nachricht"), widget=forms.Textarea(attrs={"rows": 6}), max_length=service.MAX_MESSAGE,
        error_messages={"required": gettext_lazy("Bitte schreiben Sie eine Nachricht.")},
    )  # fmt: skip


def helpers(organisation: EngagementOrganisation, shift: Shift) -> QuerySet[ShiftSignup]:
    """The shift's active sign-ups in list order, each with whether its volunteer shares the e-mail address with
    this organisation (on any application here)."""
    shares = Application.objects.filter(volunteer=OuterRef("volunteer"), opportunity__organisation=organisation,
                                        volunteer_shares_email=True)  # fmt: skip
    return (
        ShiftSignup.objects.filter(shift=shift, status__in=ACTIVE_SIGNUP)
        .select_related("volunteer")
        .annotate(shares_email=Exists(shares))
        .order_by("created_at", "pk")
    )


def _shift(organisation: EngagementOrganisation, pk: int) -> Shift:
    return get_object_or_404(Shift.objects.select_related("opportunity__organisation"),
                             opportunity__organisation=organisation, pk=pk)  # fmt: skip


def _detail(request: HttpRequest, organisation: EngagementOrganisation, shift: Shift, *,
            add_form: AddHelperForm | None = None, message_form: MessageForm | None = None,
            status: int = 200) -> HttpResponse:  # fmt: skip
    rows = list(helpers(organisation, shift))
    confirmed = [row for row in rows if row.status == SignupStatus.CONFIRMED]
    waiting = [row for row in rows if row.status == SignupStatus.WAITING]
    return render(request, "volunteering/shifts/coordinator_detail.html", coordinator_context(
        organisation, TAB, shift=shift, opportunity=shift.opportunity, confirmed=confirmed, waiting=waiting,
        add_form=add_form or AddHelperForm(organisation=organisation, shift=shift),
        message_form=message_form or MessageForm(), understaffed=shift.taken < shift.min_helpers,
    ), status=status)  # fmt: skip


@coordinator_view
@require_GET
def shift_detail(request: HttpRequest, organisation: EngagementOrganisation, pk: int) -> HttpResponse:
    return _detail(request, organisation, _shift(organisation, pk))


@coordinator_view
@require_POST
def add_helper(request: HttpRequest, organisation: EngagementOrganisation, pk: int) -> HttpResponse:
    shift = _shift(organisation, pk)
    form = AddHelperForm(request.POST, organisation=organisation, shift=shift)
    if form.is_valid():
        try:
            service.add_helper(shift, form.cleaned_data["volunteer"], request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s ist jetzt für die Schicht eingetragen.")
                             % {"name": form.cleaned_data["volunteer"]})  # fmt: skip
            return redirect("volunteering:coordinator_shift", org_slug=organisation.slug, pk=shift.pk)
    shift.refresh_from_db()
    return _detail(request, organisation, shift, add_form=form, status=400)


@coordinator_view
@require_POST
def remove_helper(request: HttpRequest, organisation: EngagementOrganisation, pk: int, signup_pk: int
                  ) -> HttpResponse:  # fmt: skip
    shift = _shift(organisation, pk)
    signup = get_object_or_404(ShiftSignup.objects.select_related("volunteer"), shift=shift, pk=signup_pk)
    try:
        promoted = service.remove_helper(signup, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = _("%(name)s ist nicht mehr eingetragen.") % {"name": signup.volunteer}
        if promoted is not None:
            text += " " + _("%(name)s ist von der Warteliste nachgerückt.") % {"name": promoted.volunteer}
        messages.success(request, text)
    return redirect("volunteering:coordinator_shift", org_slug=organisation.slug, pk=shift.pk)


@coordinator_view
@require_POST
def message_helpers(request: HttpRequest, organisation: EngagementOrganisation, pk: int) -> HttpResponse:
    shift = _shift(organisation, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            count = service.message_helpers(shift, request.user, form.cleaned_data["subject"],
                                            form.cleaned_data["body"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Ihre Nachricht ist an %(count)d Helfende unterwegs.") % {"count": count})
            return redirect("volunteering:coordinator_shift", org_slug=organisation.slug, pk=shift.pk)
    return _detail(request, organisation, shift, message_form=form, status=400)
