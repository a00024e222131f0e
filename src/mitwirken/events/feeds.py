"""Calendar files (placeholder: the helper building .ics files and feeds replaces this module)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def event_ics(request: HttpRequest, org_slug: str, event_slug: str) -> HttpResponse:
    raise Http404
