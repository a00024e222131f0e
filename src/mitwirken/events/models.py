"""Events (Veranstaltungen): dates in an organisation's calendar, optionally in a project or a series, with
capacity by category, a waiting list, registrations with questions, reminders and check-in.

Places are counted on the capacity category (``CapacityCategory.taken``, raised only by a conditional UPDATE
``taken + n <= capacity``), so an event is never overbooked however many people register at once.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitwirken.accounts.assurance import requirement_field
from mitwirken.accounts.assurance_records import RecordedActingFor, RecordedAssurance
from mitwirken.organisations.models import Organisation
from mitwirken.projects.models import Project


class Kind(models.TextChoices):
    IN_PERSON = "in_person", _("Vor Ort")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid (vor Ort und online)")


class Status(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    PUBLISHED = "published", _("Veröffentlicht")
    CANCELLED = "cancelled", _("Abgesagt")
    POSTPONED = "postponed", _("Verschoben")


PUBLIC_STATUSES = (Status.PUBLISHED, Status.CANCELLED, Status.POSTPONED)
STATUS_TONES: dict[str, str] = {Status.PUBLISHED: "kern-badge--success", Status.CANCELLED: "kern-badge--danger",
                                Status.POSTPONED: "kern-badge--warning"}  # fmt: skip


class RegistrationMode(models.TextChoices):
    OFF = "off", _("Keine Anmeldung")
    OPEN = "open", _("Anmeldung offen")
    APPROVAL = "approval", _("Anmeldung mit Bestätigung durch die Verwaltung")


class Category(models.Model):
    """A portal-wide kind of event ("Bürgerversammlung", "Sprechstunde"), for filters and feeds."""

    name = models.CharField(_("Name"), max_length=80, unique=True)
    slug = models.SlugField(_("Kurzbezeichnung"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("Veranstaltungsart")
        verbose_name_plural = _("Veranstaltungsarten")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    """A recurring event: the dates are ``Event`` rows made from the RRULE, each changeable on its own."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="event_series"
    )
    title = models.CharField(_("Titel"), max_length=200)
    rrule = models.CharField(_("Wiederholung (RRULE)"), max_length=300)
    first_start = models.DateTimeField(_("Erster Beginn"))
    duration = models.DurationField(_("Dauer"))
    exdates = models.JSONField(_("Ausgenommene Tage"), default=list, blank=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("Veranstaltungsreihe")
        verbose_name_plural = _("Veranstaltungsreihen")

    def __str__(self) -> str:
        return self.title


class EventQuerySet(models.QuerySet["Event"]):
    def public(self) -> EventQuerySet:
        """What the calendar shows: published, cancelled (with the notice) and postponed dates."""
        return self.filter(status__in=PUBLIC_STATUSES, project_visible=True)

    def upcoming(self, now: datetime | None = None) -> EventQuerySet:
        return self.filter(end__gte=now or timezone.now())

    def for_list(self) -> EventQuerySet:
        return self.select_related("organisation", "category").only(
            "id", "title", "slug", "start", "end", "kind", "status", "venue_name", "address", "lat", "lon",
            "organisation__name", "organisation__slug", "category__name", "category__slug", "registration",
            "series_id", "project_id",
        )  # fmt: skip


class Event(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Veranstalter"), on_delete=models.CASCADE, related_name="events"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("Projekt"), null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    # Kept by the services: False while the project is a draft or protected, so public lists need no join.
    project_visible = models.BooleanField(default=True, editable=False)
    series = models.ForeignKey(
        Series, verbose_name=_("Reihe"), null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("Art"), null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    title = models.CharField(_("Titel"), max_length=200)
    slug = models.SlugField(_("Kurzbezeichnung"), max_length=80)
    description = models.TextField(_("Beschreibung"), blank=True)
    start = models.DateTimeField(_("Beginn"))
    end = models.DateTimeField(_("Ende"))
    kind = models.CharField(_("Form"), max_length=10, choices=Kind.choices, default=Kind.IN_PERSON)
    online_url = models.URLField(_("Link zur Online-Teilnahme"), blank=True)
    online_link_minutes = models.PositiveIntegerField(
        _("Link sichtbar ab (Minuten vor Beginn)"), default=30,
        help_text=_("Angemeldete sehen den Link ab so vielen Minuten vor Beginn."),
    )  # fmt: skip
    venue_name = models.CharField(_("Ort"), max_length=200, blank=True)
    address = models.CharField(_("Adresse"), max_length=300, blank=True)
    room = models.CharField(_("Raum"), max_length=120, blank=True)
    lat = models.FloatField(_("Breite"), null=True, blank=True)
    lon = models.FloatField(_("Länge"), null=True, blank=True)
    step_free = models.BooleanField(_("Stufenlos erreichbar"), default=False)
    accessible_toilet = models.BooleanField(_("Barrierefreie Toilette"), default=False)
    hearing_loop = models.BooleanField(_("Induktive Höranlage"), default=False)
    sign_language_on_request = models.BooleanField(_("Gebärdensprachdolmetschung (DGS) auf Wunsch"), default=False)
    captioning_on_request = models.BooleanField(_("Schriftdolmetschung auf Wunsch"), default=False)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    status_reason = models.TextField(_("Grund der Absage oder Verschiebung"), blank=True)
    registration = models.CharField(
        _("Anmeldung"), max_length=10, choices=RegistrationMode.choices, default=RegistrationMode.OFF
    )
    registration_deadline = models.DateTimeField(_("Anmeldeschluss"), null=True, blank=True)
    max_companions = models.PositiveSmallIntegerField(_("Begleitpersonen je Anmeldung (höchstens)"), default=0)
    # Checked on the server for every registration (rules "events.register_event"), also for the waiting list.
    min_assurance_level = requirement_field()
    hold_minutes = models.PositiveIntegerField(
        _("Platz reserviert bis zur Bestätigung (Minuten)"), default=30,
        help_text=_("Wer ohne Konto anmeldet, bestätigt per E-Mail-Link; so lange bleibt der Platz reserviert."),
    )  # fmt: skip
    offer_hours = models.PositiveIntegerField(
        _("Frist für Nachrückende (Stunden)"), default=48,
        help_text=_("Wer von der Warteliste nachrückt, muss den Platz innerhalb dieser Zeit bestätigen."),
    )  # fmt: skip
    reminder_minutes = models.JSONField(
        _("Erinnerungen (Minuten vor Beginn)"), default=list, blank=True,
        help_text=_("Zum Beispiel 1440 (ein Tag) und 120 (zwei Stunden)."),
    )  # fmt: skip
    # iCalendar: a stable UID and a SEQUENCE raised with every change people must see in their calendars.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("Veranstaltung")
        verbose_name_plural = _("Veranstaltungen")
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="event_ends_after_start"),
            models.UniqueConstraint(fields=["organisation", "slug"], name="unique_event_slug_per_org"),
        ]
        indexes = [
            # The public calendar's order; "end" as a third column (not INCLUDE, which SQLite lacks) makes the
            # upcoming filter, the count and a deep OFFSET index-only scans on PostgreSQL.
            models.Index(fields=["start", "id", "end"], condition=Q(status__in=PUBLIC_STATUSES, project_visible=True),
                         name="event_public_by_start"),
            models.Index(fields=["organisation", "start"], name="event_org_by_start"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"org_slug": self.organisation.slug, "event_slug": self.slug})

    @property
    def is_cancelled(self) -> bool:
        return self.status == Status.CANCELLED

    @property
    def status_tone(self) -> str:
        """The badge colour of the status in the back office ("" for drafts)."""
        return STATUS_TONES.get(self.status, "")

    def online_link_visible_from(self) -> datetime:
        return self.start - timedelta(minutes=self.online_link_minutes)

    def registration_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == Status.PUBLISHED
            and self.registration != RegistrationMode.OFF
            and now < (self.registration_deadline or self.start)
        )


