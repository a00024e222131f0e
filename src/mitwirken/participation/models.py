"""Participation parts that any module attaches to its objects: comments, ratings, flags, follows, blocks, digests.

A comment, rating, flag or follow names its object generically (``content_type`` + ``object_pk``, as adhocracy4
does) and, except for follows, the module it belongs to, so that permissions and moderation queues are scoped
by module without knowing the object's model. How an object takes part is described by its ``targets.Target``.
Counters (comments, ratings) live on the objects and are kept by ``services``, so list pages never count.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitwirken.core.search import DocumentIndex, document_field
from mitwirken.organisations.models import Organisation
from mitwirken.projects.models import Module, Project


def on(target: Any) -> dict[str, Any]:
    """The generic fields that point at ``target``: ``Comment(**on(idea), ...)``, ``Rating.objects.filter(**on(idea))``."""
    return {"content_type": ContentType.objects.get_for_model(target), "object_pk": target.pk}


class TargetQuerySet(models.QuerySet[Any]):
    def of(self, target: Any) -> Any:
        return self.filter(**on(target))


class OnTarget(models.Model):
    """The object a part belongs to; always indexed together with ``object_pk`` (see each model's indexes)."""

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("Art des Gegenstands"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    object_pk = models.PositiveBigIntegerField(_("Nummer des Gegenstands"))
    content_object = GenericForeignKey("content_type", "object_pk")

    class Meta:
        abstract = True


class CommentQuerySet(TargetQuerySet):
    def visible_to(self, user: Any, moderator: bool) -> CommentQuerySet:
        """Published comments and one's own waiting ones; moderators see all."""
        if moderator:
            return self
        own = Q(author=user) if user.is_authenticated else Q(pk__in=[])
        return self.filter(Q(approved=True) | own)

    def pending(self) -> CommentQuerySet:
        return self.filter(approved=False, hidden=False, deleted_at__isnull=True)


class Comment(OnTarget):
    """A comment on any object; replies go one level deep (two levels in all)."""

    # Indexed by ``comment_module`` (module first), so no index of its own.
    module = models.ForeignKey(
        Module, verbose_name=_("Modul"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("Antwort auf"), null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Verfasst von"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("Kommentar"), max_length=4000)
    search_document = document_field(text="B")
    created_at = models.DateTimeField(_("Erstellt"), default=timezone.now)
    edited_at = models.DateTimeField(_("Bearbeitet"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("Gelöscht"), null=True, blank=True)
    approved = models.BooleanField(_("Freigegeben"), default=True)
    hidden = models.BooleanField(_("Ausgeblendet"), default=False)
    hidden_reason = models.CharField(_("Grund für das Ausblenden"), max_length=300, blank=True)
    pinned = models.BooleanField(_("Angeheftet"), default=False)
    highlighted = models.BooleanField(_("Von der Moderation hervorgehoben"), default=False)
    reply_count = models.PositiveIntegerField(_("Antworten"), default=0)
    # Reports on a comment go with it.
    flags = GenericRelation("Flag", object_id_field="object_pk", related_query_name="comment")

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("Kommentar")
        verbose_name_plural = _("Kommentare")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["content_type", "object_pk", "parent", "created_at"], name="comment_thread"),
            # The moderation queue and the staff overview look for waiting comments per module.
            models.Index(fields=["module", "approved"], name="comment_module"),
            DocumentIndex(fields=["search_document"], name="comment_search"),
            # Mein Bereich: a person's newest comments (deleted ones are not listed) without sorting all of them.
            models.Index(
                fields=["author", "-created_at", "-id"],
                condition=Q(deleted_at__isnull=True),
                name="comment_author_newest",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def is_removed(self) -> bool:
        return self.deleted_at is not None or self.hidden

    def target_title_and_url(self) -> tuple[str, str]:
        """What was commented on, and the comment's address there (prefetch with ``targets.prefetch()``)."""
        from . import targets

        title, url = targets.title_and_url(self.content_object, self.module)
        return title, f"{url}#kommentar-{self.pk}" if url else ""


class Rating(OnTarget):
    module = models.ForeignKey(Module, verbose_name=_("Modul"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Konto"), on_delete=models.CASCADE, related_name="+"
    )
    value = models.SmallIntegerField(_("Bewertung"), choices=[(1, _("dafür")), (-1, _("dagegen"))])
    created_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("Bewertung")
        verbose_name_plural = _("Bewertungen")
        constraints = [models.UniqueConstraint(fields=["content_type", "object_pk", "user"], name="rate_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.value:+d} → {self.content_type_id}/{self.object_pk}"


class Flag(OnTarget):
    """Somebody reported a contribution (an idea, a comment, anything) to the moderators."""

    module = models.ForeignKey(Module, verbose_name=_("Modul"), on_delete=models.CASCADE, related_name="+")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Gemeldet von"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("Grund"), max_length=500)
    created_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)
    resolved_at = models.DateTimeField(_("Erledigt"), null=True, blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("Meldung an die Moderation")
        verbose_name_plural = _("Meldungen an die Moderation")
        indexes = [
            models.Index(fields=["module", "resolved_at"], name="flag_queue"),
            models.Index(fields=["content_type", "object_pk"], name="flag_target"),
        ]

    def __str__(self) -> str:
        return self.reason[:40]


class BlockQuerySet(models.QuerySet["Block"]):
    def active(self, now: Any = None) -> BlockQuerySet:
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now or timezone.now()))


class Block(models.Model):
    """A user may no longer take part in a project, or in all projects of an organisation; for good or until a date."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Konto"), on_delete=models.CASCADE, related_name="participation_blocks"
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
    expires_at = models.DateTimeField(_("Gesperrt bis"), null=True, blank=True)

    objects = BlockQuerySet.as_manager()

    class Meta:
        verbose_name = _("Sperre")
        verbose_name_plural = _("Sperren")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.reason[:30]}"


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("sofort")
    DAILY = "daily", _("täglich gesammelt")


class Follow(models.Model):
    """Somebody follows a project or one object (an idea, an event …), immediately or as a daily digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Konto"),
        on_delete=models.CASCADE,
        related_name="participation_follows",
    )
    project = models.ForeignKey(
        Project, verbose_name=_("Projekt"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("Art des Gegenstands"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", db_index=False,
    )  # fmt: skip
    object_pk = models.PositiveBigIntegerField(_("Nummer des Gegenstands"), null=True, blank=True)
    content_object = GenericForeignKey("content_type", "object_pk")
    frequency = models.CharField(_("Häufigkeit"), max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("Folgen")
        verbose_name_plural = _("Folgen")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "project"], condition=Q(project__isnull=False), name="follow_project_once"
            ),
            models.UniqueConstraint(
                fields=["user", "content_type", "object_pk"],
                condition=Q(object_pk__isnull=False),
                name="follow_object_once",
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_pk"], name="follow_object")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.project_id or self.object_pk}"

    def target_title_and_url(self) -> tuple[str, str]:
        if self.project_id:
            return self.project.title, self.project.get_absolute_url()  # type: ignore[union-attr]
        from . import targets

        return targets.title_and_url(self.content_object)


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
