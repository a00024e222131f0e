"""The test-side XBeteiligung message builder produces valid 0301/0302/0401/0402 messages."""

from __future__ import annotations

import hashlib
from base64 import b64decode
from datetime import date, timedelta
from typing import Any

import pytest
from lxml import etree

from mitwirken.formal.xbeteiligung import G2G, XBETEILIGUNG, MessageInvalid, read_procedure, validate

from .xbeteiligung_messages import ROOTS, Block, Doc, berlin_today, kommunal, raumordnung

NS = {"x": XBETEILIGUNG, "g2g": G2G}
MULTIPOLYGON = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[7.60, 50.40], [7.61, 50.40], [7.61, 50.41], [7.60, 50.40]]],
        [[[7.62, 50.40], [7.63, 50.40], [7.63, 50.41], [7.62, 50.40]]],
    ],
}


def build(kind: str, **options: Any) -> bytes:
    """One builder for all four kinds; kommunal options go into blocks, Raumordnung ones are flat."""
    if kind in ("0401", "0402"):
        return kommunal(kind, **options)  # type: ignore[arg-type]
    return raumordnung(kind, **options)  # type: ignore[arg-type]


def parse(xml: bytes) -> Any:
    return etree.fromstring(xml)


@pytest.mark.parametrize("kind", ["0301", "0302", "0401", "0402"])
def test_default_message_is_valid_and_named_after_its_kind(kind: str) -> None:
    xml = build(kind)
    validate(xml)
    root = parse(xml)
    assert etree.QName(root).localname == ROOTS[kind] and ROOTS[kind].endswith(kind)
    assert root.findtext("g2g:nachrichtenkopf.g2g/g2g:identifikation.nachricht/g2g:nachrichtentyp/code",
                         namespaces=NS) == kind  # fmt: skip
    assert root.get("produkt") == "DiPlan Cockpit"


def test_default_period_is_open_today() -> None:
    root = parse(kommunal("0401"))
    today = berlin_today()
    for block in root.findall("x:nachrichteninhalt/x:beteiligung/*[x:zeitraum]", NS):
        announced = date.fromisoformat(block.findtext("x:bekanntmachung", namespaces=NS))
        first = date.fromisoformat(block.findtext("x:zeitraum/x:beginn", namespaces=NS))
        last = date.fromisoformat(block.findtext("x:zeitraum/x:ende", namespaces=NS))
        assert announced < first <= today <= last
    assert len(root.findall("x:nachrichteninhalt/x:beteiligung/*[x:zeitraum]", NS)) == 2


# (label, kommunal options, raumordnung options)
LINK = "https://cockpit.example.org/dokumente/begruendung.pdf"
MATRIX: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("inline document", {"blocks": [Block(documents=[Doc()])]}, {"documents": [Doc()]}),
    ("linked document", {"blocks": [Block(documents=[Doc(url=LINK)])]}, {"documents": [Doc(url=LINK)]}),
    ("anhang without inline content", {"blocks": [Block(documents=[Doc(inline=False)])]},
     {"documents": [Doc(inline=False)]}),
    ("anhang without any content", {"blocks": [Block(documents=[Doc(content=None)])]},
     {"documents": [Doc(content=None)]}),
    ("several documents", {"blocks": [Block(documents=[Doc(), Doc(url=LINK), Doc(name="Karte.png", mime="image/png",
                                                                              content=b"\x89PNG\r\n")])]},
     {"documents": [Doc(), Doc(url=LINK)]}),
    ("no blocks", {"blocks": []}, {}),
    ("only agency block", {"blocks": [Block("agency", documents=[Doc()])]}, {"code": "4200"}),
    ("several notices", {"blocks": [Block(notices=["Erste Mitteilung", "Zweite „Mitteilung“ – mit Sonderzeichen"])]},
     {"notices": ["Erste Mitteilung", "Zweite Mitteilung"]}),
    ("MultiPolygon area", {"area": MULTIPOLYGON}, {"area": MULTIPOLYGON}),
    ("zoned period dates", {"blocks": [Block(zoned=True), Block("agency", zoned=True)]}, {"zoned": True}),
    ("second round with publication period",
     {"blocks": [Block(round=2, published=(date(2026, 1, 5), date(2026, 3, 1)))]},
     {"round": 2, "published": (date(2026, 1, 5), date(2026, 3, 1))}),
    ("every optional plan field",
     {"working_title": "Mühlbach Süd", "plan_type": "6_3_EinfacherBPlan", "stage": "1000",
      "reason": "Wohnbauflächen für junge Familien", "boundary_url": "https://geo.example.org/bp17.json",
      "participation_url": "https://beteiligung.example.org/bp17", "author_email": "bauamt@musterdorf.example"},
     {"working_title": "Wind", "plan_type": "2000", "procedure_kind": "2000", "reason": "Windenergieflächen",
      "boundary_url": "https://geo.example.org/rrop.json", "participation_url": "https://beteiligung.example.org/r",
      "author_email": "planung@musterregion.example"}),
]  # fmt: skip


@pytest.mark.parametrize("kind", ["0301", "0302", "0401", "0402"])
@pytest.mark.parametrize(("label", "kommunal_options", "raumordnung_options"), MATRIX, ids=[row[0] for row in MATRIX])
def test_option_matrix_is_valid(kind: str, label: str, kommunal_options: dict[str, Any],
                                raumordnung_options: dict[str, Any]) -> None:  # fmt: skip
    options = kommunal_options if kind.startswith("04") else raumordnung_options
    validate(build(kind, **options))  # the builder validates too; this states it in the test


