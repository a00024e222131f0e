"""XBeteiligung 1.2: statements as 0701 messages, batch ZIP, procedures imported from 0301 and 0401."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from mitwirken.core.models import AuditEntry
from mitwirken.formal import exchange, services, xbeteiligung
from mitwirken.formal.models import Procedure, Round, Track
from mitwirken.formal.xbeteiligung import MessageInvalid
from mitwirken.projects.models import Module

from .formal_fixtures import make_procedure, pdf_upload

# The schemas ship with the app: these tests never skip (issue #16), also without ../shared.
pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
DATA = Path(__file__).parent / "data" / "xbeteiligung"
NS = {"x": xbeteiligung.XBETEILIGUNG, "g2g": xbeteiligung.G2G, "beh": xbeteiligung.BEHOERDE, "gml": xbeteiligung.GML}
ADDRESS = {"author_name": "Erika Mustermann", "street": "Hauptstraße 1", "postal_code": "55555", "city": "Musterstadt"}


def submit(user, track, *, uploads=None, **data):
    services.draft_save(user=user, track=track, data={"text": "Ich wende mich gegen die Trasse.", **ADDRESS, **data},
                        uploads=uploads)  # fmt: skip
    key = services.draft_for(user=user, track=track).submission_key
    return services.statement_submit(user=user, track=track, submission_key=str(key))


def parse(xml: bytes):
    return etree.fromstring(xml)


def text(tree, path: str) -> str:
    return tree.findtext(path, namespaces=NS)


def message(name: str) -> bytes:
    return (DATA / name).read_bytes()


def edited(xml: bytes, path: str, value: str | None) -> bytes:
    """The message with the element at ``path`` set to ``value``, or removed when ``value`` is None."""
    tree = parse(xml)
    element = tree.find(path, namespaces=NS)
    if value is None:
        element.getparent().remove(element)
    else:
        element.text = value
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


@pytest.fixture(autouse=True)
def addressed(world):
    """The example messages are addressed to AGS 07111000: the world's organisation has it."""
    world.organisation.ags = "07111000"
    world.organisation.contact_email = "planung@musterkreis.example"
    world.organisation.save()


@pytest.fixture
def procedure(world):
    return make_procedure(world.personas["case_worker"], world.public)


@pytest.fixture
def track(procedure):
    return procedure.rounds.get().tracks.get()


# Export: 0701


def test_statement_message_is_valid_and_carries_reference_text_and_author(world, procedure, track):
    statement = submit(world.personas["citizen"], track)
    xml = xbeteiligung.statement_message(statement)
    xbeteiligung.validate(xml)
    tree = parse(xml)
    assert etree.QName(tree).localname == "allgemein.stellungnahme.Neuabgegeben.0701"
    assert text(tree, ".//g2g:nachrichtentyp/code") == "0701"
    created = datetime.fromisoformat(text(tree, ".//g2g:erstellungszeitpunkt"))
    assert created.utcoffset() is not None  # the base message wants a time zone
    assert text(tree, ".//g2g:autor/beh:name") == "Landkreis Musterkreis"
    assert text(tree, ".//g2g:autor/beh:kennung") == "07111000"
    opinion = tree.find(".//x:stellungnahme", namespaces=NS)
    assert text(opinion, "x:stellungnahmeID") == str(statement.submission_key)
    assert statement.reference in text(opinion, "x:titel")
    assert text(opinion, "x:beschreibung") == "Ich wende mich gegen die Trasse."
    assert text(opinion, "x:verfasser/x:privatperson") == "true"
    assert text(opinion, "x:verfasser/x:name/vorname/name") == "Erika"
    assert text(opinion, "x:verfasser/x:name/familienname/name") == "Mustermann"
    assert text(opinion, "x:verfasser/x:anschrift/strasseHausnummer") == "Hauptstraße 1"
    assert text(opinion, "x:verfasser/x:kommunikation/kennung") == "citizen@example.org"
    assert text(opinion, "x:status/code") == "1000"
    assert text(opinion, "x:durchgang") == "1"
    assert text(opinion, "x:datum") == statement.received_at.astimezone(BERLIN).date().isoformat()
    assert text(opinion, "x:verfahrensschrittRaumordnung/code") == str(track.xbeteiligung_code) == "5200"
    assert text(tree, ".//x:vorgangsID") == text(opinion, "x:planID")


def test_configured_receiver_goes_into_the_header(world, procedure, track, settings):
    settings.XBETEILIGUNG_RECEIVER = {"name": "Planungscockpit des Landes", "kennung": "psw:07000001"}
    tree = parse(xbeteiligung.statement_message(submit(world.personas["citizen"], track)))
    assert text(tree, ".//g2g:leser/beh:name") == "Planungscockpit des Landes"
    assert text(tree, ".//g2g:leser/beh:kennung") == "psw:07000001"


