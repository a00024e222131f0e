"""Every write of the dialogue module. Permissions are checked here again; counters are kept here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import linebreaks, strip_tags
from django.utils.translation import gettext as _
from shapely.geometry import Point

from mitwirken.core import geo
from mitwirken.core.audit import log_action
from mitwirken.core.permissions import require
from mitwirken.core.text import clean_text, sanitise_html
from mitwirken.core.uploads import files_removed_on_failure, reencode_image
from mitwirken.projects.models import Module, Project

from . import notifications
from .models import (
    Block,
    Category,
    Comment,
    DialogueSettings,
    Feedback,
    Flag,
    Follow,
    Frequency,
    Idea,
    Label,
    Paragraph,
    Rating,
)

MAX_TITLE = 160
MAX_TEXT = 10_000
MAX_COMMENT = 4_000


def settings_for(module: Module) -> DialogueSettings:
    """The module's dialogue settings; created with the blueprint of its module type on first use."""
    settings = getattr(module, "_dialogue_settings", None)
    if settings is None:
        blueprint = module.module_type.removeprefix("dialogue_")
        settings, _created = DialogueSettings.objects.get_or_create(module=module, defaults={"blueprint": blueprint})
        module._dialogue_settings = settings  # type: ignore[attr-defined]
    return settings


# --- checks ---------------------------------------------------------------------------------------------------


def check_title(title: str) -> str:
    title = clean_text(title)
    if not title:
        raise ValidationError({"title": _("Bitte geben Sie einen Titel an.")})
    if len(title) > MAX_TITLE:
        raise ValidationError({"title": _("Der Titel darf höchstens %(max)d Zeichen lang sein.") % {"max": MAX_TITLE}})
    return title


def rich_html(text: str) -> str:
    """Sanitised HTML; plain text (no tags) gets paragraphs from its blank lines, as people expect."""
    text = clean_text(text)
    if "<" not in text:
        text = linebreaks(text, autoescape=True)
    return sanitise_html(text)


def check_rich_text(text: str, field: str = "text", max_length: int = MAX_TEXT) -> str:
    """Sanitise first, then measure: the stored HTML is what is shown, never the raw input."""
    if "\x00" in (text or ""):
        raise ValidationError({field: _("Der Text enthält unzulässige Steuerzeichen.")})
    clean = rich_html(text)
    if not strip_tags(clean).strip():
        raise ValidationError({field: _("Bitte schreiben Sie einen Text.")})
    if len(clean) > max_length:
        raise ValidationError({field: _("Der Text ist %(length)d Zeichen lang. Erlaubt sind höchstens %(max)d.")
                               % {"length": len(clean), "max": max_length}})  # fmt: skip
    return clean


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


def project_area(project: Project) -> Any:
    """The project's area, else the organisation's; None when neither is stored (then any point goes)."""
    for geometry in (project.location, project.organisation.boundary):
        if geometry and geometry.get("type") in ("Polygon", "MultiPolygon"):
            return geo.to_shape(geometry)
    return None


def check_location(module: Module, lon: Any, lat: Any, *, required: bool) -> tuple[float | None, float | None]:
    if lon in (None, "") and lat in (None, ""):
        if required:
            raise ValidationError({"location": _("Bitte geben Sie den Ort an: auf der Karte oder als Koordinaten.")})
        return None, None
    try:
        lon_f, lat_f = float(lon), float(lat)
    except (TypeError, ValueError):
        raise ValidationError({"location": _("Bitte geben Sie Breite und Länge als Zahlen an.")}) from None
    area = project_area(module.project)
    if area is not None and not area.covers(Point(lon_f, lat_f)):
        raise ValidationError(
            {"location": _("Der Ort liegt außerhalb des Projektgebiets. Bitte wählen Sie einen Ort im Gebiet.")}
        )
    return lon_f, lat_f


def _check_choices(module: Module, category: Category | None, labels: Iterable[Label]) -> list[Label]:
    if category is not None and category.module_id != module.pk:
        raise ValidationError({"category": _("Diese Kategorie gehört nicht zu diesem Beteiligungsmodul.")})
    labels = list(labels)
    if any(label.module_id != module.pk for label in labels):
        raise ValidationError({"labels": _("Dieses Merkmal gehört nicht zu diesem Beteiligungsmodul.")})
    return labels


