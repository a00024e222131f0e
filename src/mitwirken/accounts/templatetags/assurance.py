"""``{% assurance_notice required %}``: tells, before someone starts, which login a step needs."""

from __future__ import annotations

from typing import Any

from django import template

from .. import assurance
from ..models import ExternalIdentity

register = template.Library()


@register.inclusion_tag("accounts/includes/assurance_notice.html", takes_context=True)
def assurance_notice(context: dict[str, Any], required: int, next_url: str = "") -> dict[str, Any]:
    request = context["request"]
    met = assurance.meets(request.user, required)
    return {
        "required": required,
        "text": assurance.requirement_text(required) if required else "",
        "met": met,
        "login": assurance.of_request(request),
        "step_up": "" if met else assurance.step_up_url(required, next_url or request.get_full_path()),
    }


@register.simple_tag(takes_context=True)
def identity_providers(context: dict[str, Any], next_url: str = "") -> list[dict[str, str]]:
    """The identity providers set up on this portal, each with its login address (back to ``next_url``)."""
    from django.urls import reverse
    from django.utils.http import urlencode

    from ..saml.config import providers

    labels = dict(ExternalIdentity.Provider.choices)
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return [
        {"provider": provider, "label": str(labels[provider]), "url": reverse("saml:login", args=[provider]) + query}
        for provider in providers()
    ]
