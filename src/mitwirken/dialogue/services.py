"""Every write of the dialogue module: ideas, feedback, set-up. Comments, ratings and moderation are
``mitwirken.participation.services``. Permissions are checked here again."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.html import linebreaks, strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
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
from .models import Blueprint, Category, Chapter, DialogueSettings, Feedback, Idea, Label, Paragraph

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


def editable_text(html: str) -> str:
    """Stored HTML back as the plain text staff typed, when it is only paragraphs and line breaks (the form turns
    blank lines into paragraphs again); richer HTML stays as it is."""
    import html as html_lib
    import re

    if re.sub(r"</?p>|<br ?/?>", "", html).count("<"):
        return html
    text = re.sub(r"<br ?/?>\n?", "\n", html)
    parts = [part.strip() for part in re.split(r"</p>\s*<p>", text)]
    return html_lib.unescape("\n\n".join(parts).removeprefix("<p>").removesuffix("</p>"))


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


def _check_cost(module: Module, cost: Any) -> int | None:
    if cost in (None, ""):
        if settings_for(module).is_budget:
            raise ValidationError(
                {"cost": _("Bitte geben Sie die Kosten an; im Bürgerhaushalt braucht jeder Vorschlag Kosten.")}
            )
        return None
    try:
        value = int(cost)
    except (TypeError, ValueError):
        raise ValidationError({"cost": _("Bitte geben Sie die Kosten als ganze Zahl in Euro an.")}) from None
    if value <= 0:
        raise ValidationError({"cost": _("Die Kosten müssen größer als 0 Euro sein.")})
    return value


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
                labels: Iterable[Label] = (), cost: int | None = None) -> Idea:  # fmt: skip
    """A topic for a debate or an item to prioritise (with its cost in a participatory budget), set by staff."""
    require(actor, "dialogue.manage_module", module)
    labels = _check_choices(module, category, labels)
    with transaction.atomic():
        last = Idea.objects.filter(module=module, by_staff=True).order_by("-position").first()
        idea = Idea.objects.create(module=module, author=None, by_staff=True, title=check_title(title),
                                   text=check_rich_text(text), category=category, cost=_check_cost(module, cost),
                                   position=(last.position if last else 0) + 1)  # fmt: skip
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


def settings_update(*, actor: Any, module: Module, premoderation: bool, budget: int | None = None) -> DialogueSettings:
    """Moderation mode, and the budget of a prioritisation (None: an ordinary prioritisation)."""
    require(actor, "dialogue.manage_module", module)
    if budget is not None and blueprint_of(module) != Blueprint.PRIORITISATION:
        raise ValidationError({"budget": _("Ein Budget gibt es nur bei der Priorisierung.")})
    if budget is not None and budget <= 0:
        raise ValidationError({"budget": _("Das Budget muss größer als 0 Euro sein.")})
    values = {"premoderation": premoderation, "budget": budget}
    settings, _created = DialogueSettings.objects.update_or_create(
        module=module, defaults=values, create_defaults={"blueprint": blueprint_of(module), **values}
    )
    module._dialogue_settings = settings  # type: ignore[attr-defined]
    log_action(actor=actor, action="dialogue.settings", obj=module, organisation=module.project.organisation,
               changes=values)  # fmt: skip
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


# --- editing, ordering and deleting what staff set up ---------------------------------------------------------

Direction = str  # "up" or "down"


def _contributions(*, comments: int, ratings: int = 0) -> str:
    parts = []
    if comments:
        parts.append(ngettext("%(n)d Kommentar", "%(n)d Kommentare", comments) % {"n": comments})
    if ratings:
        parts.append(ngettext("%(n)d Bewertung", "%(n)d Bewertungen", ratings) % {"n": ratings})
    return _(" und ").join(parts)


@transaction.atomic
def item_update(*, actor: Any, item: Idea, title: str, text: str, cost: Any = None) -> Idea:
    """Staff correct a topic or item; its comments and ratings stay with it."""
    require(actor, "dialogue.manage_module", item.module)
    if not item.by_staff:
        raise ValidationError(_("Ideen von Teilnehmenden ändern nur ihre Verfasserinnen und Verfasser."))
    item.title, item.text, item.cost = check_title(title), check_rich_text(text), _check_cost(item.module, cost)
    item.updated_at = timezone.now()
    item.save(update_fields=["title", "text", "cost", "updated_at"])
    log_action(actor=actor, action="dialogue.item_update", obj=item, organisation=item.module.project.organisation,
               changes={"title": item.title, "cost": item.cost})  # fmt: skip
    return item


@transaction.atomic
def item_delete(*, actor: Any, item: Idea) -> None:
    """A topic or item goes only while nobody has commented on or rated it: their words are not deleted by staff."""
    require(actor, "dialogue.manage_module", item.module)
    if not item.by_staff:
        raise ValidationError(_("Ideen von Teilnehmenden löscht die Moderation nicht; sie kann sie ausblenden."))
    locked = Idea.objects.select_for_update().get(pk=item.pk)
    ratings = locked.positive_count + locked.negative_count
    if locked.comment_count or ratings:
        raise ValidationError(_("„%(title)s“ kann nicht gelöscht werden: Es gibt schon %(what)s dazu. Sie können den Titel und die Beschreibung ändern.")
                              % {"title": locked.title, "what": _contributions(comments=locked.comment_count, ratings=ratings)})  # fmt: skip
    log_action(actor=actor, action="dialogue.item_delete", obj=locked, organisation=item.module.project.organisation,
               changes={"title": locked.title})  # fmt: skip
    locked.delete()


@transaction.atomic
def chapter_update(*, actor: Any, chapter: Chapter, title: str) -> Chapter:
    require(actor, "dialogue.manage_module", chapter.module)
    title = clean_text(title)
    if not title:
        raise ValidationError({"title": _("Bitte geben Sie eine Überschrift an.")})
    chapter.title = title[:200]
    chapter.save(update_fields=["title"])
    log_action(actor=actor, action="dialogue.chapter_update", obj=chapter,
               organisation=chapter.module.project.organisation, changes={"title": chapter.title})  # fmt: skip
    return chapter


@transaction.atomic
def chapter_delete(*, actor: Any, chapter: Chapter) -> None:
    """A chapter goes only while none of its paragraphs has comments."""
    require(actor, "dialogue.manage_module", chapter.module)
    comments = sum(chapter.paragraphs.values_list("comment_count", flat=True))
    if comments:
        raise ValidationError(_("Das Kapitel „%(title)s“ kann nicht gelöscht werden: Es gibt schon %(what)s zu seinen Absätzen.")
                              % {"title": chapter.title, "what": _contributions(comments=comments)})  # fmt: skip
    log_action(actor=actor, action="dialogue.chapter_delete", obj=chapter,
               organisation=chapter.module.project.organisation, changes={"title": chapter.title})  # fmt: skip
    chapter.delete()


@transaction.atomic
def paragraph_update(*, actor: Any, paragraph: Paragraph, text: str) -> Paragraph:
    """Correct a paragraph's text. A commented paragraph keeps its comments; the audit log keeps the old text."""
    module = paragraph.chapter.module
    require(actor, "dialogue.manage_module", module)
    old = paragraph.text
    paragraph.text = check_rich_text(text)
    paragraph.save(update_fields=["text"])
    log_action(actor=actor, action="dialogue.paragraph_update", obj=paragraph, organisation=module.project.organisation,
               changes={"old_text": old, "text": paragraph.text})  # fmt: skip
    return paragraph