# --- ideas ----------------------------------------------------------------------------------------------------


def idea_create(
    *, user: Any, module: Module, title: str, text: str, category: Category | None = None, labels: Iterable[Label] = (),
    image: UploadedFile | None = None, image_alt: str = "", lon: Any = None, lat: Any = None,
) -> Idea:  # fmt: skip
    """A participant's idea. Staff add debate topics and items to prioritise with ``item_create``."""
    require(user, "dialogue.add_idea", module)
    settings = settings_for(module)
    title, text = check_title(title), check_rich_text(text)
    lon_f, lat_f = check_location(module, lon, lat, required=settings.with_location)
    labels = _check_choices(module, category, labels)
    checked = _check_image(image, image_alt)
    now = timezone.now()
    with files_removed_on_failure() as written, transaction.atomic():
        idea = Idea.objects.create(module=module, author=user, title=title, text=text, category=category,
                                   lon=lon_f, lat=lat_f, approved=not settings.premoderation, created_at=now,
                                   updated_at=now, image_alt=image_alt.strip()[:200])  # fmt: skip
        idea.labels.set(labels)
        if checked is not None:
            idea.image.save(checked.content.name, checked.content, save=True)
            written.append(idea.image)
        Follow.objects.get_or_create(user=user, idea=idea)
        if not idea.approved:  # pre-moderation: the moderators collect these in their daily digest
            transaction.on_commit(lambda: notifications.needs_moderation(
                module.pk, _("Eine Idee wartet auf Freigabe: %(title)s") % {"title": title}, "daily"), robust=True)  # fmt: skip
    return idea


def _check_image(image: UploadedFile | None, alt: str) -> Any:
    if not image:
        return None
    if not alt.strip():
        raise ValidationError({"image_alt": _("Bitte beschreiben Sie kurz, was auf dem Bild zu sehen ist.")})
    try:
        return reencode_image(image)
    except ValidationError as error:
        raise ValidationError({"image": error.messages}) from None


def idea_update(
    *, user: Any, idea: Idea, title: str, text: str, category: Category | None = None, labels: Iterable[Label] = (),
    lon: Any = None, lat: Any = None,
) -> Idea:  # fmt: skip
    """Authors edit their idea while the phase allows new ideas."""
    require(user, "dialogue.change_idea", idea)
    settings = settings_for(idea.module)
    idea.title, idea.text = check_title(title), check_rich_text(text)
    idea.lon, idea.lat = check_location(idea.module, lon, lat, required=settings.with_location)
    labels = _check_choices(idea.module, category, labels)
    idea.category, idea.updated_at = category, timezone.now()
    with transaction.atomic():
        idea.save(update_fields=["title", "text", "lon", "lat", "category", "updated_at"])
        idea.labels.set(labels)
    return idea


def item_create(*, actor: Any, module: Module, title: str, text: str, category: Category | None = None,
                labels: Iterable[Label] = ()) -> Idea:  # fmt: skip
    """A topic for a debate or an item to prioritise, set by staff."""
    require(actor, "dialogue.manage_module", module)
    labels = _check_choices(module, category, labels)
    with transaction.atomic():
        idea = Idea.objects.create(module=module, author=None, by_staff=True, title=check_title(title),
                                   text=check_rich_text(text), category=category)  # fmt: skip
        idea.labels.set(labels)
        log_action(actor=actor, action="dialogue.item_create", obj=idea, organisation=module.project.organisation)
    return idea


# --- comments -------------------------------------------------------------------------------------------------


