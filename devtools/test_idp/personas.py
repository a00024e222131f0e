"""Who one can be at the test IdP, and which answers it can give."""

from __future__ import annotations

from dataclasses import dataclass, field

from mitwirken.accounts.saml import attributes as a


@dataclass(frozen=True)
class Persona:
    key: str
    label: str
    # The levels this person can log in with (eID card: 4, ELSTER certificate: 3, user name and password: 2).
    min_level: int
    max_level: int
    values: dict[str, str] = field(default_factory=dict)

    def login_level(self, requested: int | None) -> int:
        if not requested:
            return self.max_level
        return max(self.min_level, min(requested, self.max_level))


ERIKA = Persona(
    key="erika",
    label="Erika Mustermann (Online-Ausweis, Niveau 3 oder 4)",
    min_level=3,
    max_level=4,
    values={
        a.BPK2: "TEST-bPK2-ErikaMustermann-0001",
        a.GIVEN_NAME: "Erika",
        a.SURNAME: "Mustermann",
        a.BIRTH_DATE: "1964-08-12",
        a.STREET: "Heidestraße 17",
        a.POSTAL_CODE: "51147",
        a.LOCALITY: "Köln",
        a.COUNTRY: "DE",
        a.MAIL: "erika.mustermann@example.org",
    },
)

MAX = Persona(
    key="max",
    label="Max Muster (Benutzername und Passwort, nur Niveau 2)",
    min_level=2,
    max_level=2,
    values={
        a.BPK2: "TEST-bPK2-MaxMuster-0002",
        a.GIVEN_NAME: "Max",
        a.SURNAME: "Muster",
        a.MAIL: "max.muster@example.org",
    },
)

MIA_FOR_MUSTERBAU = Persona(
    key="musterbau",
    label="Mia Musterfrau für die Musterbau GmbH (DE-HRB-12345, ELSTER-Zertifikat, Niveau 3)",
    min_level=3,
    max_level=3,
    values={
        a.BPK2: "TEST-bPK2-MiaMusterfrau-0003",
        a.GIVEN_NAME: "Mia",
        a.SURNAME: "Musterfrau",
        a.MAIL: "mia.musterfrau@musterbau.example.org",
        a.MUK_DEFAULTS["organisation_name"]: "Musterbau GmbH",
        a.MUK_DEFAULTS["organisation_id"]: "DE-HRB-12345",
    },
)

PERSONAS = {
    "bundid": {p.key: p for p in (ERIKA, MAX)},
    "muk": {p.key: p for p in (MIA_FOR_MUSTERBAU,)},
}

# Attributes a `low_attribute` answer delivers at level 1 (self-declared) whatever the login level was.
LOW_ATTRIBUTES = (a.SURNAME, a.MAIL)

# The status message of a cancelled login; an SP can tell it from a technical failure by it.
CANCELLED_MESSAGE = "Der Nutzer hat die Anmeldung abgebrochen"
FAILED_MESSAGE = "Technischer Fehler beim Identitätsanbieter (Test-IdP)"

SCENARIOS = {
    "ok": "Erfolgreiche Anmeldung (angefordertes Niveau, höchstens das der Person)",
    "lower_level": "Anmeldung ein Niveau unter dem angeforderten",
    "low_attribute": "Nachname und E-Mail-Adresse nur mit Niveau 1 (selbst angegeben)",
    "low_key": "Dauerhafte Kennung (bPK2) nur mit Niveau 1",
    "cancelled": f"Abbruch durch die Person („{CANCELLED_MESSAGE}“)",
    "failed": "Technischer Fehler beim Identitätsanbieter",
    "expired": "Abgelaufene Zusicherung (Gültigkeit liegt in der Vergangenheit)",
    "wrong_audience": "Zusicherung für einen anderen Dienst (falsche Audience)",
    "wrong_recipient": "Falscher Empfänger (Recipient) in der Zusicherung",
    "bad_signature": "Signiert, danach verändert (Signatur ungültig)",
    "unsigned": "Weder Antwort noch Zusicherung signiert",
    "wrong_key": "Signiert mit einem Schlüssel, der nicht in den Metadaten steht",
    "unencrypted": "Signiert, aber Zusicherung nicht verschlüsselt",
}
