"""schema.org for an opportunity: a ``JobPosting`` with ``employmentType: VOLUNTEER`` (what search engines read
for volunteer positions; schema.org's ``VolunteerAction`` has no place, dates or organisation of its own)."""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from .models import Opportunity

# The escapes of Django's ``json_script``: no "</script>", "<!--" or "&" survives inside the element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def script_json(data: Any) -> SafeString:
    """JSON safe inside a ``<script>`` element."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(_SCRIPT_ESCAPES))


def job_posting(opportunity: Opportunity, request: HttpRequest) -> dict[str, Any]:
    organisation = opportunity.organisation
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "JobPosting", "title": opportunity.title,
        "description": opportunity.description[:5000], "employmentType": "VOLUNTEER",
        "url": request.build_absolute_uri(opportunity.get_absolute_url()),
        "hiringOrganization": {"@type": "Organization", "name": organisation.name,
                               "url": request.build_absolute_uri(organisation.get_absolute_url())},
        "totalJobOpenings": opportunity.volunteers_wanted, "directApply": opportunity.is_open,
    }  # fmt: skip
    if organisation.website:
        data["hiringOrganization"]["sameAs"] = organisation.website
    posted = opportunity.published_at or opportunity.created_at
    if posted is not None:
        data["datePosted"] = timezone.localtime(posted).date().isoformat()
    if opportunity.ends_on:
        end = timezone.make_aware(datetime.combine(opportunity.ends_on, time(23, 59)))
        data["validThrough"] = end.isoformat()
    if opportunity.starts_on:
        data["jobStartDate"] = opportunity.starts_on.isoformat()
    if opportunity.hours_per_week:
        data["workHours"] = f"{opportunity.hours_per_week} h/Woche"
    if opportunity.skills:
        data["skills"] = opportunity.skills
    if opportunity.remote:
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {"@type": "Country", "name": "DE"}
    if opportunity.city or opportunity.lat is not None:
        place: dict[str, Any] = {"@type": "Place", "address": {
            "@type": "PostalAddress", "streetAddress": opportunity.street, "postalCode": opportunity.postal_code,
            "addressLocality": opportunity.city, "addressCountry": "DE"}}  # fmt: skip
        if opportunity.place_name:
            place["name"] = opportunity.place_name
        if opportunity.lat is not None and opportunity.lon is not None:
            place["geo"] = {"@type": "GeoCoordinates", "latitude": opportunity.lat, "longitude": opportunity.lon}
        data["jobLocation"] = place
    if opportunity.minimum_age:
        data["qualifications"] = f"Mindestalter {opportunity.minimum_age} Jahre"
    return data
