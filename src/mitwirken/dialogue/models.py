"""Informal dialogue: ideas, text review, categories and labels (after adhocracy4, Decidim, CONSUL).

Comments, ratings, flags and follows are the shared parts of ``mitwirken.participation``; ideas and paragraphs
take part through their ``targets`` (``dialogue/targets.py``). Their counters (comments, ratings) live on the
rows and are updated in the services that change them, so list pages never count per request.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mitwirken.core.search import FIELD as SEARCH_DOCUMENT
from mitwirken.core.search import DocumentIndex, document_field
from mitwirken.projects.models import Module


def _parts(query_name: str) -> dict[str, Any]:
    """The reverse side of a participation part: ``idea.comments``, ``Comment.objects.filter(idea__module=…)``;
    deleting the object deletes its comments, ratings, flags and follows."""
    return {"object_id_field": "object_pk", "related_query_name": query_name}


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
    # A prioritisation with a budget is a participatory budget: each person chooses items whose costs together
    # stay within it (a chosen item is a +1 rating of the shared participation app).
    budget = models.PositiveBigIntegerField(
        _("Budget in Euro"), null=True, blank=True,
        help_text=_("Nur bei der Priorisierung: Mit einem Budget wählen Teilnehmende Vorschläge aus, deren Kosten zusammen das Budget nicht übersteigen."),
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

    @property
    def is_budget(self) -> bool:
        return self.blueprint == Blueprint.PRIORITISATION and self.budget is not None


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
        return self.select_related("category", "author").prefetch_related("labels").defer(SEARCH_DOCUMENT)


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
    search_document = document_field(title="A", text="B")  # tags are not words to PostgreSQL's parser
    category = models.ForeignKey(
        Category, verbose_name=_("Kategorie"), null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    labels = models.ManyToManyField(Label, verbose_name=_("Merkmale"), blank=True, related_name="ideas")
    image = models.ImageField(_("Bild"), upload_to="dialogue/%Y/%m/", blank=True)
    image_alt = models.CharField(_("Bildbeschreibung"), max_length=200, blank=True)
    lon = models.FloatField(_("Länge"), null=True, blank=True)
    lat = models.FloatField(_("Breite"), null=True, blank=True)
    cost = models.PositiveBigIntegerField(_("Kosten in Euro"), null=True, blank=True)
    # The order staff give their topics and items (debates, prioritisations); participants' ideas keep 0.
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)
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
    comments = GenericRelation("participation.Comment", **_parts("idea"))
    ratings = GenericRelation("participation.Rating", **_parts("idea"))
    flags = GenericRelation("participation.Flag", **_parts("idea"))
    follows = GenericRelation("participation.Follow", **_parts("idea"))

    objects = IdeaQuerySet.as_manager()

    class Meta:
        verbose_name = _("Idee")
        verbose_name_plural = _("Ideen")
        indexes = [
            # Each ordering ends with the id (the tie-breaker of the list), so no page needs a sort step.
            models.Index(fields=["module", "-created_at", "-id"], name="idea_newest"),
            DocumentIndex(fields=["search_document"], name="idea_search"),
            models.Index(fields=["module", "-comment_count", "-id"], name="idea_most_commented"),
            models.Index(fields=["module", "-score", "-id"], name="idea_most_supported"),
            # Mein Bereich: a person's newest ideas without sorting all of them.
            models.Index(fields=["author", "-created_at", "-id"], name="idea_author_newest"),
            # The staff overview counts what waits for approval: a handful of rows, not the whole table.
            models.Index(fields=["module"], condition=Q(approved=False, hidden=False), name="idea_awaiting_approval"),
            # The list's count for readers (approved ideas) from the index alone, not a scan of every idea.
            models.Index(fields=["module"], condition=Q(approved=True), name="idea_approved"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def cost_text(self) -> str:
        """The cost as German readers write amounts: 12345 → "12.345"."""
        return f"{self.cost or 0:,}".replace(",", ".")

    @property
    def comment_count_text(self) -> str:
        """ "3 Kommentare": the plural for the idea cards (Jinja2 templates leave plurals to Python)."""
        return ngettext("%(counter)s Kommentar", "%(counter)s Kommentare", self.comment_count) % {
            "counter": self.comment_count
        }


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
    comments = GenericRelation("participation.Comment", **_parts("paragraph"))

    class Meta:
        verbose_name = _("Absatz")
        verbose_name_plural = _("Absätze")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.chapter} §{self.position}"