def test_inline_document_carries_content_size_and_hash() -> None:
    doc = Doc(content=b"%PDF-1.4 Begruendung")
    root = parse(kommunal("0402", blocks=[Block(documents=[doc])]))
    anlage = root.find(".//x:beteiligungOeffentlichkeit/x:anlagen/anlage", NS)
    anhang = anlage.find("anhangOderVerlinkung/x:anhang", NS)
    assert anhang.get("hashValue") == hashlib.sha256(doc.content or b"").hexdigest()
    assert anhang.get("filesize") == str(len(doc.content or b""))
    assert anhang.findtext("dokumentid") == doc.document_id and anhang.findtext("dateiname") == doc.name
    assert b64decode(anlage.findtext("x:dokument", namespaces=NS)) == doc.content


def test_linked_document_has_no_anhang_and_no_content() -> None:
    root = parse(raumordnung("0302", documents=[Doc(url=LINK)]))
    anlage = root.find(".//x:anlagen/anlage", NS)
    assert anlage.findtext("anhangOderVerlinkung/x:uriVerlinkung", namespaces=NS) == LINK
    assert anlage.find("anhangOderVerlinkung/x:anhang", NS) is None and anlage.find("x:dokument", NS) is None


def test_wrong_hash_still_validates() -> None:
    # The schema cannot check a hash; the importer has to compare it with the content.
    wrong = "0" * 64
    xml = kommunal("0402", blocks=[Block(documents=[Doc(hash=wrong)])])
    validate(xml)
    anhang = parse(xml).find(".//x:anhang", NS)
    assert anhang.get("hashValue") == wrong
    assert b64decode(parse(xml).findtext(".//x:dokument", namespaces=NS)) != b""


def test_blocks_keep_schema_order_and_derived_ids() -> None:
    root = parse(kommunal("0401", blocks=[Block("agency"), Block("public", round=2)], plan_id="BP-9"))
    blocks = root.findall("x:nachrichteninhalt/x:beteiligung/*[x:durchgang]", NS)
    assert [etree.QName(block).localname for block in blocks] == ["beteiligungOeffentlichkeit", "beteiligungTOEB"]
    assert [block.findtext("x:beteiligungsID", namespaces=NS) for block in blocks] == ["BP-9-OEFF-2", "BP-9-TOEB-1"]
    codes = root.findall(".//x:beteiligungKommunalFormalOeffentlichkeit/code", NS)
    codes += root.findall(".//x:beteiligungKommunalFormalTOEB/code", NS)
    assert [code.text for code in codes] == ["6000", "5000"]


def test_zoned_period_dates_carry_the_berlin_offset() -> None:
    winter = Block(first_day=date(2026, 1, 10), last_day=date(2026, 1, 20), zoned=True)
    summer = Block("agency", first_day=date(2026, 7, 1), last_day=date(2026, 7, 20), zoned=True)
    root = parse(kommunal("0401", blocks=[winter, summer]))
    assert root.findtext(".//x:beteiligungOeffentlichkeit/x:zeitraum/x:beginn", namespaces=NS) == "2026-01-10+01:00"
    assert root.findtext(".//x:beteiligungTOEB/x:zeitraum/x:beginn", namespaces=NS) == "2026-07-01+02:00"


def test_header_options() -> None:
    root = parse(raumordnung("0301", message_id="6f1c2d8e-3b7a-4c51-9e0f-2a4b6c8d0e13", author_email="a@b.example",
                             reader_id="07111001", reader_name="Kreis B"))  # fmt: skip
    header = root.find("g2g:nachrichtenkopf.g2g", NS)
    assert header.findtext("g2g:identifikation.nachricht/g2g:nachrichtenUUID", namespaces=NS) == (
        "6f1c2d8e-3b7a-4c51-9e0f-2a4b6c8d0e13"
    )
    assert "a@b.example" in etree.tostring(header.find("g2g:autor", NS)).decode()
    assert header.find("g2g:leser", NS).xpath("string(*[local-name()='kennung'])") == "07111001"


def test_invalid_variant_needs_validate_false() -> None:
    # A typographic dash is outside DIN 91379 datatype C, so the plan name makes the message invalid.
    with pytest.raises(MessageInvalid):
        kommunal("0401", plan_name="Bebauungsplan – Nord")
    xml = kommunal("0401", plan_name="Bebauungsplan – Nord", validate=False)
    with pytest.raises(MessageInvalid):
        validate(xml)


def test_unknown_kind_and_duplicate_audience_are_refused() -> None:
    with pytest.raises(ValueError, match="0301"):
        kommunal("0301")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="0402"):
        raumordnung("0402")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="one block per audience"):
        kommunal("0401", blocks=[Block(), Block()])


def test_override_dates() -> None:
    first = berlin_today() + timedelta(days=30)
    root = parse(raumordnung("0301", announced=first - timedelta(days=7), first_day=first,
                             last_day=first + timedelta(days=30)))  # fmt: skip
    assert root.findtext(".//x:zeitraum/x:beginn", namespaces=NS) == first.isoformat()


def test_importer_reads_what_the_builder_writes() -> None:
    kommunal_message = read_procedure(kommunal("0401", blocks=[Block("agency", code="2000", participation_id="T-1")]))
    blocks = [(block.round_kind, block.audience, block.participation_id) for block in kommunal_message.blocks]
    assert blocks == [("early", "agency", "T-1")]
    raumordnung_message = read_procedure(raumordnung("0301", procedure_kind="2000"))
    assert raumordnung_message.plan_id == "RROP-MR-2026" and raumordnung_message.procedure_type == "landesplanung"
