"""The e-mailed link that lets a public respondent continue a draft later or on another device."""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from django.utils.translation import gettext as _

from mitwirken.core.notifications import send_templated_email

from .models import Survey

SALT = "surveys.resume"
MAX_AGE_DAYS = 30


def sign(browser_key: str) -> str:
    return signing.dumps(browser_key, salt=SALT, compress=False)


def unsign(value: str) -> str:
    return str(signing.loads(value, salt=SALT, max_age=MAX_AGE_DAYS * 86400))


def check_address(address: str) -> str:
    """A German message when the address cannot receive the link, else empty."""
    if not address:
        return _("Bitte geben Sie eine E-Mail-Adresse an.")
    try:
        validate_email(address)
    except ValidationError:
        return _("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@example.org.")
    return ""


def send(request: HttpRequest, survey: Survey, address: str, browser_key: str, path: str) -> None:
    send_templated_email(to=[address], template="survey_resume",
                         context={"survey": survey, "module": survey.module, "url": request.build_absolute_uri(path),
                                  "days": MAX_AGE_DAYS})  # fmt: skip
