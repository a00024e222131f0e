from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Collate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Audit entries are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit entries are append-only.")

    def for_organisation(self, organisation: Any) -> AppendOnlyQuerySet:
        return self.filter(organisation=organisation).select_related("actor")

    def filtered(self, *, actor: Any = None, action: str = "", text: str = "", first_day: Any = None,
                 last_day: Any = None) -> AppendOnlyQuerySet:  # fmt: skip
        """The log's filters: days are whole days in Europe/Berlin, ``text`` an object's number or name."""
        from datetime import datetime, time, timedelta

        entries = self
        if actor is not None:
            entries = entries.filter(actor=actor)
        if action:
            entries = entries.filter(action=action)
        text = text.strip()
        if text:
            number = text.lstrip("#").strip()
            entries = entries.filter(models.Q(object_id=number) | models.Q(object_repr__icontains=text))
        zone = timezone.get_default_timezone()
        if first_day:
            entries = entries.filter(created_at__gte=datetime.combine(first_day, time.min, tzinfo=zone))
        if last_day:
            entries = entries.filter(
                created_at__lt=datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=zone)
            )
        return entries


class AuditEntry(models.Model):
    """Who did what to which object, when. Written by ``core.audit.log_action`` only."""

    created_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Handelnde Person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("Organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries",
    )
    action = models.CharField(_("Aktion"), max_length=80)
    object_type = models.CharField(_("Objekttyp"), max_length=80, blank=True)
    object_id = models.CharField(_("Objekt-ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("Objekt"), max_length=300, blank=True)
    changes = models.JSONField(_("Änderungen"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Protokolleinträge")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit entries are append-only.")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: Any) -> NotificationQuerySet:
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Empfänger/in"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    created_at = models.DateTimeField(_("Erstellt"), default=timezone.now)
    title = models.CharField(_("Titel"), max_length=200)
    body = models.TextField(_("Text"), blank=True)
    url = models.CharField(_("Link"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("Gelesen"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Benachrichtigung")
        verbose_name_plural = _("Benachrichtigungen")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class DeliveredEmail(models.Model):
    """A message handed to the mail server, by its Message-ID (set when it was queued, core/mail.py).

    A task whose worker died is run again (``requeue_orphaned_tasks``); this record lets the re-run see that the
    message went out already, so nobody gets it twice. Kept for 30 days (``daily``).
    """

    message_id = models.CharField(max_length=255, unique=True)
    delivered_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.message_id


class AccessibilityFeedback(models.Model):
    """Feedback on barriers (BITV 2.0 § 7 feedback mechanism), for the portal or one organisation."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("Organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="accessibility_feedback",
    )
    created_at = models.DateTimeField(_("Eingegangen"), default=timezone.now)
    page_url = models.CharField(_("Betroffene Seite"), max_length=500, blank=True)
    message = models.TextField(_("Beschreibung der Barriere"), max_length=5000)
    email = models.EmailField(_("E-Mail-Adresse für Rückfragen"), blank=True)

    class Meta:
        verbose_name = _("Rückmeldung zur Barrierefreiheit")
        verbose_name_plural = _("Rückmeldungen zur Barrierefreiheit")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.message[:60]


class ByteOrderIndex(models.Index):
    """An index of text columns in byte order: ``COLLATE "C"`` on PostgreSQL, where the database's collation
    would otherwise keep it from serving prefix ranges; an ordinary index elsewhere (SQLite compares bytes)."""

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        text = (models.CharField, models.TextField)
        columns = [
            Collate(models.F(name), "C") if isinstance(model._meta.get_field(name), text) else models.F(name)
            for name in self.fields
        ]
        return models.Index(*columns, name=self.name).create_sql(model, schema_editor, using=using, **kwargs)


class Address(models.Model):
    """One entry of the address register that operators import (``import_addresses``), e.g. from the state's
    official house coordinates: the local geocoder behind ``core.geo.locate`` and the address suggestions.

    The ``*_key`` columns hold the normalised text (``core.addresses.normalise``) that suggestions match by
    prefix; the index on them serves ``LIKE 'prefix%'`` on PostgreSQL (``text_pattern_ops``) and SQLite alike.
    """

    street = models.CharField(_("Straße"), max_length=200)
    house_number = models.CharField(_("Hausnummer"), max_length=20)
    postal_code = models.CharField(_("Postleitzahl"), max_length=10, blank=True)
    place = models.CharField(_("Ort"), max_length=120)
    lat = models.FloatField(_("Breite"))
    lon = models.FloatField(_("Länge"))
    street_key = models.CharField(max_length=200, editable=False)
    number_key = models.CharField(max_length=20, editable=False)
    number_sort = models.PositiveIntegerField(default=0, editable=False)
    place_key = models.CharField(max_length=120, editable=False)

    class Meta:
        verbose_name = _("Adresse")
        verbose_name_plural = _("Adressregister")
        ordering = ["street_key", "place_key", "number_sort", "number_key"]
        constraints = [
            # Led by the place, so that no index but core_address_search offers the street order: PostgreSQL
            # would otherwise walk this one in order and filter every row (its LIKE needs the pattern ops).
            models.UniqueConstraint(
                fields=["place_key", "postal_code", "street_key", "number_key"], name="core_address_unique"
            )
        ]
        indexes = [
            # In byte order (COLLATE "C" on PostgreSQL, SQLite's binary collation elsewhere): one index serves both
            # the prefix range and the ORDER BY, so a suggestion reads its eight entries and stops. (With
            # varchar_pattern_ops it served only the range: "Sch" fetched and sorted 10,000 rows, 20-50 ms.)
            ByteOrderIndex(fields=["street_key", "place_key", "number_sort", "number_key"], name="core_address_search"),
            models.Index(fields=["lat", "lon"], name="core_address_position"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.street} {self.house_number}, {self.postal_code} {self.place}".replace(",  ", ", ")