@transaction.atomic
def paragraph_add(*, actor: Any, chapter: Chapter, text: str) -> Paragraph:
    require(actor, "dialogue.manage_module", chapter.module)
    last = chapter.paragraphs.order_by("-position").first()
    paragraph = Paragraph.objects.create(chapter=chapter, text=check_rich_text(text),
                                         position=(last.position if last else 0) + 1)  # fmt: skip
    log_action(actor=actor, action="dialogue.paragraph_add", obj=paragraph,
               organisation=chapter.module.project.organisation)  # fmt: skip
    return paragraph


@transaction.atomic
def paragraph_delete(*, actor: Any, paragraph: Paragraph) -> None:
    module = paragraph.chapter.module
    require(actor, "dialogue.manage_module", module)
    locked = Paragraph.objects.select_for_update().get(pk=paragraph.pk)
    if locked.comment_count:
        raise ValidationError(_("Absatz %(number)s kann nicht gelöscht werden: Es gibt schon %(what)s dazu. Sie können seinen Text ändern.")
                              % {"number": locked.position, "what": _contributions(comments=locked.comment_count)})  # fmt: skip
    if paragraph.chapter.paragraphs.count() == 1:
        raise ValidationError(_("Ein Kapitel braucht mindestens einen Absatz. Löschen Sie stattdessen das Kapitel."))
    log_action(actor=actor, action="dialogue.paragraph_delete", obj=locked, organisation=module.project.organisation,
               changes={"text": locked.text})  # fmt: skip
    locked.delete()


