from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from mitwirken.core.search import FIELD as SEARCH_DOCUMENT
from mitwirken.core.search import DocumentIndex, document_field
from mitwirken.organisations.models import Organisation


def in_language(german: str, english: str) -> str:
    """An organisation's own English text in the English interface, where it has written one; German otherwise."""
    return english if english and (translation.get_language() or "").startswith("en") else german


class CategoryTemplate(models.Model):
    """A portal-wide kind of defect; organisations decide which ones they handle."""

    code = models.SlugField(_("Kennung (Open311 service_code)"), max_length=40, unique=True)
    name = models.CharField(_("Name"), max_length=120)
    description = models.CharField(_("Beschreibung"), max_length=300, blank=True)
    group = models.CharField(_("Gruppe"), max_length=80, blank=True)
    keywords = models.CharField(_("Stichworte"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Kategorie (Vorlage)")
        verbose_name_plural = _("Kategorien (Vorlagen)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationCategory(models.Model):
    """An organisation handles a category, optionally with extra questions and a forwarding address."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="report_categories"
    )
    template = models.ForeignKey(
        CategoryTemplate, verbose_name=_("Kategorie"), on_delete=models.PROTECT, related_name="handlers"
    )
    # Open311 service attributes: [{"code": ..., "label": ..., "datatype": "string|number|singlevaluelist|...",
    # "required": bool, "values": [{"key": ..., "name": ...}]}]
    questions = models.JSONField(_("Zusatzfragen"), default=list, blank=True)
    forward_email = models.EmailField(_("Weiterleitung an"), blank=True)
    name_en = models.CharField(_("Name auf Englisch"), max_length=120, blank=True)
    description_en = models.CharField(_("Beschreibung auf Englisch"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Zuständigkeit für eine Kategorie")
        verbose_name_plural = _("Zuständigkeiten für Kategorien")
        constraints = [models.UniqueConstraint(fields=["organisation", "template"], name="one_handler_per_category")]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.template}"


class ReportStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("unbestätigt")
    OPEN = "open", _("offen")
    IN_PROGRESS = "in_progress", _("in Bearbeitung")
    FIXED = "fixed", _("erledigt")
    REJECTED = "rejected", _("abgelehnt")
    DUPLICATE = "duplicate", _("Duplikat")
    NOT_RESPONSIBLE = "not_responsible", _("nicht zuständig")


# Open311 knows only "open" and "closed"; a forwarded report is open again at its new body.
OPEN_STATUSES = (ReportStatus.OPEN, ReportStatus.IN_PROGRESS)
CLOSED_STATUSES = (ReportStatus.FIXED, ReportStatus.REJECTED, ReportStatus.DUPLICATE, ReportStatus.NOT_RESPONSIBLE)
PUBLIC_STATUSES = (*OPEN_STATUSES, *CLOSED_STATUSES)
# Which status staff may set from which; "unbestätigt" is left only by the reporter's confirmation.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReportStatus.OPEN: (ReportStatus.IN_PROGRESS, ReportStatus.FIXED, ReportStatus.REJECTED, ReportStatus.DUPLICATE),
    ReportStatus.IN_PROGRESS: (ReportStatus.OPEN, ReportStatus.FIXED, ReportStatus.REJECTED, ReportStatus.DUPLICATE),
    ReportStatus.FIXED: (ReportStatus.OPEN, ReportStatus.IN_PROGRESS),
    ReportStatus.REJECTED: (ReportStatus.OPEN,),
    ReportStatus.DUPLICATE: (ReportStatus.OPEN,),
    ReportStatus.NOT_RESPONSIBLE: (),
    ReportStatus.UNCONFIRMED: (),
}


class ReportSource(models.TextChoices):
    WEB = "web", _("Portal")
    OPEN311 = "open311", _("Open311-Schnittstelle")


def overdue_cutoff(response_days: int, now: datetime | None = None) -> datetime:
    """00:00 Berlin time ``response_days`` days before today: open reports that came in earlier are overdue."""
    today = timezone.localdate(now or timezone.now())
    return timezone.make_aware(datetime.combine(today - timedelta(days=response_days), time.min))


def overdue_condition(response_days: int, now: datetime | None = None) -> models.Q:
    """Open reports nobody has answered within the response time, counted in whole days in Berlin.

    A report that came in (or came back: forwarded, reopened) on day D is due by the end of day
    D + ``response_days`` and overdue from 00:00 the day after. ``updated_at`` of an open report is the moment
    it entered the inbox, since every status change sets it.
    """
    return models.Q(status=ReportStatus.OPEN, updated_at__lt=overdue_cutoff(response_days, now))


class ReportQuerySet(models.QuerySet["Report"]):
    def public(self) -> ReportQuerySet:
        """What anybody may see: confirmed reports. Hidden ones stay, shown as a placeholder."""
        return self.filter(status__in=PUBLIC_STATUSES)

    def open(self) -> ReportQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def in_bbox(self, west: float, south: float, east: float, north: float) -> ReportQuerySet:
        return self.filter(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)

    def overdue(self, response_days: int, now: datetime | None = None) -> ReportQuerySet:
        return self.filter(overdue_condition(response_days, now))

    def update(self, **kwargs: Any) -> int:
        # Every write moves ``changed_at``, the source of the Open311 list's ETag and Last-Modified; a bulk
        # update (supporters, assignee, GDPR erasure, a future one) cannot forget it this way.
        kwargs.setdefault("changed_at", timezone.now())
        return super().update(**kwargs)

    update.alters_data = True  # type: ignore[attr-defined]

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        objs, now = list(objs), timezone.now()
        for report in objs:
            report.changed_at = now
        return super().bulk_update(objs, [*fields, "changed_at"], batch_size=batch_size)

    bulk_update.alters_data = True  # type: ignore[attr-defined]

    def for_list(self) -> ReportQuerySet:
        return (
            self.select_related("category", "organisation")
            .defer(SEARCH_DOCUMENT)
            .prefetch_related(
                models.Prefetch("photos", queryset=ReportPhoto.objects.filter(hidden=False).order_by("position", "pk"))
            )
            .with_category_label()
        )

    def with_category_label(self) -> ReportQuerySet:
        """The responsible organisation's English name of the category, for ``Report.category_label``."""
        handler = OrganisationCategory.objects.filter(
            organisation=OuterRef("organisation"), template=OuterRef("category")
        )
        return self.annotate(category_name_en=Subquery(handler.values("name_en")[:1]))


class Report(models.Model):
    """A defect reported at a point; the responsible organisation is found by routing."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Zuständige Stelle"), on_delete=models.PROTECT, related_name="reports"
    )
    category = models.ForeignKey(
        CategoryTemplate, verbose_name=_("Kategorie"), on_delete=models.PROTECT, related_name="reports"
    )
    description = models.TextField(_("Beschreibung"), max_length=4000)
    search_document = document_field(address="A", description="B")
    attributes = models.JSONField(_("Antworten auf Zusatzfragen"), default=dict, blank=True)
    lon = models.FloatField(_("Länge"))
    lat = models.FloatField(_("Breite"))
    address = models.CharField(_("Adresse oder Ortsbeschreibung"), max_length=300, blank=True)
    status = models.CharField(
        _("Status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.UNCONFIRMED
    )
    status_message = models.TextField(_("Letzte öffentliche Antwort"), blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("Duplikat von"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Personal data: never shown publicly (except the name with consent) and never in Open311 output.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Konto"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="reports",
    )  # fmt: skip
    email = models.EmailField(_("E-Mail-Adresse"), blank=True)
    name = models.CharField(_("Name"), max_length=120, blank=True)
    publish_name = models.BooleanField(_("Name veröffentlichen"), default=False)
    confirm_token = models.UUIDField(_("Bestätigungsschlüssel"), default=uuid.uuid4, unique=True, editable=False)
    # Open311 "token": lets a client look up the report id; it confirms nothing.
    public_token = models.UUIDField(_("Open311-Token"), default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(_("Eingang"), max_length=10, choices=ReportSource.choices, default=ReportSource.WEB)
    api_client = models.ForeignKey(
        "ApiClient", verbose_name=_("Anwendung"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Bearbeitet von"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    supporters_count = models.PositiveIntegerField(_("Unterstützungen"), default=0)
    hidden = models.BooleanField(_("Ausgeblendet"), default=False)
    hidden_reason = models.CharField(_("Grund für das Ausblenden"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("Gemeldet"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("Bestätigt"), null=True, blank=True)
    updated_at = models.DateTimeField(_("Zuletzt geändert"), default=timezone.now)
    fixed_at = models.DateTimeField(_("Erledigt am"), null=True, blank=True)
    followup_sent_at = models.DateTimeField(_("Nachfrage gesendet"), null=True, blank=True)
    # "Ist es behoben?": when the reporter confirmed the fix; cleared when staff mark the report fixed again.
    fix_confirmed_at = models.DateTimeField(_("Behebung bestätigt am"), null=True, blank=True)
    # Moved by every write to the row or its photos (save(), QuerySet.update(), bulk_update(), photo changes),
    # unlike ``updated_at``, which means "last status change" (overdue clock, Open311 updated_datetime).
    # The Open311 list derives its HTTP validators (ETag, Last-Modified) from it.
    changed_at = models.DateTimeField(_("Technisch zuletzt geändert"), default=timezone.now, editable=False)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("Meldung")
        verbose_name_plural = _("Meldungen")
        indexes = [
            models.Index(fields=["lon", "lat"], name="report_position"),
            DocumentIndex(fields=["search_document"], name="report_search"),
            # The public map filters by status and box and counts ids per cell: with ``id`` included PostgreSQL
            # answers from the index alone (an index-only scan); SQLite ignores ``include``.
            models.Index(fields=["status", "lon", "lat"], include=["id"], name="report_public_position"),
            models.Index(fields=["organisation", "status", "-created_at"], name="report_inbox"),
            models.Index(fields=["status", "-created_at"], name="report_public_list"),
            models.Index(fields=["category", "status", "lon", "lat"], name="report_nearby"),
            models.Index(fields=["-updated_at"], name="report_updated"),
            # The staff overview counts open reports (new, overdue) of an organisation from this index alone.
            models.Index(
                fields=["organisation", "updated_at", "assignee"],
                condition=models.Q(status="open"),
                name="report_open_work",
            ),
            # Mein Bereich: a person's newest reports without sorting all of them.
            models.Index(fields=["reporter", "-created_at", "-id"], name="report_reporter_newest"),
            # The Open311 list: a jurisdiction's public reports newest first, read in index order so that LIMIT
            # stops after a page (the inbox index, with status second, made PostgreSQL fetch and sort every report
            # of the 90-day window). Status and category ride along so that counting a filtered list (the
            # ETag) is an index-only scan.
            models.Index(
                fields=["organisation", "-created_at", "-id"],
                include=["status", "category"],
                condition=models.Q(status__in=PUBLIC_STATUSES),
                name="report_open311_list",
            ),
            # The Open311 list's validator: the newest change of any report is one index probe.
            models.Index(fields=["-changed_at"], name="report_changed"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.changed_at = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "changed_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", kwargs={"pk": self.pk})

    @property
    def category_label(self) -> str:
        """The category's name in the interface language: the responsible organisation's English name if it has one."""
        if not (translation.get_language() or "").startswith("en"):
            return self.category.name
        english = getattr(self, "category_name_en", None)
        if english is None and not hasattr(self, "category_name_en"):  # not read through ``with_category_label``
            english = (
                OrganisationCategory.objects.filter(organisation_id=self.organisation_id, template_id=self.category_id)
                .values_list("name_en", flat=True)
                .first()
            )
            setattr(self, "category_name_en", english)  # noqa: B010  (the annotation's name, set once per object)
        return in_language(self.category.name, english or "")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def open311_status(self) -> str:
        return "open" if self.status in (*OPEN_STATUSES, ReportStatus.UNCONFIRMED) else "closed"

    @property
    def public_name(self) -> str:
        return self.name if self.publish_name and self.name else ""


class MapCell(models.Model):
    """The public map's grid, counted ahead: reports per cell, status, category and organisation.

    PostgreSQL only. Triggers on the report table keep it in the same transaction as every write (``save()``,
    ``bulk_create()``, ``QuerySet.update()``, deletes, cascades, raw SQL), so no service has to remember it; see
    migration 0010. Cells of level ``n`` are ``60 / 2**n`` degrees wide, the sizes ``mapdata.cell_size`` returns,
    for the coarse levels (``mapdata.AGGREGATE_LEVELS``) where counting rows live would read most of the table.
    ``sum_id`` is the id itself in a cell with one report. ``on_x_edge``/``on_y_edge`` mark reports lying
    exactly on the cell's west/south line, which a box ending there still contains.
    """

    level = models.SmallIntegerField()
    cell_x = models.IntegerField()
    cell_y = models.IntegerField()
    on_x_edge = models.BooleanField()
    on_y_edge = models.BooleanField()
    status = models.CharField(max_length=20)
    category_id = models.BigIntegerField()
    organisation_id = models.BigIntegerField()
    reports = models.IntegerField()
    sum_lon = models.DecimalField(max_digits=40, decimal_places=20)
    sum_lat = models.DecimalField(max_digits=40, decimal_places=20)
    sum_id = models.DecimalField(max_digits=40, decimal_places=0)

    class Meta:
        managed = False  # created with its triggers by a PostgreSQL-only migration
        db_table = "reports_mapcell"

    def __str__(self) -> str:
        return f"{self.level}/{self.cell_x}/{self.cell_y}: {self.reports}"


class ReportPhoto(models.Model):
    """A re-encoded photo: the stored bytes carry no EXIF, so no GPS and no camera serial."""

    report = models.ForeignKey(Report, verbose_name=_("Meldung"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("Foto"), upload_to="reports/%Y/%m/")
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    hidden = models.BooleanField(_("Ausgeblendet"), default=False)
    hidden_reason = models.CharField(_("Grund für das Ausblenden"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Foto")
        verbose_name_plural = _("Fotos")
        ordering = ["position", "pk"]
        indexes = [
            # A report's first visible photo (the Open311 media_url, one probe per listed report).
            models.Index(
                fields=["report", "position", "id"], condition=models.Q(hidden=False), name="report_photo_first"
            ),
        ]

    def __str__(self) -> str:
        return self.image.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        Report.objects.filter(pk=self.report_id).update()  # a new or hidden photo changes the Open311 answer

    def get_absolute_url(self) -> str:
        return reverse("reports:photo", kwargs={"pk": self.report_id, "photo_pk": self.pk})

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        report_id = self.report_id
        deleted = super().delete(*args, **kwargs)
        Report.objects.filter(pk=report_id).update()
        return deleted


class ReportUpdate(models.Model):
    """One line of a report's public history; ``message`` is shown publicly, staff names are not."""

    report = models.ForeignKey(Report, verbose_name=_("Meldung"), on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(_("Status"), max_length=20, choices=ReportStatus.choices)
    message = models.TextField(_("Öffentliche Nachricht"), blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Von"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)

    class Meta:
        verbose_name = _("Statusänderung")
        verbose_name_plural = _("Statusänderungen")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.status}"


DEFAULT_RESPONSE_DAYS = 5


class ReportSettings(models.Model):
    """An organisation's settings for the Mängelmelder. Most organisations have no row: the defaults apply."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="report_settings"
    )
    response_days = models.PositiveSmallIntegerField(
        _("Antwortfrist in Tagen"), default=DEFAULT_RESPONSE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Neue Meldungen, die so viele Tage nach Eingang noch unbeantwortet sind, gelten als überfällig."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("Einstellungen des Mängelmelders")
        verbose_name_plural = _("Einstellungen des Mängelmelders")

    def __str__(self) -> str:
        return str(self.organisation_id)

    @classmethod
    def of(cls, organisation: Organisation) -> ReportSettings:
        """The organisation's settings; an unsaved default when it has none. A read never creates a row."""
        return cls.objects.filter(organisation=organisation).first() or cls(organisation=organisation)


class InternalNote(models.Model):
    report = models.ForeignKey(Report, verbose_name=_("Meldung"), on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Von"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("Interne Notiz"), max_length=4000)
    created_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)

    class Meta:
        verbose_name = _("Interne Notiz")
        verbose_name_plural = _("Interne Notizen")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class ResponseTemplate(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="report_templates"
    )
    title = models.CharField(_("Titel"), max_length=120)
    text = models.TextField(_("Text"), max_length=2000)
    title_en = models.CharField(_("Titel auf Englisch"), max_length=120, blank=True)
    text_en = models.TextField(_("Text auf Englisch"), max_length=2000, blank=True)
    status = models.CharField(_("Passend zu Status"), max_length=20, choices=ReportStatus.choices, blank=True)

    class Meta:
        verbose_name = _("Antwortvorlage")
        verbose_name_plural = _("Antwortvorlagen")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def localized_title(self) -> str:
        return in_language(self.title, self.title_en)

    @property
    def localized_text(self) -> str:
        return in_language(self.text, self.text_en)


class Supporter(models.Model):
    """Someone who has the same problem: counted, and told about every status change."""

    report = models.ForeignKey(Report, verbose_name=_("Meldung"), on_delete=models.CASCADE, related_name="supporters")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Konto"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)

    class Meta:
        verbose_name = _("Unterstützung")
        verbose_name_plural = _("Unterstützungen")
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="support_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.report_id}"


class AlertFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("sofort")
    DAILY = "daily", _("einmal täglich")


class AreaAlert(models.Model):
    """An e-mail subscription to new reports around a point or in an organisation's area (double opt-in)."""

    email = models.EmailField(_("E-Mail-Adresse"))
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Gebiet der Organisation"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    lon = models.FloatField(_("Länge"), null=True, blank=True)
    lat = models.FloatField(_("Breite"), null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("Umkreis in Metern"), null=True, blank=True)
    # The circle's bounding box, so matching a new report is an indexed range query.
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    frequency = models.CharField(
        _("Häufigkeit"), max_length=10, choices=AlertFrequency.choices, default=AlertFrequency.IMMEDIATE
    )
    token = models.UUIDField(_("Schlüssel"), default=uuid.uuid4, unique=True, editable=False)
    confirmed_at = models.DateTimeField(_("Bestätigt"), null=True, blank=True)
    active = models.BooleanField(_("Aktiv"), default=True)
    created_at = models.DateTimeField(_("Angelegt"), default=timezone.now)
    last_sent_at = models.DateTimeField(_("Zuletzt gesendet"), null=True, blank=True)

    class Meta:
        verbose_name = _("Gebietsbenachrichtigung")
        verbose_name_plural = _("Gebietsbenachrichtigungen")
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"], name="alert_bbox")]

    def __str__(self) -> str:
        return self.email


class Place(models.Model):
    """A gazetteer entry (street or place), so a location can be given as text instead of on the map."""

    name = models.CharField(_("Straße oder Ort"), max_length=200)
    municipality = models.CharField(_("Gemeinde"), max_length=120)
    postal_code = models.CharField(_("Postleitzahl"), max_length=10, blank=True)
    lon = models.FloatField(_("Länge"))
    lat = models.FloatField(_("Breite"))
    search_text = models.CharField(max_length=340, db_index=True, editable=False)

    class Meta:
        verbose_name = _("Ortsverzeichnis-Eintrag")
        verbose_name_plural = _("Ortsverzeichnis")
        ordering = ["municipality", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.postal_code} {self.municipality}".replace(",  ", ", ")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = self.searchable()
        super().save(*args, **kwargs)

    def searchable(self) -> str:
        return f"{self.name} {self.postal_code} {self.municipality}".casefold()


class ApiClient(models.Model):
    """An application allowed to POST Open311 requests; only a hash of its key is kept."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="api_clients"
    )
    name = models.CharField(_("Anwendung"), max_length=120)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("Schlüsselanfang"), max_length=8, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Angelegt von"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("Angelegt"), default=timezone.now)
    revoked_at = models.DateTimeField(_("Widerrufen"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-Schlüssel")
        verbose_name_plural = _("API-Schlüssel")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


@receiver(pre_save, sender=CategoryTemplate)
@receiver(pre_save, sender=Organisation)
def _renamed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """A renamed category or organisation changes the Open311 list (service_name, agency_responsible): its reports'
    ``changed_at`` moves, so the list's Last-Modified does too. Renames are rare; other saves cost one read."""
    if raw or instance.pk is None:
        return
    fields = ("code", "name") if sender is CategoryTemplate else ("name",)
    stored = sender.objects.filter(pk=instance.pk).values_list(*fields).first()
    if stored is not None and tuple(stored) != tuple(getattr(instance, field) for field in fields):
        Report.objects.filter(
            **{"category_id" if sender is CategoryTemplate else "organisation_id": instance.pk}
        ).update()
