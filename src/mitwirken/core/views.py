from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import observability
from .forms_public import AccessibilityFeedbackForm
from .ids import parse_int
from .models import Notification
from .services import accessibility_feedback_submit
from .spam import TYPED_MAIL_REFUSED, typed_address_over_limit

if TYPE_CHECKING:
    from mitwirken.organisations.models import Organisation

ROBOTS_TXT = "User-agent: *\nDisallow: /verwaltung/\nDisallow: /konto/\nDisallow: /einladung/\n"


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Also the benchmarks' trivial baseline view: no database, no template."""
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and feed readers ask for /favicon.ico whatever the page links; send them to the static file."""
    return redirect(static("icons/favicon.ico"), permanent=True)


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: the portal's name and icons for a phone's home screen."""
    icons = [{"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
             for size in (192, 512)]  # fmt: skip
    icons += [
        {"src": static("icons/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        {"src": static("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    data = {"name": settings.SITE_NAME, "short_name": settings.SITE_NAME[:12], "start_url": "/", "display": "browser",
            "lang": "de", "background_color": "#ffffff", "theme_color": "#1a3da5", "icons": icons}  # fmt: skip
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: 200 as long as the process answers, whatever the database does.

    Restarting web processes never repairs a database, so a liveness probe must not fail with it; whether a
    process should get traffic is ``/readyz``. The body still says ``degraded`` when the database or the task
    queue is unwell, for monitoring that reads it. The details help an attacker as much as an operator, so they
    are shown only to portal administrators (second factor confirmed) or with ``?token=`` = ``HEALTHZ_TOKEN``.
    """
    checks = {"database": observability.check_database(), "tasks": observability.check_tasks()}
    report: dict[str, object] = {"status": "ok" if observability.overall(checks) == "ok" else "degraded"}
    if _may_see_health_details(request):
        report.update(checks)
    return JsonResponse(report)


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 503 when the database, the cache or the media storage fails, so the balancer skips this process.

    A long task backlog gives 200 with ``degraded``: mail is late, but every page still works. Details as for
    ``healthz``.
    """
    status, checks = observability.readiness()
    report: dict[str, object] = {"status": status}
    if _may_see_health_details(request):
        report.update(checks)
    return JsonResponse(report, status=503 if status == "error" else 200)


def _may_see_health_details(request: HttpRequest) -> bool:
    import hmac

    from mitwirken.accounts.second_factor import is_portal_admin

    token = settings.MITWIRKEN_HEALTHZ_TOKEN
    given = request.GET.get("token", "")
    if token and given and hmac.compare_digest(token.encode(), given.encode()):
        return True
    try:
        return is_portal_admin(request.user)
    except Exception:  # the session lives in the database; when that is down, nobody is an administrator
        return False


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics for the monitoring network or the bearer token only; everyone else gets "not found"."""
    if not observability.may_scrape(request):
        raise Http404
    body, content_type = observability.render_metrics()
    return HttpResponse(body, content_type=content_type)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(Notification.objects.for_user(request.user), 25).get_page(request.GET.get("seite"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.for_user(request.user).unread().update(read_at=timezone.now())
    messages.success(request, _("Alle Benachrichtigungen sind als gelesen markiert."))
    return redirect("core:notifications")


def page(request: HttpRequest, template: str) -> HttpResponse:
    return render(request, f"pages/{template}.html")


def accessibility(request: HttpRequest) -> HttpResponse:
    return accessibility_feedback_page(request, organisation=None, template="pages/accessibility.html", context={})


def accessibility_feedback_page(
    request: HttpRequest, *, organisation: Organisation | None, template: str, context: dict[str, object]
) -> HttpResponse:
    """The accessibility statement with its feedback form (BITV 2.0 § 7), for the portal or an organisation."""
    form = AccessibilityFeedbackForm(
        request.POST or None, initial={"page_url": request.GET.get("seite", "")}, user=request.user
    )
    if request.method == "POST" and typed_address_over_limit(request, "accessibility_feedback"):
        form.is_valid()
        form.add_error(None, TYPED_MAIL_REFUSED)
    elif request.method == "POST" and form.is_valid():
        accessibility_feedback_submit(organisation=organisation, **form.cleaned_data)
        messages.success(
            request, _("Vielen Dank! Ihre Rückmeldung ist eingegangen. Wir antworten innerhalb von sechs Wochen.")
        )
        return redirect(request.path)
    return render(request, template, {"form": form, **context})


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # Without the request: its context (the user, the session) needs the database, which may be what failed.
    from django.template.loader import render_to_string

    return HttpResponse(render_to_string("500.html"), status=500)


SUGGESTION_RATE = "300/m"  # a fast typist with the combobox's debounce stays far below it


@require_GET
def address_suggestions(request: HttpRequest) -> JsonResponse:
    """Address suggestions while typing (``static/js/address-combobox.js``): JSON, no account needed."""
    from django_ratelimit.core import is_ratelimited

    from . import addresses

    if is_ratelimited(request, group="core.address_suggest", key="ip", rate=SUGGESTION_RATE, increment=True):
        return JsonResponse({"error": _("Zu viele Anfragen. Bitte warten Sie einen Moment.")}, status=429)
    limit = parse_int(request.GET.get("limit"), default=8, minimum=1) or 8  # suggest() caps it
    found = addresses.suggest(request.GET.get("q", ""), limit=limit)
    response = JsonResponse({"results": [addresses.as_json(address) for address in found]})
    response["Cache-Control"] = "public, max-age=300"
    return response