class CapacityCategory(models.Model):
    """Places of one kind ("Vor Ort" 80, "Online" 200), each with its own waiting list."""

    event = models.ForeignKey(
        Event, verbose_name=_("Veranstaltung"), on_delete=models.CASCADE, related_name="capacities"
    )
    name = models.CharField(_("Name"), max_length=80)
    capacity = models.PositiveIntegerField(_("Plätze"))
    # Places held by confirmed registrations, unconfirmed holds and open offers to people on the waiting list.
    taken = models.PositiveIntegerField(_("Belegt"), default=0, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("Platzkontingent")
        verbose_name_plural = _("Platzkontingente")
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="capacity_never_exceeded")]

    def __str__(self) -> str:
        return f"{self.name} ({self.taken}/{self.capacity})"

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)


class RegistrationStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("E-Mail noch nicht bestätigt")
    PENDING = "pending", _("Wartet auf Freigabe")
    CONFIRMED = "confirmed", _("Angemeldet")
    WAITING = "waiting", _("Warteliste")
    OFFERED = "offered", _("Nachrücken angeboten")
    CANCELLED = "cancelled", _("Abgemeldet")
    DECLINED = "declined", _("Abgelehnt")
    EXPIRED = "expired", _("Verfallen")


# Statuses that hold places (counted in CapacityCategory.taken).
HOLDING = (RegistrationStatus.UNCONFIRMED, RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED,
           RegistrationStatus.OFFERED)  # fmt: skip
