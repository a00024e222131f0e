"""Saved searches: a volunteer keeps a search and hears of new opportunities that match it.

``notify_due`` runs every 15 minutes (``manage.py volunteering_notify``) and once a day (``daily``): each
search that is due (immediate ones every run, daily and weekly ones when their period since the last mail has
passed) gets one e-mail listing the opportunities published since ``notified_until`` that match it, and
``notified_until`` moves to the run's moment, so nothing is sent twice. No mail when nothing new matches.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import Frequency, SavedSearch
from .profiles import send_templated

MAX_SEARCHES_PER_PERSON = 20
# At most this many opportunities in one mail; the link to the search shows all.
MAX_PER_MAIL = 25
BATCH = 500
PERIODS = {Frequency.DAILY: timedelta(days=1), Frequency.WEEKLY: timedelta(days=7)}


def save_search(*, user: Any, name: str, query: str, frequency: str, now: datetime | None = None) -> SavedSearch:
    """Keep the search (``query``: the search form's query string); only opportunities published from now on
    are sent."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Bitte geben Sie dem Suchauftrag einen Namen.")})
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": _("Bitte wählen Sie, wie oft Sie benachrichtigt werden möchten.")})
    with transaction.atomic():
        if SavedSearch.objects.filter(user=user).count() >= MAX_SEARCHES_PER_PERSON:
            raise ValidationError(_("Sie haben bereits %(count)s Suchaufträge. Bitte löschen Sie zuerst einen.")
                                  % {"count": MAX_SEARCHES_PER_PERSON})  # fmt: skip
        search = SavedSearch(user=user, name=name, query=query, frequency=frequency,
                             notified_until=now or timezone.now())  # fmt: skip
        search.full_clean()
        search.save()
    return search


def delete_search(*, user: Any, pk: int) -> None:
    """Delete one of ``user``'s searches (someone else's is 404)."""
    deleted, _rows = SavedSearch.objects.filter(user=user, pk=pk).delete()
    if not deleted:
        raise Http404


def search_url(search: SavedSearch) -> str:
    return f"{settings.SITE_URL}/ehrenamt/?{search.query}"


def due(now: datetime) -> Any:
    """Searches due at ``now``: immediate ones always, daily and weekly ones once their period has passed."""
    condition = Q(frequency=Frequency.IMMEDIATE)
    for frequency, period in PERIODS.items():
        condition |= Q(frequency=frequency, notified_until__lte=now - period)
    return SavedSearch.objects.filter(condition, user__is_active=True).select_related("user").order_by("pk")


def notify_due(now: datetime | None = None) -> int:
    """Send each due search its new matches; returns the number of e-mails sent."""
    from ..forms_public import filters_of
    from ..search import format_km, matching_since

    now = now or timezone.now()
    sent = 0
    last_pk = 0
    while True:
        batch = list(due(now).filter(pk__gt=last_pk)[:BATCH])
        if not batch:
            return sent
        for search in batch:
            last_pk = search.pk
            filters = filters_of(search.query)
            found = [] if filters is None else matching_since(filters, search.notified_until, now, MAX_PER_MAIL + 1)
            # Moved first and only if nobody else moved it meanwhile: two runs at once never send twice.
            moved = SavedSearch.objects.filter(pk=search.pk, notified_until=search.notified_until).update(
                notified_until=now
            )
            if not moved or not found or not search.user.email:
                continue
            with translation.override("de"):  # "3,0 km" as the German mail says it
                items = [{"opportunity": item, "distance": format_km(getattr(item, "distance_m", None)),
                          "url": f"{settings.SITE_URL}{item.get_absolute_url()}"} for item in found[:MAX_PER_MAIL]]  # fmt: skip
            send_templated("saved_search", {"search": search, "items": items, "more": len(found) > MAX_PER_MAIL,
                                            "search_url": search_url(search),
                                            "manage_url": f"{settings.SITE_URL}/ehrenamt/suchen/"},
                           search.user.email)  # fmt: skip
            sent += 1


def daily() -> None:
    """The daily run (``manage.py daily``): the digests too, should the 15-minute job not be set up."""
    notify_due()
