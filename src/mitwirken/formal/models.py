from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Left
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitwirken.accounts.assurance import requirement_field
from mitwirken.accounts.assurance_records import RecordedActingFor, RecordedAssurance
from mitwirken.core.search import FIELD as SEARCH_DOCUMENT
from mitwirken.core.search import DocumentIndex, document_field, matching
from mitwirken.projects.models import Module, Phase

from .law import KOMMUNAL_STEPS, RAUMORDNUNG_STEPS, RULES, Audience, ProcedureType, RoundKind, Rules


class Procedure(models.Model):
    """The statutory procedure a formal module carries."""

    module = models.OneToOneField(Module, verbose_name=_("Modul"), on_delete=models.CASCADE, related_name="procedure")
    procedure_type = models.CharField(_("Verfahrensart"), max_length=20, choices=ProcedureType.choices)
    reference_prefix = models.CharField(
        _("Kürzel für Vorgangsnummern"), max_length=10, default="",
        help_text=_("Z. B. MK für den Landkreis Musterkreis; ergibt Vorgangsnummern wie MK-2026-ROV-000123."),
    )  # fmt: skip
    require_postal_address = models.BooleanField(
        _("Name und Anschrift verpflichtend"), default=True,
        help_text=_("Nur mit Name und Anschrift ist eine Stellungnahme rechtlich verwertbar."),
    )  # fmt: skip
    max_text_length = models.PositiveIntegerField(_("Höchstlänge einer Stellungnahme (Zeichen)"), default=20000)
    allow_unregistered = models.BooleanField(
        _("Stellungnahmen ohne Konto zulassen"), default=False,
        help_text=_("Dann genügt eine E-Mail-Adresse; die Stellungnahme geht erst mit der Bestätigung des Links ein."),
    )  # fmt: skip
    preclusion_notice = models.TextField(_("Hinweis zur Präklusion"), blank=True)
    retention_days = models.PositiveIntegerField(
        _("Aufbewahrung personenbezogener Daten (Tage nach Abschluss)"), default=3650
    )
    statement_counter = models.PositiveIntegerField(_("Zähler für Vorgangsnummern"), default=0, editable=False)
    # A change to public documents after statements arrived calls for a renewed participation (as § 4a Abs. 3
    # BauGB): the reason stays here until staff add a round of the kind "renewed".
    renewal_required_reason = models.TextField(_("Grund für eine erforderliche erneute Beteiligung"), blank=True)
    results_published_at = models.DateTimeField(_("Ergebnis der Abwägung veröffentlicht am"), null=True, blank=True)
    results_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Ergebnis veröffentlicht von"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("Förmliches Verfahren")
        verbose_name_plural = _("Förmliche Verfahren")

    def __str__(self) -> str:
        return f"{self.get_procedure_type_display()}: {self.module}"

    @property
    def rules(self) -> Rules:
        return RULES[self.procedure_type]

    @property
    def effective_preclusion_notice(self) -> str:
        return self.preclusion_notice or self.rules.preclusion_notice


class Round(models.Model):
    module_path = "procedure.module"  # see projects.models.module_of

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("Verfahren"), on_delete=models.CASCADE, related_name="rounds"
    )
    number = models.PositiveSmallIntegerField(_("Durchgang"))
    kind = models.CharField(_("Art"), max_length=20, choices=RoundKind.choices)

    class Meta:
        verbose_name = _("Durchgang")
        verbose_name_plural = _("Durchgänge")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["procedure", "number"], name="unique_round_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.get_kind_display()}"


class TrackQuerySet(models.QuerySet["Track"]):
    def with_phase(self) -> TrackQuerySet:
        return self.select_related("phase", "round")


