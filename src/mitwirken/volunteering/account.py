"""What volunteering adds to "Mein Bereich": each area adds its own sections to ``account_sections``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from mitwirken.core.plugins import AccountSection


def bookmarks_of(user: Any) -> Any:
    from .models import Bookmark, Opportunity

    return (Bookmark.objects.filter(user=user, opportunity__in=Opportunity.objects.public())
            .select_related("opportunity__organisation").order_by("-created_at", "-id"))  # fmt: skip


def saved_searches_of(user: Any) -> Any:
    from .models import SavedSearch

    return SavedSearch.objects.filter(user=user).order_by("-created_at", "-id")


def account_sections() -> list[AccountSection]:
    return [
        AccountSection("ehrenamt-merkliste", _("Merkliste: Ehrenamt"), "volunteering/profile/account_bookmarks.html",
                       bookmarks_of, order=60),
        AccountSection("ehrenamt-suchauftraege", _("Suchaufträge: Ehrenamt"),
                       "volunteering/profile/account_saved_searches.html", saved_searches_of, order=61),
    ]  # fmt: skip
