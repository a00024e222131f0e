"""Public pages of the participation parts under a module's address, and the pieces module pages reuse.

A module's own page shows an object and calls ``discussion()`` for its comment thread (a posted comment is
handled there too); the pages here (edit a comment, flag, rate, follow, the moderation queue, block) work for
every target kind, found by its ``kind`` segment in the address.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, Q, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from mitwirken.core import plugins
from mitwirken.core.forms_util import add_service_errors, saved_or_errors
from mitwirken.core.ids import parse_id, parse_int, posted_id
from mitwirken.core.spam import over_limit
from mitwirken.projects.access import module_for_viewer
from mitwirken.projects.models import Module, Project

from . import moderation_hints, services, targets
from .forms import BlockForm, CommentEditForm, CommentForm, FollowForm, ReasonForm
from .models import Block, Comment, Flag, Follow, Rating, on

COMMENT_PAGE_SIZE = 50
QUEUE_PAGE_SIZE = 50
# The phase features that make a module a place of participation; other modules have no such pages.
FEATURES = {"comment", "rate"}
ACTION_NAMES = {"comment": _lazy("Kommentare"), "rate": _lazy("Bewertungen")}
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


# --- pieces for module pages ----------------------------------------------------------------------------------


def uses_participation(module: Module) -> bool:
    module_type = next((t for t in plugins.module_types() if t.key == module.module_type), None)
    return module_type is not None and any(FEATURES & set(phase.features) for phase in module_type.phase_types)


def next_phase(module: Module) -> Any:
    now = timezone.now()
    return next((phase for phase in module.phases.all() if phase.start > now), None)


def closed_notice(user: Any, project: Project, module: Module, action: str, names: dict[str, Any] | None = None) -> str:
    """Why an action is not possible now, in words a participant understands."""
    if module.allows(action):
        if user.is_authenticated and not user.has_perm("projects.participate_in_project", project):
            return _("Mitmachen können in diesem Projekt nur eingeladene Personen.")
        return ""
    if not module.active_phase():
        upcoming = next_phase(module)
        if upcoming is not None:
            return _("Das ist ab dem %(start)s möglich, wenn die Phase „%(name)s“ beginnt.") % {
                "start": date_format(timezone.localtime(upcoming.start), "DATETIME_FORMAT"), "name": upcoming.name}  # fmt: skip
        return _("Die Beteiligung ist beendet. Sie können alle Beiträge weiterhin lesen.")
    what = {**ACTION_NAMES, **(names or {})}.get(action, action)
    return _("%(what)s sind in der aktuellen Phase nicht möglich.") % {"what": what}


def login_needed(request: HttpRequest) -> HttpResponse | None:
    return None if request.user.is_authenticated else redirect_to_login(request.get_full_path())


def spam_guard(request: HttpRequest, form: Any, group: str) -> bool:
    """True when the request may go on; otherwise the form carries the German message."""
    if over_limit(request, group):
        form.add_error(
            None, _("Sie haben in kurzer Zeit sehr viele Beiträge geschrieben. Bitte warten Sie eine Minute.")
        )
        return False
    return True


def next_or(request: HttpRequest, default: str) -> str:
    """Back to the page the form was on (a list, the queue), if that is a page of this site."""
    target = request.POST.get("next", "")
    return target if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else default


def own_ratings(user: Any, objects: Any) -> dict[int, int]:
    """{object pk: the user's rating} for a page of objects of one kind, in one query."""
    objects = list(objects)
    if not user.is_authenticated or not objects:
        return {}
    content_type = on(objects[0])["content_type"]
    return dict(
        Rating.objects.filter(user=user, content_type=content_type, object_pk__in=[o.pk for o in objects])
        .values_list("object_pk", "value")
    )  # fmt: skip


def own_rating(user: Any, target: Any) -> int | None:
    return own_ratings(user, [target]).get(target.pk)


def is_following(user: Any, target: Any = None, project: Project | None = None) -> bool:
    if not user.is_authenticated:
        return False
    if project is not None:
        return Follow.objects.filter(user=user, project=project).exists()
    return Follow.objects.of(target).filter(user=user).exists()


def thread(request: HttpRequest, module: Module, target: Any, moderator: bool) -> tuple[Any, dict[int, list[Comment]]]:
    """A page of top-level comments and all their replies, in two queries whatever the size of the thread.

    Every comment gets its (already loaded) module, so permission checks per comment run no queries.
    """
    comments = Comment.objects.of(target).visible_to(request.user, moderator)
    top = Paginator(comments.filter(parent=None).select_related("author").order_by("-pinned", "created_at", "pk"),
                    COMMENT_PAGE_SIZE).get_page(request.GET.get("kommentare"))  # fmt: skip
    replies: dict[int, list[Comment]] = {}
    for reply in (
        comments.filter(parent__in=list(top.object_list)).select_related("author").order_by("created_at", "pk")
    ):
        replies.setdefault(reply.parent_id, []).append(reply)  # type: ignore[arg-type]
    for comment in [*top.object_list, *(reply for replies_ in replies.values() for reply in replies_)]:
        comment.module = module
    return top, replies


def _comment_post(
    request: HttpRequest, project: Project, module: Module, target: Any, form: CommentForm
) -> HttpResponse | None:
    login = login_needed(request)
    if login is not None:
        return login
    if not (form.is_valid() and spam_guard(request, form, "participation.comment")):
        return None
    parent = None
    if form.cleaned_data.get("parent"):
        parent = Comment.objects.filter(pk=form.cleaned_data["parent"]).first()
    try:
        comment = services.comment_create(
            user=request.user, target=target, text=form.cleaned_data["text"], parent=parent
        )
    except PermissionDenied:
        form.add_error(
            None, closed_notice(request.user, project, module, "comment") or _("Sie können hier nicht kommentieren.")
        )
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


def discussion(request: HttpRequest, project: Project, module: Module, target: Any) -> HttpResponse | dict[str, Any]:
    """The comment part of any object's page: a posted comment redirects, else the context of the thread.

    The page includes ``participation/_thread.html``, which reads the returned keys.
    """
    kind = targets.of(target)
    form = CommentForm(request.POST or None, user=request.user, prefix="comment")
    failed_reply = None
    if request.method == "POST":
        done = _comment_post(request, project, module, target, form)
        if done is not None:
            return done
        form, failed_reply = _reply_failure(request, form)
    moderator = request.user.has_perm("participation.moderate", module)
    top, replies = thread(request, module, target, moderator)
    accepted, _why = kind.accepts_comments(target)
    return {
        "comments": top, "replies": replies, "form": form, "moderator": moderator, "failed_reply": failed_reply,
        "comment_total": getattr(target, kind.comment_counter, 0) if kind.comment_counter else top.paginator.count,
        "can_comment": accepted and request.user.has_perm("participation.comment", module),
        "comment_notice": closed_notice(request.user, project, module, "comment"),
    }  # fmt: skip


# --- pages ----------------------------------------------------------------------------------------------------


class Place:
    """Project and module of a participation page, fetched and checked through ``projects.access``."""

    def __init__(self, request: HttpRequest, org_slug: str, project_slug: str, module_slug: str) -> None:
        self.project, self.module = module_for_viewer(request.user, org_slug, project_slug, module_slug)
        if not uses_participation(self.module):
            raise Http404
        self.user = request.user

    def context(self, **extra: Any) -> dict[str, Any]:
        return {"project": self.project, "organisation": self.project.organisation, "module": self.module, **extra}

    def target(self, kind_name: str, pk: int, *, everything: bool = False) -> tuple[targets.Target, Any]:
        """An object of the module by its kind and number; moderators (``everything``) also get unpublished ones."""
        kind = targets.by_kind(kind_name)
        if kind is None:
            raise Http404
        queryset = (
            kind.model._default_manager.filter(**{kind.module_path: self.module})
            if everything
            else kind.queryset(self.user, self.module)
        )
        obj = get_object_or_404(queryset, pk=pk)
        kind.attach(obj, self.module)
        return kind, obj

    def comment(self, comment_pk: int) -> Comment:
        comment = get_object_or_404(Comment, module=self.module, pk=comment_pk)
        comment.module = self.module
        return comment

    def url_of(self, obj: Any) -> str:
        return targets.of(obj).url(obj, self.module)

    def url(self, name: str, **kwargs: Any) -> str:
        from django.urls import reverse

        return reverse(f"participation:{name}", kwargs={"org_slug": self.project.organisation.slug,
                                                        "project_slug": self.project.slug, "module_slug": self.module.slug, **kwargs})  # fmt: skip


def comment_edit(
    request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, comment_pk: int
) -> HttpResponse:
    place = Place(request, org_slug, project_slug, module_slug)
    comment = place.comment(comment_pk)
    if not request.user.has_perm("participation.change_comment", comment) or comment.is_removed:
        raise Http404
    back = place.url_of(comment)
    form = CommentEditForm(request.POST or None, initial={"text": comment.text})
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            services.comment_delete(user=request.user, comment=comment)
            messages.success(request, _("Ihr Kommentar ist gelöscht."))
            return redirect(back.split("#")[0])
        if form.is_valid():
            done = saved_or_errors(
                request, form, lambda: services.comment_update(user=request.user, comment=comment,
                                                               text=form.cleaned_data["text"]),
                success=_("Ihr Kommentar ist geändert."), to=back,
            )  # fmt: skip
            if done is not None:
                return done
    return render(request, "participation/comment_edit.html", place.context(form=form, comment=comment, back=back))


def flag(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, kind: str, pk: int) -> HttpResponse:
    place = Place(request, org_slug, project_slug, module_slug)
    login = login_needed(request)
    if login is not None:
        return login
    target_kind, target = place.target(kind, pk)
    back = place.url_of(target)
    own = target_kind.author_id(target) == request.user.pk
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and not own and form.is_valid():
        done = saved_or_errors(
            request,
            form,
            lambda: services.flag(user=request.user, target=target, reason=form.cleaned_data["reason"]),
            success=_("Danke! Die Moderation prüft den Beitrag."),
            to=back,
        )
        if done is not None:
            return done
    return render(request, "participation/flag.html", place.context(
        form=form, target=target, title=target_kind.title(target), own=own, back=back,
        quote=target.text if isinstance(target, Comment) else "",
    ))  # fmt: skip


def _posted_place(
    request: HttpRequest, org_slug: str, project_slug: str, module_slug: str
) -> tuple[Place, HttpResponse | None]:
    """The module of a form post that needs a signed-in person; the answer instead for a GET or a guest."""
    place = Place(request, org_slug, project_slug, module_slug)
    if request.method != "POST":
        return place, HttpResponseNotAllowed(["POST"])
    return place, login_needed(request)


def in_place(request: HttpRequest) -> bool:
    """An htmx request swaps a part of the page; without JavaScript the same form posts and redirects."""
    return request.headers.get("HX-Request") == "true"


def _swapped(request: HttpRequest, template: str, context: dict[str, Any], status_id: str, said: str) -> HttpResponse:
    """The form again (htmx keeps the focus on the button by its id) and the words for the live region beside it."""
    html = render(request, template, {**context, "swapped": True}).content.decode()
    status = render(request, "participation/_live_status.html", {"status_id": status_id, "said": said}).content.decode()
    return HttpResponse(html + status)


def rate(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, kind: str, pk: int) -> HttpResponse:
    """Rate, change the rating, or (the chosen value again) withdraw it; in place with htmx, else redirect."""
    place, refused = _posted_place(request, org_slug, project_slug, module_slug)
    if refused is not None:
        return refused
    target_kind, target = place.target(kind, pk)
    said, ok = "", False
    try:
        value = parse_int(request.POST.get("value"), default=0, minimum=-1, maximum=1)
        if value is None:
            raise ValueError(value)
        rating = services.rate(user=request.user, target=target, value=value)
    except (ValueError, PermissionDenied):
        said = closed_notice(request.user, place.project, place.module, "rate") or _(
            "Sie können diesen Beitrag nicht bewerten."
        )
    except ValidationError as error:
        said = " ".join(error.messages)
    else:
        ok = True
        said = _("Ihre Bewertung ist gespeichert.") if rating is not None else _("Ihre Bewertung ist zurückgenommen.")
    if not in_place(request):
        (messages.success if ok else messages.error)(request, said)
        return redirect(next_or(request, place.url_of(target)))
    target.refresh_from_db()
    target_kind.attach(target, place.module)
    up, down = (
        (getattr(target, field) for field in target_kind.rating_counters[:2]) if target_kind.rating_counters else (0, 0)
    )
    if ok:
        said += " " + _("Jetzt %(up)s dafür, %(down)s dagegen.") % {"up": up, "down": down}
    context = place.context(target=target, kind=target_kind.kind, title=target_kind.title(target), up=up, down=down,
                            own=own_rating(request.user, target), next=request.POST.get("next", ""))  # fmt: skip
    return _swapped(request, "participation/_rate.html", context, f"rate-{target_kind.kind}-{target.pk}-status", said)


def follow(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str) -> HttpResponse:
    """Follow the project (no ``kind``) or one object, immediately or as a daily digest; or stop."""
    place, refused = _posted_place(request, org_slug, project_slug, module_slug)
    if refused is not None:
        return refused
    form = FollowForm(request.POST)
    frequency = form.cleaned_data["frequency"] if form.is_valid() else "immediate"
    active = request.POST.get("action") != "stop"
    target = None
    target_kind = None
    target_pk = parse_id(request.POST.get("pk"))
    if request.POST.get("kind") and target_pk is not None:
        target_kind, target = place.target(request.POST["kind"], target_pk)
        if not target_kind.followable:
            raise Http404
    services.follow(user=request.user, project=None if target is not None else place.project, target=target,
                    frequency=frequency, active=active)  # fmt: skip
    said = _("Sie folgen jetzt.") if active else _("Sie folgen nicht mehr.")
    if not in_place(request):
        messages.success(request, said)
        return redirect(place.url_of(target) if target is not None else place.project.get_absolute_url())
    context = place.context(target=target, kind=target_kind.kind if target_kind else "", following=active,
                            follow_label=target_kind.follow_label if target_kind else "",
                            following_label=target_kind.following_label if target_kind else "")  # fmt: skip
    status_id = f"follow-{target_kind.kind}-{target.pk}-status" if target_kind and target else "follow-projekt-status"
    return _swapped(request, "participation/_follow.html", context, status_id, said)


def follow_change(request: HttpRequest, follow_pk: int) -> HttpResponse:
    """From Mein Bereich: change how often one hears of something one follows, or stop following it."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    login = login_needed(request)
    if login is not None:
        return login
    entry = get_object_or_404(Follow, user=request.user, pk=follow_pk)  # others' follows are 404
    form = FollowForm(request.POST)
    active = request.POST.get("action") != "stop"
    frequency = form.cleaned_data["frequency"] if form.is_valid() else entry.frequency
    if entry.project_id is None and entry.content_object is None:  # what it followed is gone
        entry.delete()
        active = False
    else:
        services.follow(user=request.user, project=entry.project, frequency=frequency, active=active,
                        target=None if entry.project_id else entry.content_object)  # fmt: skip
    messages.success(request, _("Ihre Einstellung ist gespeichert.") if active else _("Sie folgen nicht mehr."))
    return redirect(reverse("accounts:overview") + "#folge")


# --- moderation -----------------------------------------------------------------------------------------------


def _moderator(request: HttpRequest, place: Place) -> None:
    if not request.user.has_perm("participation.moderate", place.module):
        raise Http404


def _load_targets(flags: list[Flag], pending: list[Any]) -> None:
    """Flags get their contributions in one query per kind; the comments among them and among the waiting
    contributions get what they were written about, so that every address is known without further queries."""
    prefetch_related_objects(flags, targets.prefetch())
    comments = [flag.content_object for flag in flags if isinstance(flag.content_object, Comment)]
    prefetch_related_objects([*comments, *(obj for obj in pending if isinstance(obj, Comment))], targets.prefetch())


def _entry(place: Place, obj: Any) -> dict[str, Any]:
    """What the queue shows of one contribution, whatever its kind."""
    kind = targets.of(obj)
    kind.attach(obj, place.module)
    if isinstance(obj, Comment):
        about = obj.content_object
        heading = _("Kommentar von %(name)s") % {
            "name": obj.author.public_name if obj.author else _("Gelöschtes Konto")
        }
        if about is not None and targets.of(about).followable:
            heading += " " + _("zu „%(title)s“") % {"title": targets.of(about).title(about)}
        excerpt = obj.text
    else:
        heading = f"{kind.name} „{kind.title(obj)}“"
        excerpt = strip_tags(getattr(obj, "text", ""))
    return {"target": obj, "kind": kind.kind, "heading": heading, "excerpt": excerpt, "url": place.url_of(obj),
            "author_id": kind.author_id(obj)}  # fmt: skip


def _blocks(place: Place) -> QuerySet[Block]:
    return (
        Block.objects.filter(Q(project=place.project) | Q(organisation=place.project.organisation))
        .active()
        .order_by("-created_at")
    )


def moderation(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str) -> HttpResponse:
    """The module's queue: open flags on any contribution, contributions waiting for approval, blocked people."""
    place = Place(request, org_slug, project_slug, module_slug)
    _moderator(request, place)
    if request.method == "POST" and request.POST.get("action") == "unblock":
        entry = get_object_or_404(_blocks(place), pk=posted_id(request.POST, "block"))
        try:
            services.unblock(actor=request.user, entry=entry)
        except PermissionDenied:
            messages.error(request, _("Sperren für alle Projekte der Organisation heben nur deren Mitarbeitende auf."))
        else:
            messages.success(request, _("Die Sperre ist aufgehoben."))
        return redirect(place.url("moderation"))
    flags = Paginator(
        Flag.objects.filter(module=place.module, resolved_at__isnull=True).select_related("reporter").order_by("created_at", "pk"),
        QUEUE_PAGE_SIZE,
    ).get_page(request.GET.get("seite"))  # fmt: skip
    pending: list[Model] = []
    for kind in targets.moderated():
        pending += list(
            kind.pending(place.module).select_related("author").order_by("created_at", "pk")[:QUEUE_PAGE_SIZE]
        )
    flag_list = list(flags.object_list)
    _load_targets(flag_list, pending)
    flag_rows = [
        {"flag": flag, **_entry(place, flag.content_object)} for flag in flag_list if flag.content_object is not None
    ]
    # Hints learned from the organisation's decisions only order the queue (moderation_hints.py).
    flag_rows, pending_rows = moderation_hints.annotate(
        place.project.organisation_id, flag_rows, [_entry(place, obj) for obj in pending]
    )
    return render(request, "participation/moderation.html", place.context(
        flags=flags, flag_rows=flag_rows, pending=pending_rows,
        blocks=_blocks(place).select_related("user")[:200]))  # fmt: skip


def moderate(
    request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, kind: str, pk: int
) -> HttpResponse:
    """One moderation action on any contribution: hide, show, approve, pin, highlight, dismiss flags."""
    place = Place(request, org_slug, project_slug, module_slug)
    _moderator(request, place)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    target_kind, target = place.target(kind, pk, everything=True)
    if not target_kind.moderated:
        raise Http404
    action = request.POST.get("action", "")
    try:
        if action in ("hide", "unhide"):
            services.hide(
                actor=request.user, target=target, reason=request.POST.get("reason", ""), hidden=action == "hide"
            )
        elif action == "approve":
            services.approve(actor=request.user, target=target)
        elif action == "dismiss":
            services.dismiss_flags(actor=request.user, module=place.module, flags=Flag.objects.of(target))
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
        moderation_hints.decided(actor=request.user, module=place.module, target=target, action=action)
    return redirect(next_or(request, place.url_of(target)))


def _on_until(error: ValidationError) -> ValidationError:
    """The service speaks of ``expires_at``; the form's field for a chosen day is ``until``."""
    if hasattr(error, "error_dict") and "expires_at" in error.error_dict:
        return ValidationError({"until": error.error_dict["expires_at"]})
    return error


def block(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, user_pk: int) -> HttpResponse:
    place = Place(request, org_slug, project_slug, module_slug)
    _moderator(request, place)
    person = get_object_or_404(get_user_model(), pk=user_pk)
    form = BlockForm(request.POST or None)
    organisation = place.project.organisation
    if request.method == "POST" and form.is_valid():
        whole_organisation = form.cleaned_data["scope"] == "organisation"
        days, until = form.cleaned_data.get("duration"), form.cleaned_data.get("until")
        expires_at = timezone.now() + timedelta(days=int(days)) if days else None
        if until is not None:  # the end of that day in Germany, whatever the server's zone
            berlin = zoneinfo.ZoneInfo("Europe/Berlin")
            expires_at = datetime.combine(until + timedelta(days=1), time.min, tzinfo=berlin)
        try:
            services.block(actor=request.user, user=person, reason=form.cleaned_data["reason"],
                           project=None if whole_organisation else place.project,
                           organisation=organisation if whole_organisation else None, expires_at=expires_at)  # fmt: skip
        except PermissionDenied:
            form.add_error("scope", _("Nur Mitarbeitende der Organisation können für alle ihre Projekte sperren."))
        except ValidationError as error:
            add_service_errors(form, _on_until(error) if until is not None else error)
        else:
            messages.success(request, _("Die Person ist gesperrt und kann nur noch lesen."))
            return redirect(place.url("moderation"))
    return render(request, "participation/block.html", place.context(form=form, person=person))
