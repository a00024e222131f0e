"""What the survey plugin adds to the portal's shared pages: Mein Bereich, the staff overview, figures,
GDPR, and the daily clean-up of abandoned drafts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitwirken.core.plugins import AccountSection, Statistic, WorkItem

DRAFT_DAYS = 90


def account_sections() -> list[AccountSection]:
    from .models import Draft

    def drafts(user: Any) -> Any:
        return (
            Draft.objects.filter(user=user)
            .select_related("survey__module__project__organisation")
            .order_by("-updated_at")
        )

    return [AccountSection("umfragen", _("Angefangene Umfragen"), "surveys/account_drafts.html", drafts, order=45)]


def staff_work(user: Any, organisation: Any) -> list[WorkItem]:
    """Token surveys with people on the list who have not been invited yet, one line per survey."""
    from django.db.models import Count
    from django.urls import reverse
    from django.utils.translation import ngettext

    from .models import Access, Token

    rows = (
        Token.objects.filter(survey__module__project__organisation=organisation, survey__access=Access.TOKEN,
                             invited=False)
        .exclude(email="")
        .values("survey__module", "survey__module__project", "survey__module__name")
        .annotate(open=Count("pk"))
        .order_by("survey__module__name")[:20]
    )  # fmt: skip
    return [
        WorkItem(
            label=ngettext("Token-Umfrage „%(name)s“: %(count)d Einladung noch nicht verschickt",
                           "Token-Umfrage „%(name)s“: %(count)d Einladungen noch nicht verschickt", row["open"])
            % {"name": row["survey__module__name"], "count": row["open"]},
            count=row["open"],
            url=reverse("backoffice:survey_tokens", kwargs={
                "org_slug": organisation.slug, "project_pk": row["survey__module__project"],
                "module_pk": row["survey__module"],
            }) + "?status=nicht-eingeladen",
        )
        for row in rows
    ]  # fmt: skip


def statistics(organisation: Any) -> list[Statistic]:
    from django.db.models import Count, Sum

    from .models import Survey

    figures = Survey.objects.filter(module__project__organisation=organisation).aggregate(
        surveys=Count("pk"), responses=Sum("response_count")
    )
    return [
        Statistic(_("Umfragen"), figures["surveys"] or 0),
        Statistic(_("Antworten in Umfragen"), figures["responses"] or 0),
    ]


def daily() -> None:
    """Abandoned drafts (and their uploaded files) go after ``DRAFT_DAYS`` days without a change."""
    from .models import Draft
    from .services.responding import discard

    for draft in Draft.objects.filter(updated_at__lt=timezone.now() - timedelta(days=DRAFT_DAYS)).iterator():
        discard(draft)


def gdpr_export(user: Any) -> dict[str, Any]:
    """Drafts the person keeps, and responses of identified surveys linked to their account. Anonymous and
    pseudonymous responses cannot be found by account, by design."""
    from .models import Answer, Draft

    drafts = [{"umfrage": str(draft.survey.module), "antworten": draft.answers}
              for draft in Draft.objects.filter(user=user).select_related("survey__module")]  # fmt: skip
    answers = Answer.objects.filter(response__identity__user=user).select_related(
        "question", "response__survey__module"
    )
    responses: dict[int, dict[str, Any]] = {}
    for answer in answers:
        entry = responses.setdefault(answer.response_id, {"umfrage": str(answer.response.survey.module),
                                                          "abgeschickt_am": answer.response.submitted_on.isoformat(), "antworten": []})  # fmt: skip
        entry["antworten"].append({"frage": answer.question.text, "zeile": answer.row, "wahl": answer.choice,
                                   "text": answer.text, "zahl": str(answer.number) if answer.number is not None else None})  # fmt: skip
    return {"entwuerfe": drafts, "namentliche_antworten": list(responses.values())}


def gdpr_erase(user: Any) -> None:
    """Drafts go; identified responses stay as data of the survey but lose the link to the person."""
    from .models import Draft, ResponseIdentity
    from .services.responding import discard

    for draft in Draft.objects.filter(user=user):
        discard(draft)
    ResponseIdentity.objects.filter(user=user).update(user=None)


def contributions(module: Any) -> list[str]:
    """Answers given to a survey module; while there are any, it and its phases stay."""
    from django.utils.translation import ngettext

    from .models import Response

    count = Response.objects.filter(survey__module=module).count()
    return [ngettext("%(count)d Antwort", "%(count)d Antworten", count) % {"count": count}] if count else []
