"""Every write of the dialogue module: ideas, feedback, set-up. Comments, ratings and moderation are
``mitwirken.participation.services``. Permissions are checked here again."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import linebreaks, strip_tags
from django.utils.translation import gettext as _
from shapely.geometry import Point

from mitwirken.core import geo
from mitwirken.core.audit import log_action
from mitwirken.core.permissions import require
from mitwirken.core.text import clean_text, sanitise_html
from mitwirken.core.uploads import files_removed_on_failure, reencode_image
from mitwirken.participation import notifications as participation_notifications
from mitwirken.participation.services import ensure_following
from mitwirken.projects.models import Module, Project

from . import notifications
from .blueprints import blueprint_of
from .models import Category, DialogueSettings, Feedback, Idea, Label, Paragraph

MAX_TITLE = 160
MAX_TEXT = 10_000


def settings_for(module: Module) -> DialogueSettings:
    """The module's dialogue settings, read once per module object; never written here.

    A module whose settings were never changed has no row: it gets the defaults of its blueprint, unsaved.
    ``settings_update`` stores them when staff first change something.
    """
    settings = getattr(module, "_dialogue_settings", None)
    if settings is None:
        settings = DialogueSettings.objects.filter(module=module).first() or DialogueSettings(
            module=module, blueprint=blueprint_of(module)
        )
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
        ensure_following(user, idea)
        if not idea.approved:  # pre-moderation: the moderators collect these in their daily digest
            transaction.on_commit(lambda: participation_notifications.needs_moderation(
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


# --- feedback ------------------------------------------------------------------------------------------------


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


# --- set-up by staff ------------------------------------------------------------------------------------------


def settings_update(*, actor: Any, module: Module, premoderation: bool) -> DialogueSettings:
    require(actor, "dialogue.manage_module", module)
    settings, _created = DialogueSettings.objects.update_or_create(
        module=module, defaults={"premoderation": premoderation}, create_defaults={"blueprint": blueprint_of(module),
                                                                                  "premoderation": premoderation},
    )  # fmt: skip
    module._dialogue_settings = settings  # type: ignore[attr-defined]
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