ACTIVE = (*HOLDING, RegistrationStatus.WAITING)
# Registrations holding a place that ask for DGS or captioning, which staff must book early.
INTERPRETING = Q(status__in=HOLDING) & (Q(sign_language=True) | Q(captioning=True))
# What the staff overview counts: registrations waiting for approval and interpreting requests.
NEEDS_STAFF = Q(status=RegistrationStatus.PENDING) | INTERPRETING


def new_manage_token() -> str:
    return secrets.token_urlsafe(24)


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def active(self) -> RegistrationQuerySet:
        return self.filter(status__in=ACTIVE)

    def waiting_in_order(self) -> RegistrationQuerySet:
        return self.filter(status=RegistrationStatus.WAITING).order_by("created_at", "id")


class Registration(RecordedAssurance, RecordedActingFor):
    event = models.ForeignKey(
        Event, verbose_name=_("Veranstaltung"), on_delete=models.CASCADE, related_name="registrations"
    )
    capacity = models.ForeignKey(
        CapacityCategory, verbose_name=_("Kontingent"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Konto"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="event_registrations",
    )  # fmt: skip
    name = models.CharField(_("Name"), max_length=200)
    email = models.EmailField(_("E-Mail-Adresse"))
    companions = models.PositiveSmallIntegerField(_("Begleitpersonen"), default=0)
    answers = models.JSONField(_("Antworten"), default=dict, blank=True)
    sign_language = models.BooleanField(_("Gebärdensprachdolmetschung (DGS) gewünscht"), default=False)
    captioning = models.BooleanField(_("Schriftdolmetschung gewünscht"), default=False)
    status = models.CharField(_("Status"), max_length=12, choices=RegistrationStatus.choices)
    # Whether the address is proven: always with an account; without one only after the e-mail link was clicked.
    # An unproven entry (a held place or a place on the waiting list) expires after the event's ``hold_minutes``
    # and is never offered a place, so nobody can block someone else's address by typing it in.
    email_confirmed = models.BooleanField(_("E-Mail-Adresse bestätigt"), default=True)
    manage_token = models.CharField(max_length=40, unique=True, default=new_manage_token, editable=False)
    created_at = models.DateTimeField(_("Angemeldet am"), auto_now_add=True)
    # Until when an unconfirmed hold or an offer to someone on the waiting list keeps its place, and until when an
    # unconfirmed entry on the waiting list stays there.
    expires_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("Eingecheckt um"), null=True, blank=True)
    # The iCalendar SEQUENCE this person's calendar has (raised for updates and the cancellation).
    sequence = models.PositiveIntegerField(default=0, editable=False)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Anmeldung")
        verbose_name_plural = _("Anmeldungen")
        ordering = ["created_at", "id"]
        constraints = [
            # One active registration per address and event; a cancelled one does not block a new one.
            models.UniqueConstraint(fields=["event", "email"], condition=Q(status__in=ACTIVE),
                                    name="one_active_registration_per_email"),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["event", "status", "created_at"]),
            models.Index(fields=["status", "expires_at"]),
            # The staff overview counts the registrations that need someone (approval, interpreters): a part of
            # the many, read from the index alone (every column the count looks at is in it).
            models.Index(
                fields=["event", "status", "sign_language", "captioning", "id"],
                condition=NEEDS_STAFF,
                name="registration_needs_staff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.event}"

    @property
    def places(self) -> int:
        return 1 + self.companions


class Question(models.Model):
    """A question of the registration form, answered with the survey module's question engine."""

    event = models.ForeignKey(
        Event, verbose_name=_("Veranstaltung"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(default=0)
    code = models.SlugField(_("Kürzel"), max_length=40)
    type = models.CharField(_("Fragetyp"), max_length=12)  # short_text, long_text, single, multiple, yes_no
    text = models.CharField(_("Frage"), max_length=300)
    required = models.BooleanField(_("Pflichtfrage"), default=False)
    options = models.JSONField(_("Antwortmöglichkeiten"), default=list, blank=True)  # [[code, label], …]

    class Meta:
        verbose_name = _("Anmeldefrage")
        verbose_name_plural = _("Anmeldefragen")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "code"], name="unique_event_question_code")]

    def __str__(self) -> str:
        return self.text


class ReminderSent(models.Model):
    """That the reminder ``minutes`` before an event went out: a unique row, so it never goes twice."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reminders_sent")
    minutes = models.PositiveIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "minutes"], name="one_reminder_per_offset")]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.minutes}"


class CalendarToken(models.Model):
    """The secret address of a person's own calendar feed; revoked by deleting it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_calendar")
    token = models.CharField(max_length=40, unique=True, default=new_manage_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.user_id)
