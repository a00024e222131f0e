"""The secret address of a person's own calendar feed (``/veranstaltungen/meine/<token>.ics``).

Anyone who knows the address sees the person's confirmed registrations, so it can be renewed (the old address
stops working at once) and revoked (deleted; the feed then answers 404).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ..models import CalendarToken, new_manage_token


def token_of(user: Any) -> CalendarToken | None:
    return CalendarToken.objects.filter(user=user).first()


@transaction.atomic
def create_token(user: Any) -> CalendarToken:
    """The person's token, made on first use; an existing one is kept (the address stays the same)."""
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def renew_token(user: Any) -> CalendarToken:
    """A new secret: calendars subscribed to the old address get 404 from now on."""
    token, created = CalendarToken.objects.select_for_update().get_or_create(user=user)
    if not created:
        token.token = new_manage_token()
        token.save(update_fields=["token"])
    return token


def revoke_token(user: Any) -> bool:
    """Delete the token; True if there was one."""
    deleted, _ = CalendarToken.objects.filter(user=user).delete()
    return bool(deleted)
