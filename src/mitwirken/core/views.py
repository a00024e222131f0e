from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .forms_public import AccessibilityFeedbackForm
from .ids import parse_int
from .models import Notification
from .services import accessibility_feedback_submit
from .spam import TYPED_MAIL_REFUSED, typed_address_over_limit

if TYPE_CHECKING:
    from mitwirken.organisations.models import Organisation

TASK_BACKLOG_WARNING = timedelta(minutes=15)


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
    """Liveness for load balancers: "ok" or 503, nothing else.

    The details (database, task backlog) help an attacker as much as an operator, so they are shown only
    to portal administrators (second factor confirmed) or with ``?token=`` equal to ``HEALTHZ_TOKEN``.
    """
    report: dict[str, object] = {"status": "ok"}
    details: dict[str, object] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        details["database"] = {"status": "ok", "vendor": connection.vendor}
    except Exception as error:  # any driver error means "down"; the reason goes to the log, not the client
        import logging

        logging.getLogger(__name__).error("healthz: database check failed: %s", error)
        return JsonResponse({"status": "error"}, status=503)
    try:
        from django_tasks_db.models import DBTaskResult

        ready = DBTaskResult.objects.filter(status="READY")
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        tasks_status = "ok" if age < TASK_BACKLOG_WARNING.total_seconds() else "degraded"
        details["tasks"] = {"status": tasks_status, "pending": ready.count(), "oldest_pending_seconds": round(age, 1)}
        if tasks_status != "ok":
            report["status"] = "degraded"
    except Exception as error:
        import logging

        logging.getLogger(__name__).error("healthz: task queue check failed: %s", error)
        return JsonResponse({"status": "error"}, status=503)
    if _may_see_health_details(request):
        report.update(details)
    return JsonResponse(report)


def _may_see_health_details(request: HttpRequest) -> bool:
    import hmac

    from django.conf import settings

    from mitwirken.accounts.second_factor import is_portal_admin

    token = settings.MITWIRKEN_HEALTHZ_TOKEN
    given = request.GET.get("token", "")
    return is_portal_admin(request.user) or bool(token and given and hmac.compare_digest(token, given))


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
    return render(request, "500.html", status=500)


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
