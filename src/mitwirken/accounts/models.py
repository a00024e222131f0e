from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import (  # type: ignore[attr-defined]  # private, but the documented way
    AbstractUser,
    UserManager,
    _user_has_module_perms,
    _user_has_perm,
)
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AssuranceLevel(models.IntegerChoices):
    """Trust levels as BundID reports them (STORK-QAA 1-4)."""

    UNTERGEORDNET = 1, _("untergeordnet")
    NORMAL = 2, _("normal")
    SUBSTANTIELL = 3, _("substantiell")
    HOCH = 4, _("hoch")


class EmailUserManager(UserManager["User"]):
    def _create_user(self, username: str | None, email: str | None, password: str | None, **extra: Any) -> User:
        # Django's manager insists on a username; e-mail is the login here.
        email = self.normalize_email(email)
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str | None = None, password: str | None = None, **extra: Any) -> User:  # type: ignore[override]
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(None, email, password, **extra)

    def create_superuser(self, email: str | None = None, password: str | None = None, **extra: Any) -> User:  # type: ignore[override]
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(None, email, password, **extra)


class User(AbstractUser):
    """A person. Portal administrators are superusers; every other role is a membership."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("E-Mail-Adresse"), unique=True)
    display_name = models.CharField(
        _("Anzeigename"), max_length=60, blank=True, help_text=_("So erscheinen Sie öffentlich, z. B. bei Beiträgen.")
    )
    real_name = models.CharField(
        _("Vor- und Nachname"),
        max_length=150,
        blank=True,
        help_text=_("Nur nötig für förmliche Stellungnahmen; wird nicht veröffentlicht."),
    )
    street = models.CharField(_("Straße und Hausnummer"), max_length=150, blank=True)
    postal_code = models.CharField(_("Postleitzahl"), max_length=10, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    language = models.CharField(
        _("Sprache"), max_length=5, default="de", choices=[("de", _("Deutsch")), ("en", _("Englisch"))]
    )
    # WCAG 2.1.4: single-character shortcuts need an off switch; it belongs to the person, on every device.
    keyboard_shortcuts = models.BooleanField(
        _("Tastaturkürzel in der Verwaltung"),
        default=True,
        help_text=_("Einzelne Tasten wie „j“ und „k“ blättern in den Eingängen zur nächsten oder vorigen Eingabe."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects = EmailUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("Konto")
        verbose_name_plural = _("Konten")

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or _("Teilnehmende Person %(id)s") % {"id": self.pk}

    # Django lets an active superuser pass every permission check before asking any backend. Here
    # that power, like every staff right, needs a session confirmed with the second factor.
    def has_perm(self, perm: str, obj: Any = None) -> bool:
        from .second_factor import is_portal_admin

        if is_portal_admin(self):
            return True
        return _user_has_perm(self, perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        from .second_factor import is_portal_admin

        if is_portal_admin(self):
            return True
        return _user_has_module_perms(self, app_label)

    @property
    def has_postal_address(self) -> bool:
        return bool(self.real_name and self.street and self.postal_code and self.city)

    @property
    def assurance_level(self) -> int:
        """The highest level any linked identity has proven; 0 for a plain account."""
        levels = [identity.assurance_level for identity in self.identities.all()]
        return max(levels, default=0)


class ExternalIdentity(models.Model):
    """A login from an identity provider (BundID, Mein Unternehmenskonto) with its trust level."""

    class Provider(models.TextChoices):
        BUNDID = "bundid", _("BundID")
        MUK = "muk", _("Mein Unternehmenskonto")

    user = models.ForeignKey(User, verbose_name=_("Konto"), on_delete=models.CASCADE, related_name="identities")
    provider = models.CharField(_("Anbieter"), max_length=20, choices=Provider.choices)
    subject = models.CharField(_("Kennung beim Anbieter"), max_length=255)
    assurance_level = models.PositiveSmallIntegerField(
        _("Vertrauensniveau"),
        choices=AssuranceLevel.choices,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    last_login_at = models.DateTimeField(_("Letzte Anmeldung"), default=timezone.now)

    class Meta:
        verbose_name = _("Verknüpfte Identität")
        verbose_name_plural = _("Verknüpfte Identitäten")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="unique_identity_per_provider"),
            models.CheckConstraint(
                condition=models.Q(assurance_level__gte=1, assurance_level__lte=4), name="assurance_level_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} ({self.get_assurance_level_display()})"


class IdentityProvider(models.Model):
    """An identity provider's SAML metadata, imported by a portal administrator from a file or a URL."""

    provider = models.CharField(_("Anbieter"), max_length=20, choices=ExternalIdentity.Provider.choices, unique=True)
    entity_id = models.CharField(_("Entity-ID"), max_length=500, unique=True)
    metadata_xml = models.TextField(_("Metadaten (XML)"))
    metadata_url = models.URLField(_("Metadaten-Adresse"), max_length=500, blank=True)
    enabled = models.BooleanField(_("Anmeldung angeboten"), default=True)
    updated_at = models.DateTimeField(_("Zuletzt eingelesen"), auto_now=True)

    class Meta:
        verbose_name = _("Identitätsanbieter")
        verbose_name_plural = _("Identitätsanbieter")

    def __str__(self) -> str:
        return f"{self.get_provider_display()} ({self.entity_id})"


class SeenAssertion(models.Model):
    """Each SAML assertion is accepted once: its ID is kept until the assertion would have expired anyway."""

    assertion_id = models.CharField(max_length=255, unique=True)
    issuer = models.CharField(max_length=500)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("Verwendete SAML-Zusicherung")
        verbose_name_plural = _("Verwendete SAML-Zusicherungen")

    def __str__(self) -> str:
        return self.assertion_id