def test_typographic_characters_are_transliterated_so_the_message_stays_valid(world, procedure, track):
    statement = submit(world.personas["citizen"], track, text="Die „Trasse“ – so nicht… 🌳", author_name="Zoë Ørsted")
    xml = xbeteiligung.statement_message(statement)  # validates, or raises
    opinion = parse(xml).find(".//x:stellungnahme", namespaces=NS)
    assert text(opinion, "x:beschreibung") == 'Die "Trasse" - so nicht... ?'
    assert text(opinion, "x:verfasser/x:name/vorname/name") == "Zoë"
    statement.refresh_from_db()
    assert statement.text == "Die „Trasse“ – so nicht… 🌳"  # our record keeps the exact wording


def test_name_particles_stay_with_the_family_name():
    assert xbeteiligung.split_name("Ursula von der Leyen") == ("Ursula", "von der Leyen")
    assert xbeteiligung.split_name("Anna Lena Schmidt") == ("Anna Lena", "Schmidt")
    assert xbeteiligung.split_name("Mustermann") == ("", "Mustermann")


@pytest.mark.parametrize(
    ("geometry", "gml_path", "positions"),
    [
        ({"type": "Point", "coordinates": [7.6, 50.4]}, "x:punkt/punkt/punkt/gml:pos", "50.4 7.6"),
        ({"type": "LineString", "coordinates": [[7.6, 50.4], [7.7, 50.5]]},
         "x:linie/linie/linie/gml:segments/gml:LineStringSegment/gml:posList", "50.4 7.6 50.5 7.7"),
        ({"type": "Polygon", "coordinates": [[[7.6, 50.4], [7.7, 50.4], [7.7, 50.5], [7.6, 50.4]]]},
         "x:flaeche/flaeche/polygon/gml:exterior/gml:LinearRing/gml:posList", "50.4 7.6 50.4 7.7 50.5 7.7 50.4 7.6"),
    ],
)  # fmt: skip
def test_location_becomes_a_gml_georeference(world, procedure, track, geometry, gml_path, positions):
    statement = submit(world.personas["citizen"], track, location=geometry)
    opinion = parse(xbeteiligung.statement_message(statement)).find(".//x:stellungnahme", namespaces=NS)
    georeference = opinion.find("x:georeferenzierung", namespaces=NS)
    assert text(georeference, gml_path) == positions  # GML in EPSG:4326 is latitude first


def test_attachments_section_and_organisation(world, procedure, track):
    document = services.document_add(
        actor=world.personas["case_worker"], procedure=procedure, track=track, title="Begründung",
        upload=pdf_upload(), sections="1 Anlass\n2.3 Verkehr",
    )  # fmt: skip
    section = document.sections.get(number="2.3")
    statement = submit(
        world.personas["agency"], track, section=str(section.pk), organisation_name="Landesbetrieb Mobilität",
        uploads=[pdf_upload("gutachten.pdf"), pdf_upload("karte.pdf")],
    )  # fmt: skip
    opinion = parse(xbeteiligung.statement_message(statement)).find(".//x:stellungnahme", namespaces=NS)
    assert opinion.find("x:verfasser/x:privatperson", namespaces=NS) is None
    assert text(opinion, "x:verfasser/x:organisation/x:name") == "Landesbetrieb Mobilität"
    assert text(opinion, "x:zuordnung/x:zuordnungID") == "Begründung / 2.3 Verkehr"
    files = opinion.findall("x:anlagen/anlage", namespaces=NS)
    assert [item.findtext("bezeichnung") for item in files] == ["gutachten.pdf", "karte.pdf"]
    attached = files[0].find("anhangOderVerlinkung/x:anhang", namespaces=NS)
    assert attached.get("hashValue") == hashlib.sha256(pdf_upload().read()).hexdigest()
    assert attached.findtext("dateiname") == "gutachten.pdf"
    assert files[0].findtext("mimeType/code") == "application/pdf"


def test_batch_zip_holds_one_valid_file_per_statement(world, procedure, track):
    statements = [submit(world.personas[persona], track) for persona in ("citizen", "invited", "agency")]
    archive = zipfile.ZipFile(io.BytesIO(xbeteiligung.statement_batch_zip(procedure.statements.all())))
    assert sorted(archive.namelist()) == sorted(f"{statement.reference}.xml" for statement in statements)
    for statement in statements:
        xml = archive.read(f"{statement.reference}.xml")
        xbeteiligung.validate(xml)
        assert text(parse(xml), ".//x:stellungnahmeID") == str(statement.submission_key)


