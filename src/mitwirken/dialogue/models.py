"""Informal dialogue: ideas, comments, ratings, text review, moderation (after adhocracy4, Decidim, CONSUL).

Counters (comments, ratings) live on the rows and are updated in the services that change them, so list
pages never count per request.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitwirken.organisations.models import Organisation
from mitwirken.projects.models import Module, Project


class Blueprint(models.TextChoices):
    BRAINSTORMING = "brainstorming", _("Brainstorming")
    MAP_IDEAS = "map_ideas", _("Ideensammlung auf der Karte")
    TEXT_REVIEW = "text_review", _("Textdiskussion")
    DEBATE = "debate", _("Debatte")
    PRIORITISATION = "prioritisation", _("Priorisierung")


class DialogueSettings(models.Model):
    module = models.OneToOneField(Module, verbose_name=_("Modul"), on_delete=models.CASCADE, related_name="dialogue")
    blueprint = models.CharField(_("Vorlage"), max_length=20, choices=Blueprint.choices)
    premoderation = models.BooleanField(
        _("Vorab-Moderation"), default=False,
        help_text=_("Beiträge erscheinen erst, wenn die Moderation sie freigegeben hat."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("Dialog-Einstellungen")
        verbose_name_plural = _("Dialog-Einstellungen")

    def __str__(self) -> str:
        return f"{self.module}: {self.get_blueprint_display()}"

    @property
    def participants_create(self) -> bool:
        """In debates and prioritisations the items come from staff; elsewhere participants add ideas."""
        return self.blueprint in (Blueprint.BRAINSTORMING, Blueprint.MAP_IDEAS)

    @property
    def with_location(self) -> bool:
        return self.blueprint == Blueprint.MAP_IDEAS


class Category(models.Model):
    module = models.ForeignKey(
        Module, verbose_name=_("Modul"), on_delete=models.CASCADE, related_name="idea_categories"
    )
    name = models.CharField(_("Name"), max_length=80)

    class Meta:
        verbose_name = _("Kategorie")
        verbose_name_plural = _("Kategorien")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Label(models.Model):
    module = models.ForeignKey(Module, verbose_name=_("Modul"), on_delete=models.CASCADE, related_name="idea_labels")
    name = models.CharField(_("Name"), max_length=60)

    class Meta:
        verbose_name = _("Merkmal")
        verbose_name_plural = _("Merkmale")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Feedback(models.TextChoices):
    NONE = "", _("ohne Rückmeldung")
    IN_REVIEW = "in_review", _("in Prüfung")
    ACCEPTED = "accepted", _("angenommen")
    REJECTED = "rejected", _("abgelehnt")
    IMPLEMENTED = "implemented", _("umgesetzt")


class IdeaQuerySet(models.QuerySet["Idea"]):
    def visible_to(self, user: Any, module: Module) -> IdeaQuerySet:
        """Published ideas, plus one's own pending ones; moderators see everything."""
        if user.has_perm("projects.moderate_project", module.project):
            return self
        if user.is_authenticated:
            return self.filter(Q(approved=True) | Q(author=user))
        return self.filter(approved=True)

    def for_list(self) -> IdeaQuerySet:
        return self.select_related("category", "author").prefetch_related("labels")


class Idea(models.Model):
    """An idea (by a participant) or an item to discuss or rate (by staff)."""

    module = models.ForeignKey(Module, verbose_name=_("Modul"), on_delete=models.CASCADE, related_name="ideas")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Verfasst von"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="ideas",
    )  # fmt: skip
    by_staff = models.BooleanField(_("Von der Verwaltung vorgegeben"), default=False)
    title = models.CharField(_("Titel"), max_length=160)
    text = models.TextField(_("Beschreibung"), max_length=10_000)  # sanitised HTML
    category = models.ForeignKey(
        Category, verbose_name=_("Kategorie"), null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    labels = models.ManyToManyField(Label, verbose_name=_("Merkmale"), blank=True, related_name="ideas")
    image = models.ImageField(_("Bild"), upload_to="dialogue/%Y/%m/", blank=True)
    image_alt = models.CharField(_("Bildbeschreibung"), max_length=200, blank=True)
    lon = models.FloatField(_("Länge"), null=True, blank=True)
    lat = models.FloatField(_("Breite"), null=True, blank=True)
    feedback = models.CharField(_("Rückmeldung"), max_length=20, choices=Feedback.choices, default="", blank=True)
    feedback_text = models.TextField(_("Öffentliche Stellungnahme der Verwaltung"), blank=True)
    feedback_at = models.DateTimeField(_("Rückmeldung vom"), null=True, blank=True)
    approved = models.BooleanField(_("Freigegeben"), default=True)
    hidden = models.BooleanField(_("Ausgeblendet"), default=False)
    hidden_reason = models.CharField(_("Grund für das Ausblenden"), max_length=300, blank=True)
    comment_count = models.PositiveIntegerField(_("Kommentare"), default=0)
    positive_count = models.PositiveIntegerField(_("Zustimmung"), default=0)
    negative_count = models.PositiveIntegerField(_("Ablehnung"), default=0)
    score = models.IntegerField(_("Saldo"), default=0)
    created_at = models.DateTimeField(_("Erstellt"), default=timezone.now)
    updated_at = models.DateTimeField(_("Geändert"), default=timezone.now)

    objects = IdeaQuerySet.as_manager()

    class Meta:
        verbose_name = _("Idee")
        verbose_name_plural = _("Ideen")
        indexes = [
            # Each ordering ends with the id (the tie-breaker of the list), so no page needs a sort step.
            models.Index(fields=["module", "-created_at", "-id"], name="idea_newest"),
            models.Index(fields=["module", "-comment_count", "-id"], name="idea_most_commented"),
            models.Index(fields=["module", "-score", "-id"], name="idea_most_supported"),
        ]

    def __str__(self) -> str:
        return self.title


class Chapter(models.Model):
    module = models.ForeignKey(Module, verbose_name=_("Modul"), on_delete=models.CASCADE, related_name="chapters")
    title = models.CharField(_("Titel"), max_length=200)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Kapitel")
        verbose_name_plural = _("Kapitel")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Paragraph(models.Model):
    chapter = models.ForeignKey(Chapter, verbose_name=_("Kapitel"), on_delete=models.CASCADE, related_name="paragraphs")
    text = models.TextField(_("Text"))  # sanitised HTML
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    comment_count = models.PositiveIntegerField(_("Kommentare"), default=0)

    class Meta:
        verbose_name = _("Absatz")
        verbose_name_plural = _("Absätze")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.chapter} §{self.position}"


