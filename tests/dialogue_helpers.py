"""Helpers for the dialogue behaviour tests: URLs, established accounts, mass rows, the ALTCHA solver."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

from devtools.proof_of_work import solve_altcha
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from mitwirken.dialogue.models import Idea
from mitwirken.participation.models import Comment, on

OLD = timezone.now() - timedelta(days=400)


def base_kwargs(module: Any) -> dict[str, Any]:
    project = module.project
    return {"org_slug": project.organisation.slug, "project_slug": project.slug, "module_slug": module.slug}


def module_url(module: Any) -> str:
    return reverse("projects:module", kwargs=base_kwargs(module))


def durl(module: Any, name: str, **kwargs: Any) -> str:
    """A ``dialogue:<name>`` URL of the module."""
    return reverse(f"dialogue:{name}", kwargs={**base_kwargs(module), **kwargs})


def purl(module: Any, name: str, **kwargs: Any) -> str:
    """A ``participation:<name>`` URL of the module (comments, flags, ratings, following, moderation)."""
    return reverse(f"participation:{name}", kwargs={**base_kwargs(module), **kwargs})


def established(*users: Any) -> None:
    """Accounts older than a week: the forms ask them for no proof of work."""
    get_user_model().objects.filter(pk__in=[u.pk for u in users if u is not None]).update(date_joined=OLD)
    for user in users:
        if user is not None:
            user.date_joined = OLD


def fresh(user: Any) -> Any:
    """The user as a new request would see it: no role or block maps cached on the object."""
    return get_user_model().objects.get(pk=user.pk) if user is not None else None


def make_users(count: int, prefix: str = "masse") -> list[Any]:
    from .factories import UserFactory

    stamp = timezone.now().timestamp()
    users = [UserFactory.build(email=f"{prefix}{i}-{stamp}@example.org", date_joined=OLD) for i in range(count)]
    return list(get_user_model().objects.bulk_create(users))


def bulk_ideas(module: Any, count: int, authors: list[Any], **fields: Any) -> list[Idea]:
    now = timezone.now()
    start = Idea.objects.filter(module=module).count()
    ideas = [
        Idea(module=module, author=authors[i % len(authors)], title=f"Idee {start + i}",
             text=f"<p>Beschreibung der Idee {start + i}</p>", created_at=now - timedelta(minutes=i),
             comment_count=i % 7, positive_count=i % 5, score=i % 5, **fields)
        for i in range(count)
    ]  # fmt: skip
    return Idea.objects.bulk_create(ideas)


def bulk_comments(authors: list[Any], count: int, *, idea: Any = None, paragraph: Any = None) -> list[Comment]:
    """About half top-level comments and half replies to them (replies only one level deep)."""
    tops = max(1, count // 2)
    now = timezone.now()
    target = idea if idea is not None else paragraph
    where = {"module": idea.module if idea is not None else paragraph.chapter.module, **on(target)}
    created = Comment.objects.bulk_create(
        Comment(**where, author=authors[i % len(authors)], text=f"Kommentar {i}",
                created_at=now + timedelta(seconds=i))
        for i in range(tops)
    )  # fmt: skip
    replies = Comment.objects.bulk_create(
        Comment(**where, parent=created[i % len(created)], author=authors[(i + 1) % len(authors)],
                text=f"Antwort {i}", created_at=now + timedelta(seconds=tops + i))
        for i in range(count - tops)
    )  # fmt: skip
    return created + replies


# --- ALTCHA ---------------------------------------------------------------------------------------------------

CHALLENGE_ATTR = re.compile(r'data-altcha-challenge="([^"]*)"')


def challenge_in(page: str) -> str:
    """The challenge JSON from the first form on the page that asks for a proof of work."""
    found = CHALLENGE_ATTR.search(page)
    assert found is not None, "the form asks for no proof of work"
    return html.unescape(found.group(1))


def solved_altcha_from(response: Any) -> str:
    return solve_altcha(challenge_in(response.content.decode()))


# --- messages -------------------------------------------------------------------------------------------------


def page_text(response: Any) -> str:
    """The response body with HTML entities resolved, for looking for German messages."""
    return html.unescape(response.content.decode())


def flash_messages(response: Any) -> list[str]:
    from django.contrib.messages import get_messages

    return [str(message) for message in get_messages(response.wsgi_request)]


def post_with_proof_of_work(client: Any, url: str, data: dict[str, Any], *, field: str = "altcha") -> Any:
    """Post a form as a browser would: the page's proof of work is solved first (each challenge counts once)."""
    return client.post(url, {**data, field: solved_altcha_from(client.get(url))})
