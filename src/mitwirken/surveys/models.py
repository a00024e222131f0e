"""Surveys (Umfragen): a questionnaire of pages and questions, its respondents, drafts, responses and quotas.

Anonymity is a property of the schema, not of the views: a ``Response`` and its ``Answer`` rows have no column
for an account, a token, an address or a time finer than the day. Pseudonymous and identified surveys keep
who answered in ``ResponseIdentity``, a table an anonymous survey never writes. Whether a token or an account
has answered is recorded on the token (a flag, no time) and in ``Completion`` (no time, no reference to the
response), so the two cannot be joined.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mitwirken.accounts.assurance import requirement_field
from mitwirken.accounts.assurance_records import RecordedActingFor, RecordedAssurance
from mitwirken.organisations.models import Organisation
from mitwirken.projects.models import Module


class Access(models.TextChoices):
    PUBLIC = "public", _("Öffentlich: alle, eine Antwort je Browser")
    ACCOUNT = "account", _("Mit Konto: eine Antwort je Konto")
    TOKEN = "token", _("Mit persönlichem Zugangscode: eine Antwort je Code")


class Anonymity(models.TextChoices):
    ANONYMOUS = "anonymous", _("Anonym")
    PSEUDONYMOUS = "pseudonymous", _("Pseudonym")
    IDENTIFIED = "identified", _("Namentlich")


# Weaker means: more of the respondent is kept. Once responses exist, anonymity may only become stronger.
ANONYMITY_STRENGTH = {Anonymity.IDENTIFIED: 0, Anonymity.PSEUDONYMOUS: 1, Anonymity.ANONYMOUS: 2}


def new_results_key() -> str:
    return secrets.token_hex(8)


class Survey(models.Model):
    module = models.OneToOneField(Module, verbose_name=_("Modul"), on_delete=models.CASCADE, related_name="survey")
    access = models.CharField(_("Zugang"), max_length=10, choices=Access.choices, default=Access.PUBLIC)
    anonymity = models.CharField(_("Anonymität"), max_length=15, choices=Anonymity.choices, default=Anonymity.ANONYMOUS)
    intro = models.TextField(_("Einleitung"), blank=True, help_text=_("Erscheint vor der ersten Frage."))
    completion_text = models.TextField(
        _("Text nach dem Absenden"), blank=True, default="",
        help_text=_("Erscheint, wenn jemand die Umfrage abgeschlossen hat."),
    )  # fmt: skip
    link_results = models.BooleanField(
        _("Nach dem Absenden auf die Ergebnisse verweisen"), default=False,
        help_text=_("Nur wirksam, wenn Ergebnisse veröffentlicht sind."),
    )  # fmt: skip
    results_published = models.BooleanField(_("Ergebnisse veröffentlicht"), default=False)
    # Checked on the server for every page saved and for the submission (surveys/rules.py).
    min_assurance_level = requirement_field()
    # Kept by the submission service in the same transaction as the response, so lists and quotas never count.
    response_count = models.PositiveIntegerField(_("Antworten"), default=0, editable=False)
    reminders_sent = models.PositiveSmallIntegerField(_("Versandte Erinnerungen"), default=0, editable=False)
    # Names the current state of the answers; every write that changes them draws a new one (``results.changed``)
    # and so retires the cached results. Random rather than a counter: a restored database or a test that reuses
    # a survey's id never meets a cached result of another state.
    results_key = models.CharField(max_length=16, default=new_results_key, editable=False)

    class Meta:
        verbose_name = _("Umfrage")
        verbose_name_plural = _("Umfragen")

    def __str__(self) -> str:
        return str(self.module)

    @property
    def is_anonymous(self) -> bool:
        return self.anonymity == Anonymity.ANONYMOUS


class AnswerSet(models.Model):
    """Options that several questions share, e.g. "Stimme zu … stimme nicht zu", kept by an organisation."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="answer_sets"
    )
    name = models.CharField(_("Name"), max_length=120)

    class Meta:
        verbose_name = _("Antwortliste")
        verbose_name_plural = _("Antwortlisten")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_answer_set_name")]

    def __str__(self) -> str:
        return self.name


