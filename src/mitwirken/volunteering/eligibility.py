"""Whether a volunteer may apply or sign up: age, a parent's consent, the login's trust level, an accepted
application, the cut-off.

Checked on the server in the services (the forms only show the result), always on Berlin's calendar day.
Every refusal is a ValidationError with a German message the page shows next to the button.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.accounts import assurance

from .models import Application, ApplicationStatus, Opportunity, Shift, VolunteerProfile


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def profile_of(user: Any) -> VolunteerProfile | None:
    return VolunteerProfile.objects.filter(user=user).first()


def check_age(user: Any, opportunity: Opportunity, day: date | None = None) -> None:
    """The opportunity's minimum age, and a parent's consent under the consent age."""
    day = day or timezone.localdate()
    profile = profile_of(user)
    needs_birth_date = bool(opportunity.minimum_age)
    if profile is None or profile.birth_date is None:
        if needs_birth_date:
            raise ValidationError(_(
                "Für dieses Angebot gibt es ein Mindestalter. Bitte tragen Sie Ihr Geburtsdatum in Ihrem "
                "Ehrenamtsprofil ein."
            ))  # fmt: skip
        return
    age = age_on(profile.birth_date, day)
    if opportunity.minimum_age and age < opportunity.minimum_age:
        raise ValidationError(
            _("Für dieses Angebot müssen Sie mindestens %(age)d Jahre alt sein.") % {"age": opportunity.minimum_age}
        )
    if age < settings.MITWIRKEN_VOLUNTEER_CONSENT_AGE and profile.parent_consented_at is None:
        raise ValidationError(_(
            "Unter %(age)d Jahren braucht es die Zustimmung eines Elternteils. Sobald Ihr Elternteil den Link in "
            "der E-Mail bestätigt hat, können Sie sich melden."
        ) % {"age": settings.MITWIRKEN_VOLUNTEER_CONSENT_AGE})  # fmt: skip


def assurance_refusal(opportunity: Opportunity, *, applying: bool = True) -> str:
    level = assurance.LoginAssurance(opportunity.min_assurance_level).label
    if applying:
        return _("Für eine Bewerbung auf dieses Angebot ist eine Anmeldung mit BundID mit dem Vertrauensniveau "
                 "„%(level)s“ oder höher nötig. Ihre Bewerbung wurde nicht gespeichert.") % {"level": level}  # fmt: skip
    return _("Für die Schichten dieses Angebots ist eine Anmeldung mit BundID mit dem Vertrauensniveau „%(level)s“ "
             "oder höher nötig. Sie wurden nicht eingetragen.") % {"level": level}  # fmt: skip


def check_assurance(user: Any, opportunity: Opportunity, *, applying: bool = True) -> None:
    """The opportunity's trust level, for the login of the current request (code "assurance")."""
    if not assurance.meets(user, opportunity.min_assurance_level):
        raise ValidationError(assurance_refusal(opportunity, applying=applying), code="assurance")


def check_can_apply(user: Any, opportunity: Opportunity) -> None:
    if not opportunity.is_open or not opportunity.organisation.is_verified:
        raise ValidationError(_("Für dieses Angebot sind keine Bewerbungen mehr möglich."))
    check_age(user, opportunity)
    check_assurance(user, opportunity)


def has_accepted_application(user: Any, opportunity: Opportunity) -> bool:
    return Application.objects.filter(
        opportunity=opportunity, volunteer=user, status=ApplicationStatus.ACCEPTED
    ).exists()


def cutoff(shift: Shift) -> datetime:
    """From this moment on only coordinators change the shift's list."""
    return shift.start - timedelta(hours=shift.opportunity.signup_cutoff_hours)


def within_cutoff(shift: Shift, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= cutoff(shift)


def check_can_sign_up(user: Any, shift: Shift, now: datetime | None = None) -> None:
    now = now or timezone.now()
    opportunity = shift.opportunity
    if not opportunity.is_open or not opportunity.organisation.is_verified:
        raise ValidationError(_("Für dieses Angebot sind keine Eintragungen mehr möglich."))
    if shift.start <= now:
        raise ValidationError(_("Diese Schicht hat schon begonnen."))
    if within_cutoff(shift, now):
        raise ValidationError(_(
            "Eintragungen sind nur bis %(hours)d Stunden vor Schichtbeginn möglich. Bitte wenden Sie sich an die "
            "Koordination."
        ) % {"hours": opportunity.signup_cutoff_hours})  # fmt: skip
    check_age(user, opportunity, timezone.localtime(shift.start).date())
    if not opportunity.application_required:
        check_assurance(user, opportunity, applying=False)
    if opportunity.application_required and not has_accepted_application(user, opportunity):
        raise ValidationError(_(
            "Für die Schichten dieses Angebots bewerben Sie sich bitte zuerst. Sobald die Organisation Ihre "
            "Bewerbung angenommen hat, können Sie sich eintragen."
        ))  # fmt: skip
