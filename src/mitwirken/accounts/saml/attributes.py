"""The attributes BundID and Mein Unternehmenskonto deliver, by OID, and the trust levels they carry.

BundID names every attribute by OID (``urn:oid:…``, NameFormat ``uri``). Each attribute carries its own
trust level in the XML attribute ``akdb:TrustLevel`` (``STORK-QAA-Level-1`` … ``-4``), and the login's
level comes as the attribute :data:`TRUST_LEVEL`. An attribute delivered below the level something needs
is not used for it (see ``mapping.py``). Mein Unternehmenskonto's exact attribute names are not published
openly; its mapping lives in the setting ``MITWIRKEN_SAML_MUK_ATTRIBUTES`` (defaults below, documented in
docs/identity.md) so an operator can adjust it to the registration papers without a code change.
"""

from __future__ import annotations

import re

AKDB_NS = "https://www.akdb.de/request/2018/09"
TRUST_LEVEL_XML_ATTRIBUTE = f"{{{AKDB_NS}}}TrustLevel"
URI_FORMAT = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"

STORK_QAA = "STORK-QAA-Level-{}"
_STORK_QAA_RE = re.compile(r"STORK-QAA-Level-([1-4])$")


def oid(number: str) -> str:
    return f"urn:oid:{number}"


# BundID person attributes (the OIDs public BundID integrations use).
BPK2 = oid("1.3.6.1.4.1.25484.494450.3")
GIVEN_NAME = oid("2.5.4.42")
SURNAME = oid("2.5.4.4")
BIRTH_DATE = oid("1.2.40.0.10.2.1.1.55")
STREET = oid("2.5.4.16")
POSTAL_CODE = oid("2.5.4.17")
LOCALITY = oid("2.5.4.7")
COUNTRY = oid("1.2.40.0.10.2.1.1.225599")
MAIL = oid("0.9.2342.19200300.100.1.3")
TRUST_LEVEL = oid("1.2.40.0.10.2.1.1.261.94")
AUTHN_METHOD = oid("1.3.6.1.4.1.25484.494450.2")

# What the portal asks BundID for: (OID, required). The stable key and the level are always needed.
BUNDID_REQUESTED = [
    (BPK2, True),
    (TRUST_LEVEL, True),
    (GIVEN_NAME, False),
    (SURNAME, False),
    (BIRTH_DATE, False),
    (STREET, False),
    (POSTAL_CODE, False),
    (LOCALITY, False),
    (MAIL, False),
]

# Mein Unternehmenskonto: the person's key and whom they act for. Defaults (X.520 organizationName and
# organizationIdentifier) until the registration papers say otherwise; see MITWIRKEN_SAML_MUK_ATTRIBUTES.
MUK_DEFAULTS = {
    "subject": BPK2,
    "given_name": GIVEN_NAME,
    "surname": SURNAME,
    "email": MAIL,
    "trust_level": TRUST_LEVEL,
    "organisation_name": oid("2.5.4.10"),
    "organisation_id": oid("2.5.4.97"),
}


def level_from_text(value: str | None) -> int:
    """``STORK-QAA-Level-3`` (or a bare ``3``) → 3; anything else → 0 (nothing proven)."""
    if not value:
        return 0
    value = value.strip()
    match = _STORK_QAA_RE.search(value)
    if match:
        return int(match.group(1))
    return int(value) if value in {"1", "2", "3", "4"} else 0