def test_batch_queries_do_not_grow_with_the_number_of_statements(world, procedure, track):
    counts = []
    for persona in ("citizen", "invited", "agency"):
        submit(world.personas[persona], track, uploads=[pdf_upload()])
        with CaptureQueriesContext(connection) as queries:
            xbeteiligung.statement_batch_zip(procedure.statements.all())
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]


def test_validate_reports_line_and_schema_message():
    with pytest.raises(MessageInvalid) as error:
        xbeteiligung.validate(edited(message("raumordnung-initiieren-0301.xml"), ".//x:planname", None))
    assert "Zeile" in str(error.value) and "planname" in str(error.value)
    with pytest.raises(MessageInvalid, match="kein wohlgeformtes XML"):
        xbeteiligung.validate(b"<nicht-geschlossen>")


def test_xsd_folder_can_be_configured(settings, tmp_path):
    settings.XBETEILIGUNG_XSD_DIR = str(tmp_path)
    assert xbeteiligung.xsd_dir() == tmp_path
    with pytest.raises(ImproperlyConfigured, match="nicht gefunden"):
        xbeteiligung.validate(message("kommunal-initiieren-0401.xml"))


# Import: 0301 and 0401


def test_fixture_messages_are_valid():
    xbeteiligung.validate(message("raumordnung-initiieren-0301.xml"))
    xbeteiligung.validate(message("kommunal-initiieren-0401.xml"))


def test_import_0301_creates_a_plan_procedure_with_berlin_dates(world):
    procedure = exchange.import_procedure(
        message("raumordnung-initiieren-0301.xml"), actor=world.personas["case_worker"], project=world.public
    )
    assert procedure.procedure_type == "landesplanung"  # Verfahrensart «Teilfortschreibung» describes a plan
    assert procedure.module.name == "Regionaler Raumordnungsplan Musterregion, Teilfortschreibung Windenergie"
    (track,) = Track.objects.filter(round__procedure=procedure)
    assert (track.round.kind, track.audience, track.xbeteiligung_code) == ("hearing", "public", 5200)
    # 2 March is winter time, 11 April 00:00 summer time: midnight in Berlin either way.
    assert track.start == datetime(2026, 3, 1, 23, 0, tzinfo=UTC)
    assert track.end == datetime(2026, 4, 10, 22, 0, tzinfo=UTC)
    assert track.announced_at == datetime(2026, 2, 20, tzinfo=BERLIN)
    assert track.period_override_reason == ""  # the periods keep the legal minimums
    entry = AuditEntry.objects.get(action="procedure.xbeteiligung_import")
    assert entry.changes["vorgangsID"] == "VG-2026-0815" and entry.changes["planID"] == "RROP-MR-2026-WIND"


def test_import_0301_without_plan_details_is_a_raumordnungsverfahren(world):
    xml = edited(message("raumordnung-initiieren-0301.xml"), ".//x:verfahrensart", None)
    procedure = exchange.import_procedure(xml, actor=world.personas["case_worker"], project=world.public)
    assert procedure.procedure_type == "rov"


def test_import_0401_creates_one_round_with_both_audiences(world):
    procedure = exchange.import_procedure(
        message("kommunal-initiieren-0401.xml"), actor=world.personas["case_worker"], project=world.public
    )
    assert procedure.procedure_type == "blp"
    (round_,) = procedure.rounds.all()
    # law.BAULEITPLANUNG_CODES: 6000 is the public hearing (publication), 5000 the agencies' hearing.
    assert round_.kind == "hearing"
    tracks = {track.audience: track for track in round_.tracks.all()}
    assert set(tracks) == {"public", "agency"}
    for track in tracks.values():
        assert track.start == datetime(2026, 10, 5, tzinfo=BERLIN)  # summer time, 22:00 UTC the day before
        assert track.end == datetime(2026, 11, 7, tzinfo=BERLIN)  # winter time again
        assert track.end == datetime(2026, 11, 6, 23, 0, tzinfo=UTC)


def test_import_takes_over_short_periods_with_a_recorded_reason(world):
    xml = edited(message("raumordnung-initiieren-0301.xml"), ".//x:zeitraum/x:ende", "2026-03-09")
    procedure = exchange.import_procedure(xml, actor=world.personas["case_worker"], project=world.public)
    track = Track.objects.get(round__procedure=procedure)
    assert track.period_override_reason.startswith(
        "Übernommen aus XBeteiligung-Nachricht 6f1c2d8e-3b7a-4c51-9e0f-2a4b6c8d0e13"
    )
    assert AuditEntry.objects.filter(action="track.period_override", object_id=str(track.pk)).exists()


