"""Public pages of a dialogue module: lists, ideas with their threads, text review, results, moderation."""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.ids import parse_id, parse_int, posted_id
from mitwirken.core.spam import over_limit
from mitwirken.projects.access import module_for_viewer
from mitwirken.projects.models import Module, Project

from . import services
from .forms import CommentEditForm, CommentForm, FeedbackForm, FollowForm, IdeaFilterForm, IdeaForm, ReasonForm
from .models import (
    Block,
    Category,
    Chapter,
    Comment,
    Feedback,
    Flag,
    Follow,
    Idea,
    IdeaQuerySet,
    Label,
    Paragraph,
    Rating,
)

PAGE_SIZE = 20
MODERATION_DONE = {
    "hide": _lazy(
        "Der Beitrag ist ausgeblendet; ein Platzhalter mit dem Grund bleibt, die verfassende Person wird informiert."
    ),
    "unhide": _lazy("Der Beitrag ist wieder sichtbar."),
    "approve": _lazy("Der Beitrag ist freigegeben und jetzt öffentlich."),
    "dismiss": _lazy("Die Meldung ist verworfen; der Beitrag bleibt sichtbar."),
    "pin": _lazy("Der Kommentar ist oben angeheftet."),
    "unpin": _lazy("Der Kommentar ist nicht mehr angeheftet."),
    "highlight": _lazy("Der Kommentar ist hervorgehoben."),
    "unhighlight": _lazy("Die Hervorhebung ist entfernt."),
}
COMMENT_PAGE_SIZE = 50
ORDERINGS = {"new": ("-created_at", "-pk"), "comments": ("-comment_count", "-pk"), "support": ("-score", "-pk")}


class Dialogue:
    """What every dialogue page needs: the project, the module, its settings and the running phase."""

    def __init__(
        self,
        request: HttpRequest,
        org_slug: str,
        project_slug: str,
        module_slug: str,
        *,
        resolved: tuple[Project, Module] | None = None,
    ) -> None:
        # The project app's module page has already fetched and checked project and module: reuse them.
        self.project, self.module = resolved or module_for_viewer(
            request.user, org_slug, project_slug, module_slug, plugin="dialogue"
        )
        self.settings = services.settings_for(self.module)
        self.phase = self.module.active_phase()
        self.user = request.user

    def context(self, **extra: Any) -> dict[str, Any]:
        started = any(phase.start <= timezone.now() for phase in self.module.phases.all())
        following_project = (
            self.user.is_authenticated and Follow.objects.filter(user=self.user, project=self.project).exists()
        )
        return {"project": self.project, "organisation": self.project.organisation, "module": self.module,
                "settings": self.settings, "phase": self.phase, "next_phase": self.next_phase(), "started": started,
                "following_project": following_project, **extra}  # fmt: skip

    def next_phase(self) -> Any:
        now = timezone.now()
        return next((phase for phase in self.module.phases.all() if phase.start > now), None)

    def ideas(self) -> IdeaQuerySet:
        return Idea.objects.filter(module=self.module).visible_to(self.user, self.module)

    def idea(self, idea_pk: int) -> Idea:
        idea = get_object_or_404(self.ideas().select_related("category", "author"), pk=idea_pk)
        idea.module = self.module
        return idea

    def comment(self, comment_pk: int) -> Comment:
        comment = get_object_or_404(
            Comment.objects.select_related("idea", "paragraph__chapter").filter(
                Q(idea__module=self.module) | Q(paragraph__chapter__module=self.module)
            ),
            pk=comment_pk,
        )
        if comment.idea is not None:
            comment.idea.module = self.module
        else:
            comment.paragraph.chapter.module = self.module  # type: ignore[union-attr]
        return comment

    def url(self, name: str, **kwargs: Any) -> str:
        from django.urls import reverse

        return reverse(f"dialogue:{name}", kwargs={"org_slug": self.project.organisation.slug,
                                                   "project_slug": self.project.slug, "module_slug": self.module.slug, **kwargs})  # fmt: skip


