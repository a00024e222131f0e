from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from mitwirken.organisations.models import Organisation

from .models import Project


class ProjectFeed(Feed):
    """Newly published projects. Only listed projects: protected ones never appear in feeds."""

    feed_type = Atom1Feed
    title = _("Neue Beteiligungsprojekte")
    subtitle = _("Öffentliche Beteiligungsprojekte aller Organisationen")
    link = "/"

    def get_object(self, request: Any, org_slug: str | None = None) -> Organisation | None:
        return get_object_or_404(Organisation, slug=org_slug) if org_slug else None

    def items(self, organisation: Organisation | None) -> Any:
        projects = Project.objects.listed().select_related("organisation")
        if organisation is not None:
            projects = projects.filter(organisation=organisation)
        return projects.order_by("-published_at")[:30]

    def item_title(self, item: Project) -> str:
        return item.title

    def item_description(self, item: Project) -> str:
        return item.summary

    def item_pubdate(self, item: Project) -> Any:
        return item.published_at

    def item_author_name(self, item: Project) -> str:
        return item.organisation.name
