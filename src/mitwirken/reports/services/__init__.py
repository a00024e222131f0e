"""Every write of the Mängelmelder. The web form, the Open311 API, the back office and the demo data call these
functions, so routing, validation, permissions, audit and notifications are the same whichever way a change comes.

- ``intake``: reporting and the e-mail confirmation
- ``photos``: checking and hiding photos
- ``supporters``: "Habe ich auch bemerkt"
- ``handling``: the staff's work (status, forwarding, assignment, notes, moderation, answer templates)
- ``followups``: "Ist es behoben?", confirmed or reopened by the reporter
- ``setup``: categories, extra questions and settings of an organisation

Area alerts are in ``reports.alerts``; positions and the gazetteer in ``reports.places`` (re-exported here
because the report form validates with them).
"""

from ..places import DUPLICATE_RADIUS_M, check_position, distance_m, geocode, nearby_open_reports, places_matching
from .followups import FOLLOWUP_AFTER, followup_answer, report_confirm_fixed, report_reopen, send_followups
from .handling import (
    forward_targets,
    note_add,
    report_assign,
    report_bulk_status,
    report_change_status,
    report_forward,
    report_hide,
    response_template_add,
    response_template_delete,
)
from .intake import MAX_DESCRIPTION, check_description, check_email, check_text, report_confirm, report_create
from .photos import MAX_PHOTOS, check_photos, photo_hide
from .setup import (
    category_questions_set,
    category_set,
    questions_as_text,
    questions_from_text,
    report_settings_set,
)
from .supporters import report_support
from .translations import category_translate, response_template_translate

__all__ = [
    "DUPLICATE_RADIUS_M", "FOLLOWUP_AFTER", "MAX_DESCRIPTION", "MAX_PHOTOS",
    "category_questions_set", "category_set", "category_translate", "check_description", "check_email", "check_photos", "check_position",
    "check_text", "distance_m", "followup_answer", "forward_targets", "geocode", "nearby_open_reports", "note_add",
    "photo_hide", "places_matching", "questions_as_text", "questions_from_text", "report_assign",
    "report_bulk_status", "report_change_status", "report_confirm", "report_confirm_fixed", "report_create",
    "report_forward", "report_hide", "report_reopen", "report_settings_set", "report_support",
    "response_template_add", "response_template_delete", "response_template_translate", "send_followups",
]  # fmt: skip
