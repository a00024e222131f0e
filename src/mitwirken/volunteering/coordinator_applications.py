"""The coordinators' side of applications: the organisation's inbox (filtered by status, with counts) and one
application with the applicant's profile, the messages and the decisions.

The profile shows what helps to decide (interests, skills, languages, availability, the age in years) and
never the birth date; the e-mail address only if the volunteer shared it. An application of another
organisation answers 404, also to a forged POST.
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.spam import over_limit

from . import eligibility
from .access import coordinator_context, coordinator_view
from .forms_applications import EndForm, MessageForm, OptionalMessageForm, QuestionForm, ShareForm
from .models import Application, ApplicationStatus, EngagementOrganisation, Field, VolunteerProfile
from .services import applications as service
from .services.application_messaging import volunteer_name
from .views_applications import TOO_FAST, opportunity_path, save_share, thread

PAGE_SIZE = 25
TAB = "bewerbungen"
SHARE_LABEL = gettext_lazy("Die Kontakt-E-Mail-Adresse unserer Organisation an die Person weitergeben")

WEEKDAYS = {"mo": gettext_lazy("Montag"), "di": gettext_lazy("Dienstag"), "mi": gettext_lazy("Mittwoch"),
            "do": gettext_lazy("Donnerstag"), "fr": gettext_lazy("Freitag"), "sa": gettext_lazy("Samstag"),
            "so": gettext_lazy("Sonntag")}  # fmt: skip
DAYTIMES = {"vormittag": gettext_lazy("vormittags"), "nachmittag": gettext_lazy("nachmittags"),
            "abend": gettext_lazy("abends"), "morgen": gettext_lazy("morgens"),
            "ganztags": gettext_lazy("ganztags")}  # fmt: skip


def availability_labels(slots: list[str]) -> list[str]:
    """ "sa-vormittag" → "Samstag vormittags"; an unknown slot as it is stored."""
    labels = []
    for slot in slots or []:
        day, _sep, time = str(slot).partition("-")
        if day in WEEKDAYS:
            labels.append(f"{WEEKDAYS[day]} {DAYTIMES.get(time, time)}".strip())
        else:
            labels.append(str(slot))
    return labels


# --- reads ---------------------------------------------------------------------------------------------------------


def organisation_applications(organisation: EngagementOrganisation) -> Any:
    return Application.objects.filter(opportunity__organisation=organisation)


def status_counts(organisation: EngagementOrganisation) -> dict[str, int]:
    """Applications per status in one query."""
    return organisation_applications(organisation).aggregate(
        all=Count("id"), **{status: Count("id", filter=Q(status=status)) for status in ApplicationStatus.values}
    )


def applicant_profile(user: Any, application: Application) -> dict[str, Any] | None:
    """What the coordinators see of the applicant, or None if this coordinator may not see the profile."""
    profile = VolunteerProfile.objects.filter(user=application.volunteer).first()
    if profile is not None and not rules.has_perm("volunteering.view_profile", user, profile):
        return None
    volunteer = application.volunteer
    facts: dict[str, Any] = {
        "name": volunteer_name(volunteer),
        "email": volunteer.email if application.volunteer_shares_email else "",
        "age": None, "fields": [], "skills": "", "languages": "", "availability": [],
    }  # fmt: skip
    if profile is not None:
        facts.update({
            "age": eligibility.age_on(profile.birth_date, timezone.localdate()) if profile.birth_date else None,
            "fields": [str(Field(key).label) for key in profile.fields if key in Field.values],
            "skills": profile.skills, "languages": profile.languages,
            "availability": availability_labels(profile.availability),
        })  # fmt: skip
    return facts


# --- the list ------------------------------------------------------------------------------------------------------


@coordinator_view
def applications(request: HttpRequest, organisation: EngagementOrganisation) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ApplicationStatus.values:
        status = ""
    rows = organisation_applications(organisation)
    if status:
        rows = rows.filter(status=status)
    rows = (
        rows.select_related("opportunity", "volunteer").annotate(
            unread=Count("messages", filter=Q(messages__from_organisation=False, messages__read_at__isnull=True))
        ).order_by("-created_at", "-id")
    )  # fmt: skip
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("seite"))
    counts = status_counts(organisation)
    filters = [("", _("Alle"), counts["all"])] + [
        (value, label, counts[value]) for value, label in ApplicationStatus.choices
    ]
    items = [(application, volunteer_name(application.volunteer)) for application in page.object_list]
    return render(request, "volunteering/applications/coordinator_list.html", coordinator_context(
        organisation, TAB, page=page, items=items, filters=filters, status=status,
        query=f"status={status}" if status else "",
    ))  # fmt: skip


# --- one application -----------------------------------------------------------------------------------------------


def organisation_application(organisation: EngagementOrganisation, pk: int) -> Application:
    return get_object_or_404(
        Application.objects.select_related("opportunity__organisation", "volunteer"),
        opportunity__organisation=organisation, pk=pk,
    )  # fmt: skip


def _forms(application: Application, bound: dict[str, Any]) -> dict[str, Any]:
    forms = {
        "reply": MessageForm(prefix="nachricht"), "accept_form": OptionalMessageForm(prefix="annehmen"),
        "decline_form": OptionalMessageForm(prefix="ablehnen"), "question_form": QuestionForm(prefix="frage"),
        "end_form": EndForm(prefix="ende"),
        "share": ShareForm(prefix="teilen", label=SHARE_LABEL, initial={"share": application.organisation_shares_email}),
    }  # fmt: skip
    forms.update(bound)
    return forms


def _detail(request: HttpRequest, organisation: EngagementOrganisation, application: Application,
            bound: dict[str, Any] | None = None) -> HttpResponse:  # fmt: skip
    service.mark_read(application, by_organisation=True)
    return render(request, "volunteering/applications/coordinator_detail.html", coordinator_context(
        organisation, TAB, application=application, opportunity=application.opportunity,
        opportunity_url=opportunity_path(application.opportunity), messages_thread=thread(application),
        profile=applicant_profile(request.user, application), volunteer_name=volunteer_name(application.volunteer),
        undecided=application.status in service.UNDECIDED,
        can_end=application.status == ApplicationStatus.ACCEPTED,
        can_write=application.status not in service.CLOSED,
        today=timezone.localdate(), **_forms(application, bound or {}),
    ))  # fmt: skip


def _message(*, actor: Any, application: Application, body: str) -> Any:
    return service.send_message(sender=actor, application=application, body=body, as_organisation=True)


# action → (the form's name in the template, its class and prefix, the service, the success message). The forms'
# field names are the services' keyword arguments.
ACTIONS: dict[str, tuple[str, Any, str, Any, Any]] = {
    "accept": ("accept_form", OptionalMessageForm, "annehmen", service.accept,
               gettext_lazy("Die Bewerbung ist angenommen. Die Person erhält eine E-Mail.")),
    "decline": ("decline_form", OptionalMessageForm, "ablehnen", service.decline,
                gettext_lazy("Die Bewerbung ist abgelehnt. Die Person erhält eine E-Mail.")),
    "question": ("question_form", QuestionForm, "frage", service.ask, gettext_lazy("Ihre Frage ist abgeschickt.")),
    "end": ("end_form", EndForm, "ende", service.end, gettext_lazy("Das Engagement ist als beendet eingetragen.")),
    "message": ("reply", MessageForm, "nachricht", _message, gettext_lazy("Ihre Nachricht ist abgeschickt.")),
}  # fmt: skip


@coordinator_view
def application(request: HttpRequest, organisation: EngagementOrganisation, pk: int) -> HttpResponse:
    application = organisation_application(organisation, pk)
    if not rules.has_perm("volunteering.decide_application", request.user, application):
        raise Http404
    if request.method != "POST":
        return _detail(request, organisation, application)
    action = request.POST.get("action", "")
    back = redirect("volunteering:coordinator_application", org_slug=organisation.slug, pk=application.pk)
    if action == "share":
        save_share(request, application, as_organisation=True, label=SHARE_LABEL)
        return back
    if action not in ACTIONS:
        raise Http404
    key, form_class, prefix, call, success = ACTIONS[action]
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        if action in ("message", "question") and over_limit(request, "volunteering.message", per_user="10/m",
                                                            per_ip="30/m"):  # fmt: skip
            form.add_error(None, str(TOO_FAST))
        else:
            try:
                call(actor=request.user, application=application, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, success)
                return back
    application.refresh_from_db()
    return _detail(request, organisation, application, {key: form})