@transaction.atomic
def move(*, actor: Any, obj: Idea | Chapter | Paragraph, direction: Direction) -> None:
    """Move a staff item, a chapter or a paragraph one place up or down among its siblings (numbered 1…n)."""
    siblings: Any
    if isinstance(obj, Paragraph):
        module, siblings = obj.chapter.module, Paragraph.objects.filter(chapter_id=obj.chapter_id)
    elif isinstance(obj, Chapter):
        module, siblings = obj.module, Chapter.objects.filter(module_id=obj.module_id)
    else:
        module, siblings = obj.module, Idea.objects.filter(module_id=obj.module_id, by_staff=True)
    require(actor, "dialogue.manage_module", module)
    if direction not in ("up", "down"):
        raise ValidationError(_("Bitte wählen Sie „nach oben“ oder „nach unten“."))
    ordered = list(siblings.select_for_update().order_by("position", "pk"))
    index = next(i for i, sibling in enumerate(ordered) if sibling.pk == obj.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, sibling in enumerate(ordered, start=1):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])
    log_action(actor=actor, action="dialogue.move", obj=obj, organisation=module.project.organisation,
               changes={"direction": direction})  # fmt: skip


# --- participatory budget -------------------------------------------------------------------------------------


def budget_spent(user: Any, module: Module) -> int:
    """What the person's chosen items cost together (0 for guests)."""
    if not user.is_authenticated:
        return 0
    return int(Idea.objects.filter(module=module, ratings__user=user, ratings__value=1)
               .aggregate(total=Sum("cost", default=0))["total"])  # fmt: skip


def budget_choose(*, user: Any, item: Idea, chosen: bool) -> int:
    """Choose an item for one's participatory budget, or put it back; returns what the choice costs now.

    The sum stays within the budget also when one person sends many choices at once: the person's row is locked
    first (PostgreSQL; SQLite's IMMEDIATE transactions take the write lock up front), so every choice sees the
    ones before it.
    """
    from django.contrib.auth import get_user_model

    from mitwirken.participation.models import Rating, on
    from mitwirken.participation.targets import of

    module = item.module
    require(user, "participation.rate", item)
    settings = settings_for(module)
    if not settings.is_budget or settings.budget is None:
        raise ValidationError(_("Dieses Modul hat kein Budget."))
    if not item.approved or item.hidden or item.cost is None:
        raise ValidationError(_("Dieser Vorschlag kann nicht gewählt werden."))
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        existing = Rating.objects.of(item).filter(user=user).first()
        spent = budget_spent(user, module)
        if chosen and existing is None:
            if spent + item.cost > settings.budget:
                raise ValidationError(_(
                    "„%(title)s“ kostet %(cost)s €. Sie haben schon Vorschläge für %(spent)s € gewählt; zusammen wären "
                    "das mehr als das Budget von %(budget)s €. Nehmen Sie zuerst einen anderen Vorschlag heraus."
                ) % {"title": item.title, "cost": euros(item.cost), "spent": euros(spent), "budget": euros(settings.budget)})  # fmt: skip
            Rating.objects.create(module=module, **on(item), user=user, value=1)
            of(item).count_rating(item.pk, 1, 0)
            spent += item.cost
        elif not chosen and existing is not None:
            existing.delete()
            of(item).count_rating(item.pk, -(existing.value == 1), -(existing.value == -1))
            spent -= item.cost if existing.value == 1 else 0
    return spent


def euros(amount: int) -> str:
    """12345 → "12.345", as German readers write amounts."""
    return f"{amount:,}".replace(",", ".")
