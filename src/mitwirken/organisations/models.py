from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mitwirken.core import geo

from .validators import validate_ags, validate_organisation_slug


class OrganisationKind(models.TextChoices):
    LAND = "land", _("Landesministerium oder Landesbehörde")
    LANDKREIS = "landkreis", _("Landkreis")
    KREISFREIE_STADT = "kreisfreie_stadt", _("Kreisfreie Stadt")
    VERBANDSGEMEINDE = "verbandsgemeinde", _("Verbandsgemeinde")
    VERBANDSFREIE_GEMEINDE = "verbandsfreie_gemeinde", _("Verbandsfreie Gemeinde")
    ORTSGEMEINDE = "ortsgemeinde", _("Ortsgemeinde")
    ZWECKVERBAND = "zweckverband", _("Zweckverband")
    OTHER = "other", _("Sonstige")


LEGAL_TEXT_FIELDS = ("imprint", "privacy_notice", "accessibility_statement")
# Texts written by staff as HTML and shown as such: always sanitised.
RICH_TEXT_FIELDS = (*LEGAL_TEXT_FIELDS, "netiquette")


def field_label(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def staffed_by(self, user: Any) -> OrganisationQuerySet:
        """Organisations whose back office ``user`` may enter (portal admins: all)."""
        if not user.is_authenticated:
            return self.none()
        from mitwirken.accounts.second_factor import is_portal_admin, staff_rights_allowed

        if is_portal_admin(user):
            return self
        if not staff_rights_allowed(user):
            return self.none()
        return self.filter(memberships__user=user).distinct()

    def containing_bbox(self, lon: float, lat: float) -> OrganisationQuerySet:
        """Prefilter on the stored bounding box; callers confirm with the exact polygon."""
        return self.filter(bbox_min_lon__lte=lon, bbox_max_lon__gte=lon, bbox_min_lat__lte=lat, bbox_max_lat__gte=lat)


class Organisation(models.Model):
    """A tenant: a ministry, district, municipality or association with its own staff and texts."""

    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(
        _("Kurzbezeichnung"),
        max_length=60,
        unique=True,
        validators=[validate_organisation_slug],
        help_text=_("Erscheint in der Adresse, z. B. /musterkreis/. Nur Kleinbuchstaben, Ziffern und Bindestriche."),
    )
    kind = models.CharField(_("Art"), max_length=30, choices=OrganisationKind.choices)
    ags = models.CharField(_("Amtlicher Gemeindeschlüssel (AGS)"), max_length=8, blank=True, validators=[validate_ags])
    # How other administrations' systems address the organisation (XÖV messages): the key in a directory
    # service such as DVDV ("psw:01003110"). The AGS is the other accepted address.
    directory_id = models.CharField(
        _("Kennung im Verzeichnisdienst (DVDV)"), max_length=100, blank=True, db_index=True,
        help_text=_("Unter dieser Kennung adressieren Fachverfahren die Organisation, z. B. „psw:01003110“."),
    )  # fmt: skip
    parent = models.ForeignKey(
        "self",
        verbose_name=_("Übergeordnete Organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    boundary = models.JSONField(
        _("Gebiet (GeoJSON)"),
        null=True,
        blank=True,
        help_text=_("Polygon oder MultiPolygon in WGS84 (Länge, Breite)."),
    )
    bbox_min_lon = models.FloatField(_("Gebiet: westlichste Länge"), null=True, blank=True, editable=False)
    bbox_min_lat = models.FloatField(_("Gebiet: südlichste Breite"), null=True, blank=True, editable=False)
    bbox_max_lon = models.FloatField(_("Gebiet: östlichste Länge"), null=True, blank=True, editable=False)
    bbox_max_lat = models.FloatField(_("Gebiet: nördlichste Breite"), null=True, blank=True, editable=False)

    contact_email = models.EmailField(_("Kontakt-E-Mail"), blank=True)
    contact_phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    address = models.TextField(_("Anschrift"), blank=True)
    website = models.URLField(_("Website"), blank=True)
    logo = models.ImageField(_("Logo"), upload_to="organisations/logos/", blank=True)

    imprint = models.TextField(_("Impressum"), blank=True)
    privacy_notice = models.TextField(_("Datenschutzerklärung"), blank=True)
    accessibility_statement = models.TextField(_("Erklärung zur Barrierefreiheit"), blank=True)
    netiquette = models.TextField(
        _("Netiquette"), blank=True,
        help_text=_("Regeln für Beiträge in Dialogen. Leer: Es gilt die Netiquette des Portals."),
    )  # fmt: skip

    created_at = models.DateTimeField(_("Angelegt"), auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Organisation")
        verbose_name_plural = _("Organisationen")
        ordering = ["name"]
        indexes = [models.Index(fields=["bbox_min_lon", "bbox_max_lon", "bbox_min_lat", "bbox_max_lat"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.boundary:
            self.bbox_min_lon, self.bbox_min_lat, self.bbox_max_lon, self.bbox_max_lat = geo.bounding_box(self.boundary)
        else:
            self.bbox_min_lon = self.bbox_min_lat = self.bbox_max_lon = self.bbox_max_lat = None
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("organisations:detail", kwargs={"org_slug": self.slug})

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.boundary:
            try:
                self.boundary = geo.parse_geometry(self.boundary, allowed_types=geo.AREA_TYPES)
            except ValidationError as error:
                errors["boundary"] = error.messages
        if self.parent_id and self.pk and self._parent_chain_contains_self():
            errors["parent"] = [gettext("Eine Organisation kann nicht sich selbst untergeordnet sein.")]
        if errors:
            raise ValidationError(errors)

    def _parent_chain_contains_self(self) -> bool:
        seen = set()
        parent = self.parent
        while parent is not None and parent.pk not in seen:
            if parent.pk == self.pk:
                return True
            seen.add(parent.pk)
            parent = parent.parent
        return False

    @property
    def missing_legal_texts(self) -> list[str]:
        """Verbose names of the legally required texts that are still empty."""
        return [
            field_label(Organisation, name) for name in LEGAL_TEXT_FIELDS if not (getattr(self, name) or "").strip()
        ]

    @property
    def can_publish(self) -> bool:
        return not self.missing_legal_texts


class OrganisationRole(models.TextChoices):
    ADMIN = "admin", _("Administration der Organisation")
    STAFF = "staff", _("Sachbearbeitung")


class MembershipQuerySet(models.QuerySet["OrganisationMembership"]):
    def admins(self) -> MembershipQuerySet:
        return self.filter(role=OrganisationRole.ADMIN)


class OrganisationMembership(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Konto"),
        on_delete=models.CASCADE,
        related_name="organisation_memberships",
    )
    role = models.CharField(_("Rolle"), max_length=20, choices=OrganisationRole.choices)
    created_at = models.DateTimeField(_("Seit"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_org")]
        indexes = [models.Index(fields=["user", "organisation"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class OrganisationInvitationQuerySet(models.QuerySet["OrganisationInvitation"]):
    def pending(self) -> OrganisationInvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class OrganisationInvitation(models.Model):
    """An e-mail invitation into an organisation's staff.

    Adding a member always goes through one, whether or not the address has an account, so the back office
    answers the same either way (no account enumeration). Like a project invitation it is bound to the
    invited address: only an account that has verified that address can accept it.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="member_invitations"
    )
    email = models.EmailField(_("E-Mail-Adresse"))
    role = models.CharField(_("Rolle"), max_length=20, choices=OrganisationRole.choices)
    token = models.CharField(_("Schlüssel"), max_length=64, unique=True, default=new_invitation_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Eingeladen von"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("Verschickt"), auto_now_add=True)
    expires_at = models.DateTimeField(_("Gültig bis"))
    accepted_at = models.DateTimeField(_("Angenommen"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Angenommen von"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    revoked_at = models.DateTimeField(_("Widerrufen"), null=True, blank=True)

    objects = OrganisationInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Einladung in die Organisation")
        verbose_name_plural = _("Einladungen in die Organisation")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    def unusable_reason(self, user: Any = None) -> str | None:
        """Why this invitation cannot be accepted (by ``user``), or None if it can."""
        if self.revoked_at:
            return gettext("Diese Einladung wurde widerrufen. Bitte wenden Sie sich an die Organisation.")
        if self.accepted_at:
            if user is not None and self.accepted_by_id == user.pk:
                return None
            return gettext("Diese Einladung wurde bereits angenommen.")
        if self.expires_at <= timezone.now():
            return gettext(
                "Diese Einladung ist am %(date)s abgelaufen. Bitte bitten Sie die Organisation um eine neue."
            ) % {"date": timezone.localtime(self.expires_at).strftime("%d.%m.%Y")}
        if user is not None and not self.addressed_to(user):
            # The link is not a bearer token: a forwarded or leaked mail must not make someone else staff.
            return gettext(
                "Diese Einladung ist an eine andere E-Mail-Adresse gerichtet. Bitte melden Sie sich mit der "
                "eingeladenen Adresse an und bestätigen Sie sie, oder bitten Sie die Organisation, Sie unter "
                "Ihrer Adresse einzuladen."
            )
        return None

    def addressed_to(self, user: Any) -> bool:
        """True when ``user`` has verified the invited address (the login address or a second one)."""
        from allauth.account.models import EmailAddress

        return (
            bool(self.email)
            and EmailAddress.objects.filter(user=user, email__iexact=self.email, verified=True).exists()
        )


def user_is_staff_anywhere(user: Any) -> bool:
    from mitwirken.accounts.second_factor import is_portal_admin

    return bool(is_portal_admin(user) or Organisation.objects.staffed_by(user).exists())


class SignLanguageVideoQuerySet(models.QuerySet["SignLanguageVideo"]):
    def of_portal(self) -> SignLanguageVideoQuerySet:
        return self.filter(organisation__isnull=True)

    def of_organisation(self, organisation: Organisation) -> SignLanguageVideoQuerySet:
        return self.filter(organisation=organisation)


class SignLanguageVideo(models.Model):
    """A video in German Sign Language (DGS) of the portal (no organisation) or of one organisation.

    Either an uploaded MP4/WebM file with a WebVTT caption track, served through the portal, or a link to the
    state's video service. Every video has a text version, for people who neither see nor hear it.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="sign_language_videos", help_text=_("Leer: ein Video des Portals."),
    )  # fmt: skip
    title = models.CharField(_("Titel"), max_length=200)
    video = models.FileField(_("Videodatei"), upload_to="dgs/videos/", blank=True)
    video_type = models.CharField(_("Videoformat"), max_length=40, blank=True, editable=False)
    captions = models.FileField(_("Untertitel (WebVTT)"), upload_to="dgs/captions/", blank=True)
    external_url = models.URLField(
        _("Link zum Video beim Videodienst des Landes"), blank=True,
        help_text=_("Statt einer Datei: die Adresse des Videos beim Videodienst (https)."),
    )  # fmt: skip
    text_version = models.TextField(_("Textfassung"), max_length=20_000)
    weight = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    created_at = models.DateTimeField(_("Angelegt"), auto_now_add=True)

    objects = SignLanguageVideoQuerySet.as_manager()

    class Meta:
        verbose_name = _("Video in Gebärdensprache")
        verbose_name_plural = _("Videos in Gebärdensprache")
        ordering = ["weight", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(~models.Q(video="") & models.Q(external_url=""))
                | (models.Q(video="") & ~models.Q(external_url="")),
                name="sign_language_video_file_or_link",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_video_url(self) -> str:
        return reverse("pages:sign_language_video", kwargs={"video_pk": self.pk}) if self.video else self.external_url

    def get_captions_url(self) -> str:
        return reverse("pages:sign_language_captions", kwargs={"video_pk": self.pk}) if self.captions else ""