def comment_create(*, user: Any, target: Idea | Paragraph, text: str, parent: Comment | None = None) -> Comment:
    """Comment on an idea or a paragraph, or reply to a comment (replies have no replies)."""
    module = target.module if isinstance(target, Idea) else target.chapter.module
    require(user, "dialogue.comment", module)
    if isinstance(target, Idea) and (not target.approved or target.hidden):
        raise ValidationError({"text": _("Diese Idee kann nicht kommentiert werden.")})
    text = check_comment_text(text)
    if parent is not None:
        same_target = (
            parent.idea_id == getattr(target, "pk", None)
            if isinstance(target, Idea)
            else parent.paragraph_id == target.pk
        )
        if not same_target or parent.parent_id is not None:
            raise ValidationError({"text": _("Auf diesen Kommentar kann nicht geantwortet werden.")})
        if parent.is_removed:
            raise ValidationError(
                {"text": _("Auf einen gelöschten oder ausgeblendeten Kommentar kann nicht geantwortet werden.")}
            )
    approved = not settings_for(module).premoderation
    with transaction.atomic():
        comment = Comment.objects.create(
            idea=target if isinstance(target, Idea) else None, paragraph=target if isinstance(target, Paragraph) else None,
            parent=parent, author=user, text=text, approved=approved,
        )  # fmt: skip
        if approved:
            _count_comment(comment, +1)
            transaction.on_commit(lambda: notifications.comment_posted(comment.pk), robust=True)
        else:
            transaction.on_commit(lambda: notifications.needs_moderation(
                module.pk, _("Ein Kommentar wartet auf Freigabe: %(module)s") % {"module": module.name}, "daily"), robust=True)  # fmt: skip
        if isinstance(target, Idea):
            Follow.objects.get_or_create(user=user, idea=target)
    return comment


def _count_comment(comment: Comment, delta: int) -> None:
    if comment.idea_id:
        Idea.objects.filter(pk=comment.idea_id).update(comment_count=F("comment_count") + delta)
    elif comment.paragraph_id:
        Paragraph.objects.filter(pk=comment.paragraph_id).update(comment_count=F("comment_count") + delta)
    if comment.parent_id:
        Comment.objects.filter(pk=comment.parent_id).update(reply_count=F("reply_count") + delta)


def comment_update(*, user: Any, comment: Comment, text: str) -> Comment:
    require(user, "dialogue.change_comment", comment)
    if comment.is_removed:
        raise ValidationError({"text": _("Dieser Kommentar ist gelöscht.")})
    comment.text, comment.edited_at = check_comment_text(text), timezone.now()
    comment.save(update_fields=["text", "edited_at"])
    return comment