class Comment(models.Model):
    """A comment on an idea or a paragraph; replies go one level deep (two levels in all)."""

    idea = models.ForeignKey(
        Idea, verbose_name=_("Idee"), null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    paragraph = models.ForeignKey(
        Paragraph, verbose_name=_("Absatz"), null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("Antwort auf"), null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Verfasst von"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("Kommentar"), max_length=4000)
    created_at = models.DateTimeField(_("Erstellt"), default=timezone.now)
    edited_at = models.DateTimeField(_("Bearbeitet"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("Gelöscht"), null=True, blank=True)
    approved = models.BooleanField(_("Freigegeben"), default=True)
    hidden = models.BooleanField(_("Ausgeblendet"), default=False)
    hidden_reason = models.CharField(_("Grund für das Ausblenden"), max_length=300, blank=True)
    pinned = models.BooleanField(_("Angeheftet"), default=False)
    highlighted = models.BooleanField(_("Von der Moderation hervorgehoben"), default=False)
    reply_count = models.PositiveIntegerField(_("Antworten"), default=0)

    class Meta:
        verbose_name = _("Kommentar")
        verbose_name_plural = _("Kommentare")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["idea", "parent", "created_at"], name="comment_thread"),
            models.Index(fields=["paragraph", "parent", "created_at"], name="comment_paragraph"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(idea__isnull=False, paragraph__isnull=True) | Q(idea__isnull=True, paragraph__isnull=False),
                name="comment_has_one_target",
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def is_removed(self) -> bool:
        return self.deleted_at is not None or self.hidden


class Rating(models.Model):
    idea = models.ForeignKey(Idea, verbose_name=_("Idee"), on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Konto"), on_delete=models.CASCADE, related_name="+"
    )
    value = models.SmallIntegerField(_("Bewertung"), choices=[(1, _("dafür")), (-1, _("dagegen"))])
    created_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)

    class Meta:
        verbose_name = _("Bewertung")
        verbose_name_plural = _("Bewertungen")
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="rate_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.value:+d} → {self.idea_id}"


class Flag(models.Model):
    """Somebody reported a contribution to the moderators."""

    module = models.ForeignKey(Module, verbose_name=_("Modul"), on_delete=models.CASCADE, related_name="+")
    idea = models.ForeignKey(
        Idea, verbose_name=_("Idee"), null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    comment = models.ForeignKey(
        Comment, verbose_name=_("Kommentar"), null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Gemeldet von"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("Grund"), max_length=500)
    created_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)
    resolved_at = models.DateTimeField(_("Erledigt"), null=True, blank=True)

    class Meta:
        verbose_name = _("Meldung an die Moderation")
        verbose_name_plural = _("Meldungen an die Moderation")
        indexes = [models.Index(fields=["module", "resolved_at"], name="flag_queue")]

    def __str__(self) -> str:
        return self.reason[:40]


class Block(models.Model):
    """A user may no longer take part in a project, or in all projects of an organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Konto"), on_delete=models.CASCADE, related_name="dialogue_blocks"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("Projekt"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("Grund"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Gesperrt von"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)

    class Meta:
        verbose_name = _("Sperre")
        verbose_name_plural = _("Sperren")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.reason[:30]}"


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("sofort")
    DAILY = "daily", _("täglich gesammelt")


class Follow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Konto"), on_delete=models.CASCADE, related_name="dialogue_follows"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("Projekt"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    idea = models.ForeignKey(
        Idea, verbose_name=_("Idee"), null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    frequency = models.CharField(_("Häufigkeit"), max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE)

    class Meta:
        verbose_name = _("Folgen")
        verbose_name_plural = _("Folgen")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "project"], condition=Q(project__isnull=False), name="follow_project_once"
            ),
            models.UniqueConstraint(fields=["user", "idea"], condition=Q(idea__isnull=False), name="follow_idea_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.project_id or self.idea_id}"


class DigestItem(models.Model):
    """A notification waiting for the daily digest e-mail of its recipient."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Konto"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("Titel"), max_length=300)
    url = models.CharField(_("Adresse"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)
    sent_at = models.DateTimeField(_("Gesendet"), null=True, blank=True)

    class Meta:
        verbose_name = _("Eintrag der Tageszusammenfassung")
        verbose_name_plural = _("Einträge der Tageszusammenfassung")
        indexes = [models.Index(fields=["sent_at", "user"], name="digest_pending")]

    def __str__(self) -> str:
        return self.title
