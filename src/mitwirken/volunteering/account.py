"""What volunteering adds to "Mein Bereich" (/konto/): one block per kind of the person's own things."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitwirken.core.plugins import AccountSection


def _applications(user: Any) -> Any:
    from .models import Application

    return (
        Application.objects.filter(volunteer=user).select_related("opportunity__organisation")
        .order_by("-created_at", "-id")
    )  # fmt: skip


def _shifts(user: Any) -> Any:
    from .models import ACTIVE_SIGNUP, ShiftSignup
    from .views_shifts import with_waiting_position

    return with_waiting_position(
        ShiftSignup.objects.filter(volunteer=user, status__in=ACTIVE_SIGNUP, shift__end__gt=timezone.now())
        .select_related("shift__opportunity__organisation")
        .order_by("shift__start", "pk")
    )


def _certificates(user: Any) -> Any:
    from .models import Certificate

    return Certificate.objects.filter(volunteer=user).order_by("-signed_at", "-pk")


def bookmarks_of(user: Any) -> Any:
    from .models import Bookmark, Opportunity

    return (Bookmark.objects.filter(user=user, opportunity__in=Opportunity.objects.public())
            .select_related("opportunity__organisation").order_by("-created_at", "-id"))  # fmt: skip


def saved_searches_of(user: Any) -> Any:
    from .models import SavedSearch

    return SavedSearch.objects.filter(user=user).order_by("-created_at", "-id")


def _coordinated(user: Any) -> Any:
    from .models import EngagementOrganisation

    return (
        EngagementOrganisation.objects.coordinated_by(user).select_related("exchange__organisation")
        .order_by("name", "pk")
    )  # fmt: skip


def account_sections() -> list[AccountSection]:
    return [
        AccountSection("engagement-organisationen", _("Meine Engagement-Organisationen"),
                       "volunteering/organisations/account_organisations.html", _coordinated, order=43),
        AccountSection("schichten", _("Meine Schichten"), "volunteering/shifts/account_shifts.html", _shifts,
                       order=44),
        AccountSection("bewerbungen", _("Meine Bewerbungen"), "volunteering/applications/account_applications.html",
                       _applications, order=45),
        # Hours: the certificates, with the way to the hours page and the Ehrenamtskarte.
        AccountSection("ehrenamtsnachweise", _("Meine Engagement-Stunden und Nachweise"),
                       "volunteering/hours/account_certificates.html", _certificates, order=62),
        AccountSection("ehrenamt-merkliste", _("Merkliste: Ehrenamt"), "volunteering/profile/account_bookmarks.html",
                       bookmarks_of, order=60),
        AccountSection("ehrenamt-suchauftraege", _("Suchaufträge: Ehrenamt"),
                       "volunteering/profile/account_saved_searches.html", saved_searches_of, order=61),
    ]  # fmt: skip
