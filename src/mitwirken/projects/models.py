from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from mitwirken.core.search import DocumentIndex, document_field, matching
from mitwirken.organisations.models import Organisation

from . import registry


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    PUBLISHED = "published", _("Veröffentlicht")
    ARCHIVED = "archived", _("Archiviert")


class AccessMode(models.TextChoices):
    PUBLIC = "public", _("Öffentlich")
    SEMIPUBLIC = "semipublic", _("Halböffentlich: alle lesen, nur Eingeladene beteiligen sich")
    PROTECTED = "protected", _("Geschützt: nur Eingeladene sehen das Projekt")


class Timing(models.TextChoices):
    """Where a project stands in time, derived from its phases."""

    UPCOMING = "upcoming", _("Demnächst")
    OPEN = "open", _("Laufend")
    FINISHED = "finished", _("Abgeschlossen")


class Topic(models.TextChoices):
    ENVIRONMENT = "umwelt", _("Umwelt und Klima")
    MOBILITY = "mobilitaet", _("Verkehr und Mobilität")
    PLANNING = "planung", _("Planen und Bauen")
    EDUCATION = "bildung", _("Bildung")
    SOCIAL = "soziales", _("Soziales und Gesundheit")
    CULTURE = "kultur", _("Kultur und Freizeit")
    ECONOMY = "wirtschaft", _("Wirtschaft und Arbeit")
    DIGITAL = "digitales", _("Digitales und Verwaltung")
    OTHER = "sonstiges", _("Sonstiges")


PUBLICLY_LISTED = (AccessMode.PUBLIC, AccessMode.SEMIPUBLIC)
VISIBLE_STATUSES = (ProjectStatus.PUBLISHED, ProjectStatus.ARCHIVED)
# The one definition of "appears in public lists"; the partial indexes below repeat it so that the
# database can read a page of listed projects in order instead of sorting all of them.
LISTED = Q(status__in=VISIBLE_STATUSES, access__in=PUBLICLY_LISTED)
# What a project card (and the API list) shows; the wide text and geometry columns stay in the table.
CARD_FIELDS = (
    "id", "organisation_id", "title", "slug", "summary", "topics", "status", "access", "published_at",
    "first_phase_start", "last_phase_end", "organisation__name", "organisation__slug",
)  # fmt: skip


class ProjectQuerySet(models.QuerySet["Project"]):
    def published(self) -> ProjectQuerySet:
        """Published and archived projects: both are visible to their audience."""
        return self.filter(status__in=VISIBLE_STATUSES)

    def listed(self) -> ProjectQuerySet:
        """What appears in public lists, searches and feeds. Protected projects never do."""
        return self.filter(LISTED)

    def timing(self, timing: str, now: datetime | None = None) -> ProjectQuerySet:
        now = now or timezone.now()
        if timing == Timing.UPCOMING:
            return self.filter(first_phase_start__gt=now)
        if timing == Timing.OPEN:
            return self.filter(first_phase_start__lte=now, last_phase_end__gt=now)
        if timing == Timing.FINISHED:
            return self.filter(Q(last_phase_end__lte=now) | Q(status=ProjectStatus.ARCHIVED))
        return self

    def with_topic(self, topic: str) -> ProjectQuerySet:
        """Projects tagged with a topic; ``topics`` is a JSON list of keys, matched as its quoted element (a text
        match works on SQLite and PostgreSQL alike, and no key is part of another)."""
        return self.filter(topics__icontains=f'"{topic}"')

    def with_module_type(self, key: str) -> ProjectQuerySet:
        return self.filter(Exists(Module.objects.filter(project=OuterRef("pk"), module_type=key)))

    def search(self, text: str) -> ProjectQuerySet:
        """Projects with every word in their title, summary or description (annotated with ``search_rank``)."""
        return matching(self, text) if text.strip() else self

    def for_list(self) -> ProjectQuerySet:
        """The columns a list row shows, with its organisation's name and slug."""
        return self.select_related("organisation").only(*CARD_FIELDS)

    def for_cards(self) -> ProjectQuerySet:
        """What a project card needs, in a constant number of queries."""
        return self.for_list().prefetch_related(
            models.Prefetch("modules", queryset=Module.objects.only("id", "project_id", "module_type", "weight"))
        )


