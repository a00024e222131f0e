"""Demo tenants around 49.99 N, 7.60 E and one account per role."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model

from mitwirken.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, register

from .models import Organisation, OrganisationKind, OrganisationMembership, OrganisationRole


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def legal_texts(name: str, email: str) -> dict[str, str]:
    return {
        "imprint": f"<p><strong>{name}</strong><br>Musterstraße 1<br>55555 Musterstadt</p><p>E-Mail: {email}</p>",
        "privacy_notice": f"<p>Verantwortlich für die Datenverarbeitung in Projekten ist {name}. "
        "Wir verarbeiten personenbezogene Daten nur zur Durchführung der Beteiligung.</p>",
        "accessibility_statement": f"<p>{name} ist bemüht, seine Beteiligungsangebote barrierefrei zu gestalten. "
        "Es gilt ergänzend die Erklärung zur Barrierefreiheit des Portals.</p>",
    }


ORGANISATIONS = [
    # slug, name, kind, ags, parent, boundary, with legal texts
    ("ministerium", "Ministerium des Innern und für Sport", OrganisationKind.LAND, "", None, box(6.1, 48.95, 8.5, 50.95), True),
    ("musterkreis", "Landkreis Musterkreis", OrganisationKind.LANDKREIS, "07133000", None, box(7.40, 49.85, 7.80, 50.15), True),
    ("vg-nord", "Verbandsgemeinde Musterkreis-Nord", OrganisationKind.VERBANDSGEMEINDE, "07133501", "musterkreis", box(7.45, 50.00, 7.75, 50.12), True),
    ("vg-sued", "Verbandsgemeinde Musterkreis-Süd", OrganisationKind.VERBANDSGEMEINDE, "07133502", "musterkreis", box(7.45, 49.88, 7.75, 50.00), False),
    ("beispielhausen", "Ortsgemeinde Beispielhausen", OrganisationKind.ORTSGEMEINDE, "07133042", "vg-nord", box(7.55, 50.02, 7.65, 50.08), True),
    ("lbm", "Landesbetrieb Mobilität (Träger öffentlicher Belange)", OrganisationKind.OTHER, "", None, None, True),
]  # fmt: skip

ACCOUNTS = [
    # email, display name, superuser, (organisation slug, role) or None
    ("admin@mitwirken.example", "Portaladministration", True, None),
    ("orgadmin@musterkreis.example", "Petra Admin (Kreisverwaltung)", False, ("musterkreis", OrganisationRole.ADMIN)),
    ("sachbearbeitung@musterkreis.example", "Sam Sachbearbeitung", False, ("musterkreis", OrganisationRole.STAFF)),
    ("orgadmin@ministerium.example", "Mira Ministerium", False, ("ministerium", OrganisationRole.ADMIN)),
    ("orgadmin@beispielhausen.example", "Bernd Bürgermeister", False, ("beispielhausen", OrganisationRole.ADMIN)),
    ("toeb@lbm.example", "Tanja Träger (LBM)", False, ("lbm", OrganisationRole.STAFF)),
    ("moderation@mitwirken.example", "Moritz Moderation", False, None),
    ("buerger@mitwirken.example", "Berta Bürgerin", False, None),
    ("gast@mitwirken.example", "Gustav Gast", False, None),
]  # fmt: skip


def ensure_account(email: str, display_name: str, *, superuser: bool = False) -> Any:
    User = get_user_model()
    user = User.objects.filter(email=email).first()
    if user is None:
        create = User.objects.create_superuser if superuser else User.objects.create_user
        user = create(email=email, password=DEMO_PASSWORD, display_name=display_name)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


@register(10, "organisations")
def seed(stdout: Any, scale: int) -> None:
    by_slug: dict[str, Organisation] = {}
    for slug, name, kind, ags, parent, boundary, with_texts in ORGANISATIONS:
        texts = legal_texts(name, f"kontakt@{slug}.example") if with_texts else {}
        organisation, _created = Organisation.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "kind": kind, "ags": ags, "parent": by_slug.get(parent or ""), "boundary": boundary,
                      "contact_email": f"kontakt@{slug}.example", "address": f"{name}\nMusterstraße 1\n55555 Musterstadt",
                      **texts},
        )  # fmt: skip
        by_slug[slug] = organisation
    for email, display_name, superuser, membership in ACCOUNTS:
        user = ensure_account(email, display_name, superuser=superuser)
        if membership:
            slug, role = membership
            OrganisationMembership.objects.get_or_create(organisation=by_slug[slug], user=user, defaults={"role": role})
        if (superuser or membership) and not Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
    stdout.write("Demo-Organisationen: " + ", ".join(f"/{slug}/" for slug in by_slug))
    stdout.write(f"Demo-Konten (Passwort für alle: {DEMO_PASSWORD}):")
    for email, _display_name, superuser, membership in ACCOUNTS:
        label = (
            f"{membership[1].label} bei {membership[0]}"
            if membership
            else ("Portaladministration" if superuser else "Teilnehmende Person")
        )
        stdout.write(f"  {email:40} {label}")
    stdout.write("Verwaltungskonten brauchen einen zweiten Faktor: `make totp` zeigt den aktuellen Code.")
