"""Demo tenants around 49.99 N, 7.60 E and one account per role."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model

from mitwirken.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, load_data, register, single_paragraph

from .models import Organisation, OrganisationKind, OrganisationMembership, OrganisationRole


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


# The content is in demo/organisations.toml (see core.demo.load_data); this module turns it into records.
_DATA = load_data("mitwirken.organisations", "organisations.toml")


def legal_texts(name: str, email: str) -> dict[str, str]:
    return {field: single_paragraph(template).format(name=name, email=email)
            for field, template in _DATA["legal_texts"].items()}  # fmt: skip


ORGANISATIONS = [
    # slug, name, kind, ags, parent, boundary, with legal texts
    (item["slug"], item["name"], OrganisationKind(item["kind"]), item.get("ags", ""), item.get("parent"),
     box(*item["boundary"]) if "boundary" in item else None, item["legal_texts"])
    for item in _DATA["organisations"]
]  # fmt: skip

ACCOUNTS = [
    # email, display name, superuser, (organisation slug, role) or None
    (item["email"], item["name"], item.get("superuser", False),
     (item["organisation"], OrganisationRole(item["role"])) if "organisation" in item else None)
    for item in _DATA["accounts"]
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
        email = _DATA["contact_email"].format(slug=slug)
        texts = legal_texts(name, email) if with_texts else {}
        organisation, _created = Organisation.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "kind": kind, "ags": ags, "parent": by_slug.get(parent or ""), "boundary": boundary,
                      "contact_email": email, "address": _DATA["address"].format(name=name), **texts},
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
