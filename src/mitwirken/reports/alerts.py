"""Area alerts: e-mail about new reports around a point or in an organisation's area.

Subscriptions are confirmed by e-mail first (nobody can subscribe someone else), and every message carries
a one-click unsubscribe link and the List-Unsubscribe headers. Sending runs in the task queue in batches,
so 40,000 subscribers never occupy one task or flood the queue.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from shapely.geometry import Point

from mitwirken.core import geo
from mitwirken.core.notifications import send_templated_email
from mitwirken.organisations.models import Organisation

from .messaging import absolute
from .models import AlertFrequency, AreaAlert, Report
from .places import bbox_around, check_position, distance_m
from .routing import organisations_at

BATCH = 500
MAX_RADIUS_M = 20_000
DIGEST_MAX_REPORTS = 50


def alert_subscribe(
    *, email: str, frequency: str, organisation: Organisation | None = None, lon: Any = None, lat: Any = None,
    radius_m: int | None = None,
) -> AreaAlert:  # fmt: skip
    """Store an unconfirmed subscription and send the confirmation link."""
    if frequency not in AlertFrequency.values:
        raise ValidationError({"frequency": _("Bitte wählen Sie, wie oft Sie benachrichtigt werden möchten.")})
    alert = AreaAlert(email=email, frequency=frequency)
    if organisation is not None:
        alert.organisation = organisation
    else:
        alert.lon, alert.lat = check_position(lon, lat)
        if not radius_m or not 50 <= radius_m <= MAX_RADIUS_M:
            raise ValidationError({"radius_m": _("Der Umkreis muss zwischen 50 m und 20 km liegen.")})
        alert.radius_m = radius_m
        alert.min_lon, alert.min_lat, alert.max_lon, alert.max_lat = bbox_around(alert.lon, alert.lat, radius_m)
    alert.save()
    confirm_url = absolute(reverse("reports:alert_confirm", kwargs={"token": alert.token}))
    send_templated_email(to=[email], template="alert_confirm", context={"alert": alert, "url": confirm_url})
    return alert


def alert_confirm(*, token: str) -> AreaAlert:
    alert = AreaAlert.objects.filter(token=token).first()
    if alert is None:
        raise ValidationError(_("Dieser Link ist ungültig."))
    if alert.confirmed_at is None or not alert.active:
        AreaAlert.objects.filter(pk=alert.pk).update(confirmed_at=alert.confirmed_at or timezone.now(), active=True)
        alert.refresh_from_db()
    return alert


def alert_set_active(*, token: str, active: bool) -> AreaAlert:
    """One click unsubscribes (``active=False``); the page offers to undo it in case a mail scanner clicked."""
    alert = AreaAlert.objects.filter(token=token).first()
    if alert is None:
        raise ValidationError(_("Dieser Link ist ungültig."))
    AreaAlert.objects.filter(pk=alert.pk).update(active=active)
    alert.active = active
    return alert


def _matching(report: Report, alerts: Any) -> Any:
    organisation_ids = [organisation.pk for organisation in organisations_at(report.lon, report.lat)]
    organisation_ids.append(report.organisation_id)
    return alerts.filter(
        Q(organisation_id__in=organisation_ids)
        | Q(min_lon__lte=report.lon, max_lon__gte=report.lon, min_lat__lte=report.lat, max_lat__gte=report.lat)
    )


def covers(alert: AreaAlert, report: Report) -> bool:
    """The exact check after the bounding-box prefilter."""
    if alert.organisation is not None:
        if alert.organisation.boundary:
            return bool(geo.to_shape(alert.organisation.boundary).covers(Point(report.lon, report.lat)))
        return alert.organisation_id == report.organisation_id
    if alert.lon is None or alert.lat is None or alert.radius_m is None:
        return False
    return distance_m(alert.lon, alert.lat, report.lon, report.lat) <= alert.radius_m


def alerts_for_new_report(report: Report) -> None:
    """Queue the immediate alerts for a new report, in batches."""
    transaction.on_commit(lambda: send_immediate_alerts.enqueue(report.pk))


def _headers(alert: AreaAlert) -> dict[str, str]:
    url = absolute(reverse("reports:alert_unsubscribe", kwargs={"token": alert.token}))
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _context(alert: AreaAlert, reports: list[Report]) -> dict[str, Any]:
    return {
        "alert": alert, "reports": reports, "urls": {r.pk: absolute(r.get_absolute_url()) for r in reports},
        "unsubscribe_url": absolute(reverse("reports:alert_unsubscribe", kwargs={"token": alert.token})),
    }  # fmt: skip


@task()
def send_immediate_alerts(report_id: int, after_id: int = 0) -> int:
    report = Report.objects.select_related("category", "organisation").get(pk=report_id)
    if report.hidden:
        return 0
    alerts = _matching(report, AreaAlert.objects.filter(active=True, confirmed_at__isnull=False,
                                                        frequency=AlertFrequency.IMMEDIATE, pk__gt=after_id))  # fmt: skip
    batch = list(alerts.select_related("organisation").order_by("pk")[:BATCH])
    sent = 0
    for alert in batch:
        if alert.email == report.email or not covers(alert, report):
            continue
        send_templated_email(
            to=[alert.email], template="alert_new", context=_context(alert, [report]), headers=_headers(alert)
        )
        sent += 1
    if len(batch) == BATCH:
        send_immediate_alerts.enqueue(report_id, batch[-1].pk)
    return sent


def start_daily_digests() -> None:
    """Run once a day (``manage.py reports_daily``); the work itself is done in batches by the worker."""
    send_daily_digests.enqueue(0)


def _in_area(alert: AreaAlert, reports: Any) -> Any:
    """The bounding-box prefilter of an alert's area; ``covers`` makes the exact check."""
    area = alert.organisation
    if area is not None and area.bbox_min_lon is not None:
        return reports.in_bbox(area.bbox_min_lon, area.bbox_min_lat, area.bbox_max_lon, area.bbox_max_lat)
    if area is not None:
        return reports.filter(organisation=area)
    return reports.in_bbox(alert.min_lon, alert.min_lat, alert.max_lon, alert.max_lat)


@task()
def send_daily_digests(after_id: int = 0) -> int:
    now = timezone.now()
    batch = list(
        AreaAlert.objects.filter(active=True, confirmed_at__isnull=False, frequency=AlertFrequency.DAILY, pk__gt=after_id)
        .select_related("organisation").order_by("pk")[:BATCH]
    )  # fmt: skip
    sent = 0
    for alert in batch:
        since = max(alert.last_sent_at or alert.confirmed_at or now, now - timedelta(days=2))
        new_reports = _in_area(
            alert, Report.objects.public().filter(hidden=False, confirmed_at__gt=since, confirmed_at__lte=now)
        )
        reports = [r for r in new_reports.select_related("category").order_by("confirmed_at")[:DIGEST_MAX_REPORTS]
                   if covers(alert, r) and r.email != alert.email]  # fmt: skip
        if reports:
            send_templated_email(to=[alert.email], template="alert_digest", context=_context(alert, reports),
                                 headers=_headers(alert))  # fmt: skip
            sent += 1
        AreaAlert.objects.filter(pk=alert.pk).update(last_sent_at=now)
    if len(batch) == BATCH:
        send_daily_digests.enqueue(batch[-1].pk)
    return sent