def closed_notice(dialogue: Dialogue, action: str) -> str:
    """Why an action is not possible now, in words a participant understands."""
    if dialogue.module.allows(action):
        if dialogue.user.is_authenticated and not dialogue.user.has_perm(
            "projects.participate_in_project", dialogue.project
        ):
            return _("Mitmachen können in diesem Projekt nur eingeladene Personen.")
        return ""
    if not dialogue.phase:
        upcoming = dialogue.next_phase()
        if upcoming is not None:
            return _("Das ist ab dem %(start)s möglich, wenn die Phase „%(name)s“ beginnt.") % {
                "start": date_format(timezone.localtime(upcoming.start), "j. F Y, H:i"), "name": upcoming.name}  # fmt: skip
        return _("Die Beteiligung ist beendet. Sie können alle Beiträge weiterhin lesen.")
    names = {"create": _("Neue Ideen"), "comment": _("Kommentare"), "rate": _("Bewertungen")}
    return _("%(what)s sind in der aktuellen Phase nicht möglich.") % {"what": names.get(action, action)}


def render_module(request: HttpRequest, project: Project, module: Module) -> HttpResponse:
    """The module page; registered with the project app for every dialogue blueprint."""
    dialogue = Dialogue(request, project.organisation.slug, project.slug, module.slug, resolved=(project, module))
    if dialogue.settings.blueprint == "text_review":
        chapters = Chapter.objects.filter(module=dialogue.module).prefetch_related("paragraphs")
        return render(request, "dialogue/text_review.html", dialogue.context(
            chapters=chapters, can_comment=request.user.has_perm("dialogue.comment", dialogue.module),
            comment_notice=closed_notice(dialogue, "comment")))  # fmt: skip
    categories = list(Category.objects.filter(module=dialogue.module))
    labels = list(Label.objects.filter(module=dialogue.module))
    form = IdeaFilterForm(request.GET or None, module=dialogue.module, categories=categories, labels=labels)
    ideas = dialogue.ideas().for_list()
    sort = "new"
    if form.is_valid():
        data = form.cleaned_data
        if data.get("category"):
            ideas = ideas.filter(category=data["category"])
        if data.get("label"):
            ideas = ideas.filter(labels=data["label"])
        if data.get("q"):
            ideas = ideas.filter(Q(title__icontains=data["q"]) | Q(text__icontains=data["q"]))
        sort = data.get("sort") or "new"
    page = Paginator(ideas.order_by(*ORDERINGS[sort]), PAGE_SIZE).get_page(request.GET.get("seite"))
    query = request.GET.copy()
    query.pop("seite", None)
    own_ratings = _own_ratings(request, page.object_list)
    return render(request, "dialogue/ideas.html", dialogue.context(
        form=form, page=page, query=query.urlencode(), own_ratings=own_ratings,
        can_add=request.user.has_perm("dialogue.add_idea", dialogue.module),
        can_rate=request.user.has_perm("dialogue.rate", dialogue.module),
        add_notice=closed_notice(dialogue, "create") if dialogue.settings.participants_create else "",
        map_points=[{"lat": i.lat, "lon": i.lon, "title": i.title, "url": dialogue.url("idea", idea_pk=i.pk)}
                    for i in page.object_list if i.lat is not None],
        **_map_settings(dialogue),
    ))  # fmt: skip


