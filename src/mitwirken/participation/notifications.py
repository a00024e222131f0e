"""Who hears of what, immediately or in the daily digest: replies, new comments, flags, hidden content, phases.

Immediate notices go through ``core.notifications.notify`` (in-app plus e-mail). Daily ones are stored as
``DigestItem`` rows; the daily job sends one e-mail per person, in batches through the task queue, so
a 40,000-person digest never sits in one task and never floods the queue with 40,000 tasks at once.
Titles and addresses of the objects come from their ``targets.Target``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from mitwirken.core.notifications import notify, send_templated_email

from . import targets

BATCH = 500


def tell(recipients: dict[Any, str], *, title: str, url: str, body: str = "", exclude: Any = None) -> None:
    """``recipients`` maps users to their frequency; the actor is never told of their own action."""
    from .models import DigestItem, Frequency

    digest = []
    for user, frequency in recipients.items():
        if exclude is not None and user.pk == exclude.pk:
            continue
        if frequency == Frequency.DAILY:
            digest.append(DigestItem(user=user, title=title[:300], url=url))
        else:
            notify(recipient=user, title=title, body=body, url=url)
    DigestItem.objects.bulk_create(digest, batch_size=1000)


def followers(target: Any) -> dict[Any, str]:
    from .models import Follow

    return {follow.user: follow.frequency for follow in Follow.objects.of(target).select_related("user")}


def target_url(target: Any, module: Any) -> str:
    return targets.of(target).url(target, module)


def comment_posted(comment_pk: int) -> None:
    """Replies reach the parent's author; comments on a followable object reach its followers."""
    from .models import Comment, Frequency

    # The comment's text is not copied into notifications: if moderation hides it later, it must be gone.
    comment = Comment.objects.select_related("module__project__organisation", "parent__author", "author").get(
        pk=comment_pk
    )
    target = comment.content_object
    kind = targets.of(target)
    url = kind.url(target, comment.module) + f"#kommentar-{comment.pk}"
    if not kind.followable:
        if comment.parent and comment.parent.author:
            tell({comment.parent.author: Frequency.IMMEDIATE}, title=_("Neue Antwort auf Ihren Kommentar"), url=url,
                 exclude=comment.author)  # fmt: skip
        return
    recipients = followers(target)
    if comment.parent and comment.parent.author:
        recipients[comment.parent.author] = Frequency.IMMEDIATE  # a direct reply is always news
    title = _("Neuer Kommentar zu „%(title)s“") % {"title": kind.title(target)}
    tell(recipients, title=title, url=url, exclude=comment.author)


def moderators_of(project: Any) -> list[Any]:
    """The project's moderators; without any, the organisation's administrators keep watch."""
    from mitwirken.organisations.models import OrganisationMembership, OrganisationRole
    from mitwirken.projects.models import ParticipantRole, ProjectMembership

    users = [
        m.user
        for m in ProjectMembership.objects.filter(project=project, role=ParticipantRole.MODERATOR).select_related(
            "user"
        )
    ]
    if not users:
        users = [m.user for m in OrganisationMembership.objects.filter(organisation_id=project.organisation_id,
                                                                      role=OrganisationRole.ADMIN).select_related("user")]  # fmt: skip
    return users


def moderation_url(module: Any) -> str:
    return reverse("participation:moderation", kwargs={"org_slug": module.project.organisation.slug,
                                                       "project_slug": module.project.slug, "module_slug": module.slug})  # fmt: skip


def needs_moderation(module_pk: int, title: str, frequency: str = "immediate") -> None:
    """A flag or a contribution waiting for approval: the moderators hear of it once, with a link to the queue."""
    from mitwirken.projects.models import Module

    module = Module.objects.select_related("project__organisation").get(pk=module_pk)
    tell(dict.fromkeys(moderators_of(module.project), frequency), title=title, url=moderation_url(module))


def content_hidden(target: Any, reason: str) -> None:
    author = target.author
    if author is None:
        return
    notify(recipient=author, title=_("%(kind)s wurde von der Moderation ausgeblendet") % {"kind": targets.of(target).yours},
           body=_("Grund: %(reason)s") % {"reason": reason})  # fmt: skip


def phases_started(since: Any, until: Any) -> int:
    """Followers of a project hear when one of its phases begins (run by the daily job)."""
    from mitwirken.projects.models import Phase

    from .models import Follow

    count = 0
    for phase in Phase.objects.filter(start__gt=since, start__lte=until).select_related(
        "module__project__organisation"
    ):
        project = phase.module.project
        people = {f.user: f.frequency for f in Follow.objects.filter(project=project).select_related("user")}
        title = _("Neue Phase in „%(project)s“: %(phase)s") % {"project": project.title, "phase": phase.name}
        tell(people, title=title, url=project.get_absolute_url())
        count += len(people)
    return count


def start_daily_digests() -> None:
    send_digests.enqueue(0)


@task()
def send_digests(after_user_id: int = 0) -> int:
    """One batch of recipients per task; the task enqueues the next batch when it is done."""
    from .models import DigestItem

    user_ids = list(
        DigestItem.objects.filter(sent_at__isnull=True, user_id__gt=after_user_id).order_by("user_id")
        .values_list("user_id", flat=True).distinct()[:BATCH]
    )  # fmt: skip
    if not user_ids:
        return 0
    items: dict[int, list[Any]] = defaultdict(list)
    for item in DigestItem.objects.filter(sent_at__isnull=True, user_id__in=user_ids).order_by("created_at"):
        items[item.user_id].append(item)
    users = get_user_model().objects.in_bulk(user_ids)
    now = timezone.now()
    for user_id, entries in items.items():
        user = users[user_id]
        with transaction.atomic():
            if user.email:
                send_templated_email(
                    to=[user.email], template="participation_digest", context={"user": user, "items": entries}
                )
            DigestItem.objects.filter(pk__in=[entry.pk for entry in entries]).update(sent_at=now)
    if len(user_ids) == BATCH:
        send_digests.enqueue(user_ids[-1])
    return len(items)
