"""``{% project_sections project %}``: the blocks plugins add to a project (its coming events, …), on the project
page and on any module page that shows them, without the page knowing the plugins."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from mitwirken.core import plugins

register = template.Library()


def rendered(request: Any, project: Any) -> list[tuple[Any, SafeString]]:
    """Each plugin's sections of ``project`` with their HTML."""
    return [
        (section, render_to_string(section.template, {**section.context, "project": project,
                                                      "organisation": project.organisation}, request=request))
        for section in plugins.collect("project_sections", request, project)
    ]  # fmt: skip


@register.inclusion_tag("projects/_sections.html", takes_context=True)
def project_sections(context: Any, project: Any) -> dict[str, Any]:
    return {"sections": rendered(context["request"], project)}