class Page(models.Model):
    survey = models.ForeignKey(Survey, verbose_name=_("Umfrage"), on_delete=models.CASCADE, related_name="pages")
    position = models.PositiveIntegerField(_("Position"), default=0)
    title = models.CharField(_("Titel"), max_length=200, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    # See ``conditions.py``: {"all"|"any": [rule or group, …]}; empty means always shown.
    condition = models.JSONField(_("Bedingung"), default=dict, blank=True)

    module_path = "survey.module"

    class Meta:
        verbose_name = _("Seite")
        verbose_name_plural = _("Seiten")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title or str(_("Seite %(number)d") % {"number": self.position + 1})


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Einfachauswahl")
    MULTIPLE = "multiple", _("Mehrfachauswahl")
    SHORT_TEXT = "short_text", _("Kurzer Text")
    LONG_TEXT = "long_text", _("Langer Text")
    NUMBER = "number", _("Zahl")
    DATE = "date", _("Datum")
    YES_NO = "yes_no", _("Ja/Nein")
    SCALE = "scale", _("Skala")
    MATRIX = "matrix", _("Matrix")
    RANKING = "ranking", _("Rangfolge")
    LOCATION = "location", _("Ort auf der Karte")
    FILE = "file", _("Datei-Upload")
    INFO = "info", _("Informationsblock (ohne Antwort)")


CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.MATRIX, QuestionType.RANKING)


class Question(models.Model):
    """One question. Type-specific settings live in ``config`` (see ``questions.py``, one definition per type)."""

    survey = models.ForeignKey(Survey, verbose_name=_("Umfrage"), on_delete=models.CASCADE, related_name="questions")
    page = models.ForeignKey(Page, verbose_name=_("Seite"), on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(_("Position"), default=0)
    # The variable name in exports and conditions ("q1", "alter"); unique within the survey, never reused.
    code = models.SlugField(_("Kürzel"), max_length=40, allow_unicode=False)
    type = models.CharField(_("Fragetyp"), max_length=12, choices=QuestionType.choices)
    text = models.CharField(_("Frage"), max_length=500)
    help_text = models.TextField(_("Hinweis"), blank=True)
    required = models.BooleanField(_("Pflichtfrage"), default=False)
    config = models.JSONField(_("Einstellungen"), default=dict, blank=True)
    condition = models.JSONField(_("Bedingung"), default=dict, blank=True)
    answer_set = models.ForeignKey(
        AnswerSet, verbose_name=_("Antwortliste"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="questions",
    )  # fmt: skip
    image = models.ImageField(_("Bild"), upload_to="surveys/images/", blank=True)
    image_alt = models.CharField(_("Bildbeschreibung (Alternativtext)"), max_length=250, blank=True)
    # Staff choose which questions appear in published results.
    publish = models.BooleanField(_("In veröffentlichten Ergebnissen zeigen"), default=True)

    module_path = "survey.module"

    class Meta:
        verbose_name = _("Frage")
        verbose_name_plural = _("Fragen")
        ordering = ["page__position", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="unique_question_code")]

    def __str__(self) -> str:
        return self.text


class Option(models.Model):
    """An answer option: of a question, or of an answer set several questions share.

    For a matrix question the options are the answer scale; its rows are ``MatrixRow``s.
    """

    question = models.ForeignKey(
        Question, verbose_name=_("Frage"), null=True, blank=True, on_delete=models.CASCADE, related_name="options"
    )
    answer_set = models.ForeignKey(
        AnswerSet, verbose_name=_("Antwortliste"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="options",
    )  # fmt: skip
    position = models.PositiveIntegerField(_("Position"), default=0)
    code = models.CharField(_("Code"), max_length=40)
    label = models.CharField(_("Beschriftung"), max_length=300)

    class Meta:
        verbose_name = _("Antwortmöglichkeit")
        verbose_name_plural = _("Antwortmöglichkeiten")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, answer_set__isnull=True)
                | Q(question__isnull=True, answer_set__isnull=False),
                name="option_of_question_or_set",
            ),
            models.UniqueConstraint(fields=["question", "code"], name="unique_option_code_per_question"),
            models.UniqueConstraint(fields=["answer_set", "code"], name="unique_option_code_per_set"),
        ]

    def __str__(self) -> str:
        return self.label