@transaction.atomic
def comment_delete(*, user: Any, comment: Comment) -> None:
    """A comment with replies leaves a placeholder so the thread still reads; otherwise it goes."""
    if not (
        user.has_perm("dialogue.change_comment", comment) or (comment.author_id == user.pk and user.is_authenticated)
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
def rate(*, user: Any, idea: Idea, value: int) -> Rating:
    """One rating per person; it can be changed, not given twice."""
    require(user, "dialogue.rate", idea.module)
    if value not in (1, -1):
        raise ValidationError({"value": _("Eine Bewertung ist dafür (+1) oder dagegen (−1).")})
    if not idea.approved or idea.hidden:
        raise ValidationError({"value": _("Diese Idee kann nicht bewertet werden.")})
    existing = Rating.objects.select_for_update().filter(idea=idea, user=user).first()
    if existing is not None and existing.value == value:
        raise ValidationError(
            {
                "value": _(
                    "Sie haben diese Idee bereits so bewertet. Sie können Ihre Bewertung ändern, aber nicht doppelt abgeben."
                )
            }
        )
    positive = (value == 1) - (existing is not None and existing.value == 1)
    negative = (value == -1) - (existing is not None and existing.value == -1)
    if existing is None:
        existing = Rating.objects.create(idea=idea, user=user, value=value)
    else:
        existing.value = value
        existing.save(update_fields=["value"])
    Idea.objects.filter(pk=idea.pk).update(positive_count=F("positive_count") + positive,
                                           negative_count=F("negative_count") + negative,
                                           score=F("score") + positive - negative)  # fmt: skip
    return existing


# --- moderation -----------------------------------------------------------------------------------------------


def flag(*, user: Any, reason: str, idea: Idea | None = None, comment: Comment | None = None) -> Flag:
    target = idea or comment
    require(user, "dialogue.flag", target)
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Bitte nennen Sie einen Grund.")})
    if Flag.objects.filter(reporter=user, idea=idea, comment=comment, resolved_at__isnull=True).exists():
        raise ValidationError({"reason": _("Sie haben diesen Beitrag bereits gemeldet. Die Moderation prüft ihn.")})
    module = idea.module if idea else (comment.idea.module if comment.idea_id else comment.paragraph.chapter.module)  # type: ignore[union-attr]
    entry = Flag.objects.create(module=module, idea=idea, comment=comment, reporter=user, reason=reason[:500])
    # One notice per contribution, not per flag: a pile-on must not flood the moderators.
    if not Flag.objects.filter(idea=idea, comment=comment, resolved_at__isnull=True).exclude(pk=entry.pk).exists():
        transaction.on_commit(
            lambda: notifications.needs_moderation(
                module.pk, _("Ein Beitrag wurde gemeldet: %(module)s") % {"module": module.name}
            ),
            robust=True,
        )
    return entry


def _module_of(target: Idea | Comment) -> Module:
    if isinstance(target, Idea):
        return target.module
    return target.idea.module if target.idea_id else target.paragraph.chapter.module  # type: ignore[union-attr]


@transaction.atomic
def hide(*, actor: Any, target: Idea | Comment, reason: str, hidden: bool = True) -> None:
    """Hide with a public reason; a placeholder stays and the author is told."""
    module = _module_of(target)
    require(actor, "dialogue.moderate", module)
    reason = (reason or "").strip()
    if hidden and not reason:
        raise ValidationError({"reason": _("Bitte geben Sie einen Grund an; er wird öffentlich angezeigt.")})
    was_counted = isinstance(target, Comment) and target.approved and not target.hidden and target.deleted_at is None
    target.hidden, target.hidden_reason = hidden, reason[:300] if hidden else ""
    target.save(update_fields=["hidden", "hidden_reason"])
    if isinstance(target, Comment) and target.approved and target.deleted_at is None:
        if hidden and was_counted:
            _count_comment(target, -1)
        elif not hidden and not was_counted:
            _count_comment(target, +1)
    Flag.objects.filter(**{"idea" if isinstance(target, Idea) else "comment": target}, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )
    log_action(actor=actor, action="dialogue.hide" if hidden else "dialogue.unhide", obj=target,
               organisation=module.project.organisation, changes={"reason": reason})  # fmt: skip
    if hidden and target.author_id:
        transaction.on_commit(lambda: notifications.content_hidden(target, reason), robust=True)


@transaction.atomic
def approve(*, actor: Any, target: Idea | Comment) -> None:
    """Pre-moderation: release a waiting contribution."""
    module = _module_of(target)
    require(actor, "dialogue.moderate", module)
    if target.approved:
        return
    target.approved = True
    target.save(update_fields=["approved"])
    if isinstance(target, Comment) and not target.hidden and target.deleted_at is None:
        _count_comment(target, +1)
        transaction.on_commit(lambda: notifications.comment_posted(target.pk), robust=True)
    log_action(actor=actor, action="dialogue.approve", obj=target, organisation=module.project.organisation)


def dismiss_flags(*, actor: Any, module: Module, flags: Iterable[Flag]) -> int:
    require(actor, "dialogue.moderate", module)
    return Flag.objects.filter(module=module, pk__in=[f.pk for f in flags], resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )


def comment_mark(
    *, actor: Any, comment: Comment, pinned: bool | None = None, highlighted: bool | None = None
) -> Comment:
    require(actor, "dialogue.moderate", _module_of(comment))
    if pinned is not None:
        comment.pinned = pinned
    if highlighted is not None:
        comment.highlighted = highlighted
    comment.save(update_fields=["pinned", "highlighted"])
    return comment


@transaction.atomic
def block(*, actor: Any, user: Any, reason: str, project: Project | None = None, organisation: Any = None) -> Block:
    """Moderators block for the project; organisation staff may block for all of the organisation's projects."""
    if (project is None) == (organisation is None):
        raise ValueError("Give a project or an organisation.")
    if project is not None:
        require(actor, "projects.moderate_project", project)
    else:
        require(actor, "organisations.enter_backoffice", organisation)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Bitte geben Sie einen Grund an.")})
    if user.pk == actor.pk:
        raise ValidationError({"reason": _("Sie können sich nicht selbst sperren.")})
    entry = Block.objects.create(
        user=user, project=project, organisation=organisation, reason=reason[:300], created_by=actor
    )
    owner = organisation or project.organisation  # type: ignore[union-attr]
    log_action(
        actor=actor, action="dialogue.block", obj=entry, organisation=owner, changes={"user": user.pk, "reason": reason}
    )
    return entry


@transaction.atomic
def unblock(*, actor: Any, entry: Block) -> None:
    """Lift a block; one for the whole organisation only by its staff."""
    if entry.project is not None:
        require(actor, "projects.moderate_project", entry.project)
    else:
        require(actor, "organisations.enter_backoffice", entry.organisation)
    owner = entry.project.organisation if entry.project is not None else entry.organisation
    log_action(actor=actor, action="dialogue.unblock", obj=entry, organisation=owner,
               changes={"user": entry.user_id, "reason": entry.reason})  # fmt: skip
    entry.delete()


@transaction.atomic
def give_feedback(*, actor: Any, idea: Idea, status: str, text: str) -> Idea:
    """Moderator feedback: a status and a public statement; the author and followers are told."""
    require(actor, "dialogue.give_feedback", idea.module)
    if status not in Feedback.values:
        raise ValidationError({"status": _("Bitte wählen Sie einen Status.")})
    text = rich_html(text)
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": _("Die Stellungnahme ist zu lang.")})
    idea.feedback, idea.feedback_text, idea.feedback_at = status, text, timezone.now()
    idea.save(update_fields=["feedback", "feedback_text", "feedback_at"])
    log_action(actor=actor, action="dialogue.feedback", obj=idea, organisation=idea.module.project.organisation,
               changes={"feedback": status})  # fmt: skip
    transaction.on_commit(lambda: notifications.feedback_given(idea.pk, actor_pk=actor.pk), robust=True)
    return idea


# --- following ------------------------------------------------------------------------------------------------


def follow(*, user: Any, project: Project | None = None, idea: Idea | None = None, frequency: str = Frequency.IMMEDIATE,
           active: bool = True) -> Follow | None:  # fmt: skip
    if not user.is_authenticated:
        raise PermissionDenied
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": _("Bitte wählen Sie, wie oft Sie benachrichtigt werden möchten.")})
    lookup = {"user": user, "project": project} if project is not None else {"user": user, "idea": idea}
    if not active:
        Follow.objects.filter(**lookup).delete()
        return None
    entry, _created = Follow.objects.update_or_create(**lookup, defaults={"frequency": frequency})
    return entry


# --- set-up by staff ------------------------------------------------------------------------------------------


def settings_update(*, actor: Any, module: Module, premoderation: bool) -> DialogueSettings:
    require(actor, "dialogue.manage_module", module)
    settings = settings_for(module)
    settings.premoderation = premoderation
    settings.save(update_fields=["premoderation"])
    log_action(actor=actor, action="dialogue.settings", obj=module, organisation=module.project.organisation,
               changes={"premoderation": premoderation})  # fmt: skip
    return settings


@transaction.atomic
def names_set(*, actor: Any, module: Module, model: type[Category] | type[Label], names: str) -> None:
    """Replace a module's categories or labels by the given lines, keeping those that stay."""
    require(actor, "dialogue.manage_module", module)
    wanted = list(dict.fromkeys(line.strip()[:60] for line in names.splitlines() if line.strip()))
    existing = {item.name: item for item in model.objects.filter(module=module)}
    model.objects.filter(module=module).exclude(name__in=wanted).delete()
    model.objects.bulk_create([model(module=module, name=name) for name in wanted if name not in existing])  # type: ignore[misc]
    log_action(actor=actor, action="dialogue.categories" if model is Category else "dialogue.labels", obj=module,
               organisation=module.project.organisation, changes={"names": wanted})  # fmt: skip


@transaction.atomic
def chapter_add(*, actor: Any, module: Module, title: str, text: str) -> Any:
    """A chapter of a draft for text review; blank lines separate its paragraphs."""
    from .models import Chapter

    require(actor, "dialogue.manage_module", module)
    title = (title or "").strip()
    parts = [part.strip() for part in (text or "").replace("\r\n", "\n").split("\n\n") if part.strip()]
    if not title or not parts:
        raise ValidationError({"text": _("Bitte geben Sie eine Überschrift und mindestens einen Absatz an.")})
    chapter = Chapter.objects.create(
        module=module, title=title[:200], position=Chapter.objects.filter(module=module).count() + 1
    )
    Paragraph.objects.bulk_create([Paragraph(chapter=chapter, text=rich_html(part), position=index + 1)
                                   for index, part in enumerate(parts)])  # fmt: skip
    log_action(actor=actor, action="dialogue.chapter_add", obj=chapter, organisation=module.project.organisation)
    return chapter
