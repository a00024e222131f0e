"""A volunteer's data in the GDPR export, and its erasure.

Every model of the app that points at an account appears here (``SECTIONS`` maps the model to the export's
section; ``tests/test_volunteering_gdpr.py`` fails when a new model with a user field is missing). Rows say
what the person did *and* what was recorded about them by others.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import (
    ACTIVE_SIGNUP,
    Application,
    Bookmark,
    CardApplication,
    CardConfirmation,
    Certificate,
    Coordinator,
    CoordinatorInvitation,
    EngagementOrganisation,
    HoursEntry,
    Message,
    PoliceCertificateRecord,
    SavedSearch,
    ShiftSignup,
    VolunteerProfile,
)

# Model label -> section of the export that lists its rows (each row carries its ``id``).
SECTIONS = {
    "volunteering.volunteerprofile": "profil",
    "volunteering.application": "bewerbungen",
    "volunteering.message": "nachrichten",
    "volunteering.shiftsignup": "schichten",
    "volunteering.hoursentry": "stunden",
    "volunteering.certificate": "nachweise",
    "volunteering.policecertificaterecord": "fuehrungszeugnisse",
    "volunteering.cardapplication": "ehrenamtskarte",
    "volunteering.cardconfirmation": "ehrenamtskarte_bestaetigungen",
    "volunteering.bookmark": "merkliste",
    "volunteering.savedsearch": "suchauftraege",
    "volunteering.coordinator": "koordination",
    "volunteering.coordinatorinvitation": "einladungen",
    "volunteering.engagementorganisation": "gepruefte_organisationen",
}


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


def export(user: Any) -> dict[str, list[dict[str, Any]]]:
    profile = [
        {"id": row.pk, "geburtsdatum": _day(row.birth_date), "interessen": row.fields, "faehigkeiten": row.skills,
         "sprachen": row.languages, "verfuegbarkeit": row.availability, "postleitzahl": row.postal_code,
         "umkreis_km": row.radius_km, "vorschlaege": row.wants_suggestions, "elternteil": row.parent_name,
         "elternteil_email": row.parent_email, "zustimmung_elternteil": _day(row.parent_consented_at)}
        for row in VolunteerProfile.objects.filter(user=user)
    ]  # fmt: skip
    applications = Application.objects.filter(Q(volunteer=user) | Q(decided_by=user)).select_related(
        "opportunity__organisation"
    )
    messages = Message.objects.filter(Q(application__volunteer=user) | Q(sender=user)).select_related(
        "application__opportunity"
    )
    return {
        "profil": profile,
        "bewerbungen": [
            {"id": row.pk, "angebot": row.opportunity.title, "organisation": row.opportunity.organisation.name,
             "status": row.get_status_display(), "nachricht": row.message, "eingegangen": _day(row.created_at),
             "beendet_am": _day(row.ended_on), "als_koordination_entschieden": row.decided_by_id == user.pk
             and row.volunteer_id != user.pk, "identitaet": row.identity_text}
            for row in applications
        ],
        "nachrichten": [
            {"id": row.pk, "angebot": row.application.opportunity.title, "von_organisation": row.from_organisation,
             "selbst_geschrieben": row.sender_id == user.pk, "text": row.body, "gesendet": _day(row.created_at)}
            for row in messages
        ],
        "schichten": [
            {"id": row.pk, "angebot": row.shift.opportunity.title, "beginn": _day(row.shift.start),
             "status": row.get_status_display(), "anwesenheit": row.get_attendance_display()}
            for row in ShiftSignup.objects.filter(volunteer=user).select_related("shift__opportunity")
        ],
        "stunden": [
            {"id": row.pk, "organisation": row.organisation.name, "tag": _day(row.day), "stunden": str(row.hours),
             "taetigkeit": row.description, "status": row.get_status_display(), "anmerkung": row.note,
             "als_koordination_entschieden": row.volunteer_id != user.pk}
            for row in HoursEntry.objects.filter(Q(volunteer=user) | Q(decided_by=user)).select_related("organisation")
        ],
        "nachweise": [
            {"id": row.pk, "code": row.printed_code, "organisation": row.organisation_name,
             "name": row.volunteer_name, "von": _day(row.period_start), "bis": _day(row.period_end),
             "taetigkeit": row.activity, "stunden": str(row.hours), "kompetenzen": row.competences,
             "unterzeichnet_von": row.signed_by_name, "unterzeichnet_am": _day(row.signed_at),
             "widerrufen_am": _day(row.revoked_at)}
            for row in Certificate.objects.filter(Q(volunteer=user) | Q(signed_by=user))
        ],
        "fuehrungszeugnisse": [
            {"id": row.pk, "organisation": row.organisation.name, "ausgestellt_am": _day(row.certificate_date),
             "eingesehen_am": _day(row.inspected_on), "einschlaegige_eintragung": row.relevant_entry,
             "als_koordination_erfasst": row.volunteer_id != user.pk}
            for row in PoliceCertificateRecord.objects.filter(Q(volunteer=user) | Q(recorded_by=user))
            .select_related("organisation")
        ],
        "ehrenamtskarte": [
            {"id": row.pk, "anerkennung": row.recognition, "von": _day(row.period_start), "bis": _day(row.period_end),
             "stunden": str(row.hours), "status": row.get_status_display(), "identitaet": row.identity_text}
            for row in CardApplication.objects.filter(Q(volunteer=user) | Q(decided_by=user))
        ],
        "ehrenamtskarte_bestaetigungen": [
            {"id": row.pk, "organisation": row.organisation.name, "stunden": str(row.hours),
             "bestaetigt_am": _day(row.confirmed_at)}
            for row in CardConfirmation.objects.filter(Q(application__volunteer=user) | Q(confirmed_by=user))
            .select_related("organisation")
        ],
        "merkliste": [
            {"id": row.pk, "angebot": row.opportunity.title, "gemerkt": _day(row.created_at)}
            for row in Bookmark.objects.filter(user=user).select_related("opportunity")
        ],
        "suchauftraege": [
            {"id": row.pk, "name": row.name, "suche": row.query, "benachrichtigung": row.get_frequency_display()}
            for row in SavedSearch.objects.filter(user=user)
        ],
        "koordination": [
            {"id": row.pk, "organisation": row.organisation.name, "seit": _day(row.created_at)}
            for row in Coordinator.objects.filter(user=user).select_related("organisation")
        ],
        "einladungen": [
            {"id": row.pk, "organisation": row.organisation.name, "email": row.email}
            for row in CoordinatorInvitation.objects.filter(Q(invited_by=user) | Q(email__iexact=user.email))
            .select_related("organisation")
        ],
        "gepruefte_organisationen": [
            {"id": row.pk, "organisation": row.name, "geprueft_am": _day(row.verified_at)}
            for row in EngagementOrganisation.objects.filter(verified_by=user)
        ],
    }  # fmt: skip


@transaction.atomic
def erase(user: Any) -> None:
    """Delete the person's volunteering data. Places the person holds in upcoming shifts are given back first
    (the waiting list moves up), certificates are deleted, so their code no longer verifies, and coordinator
    memberships end, even the last of an organisation (its contact person stays)."""
    from .services import shifts

    now = timezone.now()
    # Through the sign-up service, so the first person waiting moves up and short notice reaches the coordinators.
    for signup in ShiftSignup.objects.filter(volunteer=user, status__in=ACTIVE_SIGNUP, shift__start__gt=now):
        shifts.cancel(signup, by=user, now=now)
    ShiftSignup.objects.filter(volunteer=user).delete()
    HoursEntry.objects.filter(volunteer=user).delete()
    Certificate.objects.filter(volunteer=user).delete()
    PoliceCertificateRecord.objects.filter(volunteer=user).delete()
    CardApplication.objects.filter(volunteer=user).delete()
    Message.objects.filter(application__volunteer=user).delete()
    Application.objects.filter(volunteer=user).delete()
    Bookmark.objects.filter(user=user).delete()
    SavedSearch.objects.filter(user=user).delete()
    VolunteerProfile.objects.filter(user=user).delete()
    Coordinator.objects.filter(user=user).delete()
    CoordinatorInvitation.objects.filter(email__iexact=user.email, accepted_at__isnull=True).delete()
