"""Calendar feeds (.ics) to subscribe to, the "add to calendar" file of one event, and the personal feed.

Public feeds show only public dates (``Event.objects.public()``: published, cancelled with STATUS:CANCELLED,
postponed as TENTATIVE), never drafts, from half a year back on. Each feed costs a constant number of queries
however many dates it has: one for the dates (with organisation, category and series), one for the other dates
of the series in it. Series appear once, with their RRULE (see ``ics.py``).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mitwirken.organisations.models import Organisation
from mitwirken.projects.access import project_for_viewer

from . import ics
from .models import PUBLIC_STATUSES, CalendarToken, Category, Event, EventQuerySet, Registration, RegistrationStatus
from .services import calendar_tokens

CONTENT_TYPE = "text/calendar; charset=utf-8"
PUBLIC_MAX_AGE = 15 * 60
PRIVATE_MAX_AGE = 5 * 60
PAST_DAYS = 183
MAX_EVENTS = 2000
SERIES_FIELDS = ("series__title", "series__rrule", "series__first_start", "series__duration", "series__exdates",
                 "series__uid")  # fmt: skip


def _for_feed(queryset: EventQuerySet) -> EventQuerySet:
    return queryset.select_related("organisation", "category", "series").only(*ics.FEED_FIELDS, *SERIES_FIELDS)


def feed_body(base: EventQuerySet, name: str) -> bytes:
    """Two queries: the feed's dates, and all dates (within ``base``) of the series among them."""
    cutoff = timezone.now() - timedelta(days=PAST_DAYS)
    events = list(_for_feed(base.filter(end__gte=cutoff)).order_by("start", "id")[:MAX_EVENTS])
    series_ids = {event.series_id for event in events if event.series_id is not None}
    rows = list(_for_feed(base.filter(series_id__in=series_ids))) if series_ids else []
    return ics.feed_calendar(events, rows, name)


def calendar_response(body: bytes, filename: str, *, public: bool, attachment: bool = False) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'{"attachment" if attachment else "inline"}; filename="{filename}"'
    if public:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, private=True, max_age=PRIVATE_MAX_AGE)
        response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def portal_feed(request: HttpRequest) -> HttpResponse:
    body = feed_body(Event.objects.public(), _("Veranstaltungen"))
    return calendar_response(body, "veranstaltungen.ics", public=True)


@require_GET
def organisation_feed(request: HttpRequest, org_slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=org_slug)
    body = feed_body(Event.objects.public().filter(organisation=organisation),
                     _("Veranstaltungen: %(name)s") % {"name": organisation.name})  # fmt: skip
    return calendar_response(body, f"{organisation.slug}.ics", public=True)


@require_GET
def category_feed(request: HttpRequest, category_slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=category_slug)
    body = feed_body(Event.objects.public().filter(category=category),
                     _("Veranstaltungen: %(name)s") % {"name": category.name})  # fmt: skip
    return calendar_response(body, f"{category.slug}.ics", public=True)


@require_GET
def project_feed(request: HttpRequest, org_slug: str, project_slug: str) -> HttpResponse:
    """The project's dates; a protected or draft project is 404 to those who may not see it, and its feed is
    never cached publicly."""
    project = project_for_viewer(request.user, org_slug, project_slug)
    public = AnonymousUser().has_perm("projects.view_project", project)
    base = Event.objects.public() if public else Event.objects.filter(status__in=PUBLIC_STATUSES)
    body = feed_body(base.filter(project=project), _("Veranstaltungen: %(name)s") % {"name": project.title})
    return calendar_response(body, f"{project.slug}.ics", public=public)


@require_GET
def event_ics(request: HttpRequest, org_slug: str, event_slug: str) -> HttpResponse:
    """The "add to calendar" file of one date (who may see the page may download it)."""
    event = get_object_or_404(Event.objects.select_related("organisation", "category"), organisation__slug=org_slug,
                              slug=event_slug)  # fmt: skip
    if not request.user.has_perm("events.view_event", event):
        raise Http404
    public = event.status in PUBLIC_STATUSES and event.project_visible
    return calendar_response(ics.event_calendar(event), f"{event.slug}.ics", public=public, attachment=True)


@require_GET
def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The dates a person is registered for (confirmed), at the secret address of their ``CalendarToken``."""
    calendar_token = CalendarToken.objects.select_related("user").filter(token=token).first()
    if calendar_token is None or not calendar_token.user.is_active:
        raise Http404
    cutoff = timezone.now() - timedelta(days=PAST_DAYS)
    registrations = (
        Registration.objects.filter(user=calendar_token.user, status=RegistrationStatus.CONFIRMED,
                                    event__status__in=PUBLIC_STATUSES, event__end__gte=cutoff)
        .select_related("event__organisation", "event__category").order_by("event__start", "event_id")[:MAX_EVENTS]
    )  # fmt: skip
    events = [(r.event, max(r.event.sequence, r.sequence)) for r in registrations]
    body = ics.personal_feed(events, _("Meine Veranstaltungen"))
    response = calendar_response(body, "meine-veranstaltungen.ics", public=False)
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_POST
def calendar_token(request: HttpRequest) -> HttpResponse:
    """Create (``action=create``), renew (``renew``) or revoke (``revoke``) the address of one's own feed."""
    action = request.POST.get("action", "create")
    if action == "revoke":
        calendar_tokens.revoke_token(request.user)
        messages.success(request, _("Die Adresse Ihres Kalenders ist gelöscht und funktioniert nicht mehr."))
    elif action == "renew":
        calendar_tokens.renew_token(request.user)
        messages.success(request, _("Ihr Kalender hat eine neue Adresse; die bisherige funktioniert nicht mehr."))
    else:
        calendar_tokens.create_token(request.user)
        messages.success(request, _("Die Adresse Ihres Kalenders ist bereit."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("accounts:overview")
    return HttpResponseRedirect(target)


def personal_feed_url(token: CalendarToken) -> str:
    """The full address to paste into a calendar program."""
    return ics.absolute(reverse("events:my_calendar_feed", kwargs={"token": token.token}))