class Project(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(_("Titel"), max_length=200)
    slug = models.SlugField(_("Kurzbezeichnung"), max_length=80, help_text=_("Erscheint in der Adresse des Projekts."))
    summary = models.CharField(_("Kurzbeschreibung"), max_length=500)
    description = models.TextField(_("Beschreibung"), blank=True)
    search_document = document_field(title="A", summary="B", description="C")
    topics = models.JSONField(_("Themen"), default=list, blank=True)
    location = models.JSONField(_("Ort (GeoJSON)"), null=True, blank=True)
    location_label = models.CharField(_("Ortsangabe"), max_length=200, blank=True)
    contact_name = models.CharField(_("Ansprechperson"), max_length=150, blank=True)
    contact_email = models.EmailField(_("E-Mail der Ansprechperson"), blank=True)
    contact_phone = models.CharField(_("Telefon der Ansprechperson"), max_length=40, blank=True)
    image = models.ImageField(_("Bild"), upload_to="projects/images/", blank=True)
    image_alt = models.CharField(
        _("Bildbeschreibung (Alternativtext)"), max_length=250, blank=True,
        help_text=_("Beschreibt das Bild für Menschen, die es nicht sehen können."),
    )  # fmt: skip
    status = models.CharField(_("Status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT)
    access = models.CharField(_("Zugang"), max_length=20, choices=AccessMode.choices, default=AccessMode.PUBLIC)
    created_at = models.DateTimeField(_("Angelegt"), auto_now_add=True)
    published_at = models.DateTimeField(_("Veröffentlicht am"), null=True, blank=True)
    # Kept up to date by the phase services so lists can filter by timing without joins.
    first_phase_start = models.DateTimeField(_("Beginn der ersten Phase"), null=True, blank=True, editable=False)
    last_phase_end = models.DateTimeField(_("Ende der letzten Phase"), null=True, blank=True, editable=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("Projekt")
        verbose_name_plural = _("Projekte")
        ordering = ["-published_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="unique_project_slug_per_org")]
        indexes = [
            models.Index(fields=["status", "access", "-published_at"]),
            DocumentIndex(fields=["search_document"], name="project_search"),
            models.Index(fields=["-published_at", "-id"], condition=LISTED, name="project_listed_recent"),
            models.Index(
                fields=["organisation", "-published_at", "-id"], condition=LISTED, name="project_listed_by_org"
            ),
            models.Index(fields=["first_phase_start", "last_phase_end"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", kwargs={"org_slug": self.organisation.slug, "project_slug": self.slug})

    def url_kwargs(self) -> dict[str, str]:
        return {"org_slug": self.organisation.slug, "project_slug": self.slug}

    @property
    def is_published(self) -> bool:
        return self.status in (ProjectStatus.PUBLISHED, ProjectStatus.ARCHIVED)

    def timing_at(self, now: datetime | None = None) -> str | None:
        now = now or timezone.now()
        if self.status == ProjectStatus.ARCHIVED:
            return Timing.FINISHED
        if self.first_phase_start is None or self.last_phase_end is None:
            return None
        if now < self.first_phase_start:
            return Timing.UPCOMING
        if now < self.last_phase_end:
            return Timing.OPEN
        return Timing.FINISHED

    @property
    def timing(self) -> str | None:
        return self.timing_at()

    @property
    def timing_label(self) -> str:
        timing = self.timing
        return str(Timing(timing).label) if timing else ""

    @property
    def module_type_names(self) -> list[str]:
        names = []
        for module in self.modules.all():
            module_type = registry.get(module.module_type)
            if module_type and str(module_type.name) not in names:
                names.append(str(module_type.name))
        return names

    def topic_labels(self) -> list[str]:
        labels = dict(Topic.choices)
        return [str(labels.get(topic, topic)) for topic in self.topics]


class ProjectAttachment(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("Projekt"), on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(_("Titel"), max_length=200)
    file = models.FileField(_("Datei"), upload_to="projects/attachments/")
    content_type = models.CharField(_("Dateityp"), max_length=120)
    size = models.PositiveBigIntegerField(_("Größe in Bytes"))
    created_at = models.DateTimeField(_("Hochgeladen"), auto_now_add=True)

    class Meta:
        verbose_name = _("Anhang")
        verbose_name_plural = _("Anhänge")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_label(self) -> str:
        """What people call the file type: PDF, DOCX, PNG …"""
        return self.file.name.rsplit(".", 1)[-1].upper() if "." in self.file.name else ""


# Path segments under a project that are not modules: the project's own pages and the module addresses
# used before modules had slugs (they redirect permanently).
RESERVED_MODULE_SLUGS = frozenset({"bild", "anhaenge", "module", "dialog", "verfahren"})


def unique_project_slug(organisation_id: int, title: str, *, exclude_pk: int | None = None) -> str:
    """The address proposed from a project's title, unique within its organisation: "spielplatz-am-markt-2"."""
    from mitwirken.core.text import german_slug

    base = german_slug(title, 70) or "projekt"
    others = Project.objects.filter(organisation_id=organisation_id, slug__startswith=base)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    taken = set(others.values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def unique_module_slug(project_id: int, name: str, *, exclude_pk: int | None = None) -> str:
    """A readable address for a module, unique within its project: "radverkehr", "radverkehr-2", …"""
    base = slugify(name)[:40].strip("-") or "modul"
    if base in RESERVED_MODULE_SLUGS or base.isdigit():
        base = f"modul-{base}"
    others = Module.objects.filter(project_id=project_id)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    taken = set(others.values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


class Module(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("Projekt"), on_delete=models.CASCADE, related_name="modules")
    module_type = models.CharField(_("Modultyp"), max_length=40)
    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(
        _("Adresse"), max_length=50, allow_unicode=False,
        help_text=_("Teil der Internetadresse des Moduls, z. B. „radverkehr“. Wird aus dem Namen vorgeschlagen."),
    )  # fmt: skip
    description = models.TextField(_("Beschreibung"), blank=True)
    weight = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Modul")
        verbose_name_plural = _("Module")
        ordering = ["weight", "id"]
        indexes = [models.Index(fields=["module_type", "project"])]
        constraints = [models.UniqueConstraint(fields=["project", "slug"], name="unique_module_slug_per_project")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every module has an address, also when created outside the service (fixtures, imports).
        if not self.slug:
            self.slug = unique_module_slug(self.project_id, self.name, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "projects:module",
            kwargs={"org_slug": self.project.organisation.slug, "project_slug": self.project.slug,
                    "module_slug": self.slug},
        )  # fmt: skip

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.slug in RESERVED_MODULE_SLUGS or self.slug.isdigit():
            raise ValidationError({"slug": _("Diese Adresse ist reserviert. Bitte wählen Sie eine andere.")})

    @property
    def type(self) -> registry.ModuleType | None:
        return registry.get(self.module_type)

    def active_phase(self, now: datetime | None = None) -> Phase | None:
        now = now or timezone.now()
        return next((phase for phase in self.phases.all() if phase.start <= now < phase.end), None)

    def allows(self, action: str, now: datetime | None = None) -> bool:
        """Whether the phase running at ``now`` permits ``action``."""
        phase = self.active_phase(now)
        return phase is not None and action in phase.features


class Phase(models.Model):
    module = models.ForeignKey(Module, verbose_name=_("Modul"), on_delete=models.CASCADE, related_name="phases")
    phase_type = models.CharField(_("Phasentyp"), max_length=40)
    name = models.CharField(_("Name"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    start = models.DateTimeField(_("Beginn"))
    end = models.DateTimeField(_("Ende"))
    features = models.JSONField(_("Erlaubte Aktionen"), default=list, blank=True)

    class Meta:
        verbose_name = _("Phase")
        verbose_name_plural = _("Phasen")
        ordering = ["start", "id"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="phase_ends_after_start")]

    def __str__(self) -> str:
        return self.name

    def is_active(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.start <= now < self.end


def module_of(obj: Any) -> Module | None:
    """The module an object belongs to: the one mapping that permission rules and services use.

    A model inside a module names the way to it in ``module_path`` (dotted attributes, default
    ``"module"``), e.g. a formal ``Track`` says ``"round.procedure.module"``. Projects belong to no module.
    """
    if obj is None or isinstance(obj, Module):
        return obj
    if isinstance(obj, Project):
        return None
    for name in getattr(obj, "module_path", "module").split("."):
        obj = getattr(obj, name)
    return obj


def project_of(obj: Any) -> Project | None:
    """The project of a project, a module or anything inside a module."""
    if obj is None or isinstance(obj, Project):
        return obj
    module = module_of(obj)
    return module.project if module is not None else None


class ParticipantRole(models.TextChoices):
    PARTICIPANT = "participant", _("Teilnehmende Person")
    AGENCY = "agency", _("Träger öffentlicher Belange (TöB)")
    MODERATOR = "moderator", _("Moderation")


class ProjectMembership(models.Model):
    """An invited person in a project: a participant, an agency member or a moderator."""

    project = models.ForeignKey(
        Project, verbose_name=_("Projekt"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Konto"), on_delete=models.CASCADE, related_name="project_memberships"
    )
    role = models.CharField(
        _("Rolle"), max_length=20, choices=ParticipantRole.choices, default=ParticipantRole.PARTICIPANT
    )
    agency = models.ForeignKey(
        Organisation,
        verbose_name=_("Vertretene Behörde oder Stelle"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("Seit"), auto_now_add=True)

    class Meta:
        verbose_name = _("Projektmitgliedschaft")
        verbose_name_plural = _("Projektmitgliedschaften")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="one_project_membership")]

    def __str__(self) -> str:
        return f"{self.user} – {self.project}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("Projekt"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("E-Mail-Adresse"))
    name = models.CharField(_("Name oder Stelle"), max_length=200, blank=True)
    role = models.CharField(
        _("Rolle"), max_length=20, choices=ParticipantRole.choices, default=ParticipantRole.PARTICIPANT
    )
    agency = models.ForeignKey(
        Organisation,
        verbose_name=_("Für Behörde oder Stelle"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token = models.CharField(_("Schlüssel"), max_length=64, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Eingeladen von"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("Erstellt"), auto_now_add=True)
    expires_at = models.DateTimeField(_("Gültig bis"))
    accepted_at = models.DateTimeField(_("Angenommen"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Angenommen von"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("Widerrufen"), null=True, blank=True)
    sent_count = models.PositiveSmallIntegerField(_("Anzahl Versand"), default=1)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.project}"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return str(_("widerrufen"))
        if self.accepted_at:
            return str(_("angenommen"))
        if self.expires_at <= timezone.now():
            return str(_("abgelaufen"))
        return str(_("offen"))

    def unusable_reason(self, user: Any = None) -> str | None:
        """Why this invitation cannot be accepted (by ``user``), or None if it can."""
        if self.revoked_at:
            return str(_("Diese Einladung wurde zurückgezogen. Bitte wenden Sie sich an die einladende Stelle."))
        if self.accepted_at:
            if user is not None and self.accepted_by_id == user.pk:
                return None
            return str(_("Diese Einladung wurde bereits angenommen."))
        if self.expires_at <= timezone.now():
            return str(
                _("Diese Einladung ist am %(date)s abgelaufen. Bitte bitten Sie die einladende Stelle um eine neue.")
                % {"date": timezone.localtime(self.expires_at).strftime("%d.%m.%Y")}
            )
        if user is not None and not self.addressed_to(user):
            # The link is not a bearer token: a forwarded or leaked mail must not let someone else in.
            return str(
                _(
                    "Diese Einladung ist an eine andere E-Mail-Adresse gerichtet (%(address)s). Bitte melden Sie sich "
                    "mit der eingeladenen Adresse an, oder bitten Sie die einladende Stelle, die Einladung erneut an "
                    "Ihre Adresse zu senden."
                )
                % {"address": self.masked_email}
            )
        return None

    @property
    def masked_email(self) -> str:
        """The invited address with most of its local part hidden: enough to recognise one's own, not to harvest."""
        local, _at, domain = self.email.partition("@")
        return f"{local[:1]}…@{domain}" if domain else "…"

    def addressed_to(self, user: Any) -> bool:
        """True when ``user`` has confirmed the invited address (the login address or a verified second one)."""
        from allauth.account.models import EmailAddress

        if not self.email:
            return False
        return EmailAddress.objects.filter(user=user, email__iexact=self.email, verified=True).exists()


# Unambiguous characters only: no 0/O, 1/I/L, so codes survive being typed from paper.
ACCESS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_access_code() -> str:
    raw = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_access_code(value: str) -> str:
    raw = "".join(ch for ch in value.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}" if len(raw) == 12 else value.strip().upper()


class AccessCode(models.Model):
    """A single-use code printed on a letter; it admits whoever redeems it after logging in."""

    project = models.ForeignKey(
        Project, verbose_name=_("Projekt"), on_delete=models.CASCADE, related_name="access_codes"
    )
    code = models.CharField(_("Zugangscode"), max_length=14, unique=True, default=new_access_code)
    recipient = models.TextField(
        _("Anschrift für den Brief"), blank=True, max_length=400,
        help_text=_("Erscheint im Anschriftfeld des Briefs (Fensterumschlag DIN lang)."),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Erstellt von"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("Erstellt"), auto_now_add=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Eingelöst von"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    redeemed_at = models.DateTimeField(_("Eingelöst"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("Widerrufen"), null=True, blank=True)

    class Meta:
        verbose_name = _("Zugangscode")
        verbose_name_plural = _("Zugangscodes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.code

    @property
    def state(self) -> str:
        if self.revoked_at:
            return str(_("widerrufen"))
        if self.redeemed_at:
            return str(_("eingelöst"))
        return str(_("offen"))


class AgencyGroupQuerySet(models.QuerySet["AgencyGroup"]):
    def with_contact_count(self) -> AgencyGroupQuerySet:
        return self.annotate(contact_count=models.Count("contacts", distinct=True))


class AgencyGroup(models.Model):
    """A named list in an organisation's address book, e.g. "Naturschutzverbände", invited in one step."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="agency_groups"
    )
    name = models.CharField(_("Name der Gruppe"), max_length=120)
    created_at = models.DateTimeField(_("Angelegt"), auto_now_add=True)

    objects = AgencyGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("Gruppe im Adressbuch")
        verbose_name_plural = _("Gruppen im Adressbuch")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_agency_group_name")]

    def __str__(self) -> str:
        return self.name


class AgencyContactQuerySet(models.QuerySet["AgencyContact"]):
    def for_list(self) -> AgencyContactQuerySet:
        return self.prefetch_related(models.Prefetch("groups", queryset=AgencyGroup.objects.only("id", "name")))


class AgencyContact(models.Model):
    """A public agency (Träger öffentlicher Belange) in an organisation's address book, reused across procedures."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="agency_contacts"
    )
    name = models.CharField(
        _("Behörde oder Stelle"),
        max_length=200,
        help_text=_("Zum Beispiel „Naturschutzbund, Kreisgruppe Musterkreis“."),
    )
    person = models.CharField(_("Ansprechperson"), max_length=150, blank=True)
    email = models.EmailField(_("E-Mail-Adresse"))
    role = models.CharField(_("Rolle"), max_length=20, choices=ParticipantRole.choices, default=ParticipantRole.AGENCY)
    groups = models.ManyToManyField(AgencyGroup, verbose_name=_("Gruppen"), blank=True, related_name="contacts")
    created_at = models.DateTimeField(_("Angelegt"), auto_now_add=True)

    objects = AgencyContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("Eintrag im Adressbuch")
        verbose_name_plural = _("Adressbuch der Träger öffentlicher Belange")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "email"], name="unique_agency_contact_email")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