def _map_settings(dialogue: Dialogue) -> dict[str, Any]:
    area = dialogue.project.location or dialogue.project.organisation.boundary
    return {"tile_url": django_settings.MITWIRKEN_TILE_URL, "tile_attribution": django_settings.MITWIRKEN_TILE_ATTRIBUTION,
            "map_area": {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": area, "properties": {}}] if area else []}}  # fmt: skip


def _own_ratings(request: HttpRequest, ideas: Any) -> dict[int, int]:
    if not request.user.is_authenticated:
        return {}
    return dict(Rating.objects.filter(user=request.user, idea__in=list(ideas)).values_list("idea_id", "value"))


def _login_needed(request: HttpRequest) -> HttpResponse | None:
    return None if request.user.is_authenticated else redirect_to_login(request.get_full_path())


def _spam_guard(request: HttpRequest, form: Any, group: str) -> bool:
    """True when the request may go on; otherwise the form carries the German message."""
    if over_limit(request, group):
        form.add_error(
            None, _("Sie haben in kurzer Zeit sehr viele Beiträge geschrieben. Bitte warten Sie eine Minute.")
        )
        return False
    return True


def idea_create(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str) -> HttpResponse:
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    login = _login_needed(request)
    if login is not None:
        return login
    if not request.user.has_perm("dialogue.add_idea", dialogue.module):
        return render(request, "dialogue/closed.html", dialogue.context(
            notice=closed_notice(dialogue, "create") or _("Sie können in diesem Projekt keine Ideen einreichen.")), status=403)  # fmt: skip
    form = IdeaForm(request.POST or None, request.FILES or None, module=dialogue.module,
                    with_location=dialogue.settings.with_location, user=request.user)  # fmt: skip
    if request.method == "POST" and form.is_valid() and _spam_guard(request, form, "dialogue.idea"):
        data = form.cleaned_data
        try:
            idea = services.idea_create(
                user=request.user, module=dialogue.module, title=data["title"], text=data["text"],
                category=data.get("category"), labels=data.get("labels") or [], image=data.get("image"),
                image_alt=data.get("image_alt", ""), lon=data.get("lon"), lat=data.get("lat"),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, _location_on(error, "lat"))
        else:
            if idea.approved:
                messages.success(request, _("Danke! Ihre Idee ist veröffentlicht."))
            else:
                messages.info(request, _("Danke! Ihre Idee erscheint, sobald die Moderation sie freigegeben hat."))
            return redirect(dialogue.url("idea", idea_pk=idea.pk))
    return render(request, "dialogue/idea_form.html", dialogue.context(form=form, **_map_settings(dialogue)))


def _location_on(error: ValidationError, field: str) -> ValidationError:
    if hasattr(error, "error_dict") and "location" in error.error_dict:
        return ValidationError(
            {**{k: v for k, v in error.error_dict.items() if k != "location"}, field: error.error_dict["location"]}
        )
    return error


def idea_edit(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, idea_pk: int) -> HttpResponse:
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    idea = dialogue.idea(idea_pk)
    if not request.user.has_perm("dialogue.change_idea", idea):
        raise Http404
    initial = {"title": idea.title, "text": idea.text, "category": idea.category_id, "lat": idea.lat, "lon": idea.lon,
               "labels": list(idea.labels.values_list("pk", flat=True))}  # fmt: skip
    form = IdeaForm(request.POST or None, initial=initial, module=dialogue.module,
                    with_location=dialogue.settings.with_location, editing=True, user=request.user)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.idea_update(user=request.user, idea=idea, title=data["title"], text=data["text"],
                                 category=data.get("category"), labels=data.get("labels") or [],
                                 lon=data.get("lon"), lat=data.get("lat"))  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, _location_on(error, "lat"))
        else:
            messages.success(request, _("Ihre Änderungen sind gespeichert."))
            return redirect(dialogue.url("idea", idea_pk=idea.pk))
    return render(request, "dialogue/idea_form.html", dialogue.context(form=form, idea=idea, **_map_settings(dialogue)))


def _thread(target: Idea | Paragraph, request: HttpRequest, moderator: bool) -> tuple[Any, dict[int, list[Comment]]]:
    """A page of top-level comments and all their replies, in two queries whatever the size of the thread.

    Every comment gets its (already loaded) target, so permission checks per comment run no queries.
    """
    comments = Comment.objects.filter(**{"idea" if isinstance(target, Idea) else "paragraph": target})
    if not moderator:
        own = Q(author=request.user) if request.user.is_authenticated else Q(pk__in=[])
        comments = comments.filter(Q(approved=True) | own)
    top = Paginator(comments.filter(parent=None).select_related("author").order_by("-pinned", "created_at", "pk"),
                    COMMENT_PAGE_SIZE).get_page(request.GET.get("kommentare"))  # fmt: skip
    replies: dict[int, list[Comment]] = {}
    for reply in (
        comments.filter(parent__in=list(top.object_list)).select_related("author").order_by("created_at", "pk")
    ):
        replies.setdefault(reply.parent_id, []).append(reply)  # type: ignore[arg-type]
    for comment in [*top.object_list, *(reply for thread in replies.values() for reply in thread)]:
        if isinstance(target, Idea):
            comment.idea = target
        else:
            comment.paragraph = target
    return top, replies


def _comment_post(
    request: HttpRequest, dialogue: Dialogue, target: Idea | Paragraph, form: CommentForm
) -> HttpResponse | None:
    login = _login_needed(request)
    if login is not None:
        return login
    if not (form.is_valid() and _spam_guard(request, form, "dialogue.comment")):
        return None
    parent = None
    if form.cleaned_data.get("parent"):
        parent = Comment.objects.filter(pk=form.cleaned_data["parent"]).first()
    try:
        comment = services.comment_create(
            user=request.user, target=target, text=form.cleaned_data["text"], parent=parent
        )
    except PermissionDenied:
        form.add_error(None, closed_notice(dialogue, "comment") or _("Sie können hier nicht kommentieren."))
        return None
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    if comment.approved:
        messages.success(request, _("Ihr Kommentar ist veröffentlicht."))
    else:
        messages.info(request, _("Ihr Kommentar erscheint, sobald die Moderation ihn freigegeben hat."))
    return redirect(f"{request.path}#kommentar-{comment.pk}")


def _reply_failure(request: HttpRequest, form: CommentForm) -> tuple[CommentForm, dict[str, Any] | None]:
    """A failed reply is shown in its own open reply form, not in the form for new comments."""
    parent = parse_id(request.POST.get("comment-parent"))
    if parent is None or not Comment.objects.filter(pk=parent, parent__isnull=True).exists():
        return form, None  # no reply form to show it in (e.g. a reply to a reply): the main form says why
    errors = [str(error) for errors in form.errors.values() for error in errors]
    failed = {"parent": int(parent), "text": request.POST.get("comment-text", ""), "errors": errors}
    return CommentForm(user=request.user, prefix="comment"), failed


def _discussion(request: HttpRequest, dialogue: Dialogue, target: Idea | Paragraph) -> HttpResponse | dict[str, Any]:
    """The comment part of an idea or paragraph page: a posted comment redirects, else the thread's context."""
    form = CommentForm(request.POST or None, user=request.user, prefix="comment")
    failed_reply = None
    if request.method == "POST":
        done = _comment_post(request, dialogue, target, form)
        if done is not None:
            return done
        form, failed_reply = _reply_failure(request, form)
    moderator = request.user.has_perm("dialogue.moderate", dialogue.module)
    top, replies = _thread(target, request, moderator)
    return {"comments": top, "replies": replies, "form": form, "moderator": moderator, "failed_reply": failed_reply}


def idea_detail(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, idea_pk: int) -> HttpResponse:
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    idea = dialogue.idea(idea_pk)
    thread = _discussion(request, dialogue, idea)
    if isinstance(thread, HttpResponse):
        return thread
    rating = (
        Rating.objects.filter(idea=idea, user=request.user).values_list("value", flat=True).first()
        if request.user.is_authenticated
        else None
    )
    following = request.user.is_authenticated and Follow.objects.filter(user=request.user, idea=idea).exists()
    return render(request, "dialogue/idea.html", dialogue.context(
        idea=idea, labels=list(idea.labels.all()), own_rating=rating, following=following, **thread,
        can_comment=request.user.has_perm("dialogue.comment", dialogue.module) and idea.approved and not idea.hidden,
        can_rate=request.user.has_perm("dialogue.rate", dialogue.module) and idea.approved and not idea.hidden,
        can_edit=request.user.has_perm("dialogue.change_idea", idea),
        comment_notice=closed_notice(dialogue, "comment"), rate_notice=closed_notice(dialogue, "rate"),
    ))  # fmt: skip


def idea_image(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, idea_pk: int) -> Any:
    """Media are only served through checks like this one: a hidden idea's image is hidden too."""
    from mitwirken.core.uploads import image_content_type, serve_upload

    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    idea = dialogue.idea(idea_pk)
    if not idea.image or (idea.hidden and not request.user.has_perm("dialogue.moderate", dialogue.module)):
        raise Http404
    name = idea.image.name.rsplit("/", 1)[-1]
    return serve_upload(idea.image, image_content_type(name), download_name=name, inline=True)


def paragraph_detail(
    request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, paragraph_pk: int
) -> HttpResponse:
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    paragraph = get_object_or_404(
        Paragraph.objects.select_related("chapter"), chapter__module=dialogue.module, pk=paragraph_pk
    )
    paragraph.chapter.module = dialogue.module
    thread = _discussion(request, dialogue, paragraph)
    if isinstance(thread, HttpResponse):
        return thread
    return render(request, "dialogue/paragraph.html", dialogue.context(
        paragraph=paragraph, **thread,
        can_comment=request.user.has_perm("dialogue.comment", dialogue.module), comment_notice=closed_notice(dialogue, "comment"),
    ))  # fmt: skip


def rate(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, idea_pk: int) -> HttpResponse:
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    idea = dialogue.idea(idea_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    login = _login_needed(request)
    if login is not None:
        return login
    try:
        value = parse_int(request.POST.get("value"), default=0, minimum=-1, maximum=1)
        if value is None:
            raise ValueError(value)
        services.rate(user=request.user, idea=idea, value=value)
    except (ValueError, PermissionDenied):
        messages.error(request, closed_notice(dialogue, "rate") or _("Sie können diese Idee nicht bewerten."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Ihre Bewertung ist gespeichert."))
    return redirect(_next_or(request, dialogue.url("idea", idea_pk=idea.pk)))


def _next_or(request: HttpRequest, default: str) -> str:
    """Back to the page the form was on (a list, the queue), if that is a page of this site."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    # Only a path of this site: redirect() would try anything else as a view name (NoReverseMatch, 500).
    local = target.startswith("/") and target.isprintable()
    allowed = local and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if allowed else default


def flag(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, kind: str, pk: int) -> HttpResponse:
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    login = _login_needed(request)
    if login is not None:
        return login
    target: Idea | Comment = dialogue.idea(pk) if kind == "idee" else dialogue.comment(pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if isinstance(target, Idea):
                services.flag(user=request.user, idea=target, reason=form.cleaned_data["reason"])
            else:
                services.flag(user=request.user, comment=target, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Danke! Die Moderation prüft den Beitrag."))
            return redirect(_target_url(dialogue, target))
    return render(
        request, "dialogue/flag.html", dialogue.context(form=form, target=target, back=_target_url(dialogue, target))
    )


def _target_url(dialogue: Dialogue, target: Idea | Comment) -> str:
    if isinstance(target, Idea):
        return dialogue.url("idea", idea_pk=target.pk)
    if target.idea_id:
        return dialogue.url("idea", idea_pk=target.idea_id) + f"#kommentar-{target.pk}"
    return dialogue.url("paragraph", paragraph_pk=target.paragraph_id) + f"#kommentar-{target.pk}"


def comment_edit(
    request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, comment_pk: int
) -> HttpResponse:
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    comment = dialogue.comment(comment_pk)
    if not request.user.has_perm("dialogue.change_comment", comment) or comment.is_removed:
        raise Http404
    form = CommentEditForm(request.POST or None, initial={"text": comment.text})
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            services.comment_delete(user=request.user, comment=comment)
            messages.success(request, _("Ihr Kommentar ist gelöscht."))
            return redirect(_target_url(dialogue, comment).split("#")[0])
        if form.is_valid():
            try:
                services.comment_update(user=request.user, comment=comment, text=form.cleaned_data["text"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Ihr Kommentar ist geändert."))
                return redirect(_target_url(dialogue, comment))
    return render(
        request,
        "dialogue/comment_edit.html",
        dialogue.context(form=form, comment=comment, back=_target_url(dialogue, comment)),
    )


def follow(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str) -> HttpResponse:
    """Follow the project (``idea`` absent) or one idea, immediately or as a daily digest; or stop."""
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    login = _login_needed(request)
    if login is not None:
        return login
    form = FollowForm(request.POST)
    frequency = form.cleaned_data["frequency"] if form.is_valid() else "immediate"
    active = request.POST.get("action") != "stop"
    idea_pk = parse_id(request.POST.get("idea"))
    idea = dialogue.idea(idea_pk) if idea_pk is not None else None
    services.follow(
        user=request.user, project=None if idea else dialogue.project, idea=idea, frequency=frequency, active=active
    )
    messages.success(request, _("Sie folgen jetzt.") if active else _("Sie folgen nicht mehr."))
    return redirect(dialogue.url("idea", idea_pk=idea.pk) if idea else dialogue.project.get_absolute_url())


def results(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str) -> HttpResponse:
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    public = Idea.objects.filter(module=dialogue.module, approved=True, hidden=False)
    from django.db.models import Count, Sum

    totals = public.aggregate(ideas=Count("id"), comments=Sum("comment_count"), positive=Sum("positive_count"),
                              negative=Sum("negative_count"))  # fmt: skip
    by_feedback = dict(public.values_list("feedback").annotate(n=Count("id")).values_list("feedback", "n"))
    return render(request, "dialogue/results.html", dialogue.context(
        totals=totals, by_feedback=[(label, by_feedback.get(value, 0)) for value, label in Feedback.choices],
        top=public.select_related("category").order_by("-score", "-comment_count", "pk")[:10],
        with_feedback=public.exclude(feedback="").select_related("category").order_by("-feedback_at")[:50],
        paragraphs=Paragraph.objects.filter(chapter__module=dialogue.module, comment_count__gt=0)
        .select_related("chapter").order_by("-comment_count")[:10],
    ))  # fmt: skip


# --- moderation -----------------------------------------------------------------------------------------------


def _moderator(request: HttpRequest, dialogue: Dialogue) -> None:
    if not request.user.has_perm("dialogue.moderate", dialogue.module):
        raise Http404


def moderation(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str) -> HttpResponse:
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    _moderator(request, dialogue)
    flags = Paginator(
        Flag.objects.filter(module=dialogue.module, resolved_at__isnull=True)
        .select_related("idea", "comment__author", "comment__idea", "reporter").order_by("created_at"), 50
    ).get_page(request.GET.get("seite"))  # fmt: skip
    pending_ideas = Idea.objects.filter(module=dialogue.module, approved=False, hidden=False).select_related("author")[
        :50
    ]
    pending_comments = (
        Comment.objects.filter(Q(idea__module=dialogue.module) | Q(paragraph__chapter__module=dialogue.module),
                               approved=False, hidden=False, deleted_at__isnull=True)
        .select_related("author", "idea", "paragraph")[:50]
    )  # fmt: skip
    if request.method == "POST" and request.POST.get("action") == "unblock":
        entry = get_object_or_404(_blocks(dialogue), pk=posted_id(request.POST, "block"))
        try:
            services.unblock(actor=request.user, entry=entry)
        except PermissionDenied:
            messages.error(request, _("Sperren für alle Projekte der Organisation heben nur deren Mitarbeitende auf."))
        else:
            messages.success(request, _("Die Sperre ist aufgehoben."))
        return redirect(dialogue.url("moderation"))
    return render(request, "dialogue/moderation.html", dialogue.context(
        flags=flags, pending_ideas=pending_ideas, pending_comments=pending_comments, reason_form=ReasonForm(),
        blocks=_blocks(dialogue).select_related("user")[:200]))  # fmt: skip


def _blocks(dialogue: Dialogue) -> QuerySet[Block]:
    return Block.objects.filter(Q(project=dialogue.project) | Q(organisation=dialogue.project.organisation)).order_by(
        "-created_at"
    )


def moderate(
    request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, kind: str, pk: int
) -> HttpResponse:
    """One moderation action on an idea or comment: hide, show, approve, pin, highlight, dismiss flags."""
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    _moderator(request, dialogue)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    target: Idea | Comment
    if kind == "idee":
        target = get_object_or_404(Idea, module=dialogue.module, pk=pk)
        target.module = dialogue.module
    else:
        target = dialogue.comment(pk)
    action = request.POST.get("action", "")
    try:
        if action in ("hide", "unhide"):
            services.hide(
                actor=request.user, target=target, reason=request.POST.get("reason", ""), hidden=action == "hide"
            )
        elif action == "approve":
            services.approve(actor=request.user, target=target)
        elif action == "dismiss":
            services.dismiss_flags(actor=request.user, module=dialogue.module,
                                   flags=Flag.objects.filter(**{"idea" if kind == "idee" else "comment": target}))  # fmt: skip
        elif action in ("pin", "unpin", "highlight", "unhighlight") and isinstance(target, Comment):
            services.comment_mark(actor=request.user, comment=target,
                                  pinned={"pin": True, "unpin": False}.get(action),
                                  highlighted={"highlight": True, "unhighlight": False}.get(action))  # fmt: skip
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, MODERATION_DONE[action])
    return redirect(_next_or(request, _target_url(dialogue, target)))


def feedback(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, idea_pk: int) -> HttpResponse:
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    if not request.user.has_perm("dialogue.give_feedback", dialogue.module):
        raise Http404
    idea = dialogue.idea(idea_pk)
    form = FeedbackForm(request.POST or None, initial={"status": idea.feedback, "text": idea.feedback_text})
    if request.method == "POST" and form.is_valid():
        try:
            services.give_feedback(
                actor=request.user, idea=idea, status=form.cleaned_data["status"], text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Rückmeldung ist veröffentlicht; wer der Idee folgt, wird benachrichtigt."))
            return redirect(dialogue.url("idea", idea_pk=idea.pk))
    return render(request, "dialogue/feedback.html", dialogue.context(form=form, idea=idea))


def block(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, user_pk: int) -> HttpResponse:
    from .forms import BlockForm

    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    _moderator(request, dialogue)
    person = get_object_or_404(get_user_model(), pk=user_pk)
    form = BlockForm(request.POST or None)
    organisation = dialogue.project.organisation
    if request.method == "POST" and form.is_valid():
        whole_organisation = form.cleaned_data["scope"] == "organisation"
        try:
            services.block(actor=request.user, user=person, reason=form.cleaned_data["reason"],
                           project=None if whole_organisation else dialogue.project,
                           organisation=organisation if whole_organisation else None)  # fmt: skip
        except PermissionDenied:
            form.add_error("scope", _("Nur Mitarbeitende der Organisation können für alle ihre Projekte sperren."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Person ist gesperrt und kann nur noch lesen."))
            return redirect(dialogue.url("moderation"))
    return render(request, "dialogue/block.html", dialogue.context(form=form, person=person))


def export(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, file_format: str) -> Any:
    """Everything contributed, for moderators; names of accounts' e-mail addresses only for the organisation's staff."""
    from django.http import FileResponse, StreamingHttpResponse

    from mitwirken.core.audit import log_action
    from mitwirken.core.exports import XLSX_TYPE, csv_lines, xlsx_file

    from . import exports

    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    _moderator(request, dialogue)
    if file_format not in ("xlsx", "csv"):
        raise Http404
    personal = request.user.has_perm("dialogue.export_personal_data", dialogue.module)
    log_action(actor=request.user, action="dialogue.export", obj=dialogue.module, organisation=dialogue.project.organisation,
               changes={"format": file_format, "personal_data": personal})  # fmt: skip
    if dialogue.settings.blueprint == "text_review":
        rows = exports.paragraph_rows(dialogue.module, with_personal_data=personal)
    else:
        rows = exports.rows(Idea.objects.filter(module=dialogue.module), with_personal_data=personal)
    name = f"beitraege-{dialogue.module.pk}"
    if file_format == "xlsx":
        return FileResponse(xlsx_file("Beiträge", exports.header(personal), rows), as_attachment=True,
                            filename=f"{name}.xlsx", content_type=XLSX_TYPE)  # fmt: skip
    response = StreamingHttpResponse(csv_lines(exports.header(personal), rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
