"""Public event pages (placeholder: the calendar and registration pages come next)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Event


def calendar(request: HttpRequest) -> HttpResponse:
    events = Event.objects.public().upcoming().for_list()[:50]
    return render(request, "events/calendar.html", {"events": events})


def detail(request: HttpRequest, org_slug: str, event_slug: str) -> HttpResponse:
    event = get_object_or_404(Event.objects.select_related("organisation", "category"), organisation__slug=org_slug,
                              slug=event_slug)  # fmt: skip
    if not request.user.has_perm("events.view_event", event):
        raise Http404
    return render(request, "events/detail.html", {"event": event, "organisation": event.organisation})