def count_everything() -> tuple[int, int, int, int]:
    return Module.objects.count(), Procedure.objects.count(), Round.objects.count(), Track.objects.count()


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        (edited(message("raumordnung-initiieren-0301.xml"), ".//x:planname", None), "planname"),
        (edited(message("raumordnung-initiieren-0301.xml"), ".//x:zeitraum/x:beginn", "2026-13-01"), "beginn"),
        (b'<?xml version="1.0"?>\n<Verfahren xmlns="urn:beispiel"/>', "Zeile 2"),
    ],
)
def test_invalid_message_is_refused_with_the_schema_error_and_creates_nothing(world, xml, expected):
    before = count_everything()
    with pytest.raises(MessageInvalid) as error:
        exchange.import_procedure(xml, actor=world.personas["case_worker"], project=world.public)
    assert "Schema" in str(error.value) and expected in str(error.value)
    assert count_everything() == before


def test_valid_message_of_another_type_is_refused(world, procedure, track):
    statement_xml = xbeteiligung.statement_message(submit(world.personas["citizen"], track))
    before = count_everything()
    with pytest.raises(MessageInvalid, match="wird hier nicht verarbeitet"):
        exchange.import_procedure(statement_xml, actor=world.personas["case_worker"], project=world.public)
    assert count_everything() == before


def test_unknown_step_code_is_refused_in_german(world):
    xml = edited(message("raumordnung-initiieren-0301.xml"), ".//x:verfahrensschritt/code", "4711")
    before = count_everything()
    with pytest.raises(MessageInvalid, match="Unbekannter Verfahrensschritt „4711“"):
        exchange.import_procedure(xml, actor=world.personas["case_worker"], project=world.public)
    assert count_everything() == before


def test_failure_while_saving_leaves_nothing_behind(world, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError("Frist abgelehnt")

    monkeypatch.setattr(services, "track_add", refuse)
    before = count_everything()
    with pytest.raises(MessageInvalid, match="Frist abgelehnt"):
        exchange.import_procedure(
            message("kommunal-initiieren-0401.xml"), actor=world.personas["case_worker"], project=world.public
        )
    assert count_everything() == before


def test_backoffice_downloads_validate(world):
    from .test_abwaegung import submit_as

    procedure = make_procedure(world.personas["case_worker"], world.public)
    track = procedure.rounds.get().tracks.get()
    statement = submit_as(world, "citizen", track)
    base = f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/verfahren/{procedure.module.pk}/"
    client = world.client("case_worker")
    single = client.get(f"{base}eingang/{statement.pk}/xbeteiligung.xml")
    assert single.status_code == 200
    xbeteiligung.validate(single.content)
    batch = zipfile.ZipFile(io.BytesIO(b"".join(client.get(f"{base}xbeteiligung-0701.zip").streaming_content)))
    assert batch.namelist() == [f"{statement.reference}.xml"]
    assert world.client("other_org_admin").get(f"{base}eingang/{statement.pk}/xbeteiligung.xml").status_code == 404


def test_backoffice_import_shows_the_schema_error_and_saves_nothing(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/verfahren/import/"
    client = world.client("case_worker")
    broken = SimpleUploadedFile("kaputt.xml", b"<kein><xbeteiligung/></kein>", content_type="application/xml")
    response = client.post(url, {"message": broken})
    assert response.status_code == 200
    assert (
        "Die Nachricht wurde nicht übernommen" in response.content.decode()
        and 'id="id_message_error"' in response.content.decode()
    )
    assert not Procedure.objects.exists()
    valid = SimpleUploadedFile("ok.xml", message("raumordnung-initiieren-0301.xml"), content_type="application/xml")
    assert client.post(url, {"message": valid}).status_code == 302
    assert Procedure.objects.count() == 1


def test_api_xbeteiligung_endpoints_are_for_staff_only(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .test_abwaegung import submit_as

    procedure = make_procedure(world.personas["case_worker"], world.public)
    statement = submit_as(world, "citizen", procedure.rounds.get().tracks.get())
    url = f"/api/v1/procedures/{world.organisation.slug}/{world.public.pk}/{procedure.module.pk}/statements/{statement.reference}.xml"
    response = world.client("case_worker").get(url)
    assert response.status_code == 200
    xbeteiligung.validate(response.content)
    for persona in ["citizen", "other_org_admin"]:
        assert world.client(persona).get(url).status_code == 404
    assert world.client("anonymous").get(url).status_code == 401
    from django.test import Client

    from .conftest import login

    client = login(Client(enforce_csrf_checks=False), world.personas["case_worker"])
    import_url = f"/api/v1/procedures/{world.organisation.slug}/{world.public.pk}/import"
    bad = client.post(import_url, {"message": SimpleUploadedFile("x.xml", b"<x/>")})
    assert bad.status_code == 400 and any("Zeile" in error for error in bad.json()["errors"])
    good = client.post(import_url, {"message": SimpleUploadedFile("m.xml", message("kommunal-initiieren-0401.xml"))})
    assert good.status_code == 201 and good.json()["procedure_type"] == "blp"
