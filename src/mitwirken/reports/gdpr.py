"""What the Mängelmelder holds about a person, for the GDPR export and account deletion.

Reports stay (the defect is real and the authority works on it) but lose every personal detail.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q

from .models import AreaAlert, Report, Supporter


def _own(user: Any) -> Any:
    return Report.objects.filter(Q(reporter=user) | Q(email__iexact=user.email))


def export(user: Any) -> dict[str, Any]:
    return {
        "reports": list(
            _own(user).values(
                "pk", "category__name", "description", "address", "lat", "lon", "status", "name", "email", "created_at"
            )
        ),
        "supported_reports": list(Supporter.objects.filter(user=user).values_list("report_id", flat=True)),
        "area_alerts": list(
            AreaAlert.objects.filter(email__iexact=user.email).values(
                "lat", "lon", "radius_m", "organisation_id", "frequency"
            )
        ),
    }


def erase(user: Any) -> None:
    _own(user).update(reporter=None, email="", name="", publish_name=False)
    for report_id in Supporter.objects.filter(user=user).values_list("report_id", flat=True):
        Report.objects.filter(pk=report_id).update(supporters_count=F("supporters_count") - 1)
    Supporter.objects.filter(user=user).delete()
    AreaAlert.objects.filter(email__iexact=user.email).delete()