class MatrixRow(models.Model):
    question = models.ForeignKey(Question, verbose_name=_("Frage"), on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField(_("Position"), default=0)
    code = models.CharField(_("Code"), max_length=40)
    label = models.CharField(_("Beschriftung"), max_length=300)

    class Meta:
        verbose_name = _("Matrixzeile")
        verbose_name_plural = _("Matrixzeilen")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["question", "code"], name="unique_row_code_per_question")]

    def __str__(self) -> str:
        return self.label


def new_secret() -> str:
    return secrets.token_urlsafe(24)


class TokenQuerySet(models.QuerySet["Token"]):
    def unused(self) -> TokenQuerySet:
        return self.filter(used=False)


class Token(models.Model):
    """A personal access code: invited by e-mail (from an uploaded list) or printed on a paper letter.

    ``used`` is a flag without a time, so the order in which codes were used is not kept.
    """

    survey = models.ForeignKey(Survey, verbose_name=_("Umfrage"), on_delete=models.CASCADE, related_name="tokens")
    code = models.CharField(_("Zugangscode"), max_length=40, unique=True, default=new_secret)
    email = models.EmailField(_("E-Mail-Adresse"), blank=True)
    name = models.CharField(_("Name"), max_length=200, blank=True)
    attributes = models.JSONField(_("Merkmale"), default=dict, blank=True)
    used = models.BooleanField(_("Verwendet"), default=False)
    invited = models.BooleanField(_("Eingeladen"), default=False)
    reminders = models.PositiveSmallIntegerField(_("Erinnerungen"), default=0)

    objects = TokenQuerySet.as_manager()
    module_path = "survey.module"

    class Meta:
        verbose_name = _("Zugangscode")
        verbose_name_plural = _("Zugangscodes")
        ordering = ["id"]
        indexes = [models.Index(fields=["survey", "used"])]

    def __str__(self) -> str:
        return self.email or self.code[:8]


class Completion(models.Model):
    """That an account or a browser has answered, for "one response each". No time, no link to the response."""

    survey = models.ForeignKey(Survey, verbose_name=_("Umfrage"), on_delete=models.CASCADE, related_name="completions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Konto"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("Teilnahme")
        verbose_name_plural = _("Teilnahmen")
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="one_completion_per_account",
                                    condition=Q(user__isnull=False)),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.survey}: {self.pk}"


class Draft(models.Model):
    """Answers given so far, for save and resume. Deleted when the response is submitted; never counted."""

    survey = models.ForeignKey(Survey, verbose_name=_("Umfrage"), on_delete=models.CASCADE, related_name="drafts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Konto"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="survey_drafts",
    )  # fmt: skip
    token = models.OneToOneField(
        Token, verbose_name=_("Zugangscode"), null=True, blank=True, on_delete=models.CASCADE, related_name="draft"
    )
    # The secret of a browser's draft (cookie or e-mailed resume link); only its hash is stored.
    key_hash = models.CharField(max_length=64, blank=True, db_index=True)
    answers = models.JSONField(default=dict, blank=True)
    page = models.PositiveIntegerField(default=0)
    # Per-respondent order of options where a question randomises them: {question code: [option codes]}.
    orders = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    module_path = "survey.module"

    class Meta:
        verbose_name = _("Zwischenstand")
        verbose_name_plural = _("Zwischenstände")
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="one_draft_per_account",
                                    condition=Q(user__isnull=False)),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.survey}: {self.pk}"


class ResponseQuerySet(models.QuerySet["Response"]):
    pass


