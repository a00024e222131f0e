"""The volunteer's profile: saving it (the postcode located, the age checked) and a parent's consent.

The profile is private: only its owner edits or sees it here; engagement organisations see it once the person
applied or signed up there (``rules.view_profile``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mitwirken.core import geo

from ..eligibility import age_on
from ..models import Field, VolunteerProfile, new_token

WEEKDAYS = (
    ("mo", gettext_lazy("Montag")), ("di", gettext_lazy("Dienstag")), ("mi", gettext_lazy("Mittwoch")),
    ("do", gettext_lazy("Donnerstag")), ("fr", gettext_lazy("Freitag")), ("sa", gettext_lazy("Samstag")),
    ("so", gettext_lazy("Sonntag")),
)  # fmt: skip
# "montags", … as the suggestions' reasons say it.
WEEKDAYS_ADVERB = {
    "mo": gettext_lazy("montags"), "di": gettext_lazy("dienstags"), "mi": gettext_lazy("mittwochs"),
    "do": gettext_lazy("donnerstags"), "fr": gettext_lazy("freitags"), "sa": gettext_lazy("samstags"),
    "so": gettext_lazy("sonntags"),
}  # fmt: skip
TIMES = (("vormittag", gettext_lazy("Vormittag")), ("nachmittag", gettext_lazy("Nachmittag")),
         ("abend", gettext_lazy("Abend")))  # fmt: skip
# The stored slots, e.g. "sa-vormittag", with their labels ("Samstag Vormittag").
AVAILABILITY = [(f"{day}-{time}", f"{day_label} {time_label}") for day, day_label in WEEKDAYS
                for time, time_label in TIMES]  # fmt: skip
SLOTS = {slot for slot, _label in AVAILABILITY}


def slot_of(moment: Any) -> str:
    """The availability slot of an aware datetime in Europe/Berlin: before 12 the morning, before 17 the
    afternoon, later the evening."""
    local = timezone.localtime(moment)
    time = "vormittag" if local.hour < 12 else "nachmittag" if local.hour < 17 else "abend"
    return f"{WEEKDAYS[local.weekday()][0]}-{time}"


def needs_parent_consent(profile: VolunteerProfile, day: date | None = None) -> bool:
    """Under ``MITWIRKEN_VOLUNTEER_CONSENT_AGE`` without a parent's confirmed consent."""
    if profile.birth_date is None:
        return False
    young = age_on(profile.birth_date, day or timezone.localdate()) < settings.MITWIRKEN_VOLUNTEER_CONSENT_AGE
    return young and profile.parent_consented_at is None


def send_templated(template: str, context: dict[str, Any], to: str) -> None:
    """A plain-text e-mail from ``emails/volunteering/<template>_subject.txt`` and ``_body.txt`` (in German, the
    portal's language), queued through the task queue (``core.mail``)."""
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    with translation.override("de"):
        raw_subject = get_template(f"emails/volunteering/{template}_subject.txt").template  # type: ignore[attr-defined]
        subject = " ".join(raw_subject.render(Context(context, autoescape=False)).split())
        body = render_to_string(f"emails/volunteering/{template}_body.txt", context)
    EmailMessage(subject=subject, body=body, to=[to], headers={"Auto-Submitted": "auto-generated"}).send()


def consent_url(profile: VolunteerProfile) -> str:
    return f"{settings.SITE_URL}/ehrenamt/einverstaendnis/{profile.parent_token}/"


def save_profile(*, user: Any, data: dict[str, Any], today: date | None = None) -> VolunteerProfile:
    """Create or change ``user``'s profile from a profile form's cleaned data.

    The postcode is located (a German message at ``postal_code`` where the gazetteer does not know it), a birth
    date must lie in the past, and a person under the consent age names a parent, who gets a link to confirm.
    A new parent address asks again: the earlier consent was someone else's."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    birth_date = data.get("birth_date")
    if birth_date is not None and birth_date > today:
        errors["birth_date"] = _("Das Geburtsdatum liegt in der Zukunft.")
    young = (
        birth_date is not None and not errors and age_on(birth_date, today) < settings.MITWIRKEN_VOLUNTEER_CONSENT_AGE
    )
    if young:
        if not (data.get("parent_name") or "").strip():
            errors["parent_name"] = _("Unter %(age)s Jahren braucht es den Namen eines Elternteils.") % {
                "age": settings.MITWIRKEN_VOLUNTEER_CONSENT_AGE
            }
        if not (data.get("parent_email") or "").strip():
            errors["parent_email"] = _("Unter %(age)s Jahren braucht es die E-Mail-Adresse eines Elternteils.") % {
                "age": settings.MITWIRKEN_VOLUNTEER_CONSENT_AGE
            }
        elif str(data["parent_email"]).strip().casefold() == str(getattr(user, "email", "")).casefold():
            errors["parent_email"] = _("Bitte geben Sie die Adresse eines Elternteils an, nicht Ihre eigene.")
    postal_code = (data.get("postal_code") or "").strip()
    point: tuple[float | None, float | None] = (None, None)
    if postal_code:
        try:
            point = geo.locate(postal_code)
        except ValidationError:
            errors["postal_code"] = _("Diese Postleitzahl kennen wir nicht. Bitte prüfen Sie sie.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        profile, _created = VolunteerProfile.objects.select_for_update().get_or_create(user=user)
        old_parent = profile.parent_email
        profile.fields = [key for key in data.get("interests") or [] if key in Field.values]
        profile.skills = (data.get("skills") or "").strip()
        profile.languages = (data.get("languages") or "").strip()
        profile.availability = [slot for slot in data.get("availability") or [] if slot in SLOTS]
        profile.postal_code = postal_code
        profile.lat, profile.lon = point
        profile.radius_km = int(data.get("radius_km") or 10)
        profile.wants_suggestions = bool(data.get("wants_suggestions"))
        profile.birth_date = birth_date
        profile.parent_name = (data.get("parent_name") or "").strip() if young else ""
        profile.parent_email = (data.get("parent_email") or "").strip() if young else ""
        ask_parent = young and profile.parent_email.casefold() != old_parent.casefold()
        if not young or ask_parent:
            profile.parent_consented_at = None
            profile.parent_token = new_token() if ask_parent else ""
        profile.full_clean()
        profile.save()
        if ask_parent:
            transaction.on_commit(lambda: _ask_parent(profile))
    return profile


def _ask_parent(profile: VolunteerProfile) -> None:
    send_templated("parent_consent", {"profile": profile, "child": profile.user.display_name or _("Ihr Kind"),
                                      "consent_url": consent_url(profile)}, profile.parent_email)  # fmt: skip


def profile_for_consent(token: str) -> VolunteerProfile | None:
    if not token:
        return None
    return VolunteerProfile.objects.select_related("user").filter(parent_token=token).first()


def confirm_parent_consent(*, token: str) -> VolunteerProfile:
    """The parent confirms by the link: consent is recorded once (a second click changes nothing)."""
    with transaction.atomic():
        profile = VolunteerProfile.objects.select_for_update().filter(parent_token=token).first() if token else None
        if profile is None:
            raise ValidationError(_("Dieser Link ist nicht mehr gültig."))
        if profile.parent_consented_at is None:
            profile.parent_consented_at = timezone.now()
            profile.save(update_fields=["parent_consented_at", "updated_at"])
    return profile
