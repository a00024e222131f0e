"""What only the dialogue tells people: moderators' feedback on an idea. Everything else (replies, flags,
hidden content, phases, digests) is ``mitwirken.participation.notifications``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from mitwirken.participation.notifications import followers, send_digests, target_url, tell

__all__ = ["feedback_given", "send_digests"]  # send_digests: tasks queued before the move find it here


def feedback_given(idea_pk: int, actor_pk: int | None = None) -> None:
    from .models import Idea

    idea = Idea.objects.select_related("module__project__organisation", "author").get(pk=idea_pk)
    recipients = followers(idea)
    if idea.author is not None:
        recipients.setdefault(idea.author, "immediate")
    title = _("Rückmeldung zu „%(title)s“: %(status)s") % {"title": idea.title, "status": idea.get_feedback_display()}
    actor = get_user_model().objects.filter(pk=actor_pk).first() if actor_pk else None
    tell(recipients, title=title, url=target_url(idea, idea.module), exclude=actor)
