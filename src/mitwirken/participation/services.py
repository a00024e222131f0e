"""Every write of the participation parts, for any target. Permissions are checked here again; counters kept here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action
from mitwirken.core.permissions import forget_on_user, require
from mitwirken.core.text import clean_text
from mitwirken.projects.models import Module, Project

from . import notifications, targets
from .models import Block, Comment, Flag, Follow, Frequency, Rating, on
from .rules import BLOCKS_ATTR

MAX_COMMENT = 4_000


def check_comment_text(text: str) -> str:
    if "\x00" in (text or ""):
        raise ValidationError({"text": _("Der Text enthält unzulässige Steuerzeichen.")})
    text = clean_text(text)
    if not text:
        raise ValidationError({"text": _("Bitte schreiben Sie einen Kommentar.")})
    if len(text) > MAX_COMMENT:
        raise ValidationError({"text": _("Der Kommentar ist %(length)d Zeichen lang. Erlaubt sind höchstens %(max)d.")
                               % {"length": len(text), "max": MAX_COMMENT}})  # fmt: skip
    return text


def ensure_following(user: Any, target: Any) -> None:
    """Authors and commenters follow what they wrote about, unless they already do (their frequency stays)."""
    if targets.of(target).followable:
        Follow.objects.get_or_create(user=user, **on(target))


# --- comments -------------------------------------------------------------------------------------------------


def comment_create(*, user: Any, target: Any, text: str, parent: Comment | None = None) -> Comment:
    """Comment on any target, or reply to a comment on it (replies have no replies)."""
    kind = targets.of(target)
    module = kind.module(target)
    require(user, "participation.comment", module)
    accepted, why = kind.accepts_comments(target)
    if not accepted:
        raise ValidationError({"text": why or _("Hier kann nicht kommentiert werden.")})
    text = check_comment_text(text)
    if parent is not None:
        same_target = parent.content_type_id == on(target)["content_type"].pk and parent.object_pk == target.pk
        if not same_target or parent.parent_id is not None:
            raise ValidationError({"text": _("Auf diesen Kommentar kann nicht geantwortet werden.")})
        if parent.is_removed:
            raise ValidationError(
                {"text": _("Auf einen gelöschten oder ausgeblendeten Kommentar kann nicht geantwortet werden.")}
            )
    approved = not kind.premoderation(module)
    with transaction.atomic():
        comment = Comment.objects.create(
            module=module, **on(target), parent=parent, author=user, text=text, approved=approved
        )
        if approved:
            _count_comment(comment, +1)
            transaction.on_commit(lambda: notifications.comment_posted(comment.pk), robust=True)
        else:
            transaction.on_commit(lambda: notifications.needs_moderation(
                module.pk, _("Ein Kommentar wartet auf Freigabe: %(module)s") % {"module": module.name}, "daily"), robust=True)  # fmt: skip
        ensure_following(user, target)
    return comment


def _count_comment(comment: Comment, delta: int) -> None:
    kind = targets.for_content_type(comment.content_type_id)
    if kind is not None:
        kind.count_comment(comment.object_pk, delta)
    if comment.parent_id:
        Comment.objects.filter(pk=comment.parent_id).update(reply_count=F("reply_count") + delta)


def comment_update(*, user: Any, comment: Comment, text: str) -> Comment:
    require(user, "participation.change_comment", comment)
    if comment.is_removed:
        raise ValidationError({"text": _("Dieser Kommentar ist gelöscht.")})
    comment.text, comment.edited_at = check_comment_text(text), timezone.now()
    comment.save(update_fields=["text", "edited_at"])
    return comment


@transaction.atomic
def comment_delete(*, user: Any, comment: Comment) -> None:
    """A comment with replies leaves a placeholder so the thread still reads; otherwise it goes.

    Authors may delete their comment also after the phase ended (``change_comment`` would refuse).
    """
    if not (
        user.has_perm("participation.change_comment", comment)
        or (comment.author_id == user.pk and user.is_authenticated)
    ):
        raise PermissionDenied
    if comment.deleted_at is not None:
        return
    if comment.approved and not comment.hidden:
        _count_comment(comment, -1)
    if Comment.objects.filter(parent=comment).exists():
        comment.text, comment.deleted_at = "", timezone.now()
        comment.save(update_fields=["text", "deleted_at"])
    else:
        comment.delete()


# --- ratings --------------------------------------------------------------------------------------------------


@transaction.atomic
def rate(*, user: Any, target: Any, value: int) -> Rating | None:
    """One rating per person and object; it can be changed, and the same vote again withdraws it (None).

    Nobody rates their own contribution."""
    kind = targets.of(target)
    module = kind.module(target)
    require(user, "participation.rate", target)
    if value not in (1, -1):
        raise ValidationError({"value": _("Eine Bewertung ist dafür (+1) oder dagegen (−1).")})
    accepted, why = kind.accepts_ratings(target)
    if not accepted:
        raise ValidationError({"value": why or _("Dieser Beitrag kann nicht bewertet werden.")})
    existing = Rating.objects.select_for_update().of(target).filter(user=user).first()
    if existing is not None and existing.value == value:
        existing.delete()
        kind.count_rating(target.pk, -(value == 1), -(value == -1))
        return None
    positive = (value == 1) - (existing is not None and existing.value == 1)
    negative = (value == -1) - (existing is not None and existing.value == -1)
    if existing is None:
        existing = Rating.objects.create(module=module, **on(target), user=user, value=value)
    else:
        existing.value = value
        existing.save(update_fields=["value"])
    kind.count_rating(target.pk, positive, negative)
    return existing


# --- moderation -----------------------------------------------------------------------------------------------


@transaction.atomic
def flag(*, user: Any, target: Any, reason: str) -> Flag:
    """Report a contribution to the moderators; they hear of it once per contribution, not once per flag."""
    kind = targets.of(target)
    require(user, "participation.flag", target)
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Bitte nennen Sie einen Grund.")})
    if Flag.objects.of(target).filter(reporter=user, resolved_at__isnull=True).exists():
        raise ValidationError({"reason": _("Sie haben diesen Beitrag bereits gemeldet. Die Moderation prüft ihn.")})
    module = kind.module(target)
    entry = Flag.objects.create(module=module, **on(target), reporter=user, reason=reason[:500])
    # A pile-on must not flood the moderators.
    if not Flag.objects.of(target).filter(resolved_at__isnull=True).exclude(pk=entry.pk).exists():
        transaction.on_commit(
            lambda: notifications.needs_moderation(
                module.pk, _("Ein Beitrag wurde gemeldet: %(module)s") % {"module": module.name}
            ),
            robust=True,
        )
    return entry


def _moderated(target: Any) -> tuple[targets.Target, Module]:
    kind = targets.of(target)
    if not kind.moderated:
        raise ValueError(f"{type(target).__name__} is not moderated.")
    return kind, kind.module(target)


@transaction.atomic
def hide(*, actor: Any, target: Any, reason: str, hidden: bool = True) -> None:
    """Hide with a public reason (or show again); a placeholder stays and the author is told."""
    kind, module = _moderated(target)
    require(actor, "participation.moderate", module)
    reason = clean_text(reason)
    if hidden and not reason:
        raise ValidationError({"reason": _("Bitte geben Sie einen Grund an; er wird öffentlich angezeigt.")})
    is_comment = isinstance(target, Comment)
    was_counted = is_comment and target.approved and not target.hidden and target.deleted_at is None
    target.hidden, target.hidden_reason = hidden, reason[:300] if hidden else ""
    target.save(update_fields=["hidden", "hidden_reason"])
    if is_comment and target.approved and target.deleted_at is None:
        if hidden and was_counted:
            _count_comment(target, -1)
        elif not hidden and not was_counted:
            _count_comment(target, +1)
    Flag.objects.of(target).filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    log_action(actor=actor, action="participation.hide" if hidden else "participation.unhide", obj=target,
               organisation=module.project.organisation, changes={"reason": reason})  # fmt: skip
    if hidden and kind.author_id(target):
        transaction.on_commit(lambda: notifications.content_hidden(target, reason), robust=True)


def unhide(*, actor: Any, target: Any) -> None:
    hide(actor=actor, target=target, reason="", hidden=False)


@transaction.atomic
def approve(*, actor: Any, target: Any) -> None:
    """Pre-moderation: release a waiting contribution."""
    _kind, module = _moderated(target)
    require(actor, "participation.moderate", module)
    if target.approved:
        return
    target.approved = True
    target.save(update_fields=["approved"])
    if isinstance(target, Comment) and not target.hidden and target.deleted_at is None:
        _count_comment(target, +1)
        transaction.on_commit(lambda: notifications.comment_posted(target.pk), robust=True)
    log_action(actor=actor, action="participation.approve", obj=target, organisation=module.project.organisation)


@transaction.atomic
def dismiss_flags(*, actor: Any, module: Module, flags: Iterable[Flag]) -> int:
    """The contribution stays as it is; its open flags are done."""
    require(actor, "participation.moderate", module)
    pks = [f.pk for f in flags]
    done = Flag.objects.filter(module=module, pk__in=pks, resolved_at__isnull=True).update(resolved_at=timezone.now())
    if done:
        log_action(actor=actor, action="participation.dismiss_flags", obj=module,
                   organisation=module.project.organisation, changes={"flags": pks})  # fmt: skip
    return done


@transaction.atomic
def comment_mark(
    *, actor: Any, comment: Comment, pinned: bool | None = None, highlighted: bool | None = None
) -> Comment:
    """Pin a comment to the top of its thread, or highlight it as a moderator's pick."""
    require(actor, "participation.moderate", comment.module)
    if pinned is not None:
        comment.pinned = pinned
    if highlighted is not None:
        comment.highlighted = highlighted
    comment.save(update_fields=["pinned", "highlighted"])
    log_action(actor=actor, action="participation.comment_mark", obj=comment,
               organisation=comment.module.project.organisation,
               changes={"pinned": comment.pinned, "highlighted": comment.highlighted})  # fmt: skip
    return comment


