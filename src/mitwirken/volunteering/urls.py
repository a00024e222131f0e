"""Volunteering's URLs: each area keeps its own list (``urls_<area>.py``), joined here.

Public pages and the volunteer's own pages live under /ehrenamt/, a coordinator's area under
/ehrenamt/verein/<slug>/, the Ehrenamtsbörse in the tenant's back office under /verwaltung/<org>/ehrenamt/.
"""

from __future__ import annotations

from . import urls_applications, urls_hours, urls_organisations, urls_public, urls_shifts

app_name = "volunteering"

_AREAS = (urls_public, urls_applications, urls_organisations, urls_shifts, urls_hours)
urlpatterns = [pattern for area in _AREAS for pattern in area.urlpatterns]
backoffice_urlpatterns = [pattern for area in _AREAS for pattern in area.backoffice_urlpatterns]
