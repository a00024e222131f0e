"""Invitations and reminders of token surveys, sent by the worker in batches.

A round is 0 for the invitation and 1 or 2 for the reminders. Each token is claimed by a conditional UPDATE
before its mail is queued, in one transaction with it, so a round started twice (a double click, a retried task)
still mails every person once. Each mail becomes its own task on the ``email`` queue (``core.mail``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from mitwirken.core.notifications import send_templated_email

from .models import Access, Anonymity, Survey, Token

BATCH = 200
INVITATION = 0
MAX_REMINDERS = 2


def recipients(survey: Survey, round_number: int) -> QuerySet[Token]:
    """Who gets the mail of a round: not yet invited; or (reminders) invited, unused, not yet reminded this often.

    "Unused" is safe to ask even in an anonymous survey: the flag has no time and no link to the response.
    """
    tokens = Token.objects.filter(survey=survey).exclude(email="")
    if round_number == INVITATION:
        return tokens.filter(invited=False)
    return tokens.filter(invited=True, used=False, reminders__lt=round_number)


def personal_url(survey: Survey, token: Token) -> str:
    module = survey.module
    return settings.SITE_URL + reverse("surveys:code_link", kwargs={
        "org_slug": module.project.organisation.slug, "project_slug": module.project.slug,
        "module_slug": module.slug, "code": token.code,
    })  # fmt: skip


def anonymity_notice(survey: Survey) -> str:
    """What the mail promises about the answers; it matches what the schema keeps (see ``models``)."""
    if survey.anonymity == Anonymity.ANONYMOUS:
        return _(
            "Die Umfrage ist anonym: Ihre Antworten werden ohne Ihren Namen, Ihre E-Mail-Adresse und Ihren "
            "Zugangscode gespeichert. Vermerkt wird nur, dass mit Ihrem Code geantwortet wurde (ohne Zeitpunkt), "
            "damit Sie keine Erinnerung mehr erhalten."
        )
    if survey.anonymity == Anonymity.PSEUDONYMOUS:
        return _(
            "Die Umfrage ist pseudonym: Ihre Antworten werden unter einer zufälligen Kennung gespeichert, ohne Ihren "
            "Namen und Ihre E-Mail-Adresse."
        )
    return _("Die Umfrage ist namentlich: Die Verwaltung sieht, wer was geantwortet hat.")


def _claim(token: Token, round_number: int) -> bool:
    """Mark the token for this round; False when another run already did."""
    if round_number == INVITATION:
        return bool(Token.objects.filter(pk=token.pk, invited=False).update(invited=True))
    claimed = Token.objects.filter(pk=token.pk, used=False, reminders__lt=round_number)
    return bool(claimed.update(reminders=round_number))


def _send(survey: Survey, token: Token, round_number: int) -> None:
    module = survey.module
    with override("de"):
        notice = anonymity_notice(survey)
    send_templated_email(to=[token.email], template="survey_invitation", context={
        "token": token, "module": module, "organisation": module.project.organisation,
        "url": personal_url(survey, token), "reminder": round_number > INVITATION, "anonymity_notice": notice,
    })  # fmt: skip


@task()
def send_invitations(survey_id: int, round_number: int, after_id: int = 0) -> int:
    """Mail one batch of a round and queue the next; answers how many mails this batch queued."""
    survey = Survey.objects.select_related("module__project__organisation").filter(pk=survey_id).first()
    if survey is None or survey.access != Access.TOKEN or not INVITATION <= round_number <= MAX_REMINDERS:
        return 0
    batch = list(recipients(survey, round_number).filter(pk__gt=after_id).order_by("pk")[:BATCH])
    sent = 0
    for token in batch:
        with transaction.atomic():  # a mail that cannot be queued leaves its token unclaimed for the next run
            if _claim(token, round_number):
                _send(survey, token, round_number)
                sent += 1
    if len(batch) == BATCH:
        send_invitations.enqueue(survey_id, round_number, batch[-1].pk)
    return sent
