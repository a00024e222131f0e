"""Demo dialogues: one public project per blueprint and one semi-public project, with German content.

Everything goes through the services (ideas, comments, ratings, feedback, flags, hiding, blocks), so the
counters, follows, notifications and audit entries are those a real dialogue would have. Afterwards the
timestamps are spread over the past days (the services stamp everything with the current time).

Some of the content lies in an earlier phase than the one running now (e.g. the comments of the
prioritisation were written while it was still being discussed). While seeding, each module therefore
gets a temporary phase that allows everything; it is removed again before the seeder ends, leaving
exactly the phases listed here.

``--scale N`` adds N ideas with 10 comments each (eight comments, two replies) and a few ratings to the
brainstorming module (``scale_module()``), by bulk insert in batches of 5,000 rows, with the counters set
to match the inserted rows. ``_scale(module, count)`` can be called on its own, e.g. by the benchmark.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from mitwirken.core.demo import html_paragraphs, load_data, paragraphs, single_paragraph
from mitwirken.organisations.demo import box, ensure_account
from mitwirken.organisations.models import Organisation
from mitwirken.participation import services as participation
from mitwirken.participation.models import Comment, Flag, Frequency, Rating, on
from mitwirken.projects import services as project_services
from mitwirken.projects.models import (
    AccessMode,
    Module,
    ParticipantRole,
    Phase,
    Project,
    ProjectMembership,
    ProjectStatus,
)

from . import services
from .blueprints import PHASES, module_type_key
from .models import Blueprint, Category, Feedback, Idea, Label, Paragraph

# --- who takes part -------------------------------------------------------------------------------------------

# The content is in demo/*.toml (see core.demo.load_data); this module turns it into records through the services.
APP = "mitwirken.dialogue"
_PEOPLE = load_data(APP, "people.toml")
# key: (e-mail, display name); the first two come from the organisations seeder.
CITIZENS: dict[str, tuple[str, str]] = {
    key: (person["email"], person["name"]) for key, person in _PEOPLE["citizens"].items()
}
STAFF: dict[str, str] = dict(_PEOPLE["staff"])
_SCALE = load_data(APP, "scale.toml")
SCALE_PROJECT = (_SCALE["organisation"], _SCALE["project"])


# --- what they write ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    author: str
    text: str
    highlighted: bool = False


@dataclass(frozen=True)
class DemoComment:
    author: str
    text: str
    replies: tuple[Reply, ...] = ()
    pinned: bool = False
    highlighted: bool = False
    flag: tuple[str, str] | None = None  # (reporter, reason): stays open in the moderation queue
    hide: tuple[str, str, str] | None = None  # (reporter, reason of the flag, public reason of the moderator)
    deleted: bool = False  # the author deletes it after the replies: a placeholder stays
    pending: bool = False  # pre-moderation: not released


@dataclass(frozen=True)
class DemoIdea:
    author: str  # a citizen, or a staff key for topics and items set by the administration
    title: str
    text: str
    days_ago: float
    category: str = ""
    labels: tuple[str, ...] = ()
    location: tuple[float, float] | None = None  # lon, lat
    comments: tuple[DemoComment, ...] = ()
    up: tuple[str, ...] = ()
    down: tuple[str, ...] = ()
    feedback: tuple[str, str] | None = None  # (status, public statement)
    flag: tuple[str, str] | None = None
    pending: bool = False
    image_alt: str = ""  # with a text, the idea gets a drawing of the old school as its image


@dataclass(frozen=True)
class DemoPhase:
    phase_type: str
    name: str
    start: float  # days from now
    end: float
    description: str = ""


@dataclass(frozen=True)
class DemoChapter:
    title: str
    paragraphs: tuple[str, ...]
    comments: tuple[tuple[int, DemoComment], ...] = ()  # (paragraph number from 1, comment)


@dataclass(frozen=True)
class DemoDialogue:
    organisation: str
    slug: str
    title: str
    summary: str
    description: str
    topics: tuple[str, ...]
    blueprint: str
    module_name: str
    module_description: str
    staff: str
    phases: tuple[DemoPhase, ...]
    access: str = AccessMode.PUBLIC
    location: dict[str, Any] | None = None
    location_label: str = ""
    categories: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    premoderation: bool = False
    ideas: tuple[DemoIdea, ...] = ()
    chapters: tuple[DemoChapter, ...] = ()
    members: tuple[tuple[str, str], ...] = ()  # (account key, role)
    follows: tuple[tuple[str, str], ...] = ()  # (citizen, frequency): follows the project
    block: tuple[str, str] | None = None  # (citizen, reason): blocked for the project by the staff
    comments_until: float = 0  # days from now: the last comment was written then (an earlier phase)


P = "<p>{}</p>".format


# --- reading the data files -----------------------------------------------------------------------------------

DIALOGUE_FILES = (  # in this order: the first is the one --scale fills, the messages below name some by position
    "alte-schule-nordheim.toml",
    "mobilitaet-nord.toml",
    "friedhofssatzung.toml",
    "klimaanpassung.toml",
    "buergerhaushalt-2027.toml",
    "vereinsforum.toml",
)


def _known(table: dict[str, Any], where: str, *keys: str) -> dict[str, Any]:
    """The table, once it is clear that it has no key the loader would silently ignore (a typo)."""
    unknown = set(table) - set(keys)
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    return table


def _load_flag(table: dict[str, Any]) -> tuple[str, str] | None:
    return (table["flagged_by"], single_paragraph(table["flag_reason"])) if "flagged_by" in table else None


def _load_comment(table: dict[str, Any], where: str) -> DemoComment:
    _known(table, where, "author", "text", "replies", "pinned", "highlighted", "pending", "deleted",
           "flagged_by", "flag_reason", "hidden_reason", "paragraph")  # fmt: skip
    flag = _load_flag(table)
    hide = None
    if "hidden_reason" in table:  # flagged, then hidden by the moderation
        if flag is None:
            raise ValueError(f"{where}: a hidden comment needs flagged_by and flag_reason")
        hide, flag = (*flag, single_paragraph(table["hidden_reason"])), None
    replies = tuple(
        Reply(reply["author"], single_paragraph(reply["text"]), reply.get("highlighted", False))
        for reply in (_known(reply, where, "author", "text", "highlighted") for reply in table.get("replies", ()))
    )
    return DemoComment(
        table["author"], single_paragraph(table["text"]), replies, pinned=table.get("pinned", False),
        highlighted=table.get("highlighted", False), flag=flag, hide=hide, deleted=table.get("deleted", False),
        pending=table.get("pending", False),
    )  # fmt: skip


def _load_idea(table: dict[str, Any], where: str) -> DemoIdea:
    where = f"{where}, {table.get('title')}"
    _known(table, where, "author", "title", "text", "days_ago", "category", "labels", "location", "comments", "up",
           "down", "feedback_status", "feedback", "flagged_by", "flag_reason", "pending", "image_alt")  # fmt: skip
    return DemoIdea(
        table["author"], single_paragraph(table["title"]), html_paragraphs(table["text"]), table["days_ago"],
        category=table.get("category", ""), labels=tuple(table.get("labels", ())),
        location=tuple(table["location"]) if "location" in table else None,
        comments=tuple(_load_comment(comment, where) for comment in table.get("comments", ())),
        up=tuple(table.get("up", ())), down=tuple(table.get("down", ())),
        feedback=(Feedback(table["feedback_status"]), html_paragraphs(table["feedback"]))
                 if "feedback" in table else None,
        flag=_load_flag(table), pending=table.get("pending", False),
        image_alt=single_paragraph(table.get("image_alt", "")),
    )  # fmt: skip


def _load_chapter(table: dict[str, Any], where: str) -> DemoChapter:
    where = f"{where}, {table.get('title')}"
    _known(table, where, "title", "text", "comments")
    return DemoChapter(
        table["title"],
        tuple(paragraphs(table["text"])),
        tuple((comment["paragraph"], _load_comment(comment, where)) for comment in table.get("comments", ())),
    )


def _load_phase(table: dict[str, Any], where: str) -> DemoPhase:
    _known(table, where, "phase_type", "name", "start", "end", "description")
    return DemoPhase(table["phase_type"], table["name"], table["start"], table["end"],
                     single_paragraph(table.get("description", "")))  # fmt: skip


def _load_dialogue(filename: str) -> DemoDialogue:
    table = load_data(APP, filename)
    where = f"dialogue/demo/{filename}"
    _known(table, where, "organisation", "slug", "title", "summary", "description", "topics", "blueprint",
           "module_name", "module_description", "staff", "phases", "access", "location_box", "location_label",
           "categories", "labels", "premoderation", "ideas", "chapters", "members", "follows", "block",
           "comments_until")  # fmt: skip
    block = _known(table["block"], where, "participant", "reason") if "block" in table else None
    return DemoDialogue(
        organisation=table["organisation"], slug=table["slug"], title=single_paragraph(table["title"]),
        summary=single_paragraph(table["summary"]), description=html_paragraphs(table["description"]),
        topics=tuple(table["topics"]),
        blueprint=Blueprint(table["blueprint"]), module_name=table["module_name"],
        module_description=single_paragraph(table["module_description"]), staff=table["staff"],
        phases=tuple(_load_phase(phase, where) for phase in table["phases"]),
        access=AccessMode(table.get("access", AccessMode.PUBLIC)),
        location=box(*table["location_box"]) if "location_box" in table else None,
        location_label=table.get("location_label", ""), categories=tuple(table.get("categories", ())),
        labels=tuple(table.get("labels", ())), premoderation=table.get("premoderation", False),
        ideas=tuple(_load_idea(idea, where) for idea in table.get("ideas", ())),
        chapters=tuple(_load_chapter(chapter, where) for chapter in table.get("chapters", ())),
        members=tuple((key, ParticipantRole(role)) for key, role in table.get("members", {}).items()),
        follows=tuple((key, Frequency(frequency)) for key, frequency in table.get("follows", {}).items()),
        block=(block["participant"], single_paragraph(block["reason"])) if block else None,
        comments_until=table.get("comments_until", 0),
    )  # fmt: skip


DIALOGUES = tuple(_load_dialogue(filename) for filename in DIALOGUE_FILES)
SCHOOL, MOBILITY, CEMETERY, CLIMATE, BUDGET, CLUBS = DIALOGUES


# --- seeding --------------------------------------------------------------------------------------------------


def seed(stdout: Any, scale: int) -> None:
    for key, (email, name) in CITIZENS.items():
        if key not in ("berta", "gustav"):  # these two come from the organisations seeder
            ensure_account(email, name)
    modules = []
    for demo in DIALOGUES:
        project = _project(demo)
        module = project.modules.filter(module_type=module_type_key(demo.blueprint)).first()
        if module is None:
            module = _create(demo, project)
        modules.append((demo, project, module))
    if scale:
        _scale(scale_module(), scale)

    stdout.write("Dialoge (Ideen, Kommentare, Bewertungen, Textdiskussion):")
    for demo, project, module in modules:
        ideas = Idea.objects.filter(module=module)
        comments = Comment.objects.filter(module=module).count()
        what = (
            f"{Paragraph.objects.filter(chapter__module=module).count()} Absätze"
            if demo.blueprint == Blueprint.TEXT_REVIEW
            else f"{ideas.count()} Beiträge"
        )
        module.project = project
        path = module.get_absolute_url()
        stdout.write(
            f"  {path:58} {services.settings_for(module).get_blueprint_display()}: {what}, {comments} Kommentare"
        )
    school, mobility = modules[0][2], modules[1][2]
    stdout.write(
        f"Moderation: Warteschlangen unter …/<Modul>/moderation/, z. B. {mobility.get_absolute_url()}moderation/ "
        f"(Vorab-Moderation); alle Dialoge einer Organisation unter /verwaltung/<Organisation>/moderation/. "
        f"{STAFF['moderation']} moderiert {school.get_absolute_url()}."
    )
    stdout.write(
        f"Halböffentlich: /{CLUBS.organisation}/projekte/{CLUBS.slug}/ – {CITIZENS['berta'][0]} ist eingeladen, "
        f"{CITIZENS['gustav'][0]} kann nur lesen. Weitere Demo-Teilnehmende (Passwort wie oben): "
        + ", ".join(email for key, (email, _name) in CITIZENS.items() if key not in ("berta", "gustav"))
    )


def _project(demo: DemoDialogue) -> Project:
    organisation = Organisation.objects.get(slug=demo.organisation)
    project, _created = Project.objects.get_or_create(
        organisation=organisation, slug=demo.slug,
        defaults={"title": demo.title, "summary": demo.summary, "description": demo.description,
                  "topics": list(demo.topics), "access": demo.access, "status": ProjectStatus.PUBLISHED,
                  "published_at": timezone.now() - timedelta(days=-min(p.start for p in demo.phases) + 1),
                  "location": demo.location, "location_label": demo.location_label, "contact_name": "Projektteam",
                  "contact_email": f"beteiligung@{organisation.slug}.example"},
    )  # fmt: skip
    return project


def _accounts() -> dict[str, Any]:
    """Fresh user objects: permission checks cache roles on them, and memberships change while seeding."""
    emails = {key: email for key, (email, _name) in CITIZENS.items()} | STAFF
    users = {user.email: user for user in get_user_model().objects.filter(email__in=emails.values())}
    return {key: users[email] for key, email in emails.items()}


@contextlib.contextmanager
def _everything_allowed(module: Module) -> Iterator[None]:
    """A temporary phase that allows every action, so content of earlier phases can go through the services."""
    now = timezone.now()
    phase = Phase.objects.create(module=module, phase_type="seeding", name="Demo", features=["create", "comment", "rate"],
                                 start=now - timedelta(days=3650), end=now + timedelta(days=1))  # fmt: skip
    try:
        yield
    finally:
        phase.delete()
        project_services.refresh_phase_span(module.project)


class Clock:
    """Collects the moments things should seem to have happened at, and applies them at the end."""

    def __init__(self) -> None:
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.moments: list[tuple[type[Any], int, dict[str, datetime]]] = []

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def set(self, model: type[Any], pk: int, **moments: datetime) -> None:
        self.moments.append((model, pk, moments))

    def apply(self) -> None:
        for model, pk, moments in self.moments:
            model.objects.filter(pk=pk).update(**{name: self.daytime(moment) for name, moment in moments.items()})

    def daytime(self, moment: datetime) -> datetime:
        """Move a moment into the waking hours of its day (German time), keeping the order of all moments.

        Each day's 24 hours are squeezed into 7:00–22:00; today's hours until now into the time before now.
        """
        local, now = timezone.localtime(moment), timezone.localtime(self.now)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if local.date() < now.date():
            return midnight + timedelta(hours=7) + (local - midnight) * 15 / 24
        if local.date() > now.date() or local >= now:
            return moment
        today = now - midnight
        first = min(timedelta(hours=7), today / 2)
        span = max(today - timedelta(minutes=10) - first, timedelta(0))
        return midnight + first + (local - midnight) * (span / today)


def _create(demo: DemoDialogue, project: Project) -> Module:
    accounts = _accounts()
    for key, role in demo.members:
        ProjectMembership.objects.get_or_create(project=project, user=accounts[key], defaults={"role": role})
    accounts = _accounts()  # again: the memberships above are not in any cached role map
    staff = accounts[demo.staff]
    clock = Clock()
    module = project_services.module_add(actor=staff, project=project, module_type=module_type_key(demo.blueprint),
                                         name=demo.module_name, description=demo.module_description)  # fmt: skip
    known = {phase.key: phase for phase in PHASES[Blueprint(demo.blueprint)]}
    for phase in demo.phases:
        assert phase.phase_type in known, f"{demo.slug}: no phase type {phase.phase_type}"  # noqa: S101
        project_services.phase_add(actor=staff, module=module, phase_type=phase.phase_type, name=phase.name,
                                   start=_day(clock.ago(-phase.start)), end=_day(clock.ago(-phase.end)),
                                   description=phase.description)  # fmt: skip
    if demo.premoderation:
        services.settings_update(actor=staff, module=module, premoderation=True)
    for model, names in ((Category, demo.categories), (Label, demo.labels)):
        if names:
            services.names_set(actor=staff, module=module, model=model, names="\n".join(names))
    categories = {c.name: c for c in Category.objects.filter(module=module)}
    labels = {label.name: label for label in Label.objects.filter(module=module)}
    module = Module.objects.select_related("project__organisation").get(pk=module.pk)

    with _everything_allowed(module):
        for demo_idea in demo.ideas:
            _idea(demo, module, demo_idea, accounts, categories, labels, clock)
        for number, demo_chapter in enumerate(demo.chapters, start=1):
            _chapter(demo, module, number, demo_chapter, accounts, clock)
        if demo.block:
            citizen, reason = demo.block
            entry = participation.block(actor=staff, user=accounts[citizen], reason=reason, project=project)
            clock.set(type(entry), entry.pk, created_at=clock.ago(1.5))
    for citizen, frequency in demo.follows:
        participation.follow(user=accounts[citizen], project=project, frequency=frequency)
    clock.apply()
    return module


def _day(moment: datetime) -> datetime:
    """Phases begin and end at midnight (German time), as staff would enter them."""
    local = timezone.localtime(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _idea(
    demo: DemoDialogue, module: Module, item: DemoIdea, accounts: dict[str, Any], categories: dict[str, Category],
    labels: dict[str, Label], clock: Clock,
) -> None:  # fmt: skip
    staff = accounts[demo.staff]
    category = categories.get(item.category)
    chosen = [labels[name] for name in item.labels]
    if item.author in STAFF:
        idea = services.item_create(actor=accounts[item.author], module=module, title=item.title, text=item.text,
                                    category=category, labels=chosen)  # fmt: skip
    else:
        lon, lat = item.location or (None, None)
        idea = services.idea_create(user=accounts[item.author], module=module, title=item.title, text=item.text,
                                    category=category, labels=chosen, lon=lon, lat=lat,
                                    image=_schoolhouse() if item.image_alt else None, image_alt=item.image_alt)  # fmt: skip
    if not idea.approved and not item.pending:
        participation.approve(actor=staff, target=idea)
    created = clock.ago(item.days_ago)
    clock.set(Idea, idea.pk, created_at=created, updated_at=created)
    if item.pending:
        return
    until = clock.ago(-demo.comments_until) if demo.comments_until else clock.now - timedelta(minutes=20)
    _thread(demo, idea, item.comments, accounts, clock, created, until)
    rate_from = created
    if demo.comments_until:  # the discussion is over and a rating phase runs: the ratings came in since it began
        rating_phase = next(phase for phase in demo.phases if phase.phase_type == "rate")
        rate_from = max(created, _day(clock.ago(-rating_phase.start)))
    ratings = [(citizen, 1) for citizen in item.up] + [(citizen, -1) for citizen in item.down]
    for index, (citizen, value) in enumerate(ratings):
        rating = participation.rate(user=accounts[citizen], target=idea, value=value)
        if rating is not None:  # each demo citizen rates an idea once, so none is withdrawn
            clock.set(Rating, rating.pk, created_at=_between(rate_from, clock.now, index + 1, len(ratings) + 1))
    if item.feedback:
        status, text = item.feedback
        idea.refresh_from_db()
        services.give_feedback(actor=staff, idea=idea, status=status, text=text)
        clock.set(Idea, idea.pk, feedback_at=_between(created, clock.now, 4, 5))
    if item.flag:
        reporter, reason = item.flag
        entry = participation.flag(user=accounts[reporter], target=idea, reason=reason)
        clock.set(Flag, entry.pk, created_at=clock.now - timedelta(hours=3))


def _schoolhouse() -> SimpleUploadedFile:
    """A small drawing of the old school, made in memory: no image files are kept in the repository."""
    image = Image.new("RGB", (640, 420), (196, 222, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 330, 640, 420), fill=(120, 150, 90))  # lawn
    draw.rectangle((130, 170, 510, 340), fill=(222, 204, 170))  # walls
    draw.polygon([(110, 175), (320, 80), (530, 175)], fill=(160, 60, 50))  # roof
    draw.rectangle((300, 45, 340, 100), fill=(222, 204, 170))  # bell tower
    draw.polygon([(292, 50), (320, 20), (348, 50)], fill=(160, 60, 50))
    for column in range(6):
        for row in range(2):
            left, top = 150 + column * 60 + (40 if column > 2 else 0), 195 + row * 70
            if 290 <= left <= 330:
                continue
            draw.rectangle((left, top, left + 30, top + 40), fill=(90, 110, 130))
    draw.rectangle((295, 270, 345, 340), fill=(110, 70, 40))  # door
    draw.text((302, 250), "1912", fill=(80, 60, 40))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=85)
    return SimpleUploadedFile("alte-schule.jpg", output.getvalue(), content_type="image/jpeg")


def _between(start: datetime, end: datetime, step: int, steps: int) -> datetime:
    return start + (end - start) * step / steps


def _thread(
    demo: DemoDialogue, target: Idea | Paragraph, comments: tuple[DemoComment, ...], accounts: dict[str, Any],
    clock: Clock, start: datetime, until: datetime,
) -> None:  # fmt: skip
    """Comments and replies in order, spread evenly between ``start`` and ``until``."""
    staff = accounts[demo.staff]
    moderator = accounts["moderation"] if any(key == "moderation" for key, _role in demo.members) else staff
    total = sum(1 + len(comment.replies) for comment in comments)
    position = 0

    def when() -> datetime:
        nonlocal position
        position += 1
        return _between(start, until, position, total + 1)

    for item in comments:
        comment = participation.comment_create(user=accounts[item.author], target=target, text=item.text)
        if not comment.approved and not item.pending:
            participation.approve(actor=staff, target=comment)
        clock.set(Comment, comment.pk, created_at=when())
        for reply_item in item.replies:
            reply = participation.comment_create(user=accounts[reply_item.author], target=target, text=reply_item.text,
                                            parent=comment)  # fmt: skip
            if not reply.approved:
                participation.approve(actor=staff, target=reply)
            clock.set(Comment, reply.pk, created_at=when())
            if reply_item.highlighted:
                participation.comment_mark(actor=moderator, comment=reply, highlighted=True)
        if item.pinned or item.highlighted:
            participation.comment_mark(actor=moderator, comment=comment, pinned=item.pinned or None,
                                  highlighted=item.highlighted or None)  # fmt: skip
        if item.flag:
            reporter, reason = item.flag
            entry = participation.flag(user=accounts[reporter], target=comment, reason=reason)
            clock.set(Flag, entry.pk, created_at=clock.now - timedelta(hours=5))
        if item.hide:
            reporter, flag_reason, public_reason = item.hide
            entry = participation.flag(user=accounts[reporter], target=comment, reason=flag_reason)
            clock.set(Flag, entry.pk, created_at=clock.now - timedelta(days=2))
            participation.hide(actor=moderator, target=comment, reason=public_reason)
        if item.deleted:
            comment.refresh_from_db()
            participation.comment_delete(user=accounts[item.author], comment=comment)
            clock.set(Comment, comment.pk, deleted_at=until)


def _chapter(
    demo: DemoDialogue, module: Module, number: int, item: DemoChapter, accounts: dict[str, Any], clock: Clock
) -> None:
    chapter = services.chapter_add(actor=accounts[demo.staff], module=module, title=item.title,
                                   text="\n\n".join(P(text) for text in item.paragraphs))  # fmt: skip
    paragraphs = list(chapter.paragraphs.order_by("position"))
    start = clock.ago(-min(p.start for p in demo.phases))
    for paragraph_number, comment in item.comments:
        paragraph = paragraphs[paragraph_number - 1]
        # Earlier chapters were discussed a little earlier: spread the threads over the running phase.
        began = _between(start, clock.now, number - 1, len(demo.chapters) + 1)
        _thread(demo, paragraph, (comment,), accounts, clock, began, clock.now - timedelta(minutes=20))


# --- scale data -----------------------------------------------------------------------------------------------

BATCH = 5_000
IDEAS_PER_ROUND = 500  # 500 ideas → 4,000 comments, 1,000 replies and up to 1,500 ratings per round
SCALE_TEXTS: list[str] = _SCALE["idea_texts"]
SCALE_COMMENTS: list[str] = _SCALE["comments"]  # eight per idea; the last two, last first, are the replies


def scale_module() -> Module:
    """The module ``--scale`` fills: the brainstorming of the old school."""
    org_slug, slug = SCALE_PROJECT
    return Module.objects.get(project__organisation__slug=org_slug, project__slug=slug,
                              module_type=module_type_key(Blueprint.BRAINSTORMING))  # fmt: skip


def _scale(module: Module, count: int) -> int:
    """Bulk-insert ``count`` ideas with 8 comments and 2 replies each, and 0–3 ratings; counters match the rows.

    The ideas are dated just after the start of the first phase, so the demo ideas stay on top of the
    "newest first" list. Returns the number of ideas added.
    """
    users = list(get_user_model().objects.filter(
        email__in=[email for key, (email, _name) in CITIZENS.items() if key != "dieter"]).order_by("pk"))  # fmt: skip
    categories: list[Category | None] = [*Category.objects.filter(module=module).order_by("pk")] or [None]
    first = module.phases.order_by("start").values_list("start", flat=True).first() or timezone.now()
    existing = Idea.objects.filter(module=module, title__startswith="Idee Nr. ").count()
    done = 0
    while done < count:
        size = min(IDEAS_PER_ROUND, count - done)
        ideas = []
        for offset in range(size):
            number = existing + done + offset
            created = first + timedelta(minutes=1, seconds=number % 86_400)
            raters = number % 4  # 0–3 ratings: the third is against
            positive = min(raters, 2)
            negative = raters - positive
            ideas.append(Idea(
                module=module, author=users[number % len(users)], title=f"Idee Nr. {number + 1}",
                text=P(SCALE_TEXTS[number % len(SCALE_TEXTS)]), category=categories[number % len(categories)],
                comment_count=10, positive_count=positive, negative_count=negative, score=positive - negative,
                created_at=created, updated_at=created,
            ))  # fmt: skip
        ideas = Idea.objects.bulk_create(ideas, batch_size=BATCH)
        top = []
        for position, idea in enumerate(ideas):
            for index in range(8):
                top.append(Comment(module=module, **on(idea), author=users[(position + index) % len(users)],
                                   text=SCALE_COMMENTS[index], created_at=idea.created_at + timedelta(minutes=index + 1),
                                   reply_count=2 if index == 0 else 0))  # fmt: skip
        top = Comment.objects.bulk_create(top, batch_size=BATCH)
        replies = []
        for position, parent in enumerate(top[::8]):
            for index in range(2):
                replies.append(Comment(module=module, content_type=parent.content_type, object_pk=parent.object_pk, parent=parent, text=SCALE_COMMENTS[-1 - index],
                                       author=users[(position + index + 3) % len(users)],
                                       created_at=parent.created_at + timedelta(seconds=30 * (index + 1))))  # fmt: skip
        Comment.objects.bulk_create(replies, batch_size=BATCH)
        ratings = []
        for idea in ideas:
            number = int(idea.title.removeprefix("Idee Nr. ")) - 1
            for index in range(number % 4):
                ratings.append(Rating(module=module, **on(idea), user=users[(number + index) % len(users)],
                                      value=1 if index < 2 else -1, created_at=idea.created_at))  # fmt: skip
        Rating.objects.bulk_create(ratings, batch_size=BATCH)
        done += size
    return done


def check_counters(module: Module) -> list[str]:
    """Ideas whose stored counters differ from their rows (for tests and for checking a seeded database)."""
    wrong = []
    for idea in Idea.objects.filter(module=module):
        comments = Comment.objects.filter(idea=idea, approved=True, hidden=False, deleted_at__isnull=True).count()
        ratings = Rating.objects.filter(idea=idea)
        positive, negative = ratings.filter(value=1).count(), ratings.filter(value=-1).count()
        if (idea.comment_count, idea.positive_count, idea.negative_count, idea.score) != (
            comments,
            positive,
            negative,
            positive - negative,
        ):
            wrong.append(f"{idea.pk} {idea.title}")
    return wrong
