"""Volunteering (Ehrenamt): engagement organisations, their opportunities and shifts, volunteers' profiles,
applications and messages, hours, certificates, police-certificate records and the Ehrenamtskarte.

Two kinds of organisation meet here. A *tenant* (``organisations.Organisation``: the Verbandsgemeinde, the
Kreis) runs an Ehrenamtsbörse (``Exchange``) and verifies the *engagement organisations* in its area (Vereine,
initiatives, church groups, the fire brigade). Coordinators of an engagement organisation are ordinary accounts,
not tenant staff: they see their own organisation's volunteers and nothing of the back office.

Shift places are counted on ``Shift.taken``, raised only by a conditional UPDATE ``taken < max_helpers``, so a
shift is never overstaffed however many people sign up at once (the same design as event capacities).

Hours are one table (``HoursEntry``) whatever their source: a confirmed attendance at a shift writes a confirmed
entry, a volunteer's own entry waits for the coordinator. Totals, certificates and the Ehrenamtskarte read only
confirmed entries.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mitwirken.accounts.assurance import requirement_field
from mitwirken.accounts.assurance_records import RecordedAssurance
from mitwirken.core.search import DocumentIndex, document_field
from mitwirken.organisations.models import Organisation


class Field(models.TextChoices):
    SOCIAL = "soziales", _("Soziales")
    SPORT = "sport", _("Sport")
    ENVIRONMENT = "umwelt", _("Umwelt und Naturschutz")
    CULTURE = "kultur", _("Kultur")
    EDUCATION = "bildung", _("Bildung")
    FIRE = "feuerwehr", _("Feuerwehr und Katastrophenschutz")
    SENIORS = "senioren", _("Senioren (z. B. Digital-Botschafter)")
    YOUTH = "jugend", _("Kinder und Jugend")
    INTEGRATION = "integration", _("Integration")
    HEALTH = "gesundheit", _("Gesundheit")
    ANIMALS = "tierschutz", _("Tierschutz")
    OTHER = "sonstiges", _("Sonstiges")


class LegalForm(models.TextChoices):
    REGISTERED_CLUB = "ev", _("Eingetragener Verein (e. V.)")
    CLUB = "verein", _("Nicht eingetragener Verein")
    INITIATIVE = "initiative", _("Initiative oder Gruppe")
    CHURCH = "kirche", _("Kirchengemeinde oder kirchliche Gruppe")
    FOUNDATION = "stiftung", _("Stiftung")
    CHARITY_COMPANY = "ggmbh", _("Gemeinnützige GmbH")
    PUBLIC = "oeffentlich", _("Kommune oder öffentliche Einrichtung")
    OTHER = "sonstige", _("Sonstige")


class Exchange(models.Model):
    """A tenant's Ehrenamtsbörse: it verifies the engagement organisations of its area and confirms
    Ehrenamtskarte applications. A tenant without one takes no part in volunteering."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="volunteer_exchange"
    )
    active = models.BooleanField(_("Ehrenamtsbörse aktiv"), default=True)
    introduction = models.TextField(_("Einleitung"), blank=True)
    contact_email = models.EmailField(_("Kontakt-E-Mail"), blank=True)
    issues_card = models.BooleanField(
        _("Bestätigt Anträge auf die Ehrenamtskarte"),
        default=True,
        help_text=_("Die Kommune nimmt an der Ehrenamtskarte teil und bestätigt Anträge."),
    )
    # Who may prepare an application for a recognition (the Ehrenamtskarte) at this Börse: the trust level of the
    # login, checked when the application is prepared (``services.cards.prepare``).
    card_min_assurance_level = requirement_field(
        verbose_name=_("Nötiges Vertrauensniveau für Anträge auf eine Anerkennung (Ehrenamtskarte)")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Ehrenamtsbörse")
        verbose_name_plural = _("Ehrenamtsbörsen")
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return str(self.organisation)


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("Wird geprüft")
    VERIFIED = "verified", _("Bestätigt")
    REJECTED = "rejected", _("Abgelehnt")


class EngagementOrganisationQuerySet(models.QuerySet["EngagementOrganisation"]):
    def verified(self) -> EngagementOrganisationQuerySet:
        return self.filter(status=VerificationStatus.VERIFIED)

    def coordinated_by(self, user: Any) -> EngagementOrganisationQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(coordinators__user=user)


class EngagementOrganisation(models.Model):
    """A Verein, initiative, church group, fire brigade or a tenant's own body (the Seniorenbeirat)."""

    exchange = models.ForeignKey(
        Exchange, verbose_name=_("Ehrenamtsbörse"), on_delete=models.PROTECT, related_name="engagement_organisations"
    )
    # Set for a tenant's own body: it is verified at once, and the tenant's staff may act for it.
    tenant = models.ForeignKey(
        Organisation, verbose_name=_("Einrichtung der Kommune"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="engagement_organisations",
    )  # fmt: skip
    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(_("Kurzbezeichnung"), max_length=80, unique=True)
    legal_form = models.CharField(_("Rechtsform"), max_length=20, choices=LegalForm.choices)
    street = models.CharField(_("Straße und Hausnummer"), max_length=150)
    postal_code = models.CharField(_("Postleitzahl"), max_length=5)
    city = models.CharField(_("Ort"), max_length=100)
    lat = models.FloatField(_("Breite"), null=True, blank=True)
    lon = models.FloatField(_("Länge"), null=True, blank=True)
    contact_name = models.CharField(_("Ansprechperson"), max_length=150)
    contact_email = models.EmailField(_("E-Mail der Ansprechperson"))
    contact_phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    website = models.URLField(_("Website"), blank=True)
    fields = models.JSONField(_("Tätigkeitsfelder"), default=list, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    logo = models.ImageField(_("Logo"), upload_to="volunteering/logos/", blank=True)
    status = models.CharField(
        _("Prüfung"), max_length=10, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    status_note = models.TextField(_("Begründung"), blank=True)
    verified_at = models.DateTimeField(_("Bestätigt am"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("Registriert am"), auto_now_add=True)

    objects = EngagementOrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Engagement-Organisation")
        verbose_name_plural = _("Engagement-Organisationen")
        ordering = ["name"]
        indexes = [models.Index(fields=["exchange", "status"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("volunteering:organisation", kwargs={"org_slug": self.slug})

    @property
    def is_verified(self) -> bool:
        return self.status == VerificationStatus.VERIFIED

    def field_labels(self) -> list[str]:
        return [str(Field(key).label) for key in self.fields if key in Field.values]


class Coordinator(models.Model):
    organisation = models.ForeignKey(EngagementOrganisation, on_delete=models.CASCADE, related_name="coordinators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Koordination")
        verbose_name_plural = _("Koordinationen")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="one_coordination_per_person")]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CoordinatorInvitation(models.Model):
    organisation = models.ForeignKey(EngagementOrganisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("E-Mail-Adresse"))
    token = models.CharField(max_length=64, unique=True, default=new_token)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Einladung zur Koordination")
        verbose_name_plural = _("Einladungen zur Koordination")

    def __str__(self) -> str:
        return f"{self.email} – {self.organisation}"


class Commitment(models.TextChoices):
    ONE_OFF = "one_off", _("Einmalig")
    REGULAR = "regular", _("Regelmäßig")
    FLEXIBLE = "flexible", _("Flexibel")


class OpportunityStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    REVIEW = "review", _("Wartet auf Prüfung der Organisation")
    PUBLISHED = "published", _("Veröffentlicht")
    FILLED = "filled", _("Besetzt")
    ENDED = "ended", _("Beendet")


# Shown publicly (a filled or ended opportunity keeps its page, without a way to apply).
PUBLIC_OPPORTUNITY_STATUSES = (OpportunityStatus.PUBLISHED, OpportunityStatus.FILLED, OpportunityStatus.ENDED)


class OpportunityQuerySet(models.QuerySet["Opportunity"]):
    def public(self) -> OpportunityQuerySet:
        return self.filter(status__in=PUBLIC_OPPORTUNITY_STATUSES, organisation__status=VerificationStatus.VERIFIED)

    def searchable(self) -> OpportunityQuerySet:
        """What the public search lists: published opportunities of verified organisations."""
        return self.filter(status=OpportunityStatus.PUBLISHED, organisation__status=VerificationStatus.VERIFIED)

    def for_list(self) -> OpportunityQuerySet:
        return self.select_related("organisation")


class Opportunity(models.Model):
    organisation = models.ForeignKey(
        EngagementOrganisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="opportunities"
    )
    title = models.CharField(_("Titel"), max_length=160)
    description = models.TextField(_("Beschreibung"))
    field = models.CharField(_("Bereich"), max_length=20, choices=Field.choices)
    status = models.CharField(
        _("Status"), max_length=10, choices=OpportunityStatus.choices, default=OpportunityStatus.DRAFT
    )
    remote = models.BooleanField(_("Von zu Hause aus möglich"), default=False)
    place_name = models.CharField(_("Ort der Tätigkeit"), max_length=200, blank=True)
    street = models.CharField(_("Straße und Hausnummer"), max_length=150, blank=True)
    postal_code = models.CharField(_("Postleitzahl"), max_length=5, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    lat = models.FloatField(_("Breite"), null=True, blank=True)
    lon = models.FloatField(_("Länge"), null=True, blank=True)
    commitment = models.CharField(_("Zeitaufwand"), max_length=10, choices=Commitment.choices)
    hours_per_week = models.DecimalField(_("Stunden pro Woche"), max_digits=4, decimal_places=1, null=True, blank=True)
    starts_on = models.DateField(_("Beginn"), null=True, blank=True)
    ends_on = models.DateField(_("Ende"), null=True, blank=True)
    volunteers_wanted = models.PositiveIntegerField(_("Gesuchte Freiwillige"), default=1)
    minimum_age = models.PositiveSmallIntegerField(_("Mindestalter"), null=True, blank=True)
    skills = models.CharField(_("Gewünschte Fähigkeiten"), max_length=300, blank=True)
    languages = models.CharField(_("Sprachen"), max_length=200, blank=True)
    driving_licence = models.BooleanField(_("Führerschein nötig"), default=False)
    police_certificate = models.BooleanField(
        _("Erweitertes Führungszeugnis nötig"), default=False,
        help_text=_("Für Tätigkeiten mit Kindern und Jugendlichen (§ 72a SGB VIII)."),
    )  # fmt: skip
    accessibility = models.CharField(_("Barrierefreiheit des Ortes"), max_length=300, blank=True)
    step_free = models.BooleanField(_("Stufenlos erreichbar"), default=False)
    expenses_reimbursed = models.BooleanField(_("Auslagen werden erstattet"), default=False)
    # Pay beyond expenses (e.g. an Übungsleiterpauschale): such hours do not count for the Ehrenamtskarte.
    paid = models.BooleanField(_("Vergütung über den Auslagenersatz hinaus"), default=False)
    # Volunteers apply first and sign up for shifts once accepted; without it anyone old enough signs up.
    application_required = models.BooleanField(_("Bewerbung nötig"), default=True)
    # Hours before a shift's start after which only coordinators change its list.
    signup_cutoff_hours = models.PositiveSmallIntegerField(_("Änderungen bis (Stunden vor Schichtbeginn)"), default=24)
    # The trust level of the login for taking part: applying, or (without an application) signing up for a shift.
    # Checked on the server for every such action (rules "volunteering.apply" and "volunteering.sign_up").
    min_assurance_level = requirement_field()
    # The full-text search (core.search): the title counts most, then what is done, then what is asked, then where.
    search_document = document_field(
        title="A", description="B", skills="C", languages="C", place_name="D", city="D", postal_code="D"
    )
    published_at = models.DateTimeField(_("Veröffentlicht am"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("Engagement-Angebot")
        verbose_name_plural = _("Engagement-Angebote")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="opportunity_ends_after_start",
            )
        ]
        indexes = [
            # With the organisation, a deep page of the search finds its ids in the index alone.
            models.Index(fields=["status", "published_at", "id", "organisation"], name="opportunity_by_published"),
            models.Index(fields=["organisation", "status"], name="opportunity_by_org"),
            # The public search reads published opportunities only (a fraction of all at state scale): partial
            # indexes keep its lookups small. A field's count and page come from one index; a place's bounding
            # box reads the candidates' columns from the index alone (no heap visits for thousands of rows).
            models.Index(
                fields=["field", "organisation", "published_at", "id"],
                name="opportunity_published_field",
                condition=Q(status="published"),
            ),
            models.Index(
                fields=["lat", "lon", "remote", "organisation", "id"],
                name="opportunity_published_place",
                condition=Q(status="published"),
            ),
            DocumentIndex(fields=["search_document"], name="opportunity_search", condition=Q(status="published")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("volunteering:opportunity", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == OpportunityStatus.PUBLISHED


class ShiftSeries(models.Model):
    """Shifts created together by a weekly rule; editing or deleting the series reaches its future shifts."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="shift_series")
    description = models.CharField(_("Regel"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.description


class ShiftQuerySet(models.QuerySet["Shift"]):
    def upcoming(self) -> ShiftQuerySet:
        from django.utils import timezone

        return self.filter(start__gt=timezone.now())


class Shift(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="shifts")
    series = models.ForeignKey(ShiftSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="shifts")
    start = models.DateTimeField(_("Beginn"))
    end = models.DateTimeField(_("Ende"))
    place = models.CharField(_("Treffpunkt"), max_length=200, blank=True)
    tasks = models.TextField(_("Aufgaben"), blank=True)
    min_helpers = models.PositiveSmallIntegerField(_("Mindestens nötig"), default=1)
    max_helpers = models.PositiveSmallIntegerField(_("Höchstens"), default=1)
    taken = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("Schicht")
        verbose_name_plural = _("Schichten")
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="shift_ends_after_start"),
            models.CheckConstraint(condition=Q(taken__lte=F("max_helpers")), name="shift_never_overstaffed"),
            models.CheckConstraint(condition=Q(min_helpers__lte=F("max_helpers")), name="shift_min_not_above_max"),
            models.CheckConstraint(condition=Q(max_helpers__gte=1), name="shift_has_a_place"),
        ]
        indexes = [models.Index(fields=["opportunity", "start"], name="shift_by_start")]

    def __str__(self) -> str:
        from django.utils import timezone

        return f"{self.opportunity} – {timezone.localtime(self.start):%d.%m.%Y %H:%M}"

    @property
    def free(self) -> int:
        return max(self.max_helpers - self.taken, 0)

    @property
    def hours(self) -> float:
        return round((self.end - self.start).total_seconds() / 3600, 2)


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Eingetragen")
    WAITING = "waiting", _("Warteliste")
    CANCELLED = "cancelled", _("Abgesagt")


ACTIVE_SIGNUP = (SignupStatus.CONFIRMED, SignupStatus.WAITING)


class Attendance(models.TextChoices):
    UNKNOWN = "", _("Noch nicht erfasst")
    ATTENDED = "attended", _("Anwesend")
    ABSENT = "absent", _("Nicht erschienen")


class ShiftSignup(models.Model):
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shift_signups")
    status = models.CharField(max_length=10, choices=SignupStatus.choices)
    # Offered to another volunteer: the first who takes it gets the place, and the coordinator is told.
    swap_offered = models.BooleanField(_("Zum Tausch angeboten"), default=False)
    attendance = models.CharField(max_length=10, choices=Attendance.choices, default="", blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Schicht-Eintragung")
        verbose_name_plural = _("Schicht-Eintragungen")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"], condition=Q(status__in=ACTIVE_SIGNUP), name="one_active_signup_per_shift"
            )
        ]
        indexes = [
            models.Index(fields=["shift", "status", "created_at"], name="signup_by_shift"),
            models.Index(fields=["volunteer", "status"], name="signup_by_volunteer"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} – {self.shift}"

    @property
    def engagement_organisation(self) -> EngagementOrganisation:
        return self.shift.opportunity.organisation


class ApplicationStatus(models.TextChoices):
    OPEN = "open", _("Eingegangen")
    QUESTION = "question", _("Rückfrage")
    ACCEPTED = "accepted", _("Angenommen")
    DECLINED = "declined", _("Abgelehnt")
    WITHDRAWN = "withdrawn", _("Zurückgezogen")
    ENDED = "ended", _("Engagement beendet")


ACTIVE_APPLICATION = (ApplicationStatus.OPEN, ApplicationStatus.QUESTION, ApplicationStatus.ACCEPTED)


class Application(RecordedAssurance):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="applications")
    volunteer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications")
    status = models.CharField(max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.OPEN)
    message = models.TextField(_("Nachricht"), blank=True)
    # Each side decides whether the other may see its e-mail address; until then messages go through the portal.
    volunteer_shares_email = models.BooleanField(_("E-Mail-Adresse weitergeben"), default=False)
    organisation_shares_email = models.BooleanField(default=False)
    ended_on = models.DateField(_("Engagement beendet am"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Bewerbung")
        verbose_name_plural = _("Bewerbungen")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "volunteer"], condition=Q(status__in=ACTIVE_APPLICATION),
                name="one_active_application",
            )
        ]  # fmt: skip
        indexes = [models.Index(fields=["opportunity", "status"], name="application_by_status")]

    def __str__(self) -> str:
        return f"{self.volunteer} – {self.opportunity}"

    @property
    def engagement_organisation(self) -> EngagementOrganisation:
        return self.opportunity.organisation


class Message(models.Model):
    """A message between a volunteer and an engagement organisation, always about one application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_organisation = models.BooleanField(default=False)
    body = models.TextField(_("Nachricht"))
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class VolunteerProfile(models.Model):
    """Private: an engagement organisation sees it only once the volunteer applied or signed up there."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_profile")
    birth_date = models.DateField(_("Geburtsdatum"), null=True, blank=True)
    fields = models.JSONField(_("Interessen"), default=list, blank=True)
    skills = models.CharField(_("Fähigkeiten"), max_length=300, blank=True)
    languages = models.CharField(_("Sprachen"), max_length=200, blank=True)
    # Weekday slots such as "sa-vormittag" (see ``profiles.AVAILABILITY``).
    availability = models.JSONField(_("Verfügbarkeit"), default=list, blank=True)
    postal_code = models.CharField(_("Postleitzahl"), max_length=5, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    radius_km = models.PositiveSmallIntegerField(_("Umkreis (km)"), default=10)
    wants_suggestions = models.BooleanField(_("Vorschläge erhalten"), default=True)
    # Under 16: a parent consents by the link sent to them.
    parent_name = models.CharField(_("Name eines Elternteils"), max_length=150, blank=True)
    parent_email = models.EmailField(_("E-Mail eines Elternteils"), blank=True)
    parent_token = models.CharField(max_length=64, blank=True)
    parent_consented_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Profil für das Ehrenamt")
        verbose_name_plural = _("Profile für das Ehrenamt")

    def __str__(self) -> str:
        return str(self.user)


class Bookmark(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_bookmarks")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "opportunity"], name="one_bookmark")]

    def __str__(self) -> str:
        return f"{self.user} – {self.opportunity}"


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("Sofort")
    DAILY = "daily", _("Täglich (Zusammenfassung)")
    WEEKLY = "weekly", _("Wöchentlich (Zusammenfassung)")


class SavedSearch(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_searches")
    name = models.CharField(_("Name"), max_length=100)
    # The search form's cleaned query string, e.g. "field=umwelt&near=56789&radius=10".
    query = models.CharField(max_length=500)
    frequency = models.CharField(_("Benachrichtigung"), max_length=10, choices=Frequency.choices)
    # Opportunities published after this were not yet sent.
    notified_until = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["frequency", "notified_until"], name="saved_search_due")]

    def __str__(self) -> str:
        return self.name


class PoliceCertificateRecord(models.Model):
    """§ 72a SGB VIII: that an extended police certificate was inspected, its date and whether it holds a
    relevant entry. Never the document. Deleted when the person does not start, and at the latest three months
    after the engagement ends (``services.police.delete_due``, daily)."""

    organisation = models.ForeignKey(EngagementOrganisation, on_delete=models.CASCADE, related_name="+")
    volunteer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="police_record")
    certificate_date = models.DateField(_("Ausstellungsdatum des Führungszeugnisses"))
    inspected_on = models.DateField(_("Eingesehen am"))
    relevant_entry = models.BooleanField(_("Enthält eine einschlägige Eintragung"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    delete_after = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("Einsicht in ein Führungszeugnis")
        verbose_name_plural = _("Einsichten in Führungszeugnisse")

    def __str__(self) -> str:
        return f"{self.volunteer} – {self.organisation}"

    @property
    def engagement_organisation(self) -> EngagementOrganisation:
        return self.organisation


class HoursStatus(models.TextChoices):
    PENDING = "pending", _("Wartet auf Bestätigung")
    CONFIRMED = "confirmed", _("Bestätigt")
    REJECTED = "rejected", _("Abgelehnt")


class HoursQuerySet(models.QuerySet["HoursEntry"]):
    def confirmed(self) -> HoursQuerySet:
        return self.filter(status=HoursStatus.CONFIRMED)


class HoursEntry(models.Model):
    volunteer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_hours")
    organisation = models.ForeignKey(EngagementOrganisation, on_delete=models.CASCADE, related_name="hours")
    opportunity = models.ForeignKey(Opportunity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    signup = models.OneToOneField(
        ShiftSignup, null=True, blank=True, on_delete=models.SET_NULL, related_name="hours_entry"
    )
    day = models.DateField(_("Datum"))
    hours = models.DecimalField(_("Stunden"), max_digits=5, decimal_places=2)
    description = models.CharField(_("Tätigkeit"), max_length=300, blank=True)
    # Copied from the opportunity when the entry is written: paid hours never count for the Ehrenamtskarte.
    paid = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=HoursStatus.choices, default=HoursStatus.PENDING)
    note = models.CharField(_("Anmerkung"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HoursQuerySet.as_manager()

    class Meta:
        verbose_name = _("Engagement-Stunden")
        verbose_name_plural = _("Engagement-Stunden")
        ordering = ["-day", "-id"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="hours_positive")]
        indexes = [
            models.Index(fields=["volunteer", "status", "day"], name="hours_by_volunteer"),
            models.Index(fields=["organisation", "status", "day"], name="hours_by_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer}: {self.hours} h ({self.day})"

    @property
    def engagement_organisation(self) -> EngagementOrganisation:
        return self.organisation


def new_certificate_code() -> str:
    """12 characters without look-alikes (0/O, 1/I/L), printed as XXXX-XXXX-XXXX."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class Certificate(models.Model):
    """An Ehrenamtsnachweis, signed off by a coordinator. Its facts are copied, so the PDF and the public
    verification page say the same even if the hours or the organisation change later."""

    code = models.CharField(max_length=12, unique=True, default=new_certificate_code)
    volunteer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(EngagementOrganisation, on_delete=models.CASCADE, related_name="certificates")
    volunteer_name = models.CharField(_("Name der engagierten Person"), max_length=150)
    organisation_name = models.CharField(max_length=200)
    period_start = models.DateField(_("Von"))
    period_end = models.DateField(_("Bis"))
    activity = models.TextField(_("Art der Tätigkeit"))
    hours = models.DecimalField(_("Stunden"), max_digits=7, decimal_places=2)
    competences = models.TextField(_("Erworbene Kompetenzen"), blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    signed_by_name = models.CharField(max_length=150)
    signed_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Ehrenamtsnachweis")
        verbose_name_plural = _("Ehrenamtsnachweise")
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return self.printed_code

    @property
    def engagement_organisation(self) -> EngagementOrganisation:
        return self.organisation

    @property
    def printed_code(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, 12, 4))


class CardStatus(models.TextChoices):
    PREPARED = "prepared", _("Vorbereitet, wartet auf die Organisationen")
    ORGANISATIONS_CONFIRMED = "organisations", _("Von den Organisationen bestätigt, wartet auf die Kommune")
    APPROVED = "approved", _("Von der Kommune bestätigt")
    DECLINED = "declined", _("Abgelehnt")


class CardApplication(RecordedAssurance):
    """An application for a recognition (the Ehrenamtskarte, the Kompetenznachweis) prepared by the portal:
    each organisation confirms its hours, then the municipality confirms the application."""

    volunteer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    recognition = models.CharField(max_length=40)  # a key of settings.MITWIRKEN_VOLUNTEER_RECOGNITIONS
    exchange = models.ForeignKey(Exchange, on_delete=models.PROTECT, related_name="card_applications")
    period_start = models.DateField()
    period_end = models.DateField()
    hours = models.DecimalField(max_digits=7, decimal_places=2)
    status = models.CharField(max_length=15, choices=CardStatus.choices, default=CardStatus.PREPARED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.volunteer} – {self.recognition}"

    @property
    def recognition_name(self) -> str:
        """The recognition's name from the settings (the stored key if the operators removed it since). Read here
        rather than through ``recognitions``, which imports the models."""
        names = {item["key"]: item["name"] for item in settings.MITWIRKEN_VOLUNTEER_RECOGNITIONS}
        return str(names.get(self.recognition, self.recognition))


class CardConfirmation(models.Model):
    application = models.ForeignKey(CardApplication, on_delete=models.CASCADE, related_name="confirmations")
    organisation = models.ForeignKey(EngagementOrganisation, on_delete=models.CASCADE, related_name="+")
    hours = models.DecimalField(max_digits=7, decimal_places=2)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "organisation"], name="one_confirmation_per_org")]

    def __str__(self) -> str:
        return f"{self.application} – {self.organisation}"