class Response(RecordedAssurance):
    """A submitted questionnaire. Deliberately without account, token, address or time of day (see above)."""

    survey = models.ForeignKey(Survey, verbose_name=_("Umfrage"), on_delete=models.CASCADE, related_name="responses")
    submitted_on = models.DateField(_("Abgeschickt am"))
    # The trust level of the login that submitted it (accounts/assurance.py): says how sure the portal is that a
    # real, distinct person answered, not who. 0 and "" without a verified login.

    objects = ResponseQuerySet.as_manager()
    module_path = "survey.module"

    class Meta:
        verbose_name = _("Antwortbogen")
        verbose_name_plural = _("Antwortbögen")
        indexes = [
            models.Index(fields=["survey", "submitted_on"]),
            # The results page counts responses from a verified login by provider and level: few, not all.
            models.Index(
                fields=["survey", "assurance_level", "identity_provider"],
                condition=Q(assurance_level__gt=0),
                name="survey_response_verified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey}: {self.pk}"


class ResponseIdentity(RecordedActingFor):
    """Who submitted a response, kept only for pseudonymous (pseudonym) and identified surveys (account, time)."""

    response = models.OneToOneField(
        Response, verbose_name=_("Antwortbogen"), on_delete=models.CASCADE, related_name="identity"
    )
    pseudonym = models.CharField(_("Pseudonym"), max_length=64, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Konto"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    token = models.ForeignKey(
        Token, verbose_name=_("Zugangscode"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("Abgeschickt um"), null=True, blank=True)
    # Mein Unternehmenskonto, identified surveys only: the organisation the person answered for.

    class Meta:
        verbose_name = _("Absender")
        verbose_name_plural = _("Absender")

    def __str__(self) -> str:
        return f"{self.response_id}"


class Answer(models.Model):
    """One answer value, one row per chosen option, matrix row or ranked item, so results aggregate in SQL.

    single/yes_no/scale: ``choice``; multiple: a row per chosen option; "other": ``choice="_other"`` and ``text``;
    matrix: ``row`` and ``choice``; ranking: ``choice`` and ``number`` (1 = first); number: ``number``;
    date: ``date``; text: ``text``; location: ``lat``/``lon``; file: ``file``.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    row = models.CharField(max_length=40, blank=True)
    choice = models.CharField(max_length=40, blank=True)
    number = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    text = models.TextField(blank=True)
    date = models.DateField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    file = models.FileField(upload_to="surveys/files/", blank=True)
    # Staff choose free texts one by one for the public results.
    text_published = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("Antwort")
        verbose_name_plural = _("Antworten")
        indexes = [
            # Results count per question and value without reading the table (covering on PostgreSQL).
            models.Index(fields=["question", "choice", "row"], name="survey_answer_tally"),
            # The free texts of a question, in the order they page (response, id), counted without the table; the
            # few rows with a text only. Without it, each text list read every page of the table.
            models.Index(
                fields=["question", "response", "id", "choice"], condition=~Q(text=""), name="survey_answer_texts"
            ),
            # The points of a location question for the map, likewise in their order and without the table.
            models.Index(
                fields=["question", "response", "lat", "lon"],
                condition=Q(lat__isnull=False),
                name="survey_answer_points",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.choice or self.text[:40]}"


class Quota(models.Model):
    """At most ``limit`` complete responses: in total (no question) or per option of a single-choice question."""

    survey = models.ForeignKey(Survey, verbose_name=_("Umfrage"), on_delete=models.CASCADE, related_name="quotas")
    question = models.ForeignKey(
        Question, verbose_name=_("Frage"), null=True, blank=True, on_delete=models.CASCADE, related_name="quotas"
    )
    option_code = models.CharField(_("Antwort"), max_length=40, blank=True)
    limit = models.PositiveIntegerField(_("Höchstzahl"))
    # Raised only by a conditional UPDATE (filled < limit) in the submission's transaction.
    filled = models.PositiveIntegerField(_("Erreicht"), default=0, editable=False)

    module_path = "survey.module"

    class Meta:
        verbose_name = _("Quote")
        verbose_name_plural = _("Quoten")
        constraints = [
            models.UniqueConstraint(fields=["survey", "question", "option_code"], name="unique_quota"),
            models.CheckConstraint(condition=Q(filled__lte=models.F("limit")), name="quota_never_exceeded"),
        ]

    def __str__(self) -> str:
        return f"{self.question or _('Gesamt')} {self.option_code}: {self.filled}/{self.limit}"

    @property
    def is_full(self) -> bool:
        return self.filled >= self.limit