@transaction.atomic
def block(
    *, actor: Any, user: Any, reason: str, project: Project | None = None, organisation: Any = None,
    expires_at: datetime | None = None,
) -> Block:  # fmt: skip
    """Moderators block for the project; organisation staff may block for all of the organisation's projects."""
    if (project is None) == (organisation is None):
        raise ValueError("Give a project or an organisation.")
    if project is not None:
        require(actor, "projects.moderate_project", project)
    else:
        require(actor, "organisations.enter_backoffice", organisation)
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Bitte geben Sie einen Grund an.")})
    if user.pk == actor.pk:
        raise ValidationError({"reason": _("Sie können sich nicht selbst sperren.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("Das Ende der Sperre muss in der Zukunft liegen.")})
    entry = Block.objects.create(user=user, project=project, organisation=organisation, reason=reason[:300],
                                 created_by=actor, expires_at=expires_at)  # fmt: skip
    owner = organisation or project.organisation  # type: ignore[union-attr]
    log_action(actor=actor, action="participation.block", obj=entry, organisation=owner,
               changes={"user": user.pk, "reason": reason, "expires_at": str(expires_at or "")})  # fmt: skip
    forget_on_user(user, BLOCKS_ATTR)
    return entry


@transaction.atomic
def unblock(*, actor: Any, entry: Block) -> None:
    """Lift a block; one for the whole organisation only by its staff."""
    if entry.project is not None:
        require(actor, "projects.moderate_project", entry.project)
    else:
        require(actor, "organisations.enter_backoffice", entry.organisation)
    owner = entry.project.organisation if entry.project is not None else entry.organisation
    log_action(actor=actor, action="participation.unblock", obj=entry, organisation=owner,
               changes={"user": entry.user_id, "reason": entry.reason})  # fmt: skip
    entry.delete()


# --- following ------------------------------------------------------------------------------------------------


def follow(*, user: Any, project: Project | None = None, target: Any = None, frequency: str = Frequency.IMMEDIATE,
           active: bool = True) -> Follow | None:  # fmt: skip
    """Follow a project or one object (``target``), immediately or as a daily digest; ``active=False`` stops."""
    if not user.is_authenticated:
        raise PermissionDenied
    if (project is None) == (target is None):
        raise ValueError("Give a project or a target.")
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": _("Bitte wählen Sie, wie oft Sie benachrichtigt werden möchten.")})
    if target is not None and not targets.of(target).followable:
        raise ValueError(f"{type(target).__name__} cannot be followed.")
    lookup = {"user": user, "project": project} if project is not None else {"user": user, **on(target)}
    if not active:
        Follow.objects.filter(**lookup).delete()
        return None
    entry, _created = Follow.objects.update_or_create(**lookup, defaults={"frequency": frequency})
    return entry


@transaction.atomic
def erase_ratings(*, user: Any) -> None:
    """GDPR deletion: a person's ratings go, and the counters with them, so the totals stay true."""
    for content_type_id, object_pk, value in Rating.objects.filter(user=user).values_list(
        "content_type_id", "object_pk", "value"
    ):
        kind = targets.for_content_type(content_type_id)
        if kind is not None:
            kind.count_rating(object_pk, -(value == 1), -(value == -1))
    Rating.objects.filter(user=user).delete()
