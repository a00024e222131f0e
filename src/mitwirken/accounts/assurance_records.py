"""What a submission records about the login it came from: the trust level, the identity provider and,
for Mein Unternehmenskonto, the organisation the person acted for.

Submissions that may need a trust level (statements, survey responses, event registrations, applications for
volunteering) keep these facts on the row itself, because the level belongs to that login and is gone from
the session afterwards. Never the subject or the bPK2 the provider sent.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import AssuranceLevel, ExternalIdentity

PROVIDER_CHOICES = [("", _("Anmeldung mit E-Mail-Adresse")), *ExternalIdentity.Provider.choices]


def level_label(level: int) -> str:
    return str(AssuranceLevel(level).label) if level in AssuranceLevel.values else ""


def identity_text(level: int, provider: str) -> str:
    """The sentence for confirmations and staff pages, e.g. "Identität bestätigt über BundID, Vertrauensniveau
    substantiell" – or that the identity was not confirmed."""
    if not level:
        return str(_("Identität nicht bestätigt"))
    names = dict(ExternalIdentity.Provider.choices)
    return str(_("Identität bestätigt über %(provider)s, Vertrauensniveau %(level)s") % {
        "provider": names.get(provider, provider or _("BundID")), "level": level_label(level),
    })  # fmt: skip


class RecordedAssurance(models.Model):
    """Abstract: the login's trust level and identity provider, copied when the row is submitted."""

    assurance_level = models.PositiveSmallIntegerField(
        _("Vertrauensniveau der Anmeldung"), default=0, editable=False,
        help_text=_("0 = nicht bestätigt; 1–4 = Vertrauensniveau (STORK-QAA) der Anmeldung beim Absenden."),
    )  # fmt: skip
    identity_provider = models.CharField(
        _("Identitätsanbieter"), max_length=20, choices=PROVIDER_CHOICES, default="", blank=True, editable=False
    )

    class Meta:
        abstract = True

    @property
    def identity_verified(self) -> bool:
        return self.assurance_level > 0

    @property
    def identity_text(self) -> str:
        return identity_text(self.assurance_level, self.identity_provider)

    @property
    def assurance_label(self) -> str:
        return level_label(self.assurance_level)


class RecordedActingFor(models.Model):
    """Abstract: the organisation a Mein-Unternehmenskonto login acted for, as the provider named it."""

    on_behalf_of_name = models.CharField(_("Handelnd für (laut Unternehmenskonto)"), max_length=200, blank=True,
                                         editable=False)  # fmt: skip
    on_behalf_of_id = models.CharField(_("Kennung der Organisation (Unternehmenskonto)"), max_length=100,
                                       blank=True, editable=False)  # fmt: skip

    class Meta:
        abstract = True
