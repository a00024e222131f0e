"""What the analysis keeps: trained states (per procedure or organisation) and staff's decisions on suggestions.

Suggestions themselves are computed when they are shown (from the text and a trained state) and are not stored:
a suggestion that nobody looked at is worth nothing, and one that was decided on is in ``Decision``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SuggestionKind(models.TextChoices):
    GROUP = "group", _("Masseneinwendung")
    TOPIC = "topic", _("Themenvorschlag")
    SEGMENT = "segment", _("Abschnittsvorschlag")
    KEYWORD = "keyword", _("Schlagwortvorschlag")
    ANSWER = "answer", _("Antwortvorschlag")
    MODERATION = "moderation", _("Moderationshinweis")


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", pgettext_lazy("Vorschlag", "übernommen")  # not the imported XBeteiligung document
    ADJUSTED = "adjusted", _("angepasst übernommen")
    REJECTED = "rejected", _("verworfen")


class DecisionQuerySet(models.QuerySet["Decision"]):
    def rates(self) -> dict[str, dict[str, Any]]:
        """Per kind: how many suggestions were decided, accepted (as proposed or adjusted) and the share accepted.

        The measure demosplan reports: a suggestion counts as accepted when staff took it, with or without
        adjusting it (a moved segment boundary), and as rejected when they discarded it.
        """
        counts: dict[str, dict[str, int]] = {}
        for row in self.order_by().values("kind", "outcome").annotate(n=models.Count("id")):
            counts.setdefault(row["kind"], {})[row["outcome"]] = row["n"]
        rates: dict[str, dict[str, Any]] = {}
        for kind, label in SuggestionKind.choices:
            by_outcome = counts.get(kind, {})
            decided = sum(by_outcome.values())
            taken = by_outcome.get(Outcome.ACCEPTED, 0) + by_outcome.get(Outcome.ADJUSTED, 0)
            rates[kind] = {
                "label": label,
                "decided": decided,
                "accepted": by_outcome.get(Outcome.ACCEPTED, 0),
                "adjusted": by_outcome.get(Outcome.ADJUSTED, 0),
                "rejected": by_outcome.get(Outcome.REJECTED, 0),
                "rate": taken / decided if decided else None,
            }
        return rates


class Decision(models.Model):
    """A person accepted, adjusted or rejected one suggestion (the acceptance rates are counted from these)."""

    module = models.ForeignKey(
        "projects.Module", verbose_name=_("Modul"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("Art des Vorschlags"), max_length=20, choices=SuggestionKind.choices)
    outcome = models.CharField(_("Entscheidung"), max_length=20, choices=Outcome.choices)
    score = models.FloatField(_("Wert des Vorschlags"), null=True, blank=True)
    # What was suggested and why, as shown to the person (terms, passages), for later review of the suggestions.
    detail = models.JSONField(_("Vorschlag und Begründung"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Entschieden von"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("Entschieden am"), auto_now_add=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("Entscheidung über einen Vorschlag")
        verbose_name_plural = _("Entscheidungen über Vorschläge")
        indexes = [models.Index(fields=["module", "kind", "outcome"], name="decision_rates")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_outcome_display()}"


class TrainedState(models.Model):
    """A trained model or index of one procedure or organisation, kept between tasks (``analysis.state``)."""

    key = models.CharField(_("Schlüssel"), max_length=120, unique=True)  # e.g. "module:12:keywords"
    data = models.BinaryField(_("Daten"))
    # Small facts about the state for pages and for deciding when to retrain (counts, version, terms).
    meta = models.JSONField(_("Angaben"), default=dict, blank=True)
    trained_at = models.DateTimeField(_("Trainiert am"), auto_now=True)

    class Meta:
        verbose_name = _("Trainierter Stand")
        verbose_name_plural = _("Trainierte Stände")

    def __str__(self) -> str:
        return self.key