class Track(models.Model):
    """One audience's comment period within a round; its dates live in the module phase it owns."""

    module_path = "round.procedure.module"  # see projects.models.module_of

    round = models.ForeignKey(Round, verbose_name=_("Durchgang"), on_delete=models.CASCADE, related_name="tracks")
    audience = models.CharField(_("Zielgruppe"), max_length=10, choices=Audience.choices)
    phase = models.OneToOneField(Phase, verbose_name=_("Phase"), on_delete=models.CASCADE, related_name="track")
    announced_at = models.DateTimeField(_("Bekannt gemacht am"), null=True, blank=True)
    period_override_reason = models.TextField(_("Begründung für eine abweichende Frist"), blank=True)
    # The announced period changed (shortened or extended once announced): it must be announced again.
    reannouncement_reason = models.TextField(_("Grund für eine neue Bekanntmachung"), blank=True)
    # Checked on the server for drafting, submitting, handing over, releasing and co-signing (formal/rules.py).
    min_assurance_level = requirement_field()
    # Set when the period came by XBeteiligung: the sender's keys, so that updates find the period and
    # 0701 statements carry what the sender can match.
    external_id = models.CharField(_("Beteiligungs-ID des Absenders"), max_length=200, blank=True, db_index=True)
    external_round = models.PositiveSmallIntegerField(_("Durchgang beim Absender"), null=True, blank=True)
    step_code = models.CharField(_("Verfahrensschritt (XBeteiligung)"), max_length=10, blank=True)
    notices = models.JSONField(_("Aktuelle Mitteilungen"), default=list, blank=True)
    # The sender's veroeffentlichungszeitraum: how long the documents stay public, told to the public as sent.
    documents_from = models.DateField(_("Unterlagen veröffentlicht ab"), null=True, blank=True)
    documents_until = models.DateField(_("Unterlagen veröffentlicht bis"), null=True, blank=True)

    objects = TrackQuerySet.as_manager()

    class Meta:
        verbose_name = _("Beteiligungsschritt")
        verbose_name_plural = _("Beteiligungsschritte")
        ordering = ["round__number", "audience"]
        constraints = [models.UniqueConstraint(fields=["round", "audience"], name="one_track_per_audience")]

    def __str__(self) -> str:
        return f"{self.round} – {self.get_audience_display()}"

    @property
    def start(self) -> datetime:
        return self.phase.start

    @property
    def end(self) -> datetime:
        return self.phase.end

    @property
    def last_day(self) -> Any:
        """The last calendar day (Berlin) on which statements are accepted."""
        return timezone.localtime(self.end - timedelta(seconds=1)).date()

    @property
    def xbeteiligung_code(self) -> int | None:
        """The step code of this period: as the sender named it, else the procedure type's default."""
        if self.step_code.isdigit():
            return int(self.step_code)
        return self.round.procedure.rules.step_codes.get((self.round.kind, self.audience))

    def is_open(self, now: datetime | None = None) -> bool:
        """Deadlines are decided here, on the server: open from start (inclusive) to end (exclusive)."""
        now = now or timezone.now()
        return self.start <= now < self.end

    def has_started(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.start


class DocumentKind(models.TextChoices):
    PLAN = "plan", _("Planentwurf")
    MAP = "map", _("Karte")
    JUSTIFICATION = "justification", _("Begründung")
    ENVIRONMENTAL_REPORT = "environmental_report", _("Umweltbericht")
    ORDINANCE = "ordinance", _("Verordnungsentwurf")
    OTHER = "other", _("Sonstige Unterlage")


class DocumentQuerySet(models.QuerySet["Document"]):
    def current(self) -> DocumentQuerySet:
        """The documents in force: neither replaced by a newer version nor withdrawn."""
        return self.filter(superseded_by__isnull=True, withdrawn_at__isnull=True)

    def earlier_or_withdrawn(self) -> DocumentQuerySet:
        """Replaced versions and withdrawn documents: they stay retrievable, marked as such."""
        return self.filter(Q(superseded_by__isnull=False) | Q(withdrawn_at__isnull=False))

    def visible_at(self, now: datetime) -> DocumentQuerySet:
        """Documents are published exactly when their track starts."""
        return self.filter(track__phase__start__lte=now)


class Document(models.Model):
    module_path = "procedure.module"  # see projects.models.module_of

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("Verfahren"), on_delete=models.CASCADE, related_name="documents"
    )
    track = models.ForeignKey(
        Track, verbose_name=_("Veröffentlicht mit"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("Art"), max_length=30, choices=DocumentKind.choices, default=DocumentKind.PLAN)
    title = models.CharField(_("Titel"), max_length=250)
    weight = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    file = models.FileField(_("Datei"), upload_to="formal/documents/")
    content_type = models.CharField(_("Dateityp"), max_length=120)
    size = models.PositiveBigIntegerField(_("Größe in Bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    text_alternative = models.TextField(
        _("Textfassung / barrierefreie Beschreibung"), blank=True,
        help_text=_("Für Karten und Pläne: eine Beschreibung in Worten für Menschen, die das Dokument nicht sehen können."),
    )  # fmt: skip
    version = models.PositiveSmallIntegerField(_("Fassung"), default=1)
    change_note = models.TextField(_("Was hat sich geändert?"), blank=True)
    superseded_by = models.OneToOneField(
        "self",
        verbose_name=_("Ersetzt durch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="previous",
    )
    created_at = models.DateTimeField(_("Hochgeladen"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("Zurückgezogen am"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("Grund für das Zurückziehen"), blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("Planunterlage")
        verbose_name_plural = _("Planunterlagen")
        ordering = ["weight", "id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.version}. Fassung)"

    @property
    def is_public(self) -> bool:
        """Published with the start of its track; from then on citizens may have read and cited it."""
        return self.track.has_started()


class DocumentSection(models.Model):
    """An entry of a document's table of contents that statements can refer to."""

    document = models.ForeignKey(
        Document, verbose_name=_("Unterlage"), on_delete=models.CASCADE, related_name="sections"
    )
    number = models.CharField(_("Nummer"), max_length=20, blank=True)
    title = models.CharField(_("Titel"), max_length=250)
    weight = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Abschnitt")
        verbose_name_plural = _("Abschnitte")
        ordering = ["weight", "id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class Channel(models.TextChoices):
    PORTAL = "portal", _("Beteiligungsportal")
    EMAIL = "email", _("E-Mail")
    LETTER = "letter", _("Brief")
    FAX = "fax", _("Fax")
    MINUTES = "minutes", _("Niederschrift")
    IMPORT = "import", _("Import")


class StatementStatus(models.TextChoices):
    NEW = "new", _("neu")
    IN_PROGRESS = "in_progress", _("in Bearbeitung")
    WEIGHED = "weighed", _("abgewogen")
    RELEASED = "released", _("freigegeben")


EXCERPT_LENGTH = 200


class StatementQuerySet(models.QuerySet["Statement"]):
    def for_inbox(self) -> StatementQuerySet:
        # A correlated subquery, not a JOIN + GROUP BY: the database can then read one page in order
        # instead of grouping every statement of the procedure first.
        attachments = (
            StatementAttachment.objects.filter(statement=models.OuterRef("pk")).order_by()
            .values("statement").annotate(count=models.Count("id")).values("count")
        )  # fmt: skip
        return (
            self.select_related("track__round", "section", "assignee")
            .defer(SEARCH_DOCUMENT)
            .annotate(attachment_count=Coalesce(models.Subquery(attachments), 0))
        )

    def with_excerpt(self) -> StatementQuerySet:
        """The list's excerpt cut by the database: a statement can be pages long, and the list shows 200 characters."""
        return self.defer("text").annotate(excerpt=Left("text", EXCERPT_LENGTH + 1))

    def search(self, text: str) -> StatementQuerySet:
        """A reference number typed in full finds that statement alone; anything else is searched for in the
        text, the name and the organisation (every word, in any inflected form on PostgreSQL)."""
        text = text.strip()
        if not text:
            return self
        by_reference = self.filter(reference__in={text, text.upper()})
        return by_reference if by_reference.exists() else matching(self, text)


class Statement(RecordedAssurance, RecordedActingFor):
    """A submitted statement: a record of the authority. Never edited by its author after submission."""

    module_path = "track.round.procedure.module"  # see projects.models.module_of

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("Verfahren"), on_delete=models.PROTECT, related_name="statements"
    )
    track = models.ForeignKey(
        Track, verbose_name=_("Beteiligungsschritt"), on_delete=models.PROTECT, related_name="statements"
    )
    reference = models.CharField(_("Vorgangsnummer"), max_length=40)
    submission_key = models.UUIDField(_("Übermittlungsschlüssel"), unique=True, default=uuid.uuid4, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Konto"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="statements",
    )  # fmt: skip
    author_name = models.CharField(_("Name"), max_length=150, blank=True)
    organisation_name = models.CharField(_("Für Organisation / Behörde"), max_length=200, blank=True)
    street = models.CharField(_("Straße und Hausnummer"), max_length=150, blank=True)
    postal_code = models.CharField(_("Postleitzahl"), max_length=10, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    email = models.EmailField(_("E-Mail-Adresse"), blank=True)
    publish_name = models.BooleanField(_("Name darf veröffentlicht werden"), default=False)
    text = models.TextField(_("Stellungnahme"))
    search_document = document_field(reference="A", author_name="A", organisation_name="A", text="B")
    section = models.ForeignKey(
        DocumentSection, verbose_name=_("Bezug auf Abschnitt"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="statements",
    )  # fmt: skip
    location = models.JSONField(_("Ortsbezug (GeoJSON)"), null=True, blank=True)
    channel = models.CharField(_("Eingangsweg"), max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    received_at = models.DateTimeField(_("Eingegangen am"))
    late = models.BooleanField(_("Nach Fristende eingegangen"), default=False)
    status = models.CharField(_("Status"), max_length=20, choices=StatementStatus.choices, default=StatementStatus.NEW)
    content_sha256 = models.CharField(_("SHA-256 der Stellungnahme"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Erfasst von"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    anonymised_at = models.DateTimeField(_("Anonymisiert am"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Zuständig"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="assigned_statements",
    )  # fmt: skip
    keywords: models.ManyToManyField[Keyword, Any] = models.ManyToManyField(
        "Keyword", verbose_name=_("Schlagworte"), blank=True, related_name="statements"
    )
    lead = models.ForeignKey(
        "self", verbose_name=_("Leitstellungnahme (Masseneinwendung)"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="members",
    )  # fmt: skip
    # The analysis's proposal (mitwirken.analysis.nearduplicates): the lead this statement is a near-duplicate of,
    # how similar, and why (explanation and what it adds to the lead). ``lead`` is set only when staff confirm.
    proposed_lead = models.ForeignKey(
        "self", verbose_name=_("Vorgeschlagene Leitstellungnahme"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="proposed_members",
    )  # fmt: skip
    group_score = models.FloatField(_("Ähnlichkeit zur Leitstellungnahme"), null=True, blank=True)
    group_explanation = models.JSONField(_("Begründung der Gruppierung"), default=dict, blank=True)
    # A member that adds its own point to the lead's text gets its own response, not only the lead's.
    needs_own_response = models.BooleanField(_("Braucht eine eigene Erwiderung"), default=False)
    # Staff took it out of a group: the analysis does not propose it again.
    grouping_declined = models.BooleanField(_("Nicht gruppieren"), default=False)
    # In the procedure's stored near-duplicate index: a placement task takes every statement not yet placed, so
    # one task catches up with a whole deadline rush and the tasks after it end without loading the index.
    grouping_placed = models.BooleanField(_("Für Masseneinwendungen ausgewertet"), default=False, editable=False)
    final_notice_sent_at = models.DateTimeField(_("Schlussmitteilung versandt"), null=True, blank=True)
    agency = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("Für Träger öffentlicher Belange"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Freigegeben von"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    # The login that submitted it (accounts/assurance.py); 0 and "" for statements staff recorded or without account.
    # Mein Unternehmenskonto: the organisation the person acted for, as the identity provider named it.
    cosign_token = models.UUIDField(_("Schlüssel zum Mitzeichnen"), default=uuid.uuid4, unique=True, editable=False)

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("Stellungnahme")
        verbose_name_plural = _("Stellungnahmen")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "reference"], name="unique_reference_per_procedure")
        ]
        indexes = [
            models.Index(fields=["procedure", "-received_at", "-id"]),
            DocumentIndex(fields=["search_document"], name="statement_search"),
            # The status filter of the inbox, read in the inbox's order (and counts per status).
            models.Index(fields=["procedure", "status", "-received_at", "-id"], name="statement_by_status"),
            # The staff overview counts open statements per procedure and assignee from this index alone.
            models.Index(
                fields=["procedure", "assignee"],
                condition=Q(status__in=["new", "in_progress"]),
                name="statement_open_work",
            ),
            # The statements still to be placed in the near-duplicate index (few, in a large procedure).
            models.Index(fields=["procedure"], condition=Q(grouping_placed=False), name="statement_grouping_pending"),
            # Mein Bereich: a person's newest statements without sorting all of them.
            models.Index(fields=["author", "-received_at", "-id"], name="statement_author_newest"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def has_postal_address(self) -> bool:
        return bool(self.author_name and self.street and self.postal_code and self.city)


class Topic(models.Model):
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("Verfahren"), on_delete=models.CASCADE, related_name="topics"
    )
    name = models.CharField(_("Thema"), max_length=120)

    class Meta:
        verbose_name = _("Thema")
        verbose_name_plural = _("Themen")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["procedure", "name"], name="unique_topic_per_procedure")]

    def __str__(self) -> str:
        return self.name


class Keyword(models.Model):
    topic = models.ForeignKey(Topic, verbose_name=_("Thema"), on_delete=models.CASCADE, related_name="keywords")
    name = models.CharField(_("Schlagwort"), max_length=120)

    class Meta:
        verbose_name = _("Schlagwort")
        verbose_name_plural = _("Schlagworte")
        ordering = ["topic__name", "name"]
        constraints = [models.UniqueConstraint(fields=["topic", "name"], name="unique_keyword_per_topic")]

    def __str__(self) -> str:
        return f"{self.topic.name}: {self.name}"


class TextBlock(models.Model):
    """A reusable response text for the Abwägung."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("Verfahren"), on_delete=models.CASCADE, related_name="text_blocks"
    )
    title = models.CharField(_("Titel"), max_length=150)
    text = models.TextField(_("Text"))

    class Meta:
        verbose_name = _("Textbaustein")
        verbose_name_plural = _("Textbausteine")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Result(models.TextChoices):
    CONSIDERED = "considered", _("berücksichtigt")
    PARTLY = "partly", _("teilweise berücksichtigt")
    NOT_CONSIDERED = "not_considered", _("nicht berücksichtigt")
    NOTED = "noted", _("zur Kenntnis genommen")


class Segment(models.Model):
    """One concern of a statement, with its response and result. Edited under optimistic locking."""

    module_path = "statement.track.round.procedure.module"  # see projects.models.module_of

    statement = models.ForeignKey(
        Statement, verbose_name=_("Stellungnahme"), on_delete=models.CASCADE, related_name="segments"
    )
    number = models.PositiveSmallIntegerField(_("Nummer"))
    text = models.TextField(_("Textabschnitt"))
    keywords = models.ManyToManyField(Keyword, verbose_name=_("Schlagworte"), blank=True, related_name="segments")
    response = models.TextField(_("Abwägung / Erwiderung"), blank=True)
    result = models.CharField(_("Ergebnis"), max_length=20, choices=Result.choices, blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=StatementStatus.choices, default=StatementStatus.NEW)
    version = models.PositiveIntegerField(_("Version"), default=1)
    updated_at = models.DateTimeField(_("Zuletzt geändert"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Zuletzt geändert von"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    # Set by the Abwägung view after an edit conflict: the colleague's text, shown for merging.
    conflict_response: str | None = None

    class Meta:
        verbose_name = _("Abschnitt der Stellungnahme")
        verbose_name_plural = _("Abschnitte der Stellungnahme")
        ordering = ["statement", "number"]
        constraints = [models.UniqueConstraint(fields=["statement", "number"], name="unique_segment_number")]

    def __str__(self) -> str:
        return f"{self.statement.reference}/{self.number}"


class CoSigner(models.Model):
    """A further submitter (Mitzeichnende/r) of the same text, with their own name and address."""

    statement = models.ForeignKey(
        Statement, verbose_name=_("Stellungnahme"), on_delete=models.CASCADE, related_name="cosigners"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Konto"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="cosigned")  # fmt: skip
    name = models.CharField(_("Vor- und Nachname"), max_length=150)
    street = models.CharField(_("Straße und Hausnummer"), max_length=150)
    postal_code = models.CharField(_("Postleitzahl"), max_length=10)
    city = models.CharField(_("Ort"), max_length=100)
    email = models.EmailField(_("E-Mail-Adresse"), blank=True)
    signed_at = models.DateTimeField(_("Mitgezeichnet am"))
    final_notice_sent_at = models.DateTimeField(_("Schlussmitteilung versandt"), null=True, blank=True)

    class Meta:
        verbose_name = _("Mitzeichnende Person")
        verbose_name_plural = _("Mitzeichnende Personen")
        ordering = ["signed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["statement", "user"], name="one_cosignature_per_account")]

    def __str__(self) -> str:
        return self.name


class UnregisteredSubmission(models.Model):
    """A statement by someone without an account; it is received when the e-mail link is confirmed."""

    track = models.ForeignKey(Track, verbose_name=_("Beteiligungsschritt"), on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("E-Mail-Adresse"))
    data = models.JSONField(_("Eingaben"), default=dict)
    token = models.UUIDField(_("Bestätigungsschlüssel"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("Angelegt"), auto_now_add=True)
    statement = models.OneToOneField(
        Statement, verbose_name=_("Stellungnahme"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("Stellungnahme ohne Konto (unbestätigt)")
        verbose_name_plural = _("Stellungnahmen ohne Konto (unbestätigt)")

    def __str__(self) -> str:
        return str(self.token)

    @property
    def submission_key(self) -> uuid.UUID:
        """The confirmation token doubles as the idempotency key of the resulting statement."""
        return self.token

    def value(self, key: str, default: Any = "") -> Any:
        return self.data.get(key, default)


class StatementTally(models.Model):
    """Statements per procedure, status and assignee, counted ahead (``assignee_id`` 0: nobody).

    PostgreSQL only; SQLite counts live. Triggers keep it in the same transaction as every write to the statements
    (``save()``, ``bulk_create()``, ``QuerySet.update()``, deletes, cascades), so no service has to remember it; see
    migration 0013. It answers the counts that an index cannot make cheap: the inbox's total of 50,000 statements
    and the staff overview's open work (``formal.tally``).
    """

    procedure_id = models.BigIntegerField()
    status = models.CharField(max_length=20)
    assignee_id = models.BigIntegerField()
    statements = models.IntegerField()

    class Meta:
        managed = False  # created with its triggers by a PostgreSQL-only migration
        db_table = "formal_statementtally"

    def __str__(self) -> str:
        return f"{self.procedure_id}/{self.status}/{self.assignee_id}: {self.statements}"


class StatementAttachment(models.Model):
    statement = models.ForeignKey(
        Statement,
        verbose_name=_("Stellungnahme"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    draft = models.ForeignKey(
        "StatementDraft",
        verbose_name=_("Entwurf"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("Datei"), upload_to="formal/statements/")
    name = models.CharField(_("Dateiname"), max_length=200)
    content_type = models.CharField(_("Dateityp"), max_length=120)
    size = models.PositiveBigIntegerField(_("Größe in Bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("Anlage")
        verbose_name_plural = _("Anlagen")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(statement__isnull=False) | Q(draft__isnull=False), name="attachment_belongs_somewhere"
            )
        ]

    def __str__(self) -> str:
        return self.name


class StatementDraft(models.Model):
    """What a person has typed so far; saved automatically, turned into a Statement on the final submit."""

    module_path = "track.round.procedure.module"  # see projects.models.module_of

    track = models.ForeignKey(
        Track, verbose_name=_("Beteiligungsschritt"), on_delete=models.CASCADE, related_name="drafts"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Konto"), on_delete=models.CASCADE, related_name="+"
    )
    submission_key = models.UUIDField(_("Übermittlungsschlüssel"), default=uuid.uuid4, unique=True, editable=False)
    data = models.JSONField(_("Eingaben"), default=dict)
    updated_at = models.DateTimeField(_("Zuletzt gespeichert"), auto_now=True)
    # DiPlanung pattern: an agency's case worker hands the draft to the agency's coordinator for release.
    awaiting_release_since = models.DateTimeField(_("Zur Freigabe übergeben"), null=True, blank=True)
    agency = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("Träger öffentlicher Belange"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("Entwurf einer Stellungnahme")
        verbose_name_plural = _("Entwürfe von Stellungnahmen")
        constraints = [models.UniqueConstraint(fields=["track", "author"], name="one_draft_per_track_and_author")]

    def __str__(self) -> str:
        return f"Entwurf {self.submission_key}"

    def value(self, key: str, default: Any = "") -> Any:
        return self.data.get(key, default)


# XBeteiligung exchange: the sender's plan behind an imported procedure, and every message in and out.


class ImportedPlan(models.Model):
    """The sender's plan a procedure was opened for by XBeteiligung (0301/0401), kept current by 0302/0402."""

    procedure = models.OneToOneField(
        Procedure, verbose_name=_("Verfahren"), on_delete=models.CASCADE, related_name="imported_plan"
    )
    family = models.CharField(_("Nachrichtenfamilie"), max_length=20)  # kommunal, raumordnung
    plan_id = models.CharField(_("Plan-ID des Absenders"), max_length=200, db_index=True)
    vorgang_id = models.CharField(_("Vorgangs-ID des Absenders"), max_length=200)
    sender_id = models.CharField(_("Kennung des Absenders"), max_length=200)
    sender_name = models.CharField(_("Name des Absenders"), max_length=300)
    sender_directory = models.CharField(_("Verzeichnisdienst des Absenders"), max_length=40, default="DVDV")
    sender_email = models.CharField(_("E-Mail des Absenders"), max_length=300, blank=True)
    initiator = models.CharField(_("Veranlasser"), max_length=300, blank=True)
    plan_name = models.CharField(_("Planname"), max_length=500)
    working_title = models.CharField(_("Arbeitstitel"), max_length=500, blank=True)
    plan_type = models.CharField(_("Planart"), max_length=100, blank=True)
    stage = models.CharField(_("Verfahrensschritt"), max_length=10, blank=True)
    planning_reason = models.TextField(_("Planungsanlass"), blank=True)
    area_description = models.TextField(_("Räumlicher Geltungsbereich"), blank=True)
    boundary_url = models.URLField(_("Kartendienst der Flächenabgrenzung"), max_length=1000, blank=True)
    participation_url = models.URLField(_("Beteiligung beim Absender"), max_length=1000, blank=True)
    updated_at = models.DateTimeField(_("Zuletzt aktualisiert"), auto_now=True)

    class Meta:
        verbose_name = _("Plan des Absenders (XBeteiligung)")
        verbose_name_plural = _("Pläne der Absender (XBeteiligung)")

    def __str__(self) -> str:
        return f"{self.plan_name} ({self.plan_id})"

    @property
    def stage_label(self) -> str:
        steps = KOMMUNAL_STEPS if self.family == "kommunal" else RAUMORDNUNG_STEPS
        step = steps.get(self.stage)
        return f"{self.stage} {step.label}" if step else self.stage


class LinkedDocument(models.Model):
    """A document a message lists by link or without content: fetched when the operator allows its host."""

    class State(models.TextChoices):
        LINKED = "linked", _("verlinkt")
        WAITING = "waiting", _("wartet auf eine Frist")
        FETCHED = "fetched", _("übernommen")
        MISSING = "missing", _("nicht mitgeliefert")
        FAILED = "failed", _("Abruf fehlgeschlagen")

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("Verfahren"), on_delete=models.CASCADE, related_name="linked_documents"
    )
    track = models.ForeignKey(
        Track, verbose_name=_("Beteiligungsschritt"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_id = models.CharField(_("Dokument-ID des Absenders"), max_length=200, blank=True)
    title = models.CharField(_("Bezeichnung"), max_length=500)
    url = models.URLField(_("Adresse"), max_length=2000, blank=True)
    content_type = models.CharField(_("Dateityp"), max_length=120, blank=True)
    sha256 = models.CharField(_("SHA-256 laut Nachricht"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("Größe laut Nachricht"), null=True, blank=True)
    state = models.CharField(_("Stand"), max_length=10, choices=State.choices, default=State.LINKED)
    audience = models.CharField(_("Zielgruppe"), max_length=10, choices=Audience.choices, blank=True)
    # A document that came with a step without a comment period (e.g. configuration) waits here, received,
    # until a period of its audience exists to publish it with.
    file = models.FileField(_("Empfangene Datei"), upload_to="formal/received/", blank=True)
    problem = models.TextField(_("Problem"), blank=True)
    document = models.ForeignKey(
        Document, verbose_name=_("Übernommene Unterlage"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("Angelegt"), auto_now_add=True)

    class Meta:
        verbose_name = _("Verlinkte Unterlage")
        verbose_name_plural = _("Verlinkte Unterlagen")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class ExchangeStatus(models.TextChoices):
    PROCESSED = "processed", _("verarbeitet")
    FAILED = "failed", _("abgelehnt")
    PARKED = "parked", _("Empfänger unbekannt")
    PENDING = "pending", _("wartet auf Versand")
    SENT = "sent", _("versandt")
    UNDELIVERED = "undelivered", _("Versand gescheitert")


class ExchangeMessageQuerySet(models.QuerySet["ExchangeMessage"]):
    def incoming(self) -> ExchangeMessageQuerySet:
        return self.filter(direction=ExchangeMessage.Direction.IN)

    def outgoing(self) -> ExchangeMessageQuerySet:
        return self.filter(direction=ExchangeMessage.Direction.OUT)

    def for_list(self) -> ExchangeMessageQuerySet:
        return self.defer("payload").select_related("procedure__module", "created_by")


class ExchangeMessage(models.Model):
    """One XBeteiligung message received or sent, with what became of it: the inbox and outbox per organisation.

    Incoming messages are idempotent by their message id: a processed (or parked) id is answered with the
    reply of its first arrival and changes nothing again.
    """

    class Direction(models.TextChoices):
        IN = "in", _("Eingang")
        OUT = "out", _("Ausgang")

    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("Organisation"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
    )  # fmt: skip
    direction = models.CharField(_("Richtung"), max_length=3, choices=Direction.choices)
    message_type = models.CharField(_("Nachricht"), max_length=80)
    message_id = models.CharField(_("Nachrichten-ID"), max_length=100, blank=True)
    status = models.CharField(_("Stand"), max_length=12, choices=ExchangeStatus.choices)
    reason = models.TextField(_("Grund"), blank=True)
    author_id = models.CharField(_("Kennung des Autors"), max_length=200, blank=True)
    author_name = models.CharField(_("Autor"), max_length=300, blank=True)
    reader_id = models.CharField(_("Kennung des Lesers"), max_length=200, blank=True)
    reader_name = models.CharField(_("Leser"), max_length=300, blank=True)
    payload = models.TextField(_("Nachricht (XML)"))
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("Verfahren"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    statement = models.ForeignKey(
        Statement, verbose_name=_("Stellungnahme"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_to = models.ForeignKey(
        "self", verbose_name=_("Antwort auf"), null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Von"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)
    # Push to a partner's endpoint (outgoing only).
    attempts = models.PositiveSmallIntegerField(_("Zustellversuche"), default=0)
    next_attempt_at = models.DateTimeField(_("Nächster Versuch"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("Zugestellt"), null=True, blank=True)
    # A statement message's XML names people; it is emptied with the statements' retention (notices.py).
    redacted_at = models.DateTimeField(_("Inhalt gelöscht am"), null=True, blank=True)

    objects = ExchangeMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("XBeteiligung-Nachricht")
        verbose_name_plural = _("XBeteiligung-Nachrichten")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The idempotency key: a message id is processed once (failed attempts may be sent again).
            models.UniqueConstraint(
                fields=["message_id"], condition=Q(direction="in", status__in=["processed", "parked"]),
                name="incoming_message_processed_once",
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["organisation", "direction", "-created_at"], name="exchange_box"),
            models.Index(fields=["message_id"], name="exchange_message_id"),
        ]

    def __str__(self) -> str:
        return f"{self.message_type} {self.message_id}"


class PartnerEndpoint(models.Model):
    """Where an organisation's 0701 statements are pushed (optional): the partner system's HTTPS endpoint."""

    organisation = models.OneToOneField(
        "organisations.Organisation", verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="+"
    )
    url = models.URLField(_("Adresse der Gegenstelle"), max_length=1000)
    token = models.CharField(
        _("Zugangsschlüssel der Gegenstelle"), max_length=500, blank=True,
        help_text=_("Wird als „Authorization: Bearer …“ mitgesendet."),
    )  # fmt: skip
    active = models.BooleanField(_("Stellungnahmen automatisch übermitteln"), default=True)
    updated_at = models.DateTimeField(_("Zuletzt geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Gegenstelle für XBeteiligung")
        verbose_name_plural = _("Gegenstellen für XBeteiligung")

    def __str__(self) -> str:
        return self.url
