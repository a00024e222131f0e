"""XBeteiligung as an exchange (issue #16): messages built by the tests, carried out once, answered as the
standard defines, and a round trip whose 0701 the sender can match to its 0401."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from lxml import etree

from mitwirken.core.models import AuditEntry
from mitwirken.formal import exchange, xbeteiligung
from mitwirken.formal.models import (
    Document,
    ExchangeMessage,
    ExchangeStatus,
    ImportedPlan,
    LinkedDocument,
    Procedure,
    Round,
    Track,
)
from mitwirken.projects.models import Module, Project

from .test_abwaegung import submit_as
from .xbeteiligung_messages import PDF, Block, Doc, berlin_today, kommunal, raumordnung

pytestmark = pytest.mark.django_db
NS = {"x": xbeteiligung.XBETEILIGUNG, "g2g": xbeteiligung.G2G, "beh": xbeteiligung.BEHOERDE}
SENDER = "07111042"  # the builder's default author: Ortsgemeinde Musterdorf


@pytest.fixture(autouse=True)
def addressed(world):
    """The builder addresses messages to AGS 07111000; the world's organisation has it."""
    world.organisation.ags = "07111000"
    world.organisation.save()
    world.other_organisation.ags = "07211000"
    world.other_organisation.save()


def receive(world, xml, persona="case_worker", **kwargs):
    return exchange.receive(xml, actor=world.personas[persona], **kwargs)


def tree(message: ExchangeMessage):
    return etree.fromstring(message.payload.encode())


def counts() -> tuple[int, ...]:
    """Everything a message could create, apart from its own inbox record and reply."""
    return (Project.objects.count(), Module.objects.count(), Procedure.objects.count(), Round.objects.count(),
            Track.objects.count(), Document.objects.count(), LinkedDocument.objects.count(),
            ImportedPlan.objects.count())  # fmt: skip


def pdf(marker: str) -> bytes:
    return PDF.replace(b"%%EOF", f"% {marker}\n%%EOF".encode())


# Create


def test_a_0401_creates_the_whole_procedure_and_is_answered_with_0411(world):
    area = {"type": "Polygon", "coordinates": [[[7.6, 50.4], [7.62, 50.4], [7.62, 50.42], [7.6, 50.42], [7.6, 50.4]]]}
    plan_doc = Doc(name="Planzeichnung.pdf", content=pdf("plan"))
    xml = kommunal(
        "0401", stage="6000", working_title="Mühlbach Nord", plan_type="6_3_EinfacherBPlan",
        reason="Wohnbauflächen für junge Familien", area=area, boundary_url="https://karten.example/plan17",
        author_email="bauamt@musterdorf.example",
        blocks=[
            Block("public", code="6000", notices=["Auslegung im Rathaus, Zimmer 12"],
                  documents=[plan_doc, Doc(name="Begründung", url="https://cockpit.example/begruendung.pdf")]),
            Block("agency", code="5000", documents=[Doc(name="Gutachten", content=None)]),
        ],
    )  # fmt: skip
    outcome = receive(world, xml)

    assert outcome.accepted and outcome.created, outcome.errors
    procedure = outcome.procedure
    plan = procedure.imported_plan
    assert (plan.plan_id, plan.vorgang_id, plan.sender_id, plan.sender_email) == (
        "BP-17", "BP-17-V1", SENDER, "bauamt@musterdorf.example")  # fmt: skip
    assert (plan.working_title, plan.plan_type, plan.stage, plan.planning_reason) == (
        "Mühlbach Nord", "6_3_EinfacherBPlan", "6000", "Wohnbauflächen für junge Familien")  # fmt: skip
    assert plan.boundary_url == "https://karten.example/plan17" and plan.initiator == "Ortsgemeinde Musterdorf"
    project = procedure.module.project
    assert project.organisation == world.organisation and project.location == area
    public, agency = (
        Track.objects.get(round__procedure=procedure, audience=audience) for audience in ("public", "agency")
    )
    assert (public.external_id, public.external_round, public.step_code, public.xbeteiligung_code) == (
        "BP-17-OEFF-1", 1, "6000", 6000)  # fmt: skip
    assert public.notices == ["Auslegung im Rathaus, Zimmer 12"] and agency.external_id == "BP-17-TOEB-1"
    assert public.last_day == berlin_today() + timedelta(days=40)
    document = Document.objects.get(procedure=procedure)
    assert document.sha256 == hashlib.sha256(pdf("plan")).hexdigest() and document.track == public
    states = dict(LinkedDocument.objects.filter(procedure=procedure).values_list("title", "state"))
    assert states == {"Planzeichnung": "fetched", "Begründung": "linked", "Gutachten": "missing"}
    # Inbox, reply and audit
    assert outcome.message.status == ExchangeStatus.PROCESSED and outcome.message.organisation == world.organisation
    reply = tree(outcome.reply)
    assert etree.QName(reply).localname == "kommunal.Initiieren.OK.0411"
    xbeteiligung.validate(outcome.reply.payload.encode())
    assert reply.findtext("x:nachrichteninhalt/x:planID", namespaces=NS) == "BP-17"
    assert reply.findtext("x:nachrichteninhalt/x:vorgangsID", namespaces=NS) == "BP-17-V1"
    assert reply.findtext("g2g:nachrichtenkopf.g2g/g2g:leser/beh:kennung", namespaces=NS) == SENDER
    assert AuditEntry.objects.filter(action="procedure.xbeteiligung_import", object_id=str(procedure.pk)).exists()


def test_a_0301_with_a_gml_area_becomes_a_raumordnung_plan(world):
    gml = ('<gml:Polygon xmlns:gml="http://www.opengis.net/gml/3.2" srsName="EPSG:25832"><gml:exterior>'
           "<gml:LinearRing><gml:posList>400000 5580000 401000 5580000 401000 5581000 400000 5580000"
           "</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>")  # fmt: skip
    xml = etree.tostring(_with_area(etree.fromstring(raumordnung("0301", code="4200", plan_type="1000")), gml))
    outcome = receive(world, xml)
    assert outcome.accepted, outcome.errors
    track = Track.objects.get(round__procedure=outcome.procedure)
    assert (track.audience, track.round.kind, track.step_code) == ("agency", "hearing", "4200")
    location = outcome.procedure.module.project.location
    assert location["type"] == "Polygon"
    lon, lat = location["coordinates"][0][0]
    assert 7.5 < lon < 7.7 and 50.3 < lat < 50.4  # UTM 32 easting 400 km lies west of 9° E


def _with_area(root, text):
    area = root.find(".//x:geltungsbereich", namespaces=NS)
    area.text = text
    return root


# Update


def test_a_0402_moves_periods_adds_documents_and_versions_changed_ones(world, django_capture_on_commit_callbacks):
    first_doc = Doc(name="Planzeichnung.pdf", content=pdf("v1"), document_id="DOC-1")
    created = receive(world, kommunal("0401", blocks=[Block("public", documents=[first_doc]), Block("agency")]))
    procedure = created.procedure
    follower = world.personas["citizen"]
    from mitwirken.participation.models import Follow

    Follow.objects.create(user=follower, project=procedure.module.project)
    later = berlin_today() + timedelta(days=60)
    update = kommunal("0402", blocks=[
        Block("public", last_day=later, notices=["Frist verlängert"], documents=[
            Doc(name="Planzeichnung.pdf", content=pdf("v2"), document_id="DOC-1"),
            Doc(name="Umweltbericht.pdf", content=pdf("umwelt"), document_id="DOC-2"),
        ]),
        Block("agency"),
    ])  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        outcome = receive(world, update)

    assert outcome.accepted and not outcome.created and outcome.procedure == procedure, outcome.errors
    public = Track.objects.get(round__procedure=procedure, audience="public")
    assert public.last_day == later and public.notices == ["Frist verlängert"]
    documents = Document.objects.filter(procedure=procedure).order_by("pk")
    assert [(d.title, d.version) for d in documents] == [
        ("Planzeichnung", 1), ("Planzeichnung", 2), ("Umweltbericht", 1)]  # fmt: skip
    assert documents[0].superseded_by == documents[1]
    assert etree.QName(tree(outcome.reply)).localname == "kommunal.Aktualisieren.OK.0412"
    entry = AuditEntry.objects.get(action="procedure.xbeteiligung_update", object_id=str(procedure.pk))
    assert "verlängert" in str(entry.changes["periods"]) and "Umweltbericht" in entry.changes["documents"]
    from mitwirken.core.models import Notification

    assert Notification.objects.filter(recipient=follower, title__contains="Aktualisiert").exists()


def test_a_configuration_step_opens_no_period_and_its_documents_wait_for_one(world):
    waiting = Doc(name="Vorentwurf.pdf", content=pdf("vorentwurf"), document_id="DOC-V")
    created = receive(world, kommunal("0401", stage="1000", blocks=[Block("public", code="1000", documents=[waiting])]))
    assert created.accepted, created.errors
    procedure = created.procedure
    assert not Track.objects.filter(round__procedure=procedure).exists()
    link = LinkedDocument.objects.get(procedure=procedure)
    assert link.state == "waiting" and link.file

    opened = receive(world, kommunal("0402", stage="4000", blocks=[Block("public", code="4000")]))
    assert opened.accepted, opened.errors
    track = Track.objects.get(round__procedure=procedure)
    assert (track.round.kind, track.step_code) == ("early", "4000")
    link.refresh_from_db()
    assert link.state == "fetched" and link.document.track == track and not link.file
    assert procedure.imported_plan.__class__.objects.get(procedure=procedure).stage == "4000"


def test_a_raumordnung_update_finds_its_procedure_by_plan_id(world):
    created = receive(world, raumordnung("0301", code="5200"))
    later = berlin_today() + timedelta(days=50)
    outcome = receive(world, raumordnung("0302", code="5200", last_day=later))
    assert outcome.accepted and outcome.procedure == created.procedure, outcome.errors
    assert Track.objects.get(round__procedure=created.procedure).last_day == later
    assert etree.QName(tree(outcome.reply)).localname == "raumordnung.Aktualisieren.OK.0312"


def test_an_update_for_an_unknown_procedure_is_answered_not_ok_and_changes_nothing(world):
    before = counts()
    outcome = receive(world, kommunal("0402", plan_id="BP-99"))
    assert outcome.problem == "not_found" and counts() == before
    assert outcome.message.status == ExchangeStatus.FAILED and "BP-99" in outcome.message.reason
    reply = tree(outcome.reply)
    assert etree.QName(reply).localname == "kommunal.Aktualisieren.NOK.0422"
    assert "kein Verfahren" in reply.findtext("x:nachrichteninhalt/x:fehler/x:beschreibung", namespaces=NS)
    assert reply.findtext("x:nachrichteninhalt/x:beteiligungsID", namespaces=NS) == "BP-99-OEFF-1"
    xbeteiligung.validate(outcome.reply.payload.encode())


def test_an_update_the_running_procedure_does_not_allow_changes_nothing_at_all(world):
    receive(world, kommunal("0401", blocks=[Block("public")]))
    before = counts()
    # The period has begun; its start cannot move. The new document of the same message must not stay either.
    moved = kommunal("0402", blocks=[Block("public", first_day=berlin_today() + timedelta(days=5),
                                           documents=[Doc(name="Neu.pdf", content=pdf("neu"))])])  # fmt: skip
    outcome = receive(world, moved)
    assert outcome.problem == "conflict" and counts() == before
    assert any("Beginn" in error for error in outcome.errors)
    assert etree.QName(tree(outcome.reply)).localname == "kommunal.Aktualisieren.NOK.0422"


# Once only


def test_the_same_message_twice_changes_nothing_the_second_time(world):
    xml = kommunal("0401", blocks=[Block("public", documents=[Doc(content=pdf("einmal"))])])
    first = receive(world, xml)
    before = counts()
    second = receive(world, xml)
    assert second.repeated and second.accepted and counts() == before
    assert second.procedure == first.procedure and second.reply == first.reply
    assert ExchangeMessage.objects.incoming().filter(message_id=first.message.message_id).count() == 1

    update = kommunal("0402", blocks=[Block("public", last_day=berlin_today() + timedelta(days=70))])
    receive(world, update)
    audit = AuditEntry.objects.count()
    assert receive(world, update).repeated and AuditEntry.objects.count() == audit


def test_a_second_0401_for_a_known_plan_is_refused(world):
    receive(world, kommunal("0401"))
    before = counts()
    outcome = receive(world, kommunal("0401"))  # another message id, the same planID
    assert outcome.problem == "conflict" and counts() == before
    assert etree.QName(tree(outcome.reply)).localname == "kommunal.Initiieren.NOK.0421"


# Routing


def test_a_message_for_another_organisation_is_refused(world):
    before = counts()
    sent_here = receive(world, kommunal("0401", reader_id="07211000"), organisation=world.organisation)
    assert sent_here.problem == "forbidden" and counts() == before
    assert "Stadt Anderswo" in sent_here.errors[0]
    # Without an organisation context the addressee decides, and the case worker may not act for it.
    anywhere = receive(world, kommunal("0401", reader_id="07211000"))
    assert anywhere.problem == "forbidden" and counts() == before
    assert anywhere.message.organisation == world.other_organisation  # it shows in the addressee's inbox


def test_the_directory_id_addresses_an_organisation_too(world):
    world.organisation.directory_id = "psw:07111000"
    world.organisation.save()
    outcome = receive(world, kommunal("0401", reader_id="psw:07111000"))
    assert outcome.accepted and outcome.procedure.module.project.organisation == world.organisation


def test_a_message_for_an_unknown_addressee_is_parked_for_the_portal_administrators(world):
    before = counts()
    outcome = receive(world, kommunal("0401", reader_id="09999999"))
    assert outcome.problem == "parked" and counts() == before
    assert outcome.message.status == ExchangeStatus.PARKED and outcome.message.organisation is None
    with pytest.raises(PermissionDenied):  # only portal administrators assign
        exchange.assign_parked(actor=world.personas["org_admin"], message=outcome.message,
                               organisation=world.organisation)  # fmt: skip
    assigned = exchange.assign_parked(actor=world.personas["portal_admin"], message=outcome.message,
                                      organisation=world.organisation)  # fmt: skip
    assert assigned.accepted and assigned.procedure.module.project.organisation == world.organisation
    assert ExchangeMessage.objects.incoming().count() == 1  # the parked record became the processed one


# Refused messages


def test_an_unknown_step_code_is_refused_with_the_code_and_the_list(world):
    before = counts()
    outcome = receive(world, kommunal("0401", blocks=[Block("public", code="4711")]))
    assert outcome.problem == "invalid" and counts() == before
    assert "4711" in outcome.errors[0] and "verfahrensschrittkommunal" in outcome.errors[0]
    assert etree.QName(tree(outcome.reply)).localname == "kommunal.Initiieren.NOK.0421"


@pytest.mark.parametrize("code", sorted(xbeteiligung.KOMMUNAL_STEPS))
def test_every_kommunal_step_code_of_the_list_is_taken(world, code):
    step = xbeteiligung.KOMMUNAL_STEPS[code]
    audience = step.audience or "public"
    outcome = receive(world, kommunal("0401", stage=code, blocks=[Block(audience, code=code)]))
    assert outcome.accepted, outcome.errors
    tracks = Track.objects.filter(round__procedure=outcome.procedure)
    assert tracks.count() == (1 if step.kind else 0)
    assert outcome.procedure.imported_plan.stage == code


@pytest.mark.parametrize("code", sorted(xbeteiligung.RAUMORDNUNG_STEPS))
def test_every_raumordnung_step_code_of_the_list_is_taken(world, code):
    step = xbeteiligung.RAUMORDNUNG_STEPS[code]
    outcome = receive(world, raumordnung("0301", code=code, round=2 if step.renewed else 1))
    assert outcome.accepted, outcome.errors
    tracks = list(Track.objects.filter(round__procedure=outcome.procedure))
    assert [(t.audience, t.round.kind) for t in tracks] == ([(step.audience, step.kind)] if step.kind else [])


@pytest.mark.parametrize("xml", [b"<kein xml", b"<x:a xmlns:x='https://www.xleitstelle.de/xbeteiligung/12'/>"])
def test_invalid_xml_is_refused_and_recorded(world, xml):
    before = counts()
    outcome = receive(world, xml, organisation=world.organisation)
    assert outcome.problem == "invalid" and counts() == before and outcome.reply is None
    assert outcome.message.status == ExchangeStatus.FAILED and outcome.message.organisation == world.organisation
    assert "Zeile" in " ".join(outcome.errors)


def test_a_document_whose_hash_does_not_match_refuses_the_message(world):
    before = counts()
    broken = Doc(name="Plan.pdf", content=pdf("echt"), hash="0" * 64, document_id="DOC-X")
    outcome = receive(world, kommunal("0401", blocks=[Block("public", documents=[broken])]))
    assert outcome.problem == "invalid" and counts() == before
    faulty = tree(outcome.reply).find("x:nachrichteninhalt/x:fehlerhafteUnterlagen", namespaces=NS)
    assert faulty.findtext("x:dokumentID", namespaces=NS) == "DOC-X"
    assert "Prüfsumme" in faulty.findtext("x:fehlerbeschreibung", namespaces=NS)


def test_a_delete_message_is_answered_not_ok(world):
    created = receive(world, kommunal("0401"))
    sender = xbeteiligung.Authority(name="Ortsgemeinde Musterdorf", kennung=SENDER)
    reader = xbeteiligung.Authority(name="Landkreis Musterkreis", kennung="07111000")
    root = xbeteiligung._message("kommunal.Loeschen.0409", sender=sender, receiver=reader)
    content = xbeteiligung._sub(root, xbeteiligung._xb("nachrichteninhalt"))
    for tag, value in (("vorgangsID", "BP-17-V1"), ("beteiligungsID", "BP-17-OEFF-1"), ("planID", "BP-17")):
        xbeteiligung._sub(content, xbeteiligung._xb(tag), value)
    outcome = receive(world, etree.tostring(root))
    assert outcome.problem == "unsupported" and Procedure.objects.filter(pk=created.procedure.pk).exists()
    reply = tree(outcome.reply)
    assert etree.QName(reply).localname == "kommunal.Loeschen.NOK.0429"
    assert reply.findtext("x:nachrichteninhalt/x:planID", namespaces=NS) == "BP-17"


# Round trip


def _round_trip_ids(xml: bytes) -> dict[str, str]:
    root = etree.fromstring(xml)
    content = "x:nachrichteninhalt"
    return {
        "vorgangsID": root.findtext(f"{content}/x:vorgangsID", namespaces=NS),
        "planID": root.findtext(f"{content}/x:stellungnahme/x:planID", namespaces=NS),
        "beteiligungsID": root.findtext(f"{content}/x:stellungnahme/x:beteiligungsID", namespaces=NS),
        "durchgang": root.findtext(f"{content}/x:stellungnahme/x:durchgang", namespaces=NS),
        "leser": root.findtext("g2g:nachrichtenkopf.g2g/g2g:leser/beh:kennung", namespaces=NS),
    }


def test_round_trip_through_the_back_office(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    xml = kommunal("0401", plan_id="BP-RT", vorgang_id="V-RT-7",
                   blocks=[Block("public", participation_id="RT-OEFF-3", round=3)])  # fmt: skip
    client = world.client("case_worker")
    url = f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/verfahren/import/"
    response = client.post(url, {"message": SimpleUploadedFile("0401.xml", xml, content_type="application/xml")})
    assert response.status_code == 302, response.content.decode()[:2000]
    procedure = Procedure.objects.get(imported_plan__plan_id="BP-RT")
    track = Track.objects.get(round__procedure=procedure)
    statement = submit_as(world, "citizen", track)
    base = f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/verfahren/{procedure.module.pk}/"
    exported = client.get(f"{base}eingang/{statement.pk}/xbeteiligung.xml")
    assert exported.status_code == 200
    xbeteiligung.validate(exported.content)
    assert _round_trip_ids(exported.content) == {
        "vorgangsID": "V-RT-7", "planID": "BP-RT", "beteiligungsID": "RT-OEFF-3", "durchgang": "3", "leser": SENDER,
    }  # fmt: skip


def test_round_trip_through_the_api(world):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from .conftest import login

    client = login(Client(), world.personas["case_worker"])
    xml = kommunal("0401", plan_id="BP-API", vorgang_id="V-API",
                   blocks=[Block("public", participation_id="API-OEFF-1")])  # fmt: skip
    url = f"/api/v1/procedures/{world.organisation.slug}/{world.public.pk}/import"
    response = client.post(url, {"message": SimpleUploadedFile("m.xml", xml)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "processed" and body["reply_type"] == "kommunal.Initiieren.OK.0411"
    xbeteiligung.validate(body["reply"].encode())
    procedure = Procedure.objects.get(module__pk=body["procedure"])
    statement = submit_as(world, "citizen", Track.objects.get(round__procedure=procedure))
    url = f"/api/v1/procedures/{world.organisation.slug}/{world.public.pk}/{procedure.module.pk}/statements/{statement.reference}.xml"
    exported = client.get(url)
    assert exported.status_code == 200
    assert _round_trip_ids(exported.content) == {
        "vorgangsID": "V-API", "planID": "BP-API", "beteiligungsID": "API-OEFF-1", "durchgang": "1", "leser": SENDER,
    }  # fmt: skip


def test_the_message_endpoint_routes_by_addressee_and_answers_repeats(world):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from .conftest import login

    client = login(Client(), world.personas["case_worker"])
    xml = kommunal("0401", plan_id="BP-NEU")
    response = client.post("/api/v1/xbeteiligung/messages", {"message": SimpleUploadedFile("m.xml", xml)})
    assert response.status_code == 201, response.content
    procedure = Procedure.objects.get(module__pk=response.json()["procedure"])
    project = procedure.module.project
    # A new plan gets a project of its own, as a draft: staff check and publish it.
    assert project.organisation == world.organisation and project.title == 'Bebauungsplan "Am Mühlbach"'
    assert project.pk != world.public.pk and not project.is_published
    again = client.post("/api/v1/xbeteiligung/messages", {"message": SimpleUploadedFile("m.xml", xml)})
    assert again.status_code == 200 and again.json()["repeated"] is True
    unknown = client.post("/api/v1/xbeteiligung/messages",
                          {"message": SimpleUploadedFile("m.xml", kommunal("0402", plan_id="BP-X"))})  # fmt: skip
    assert unknown.status_code == 404 and unknown.json()["reply_type"] == "kommunal.Aktualisieren.NOK.0422"
    parked = client.post("/api/v1/xbeteiligung/messages",
                         {"message": SimpleUploadedFile("m.xml", kommunal("0401", reader_id="09999999"))})  # fmt: skip
    assert parked.status_code == 202 and parked.json()["status"] == "parked"


# Linked documents, pages


@pytest.fixture
def document_server():
    """A real HTTP server on loopback that serves one PDF, as a sender's document store would."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pdf("verlinkt") if self.path == "/plan.pdf" else b""
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_linked_documents_are_fetched_only_from_allowed_hosts(world, settings, document_server,
                                                              django_capture_on_commit_callbacks):  # fmt: skip
    linked = Doc(name="Plan", url=f"{document_server}/plan.pdf", document_id="L-1")
    missing = Doc(name="Weg", url=f"{document_server}/weg.pdf", document_id="L-2")
    settings.XBETEILIGUNG_DOCUMENT_HOSTS = []
    with django_capture_on_commit_callbacks(execute=True):
        kept = receive(world, kommunal("0401", plan_id="BP-L1", blocks=[Block("public", documents=[linked])]))
    assert LinkedDocument.objects.get(procedure=kept.procedure).state == "linked"  # not allowed: a link stays a link

    settings.XBETEILIGUNG_DOCUMENT_HOSTS = [document_server]
    with django_capture_on_commit_callbacks(execute=True):
        fetched = receive(
            world, kommunal("0401", plan_id="BP-L2", blocks=[Block("public", documents=[linked, missing])])
        )
    states = {link.title: link for link in LinkedDocument.objects.filter(procedure=fetched.procedure)}
    assert (
        states["Plan"].state == "fetched"
        and states["Plan"].document.sha256 == hashlib.sha256(pdf("verlinkt")).hexdigest()
    )
    assert states["Weg"].state == "failed" and "404" in states["Weg"].problem


def test_the_public_page_shows_notices_and_linked_documents_and_staff_see_the_senders_plan(world):
    link = Doc(name="Gutachten Lärm", url="https://cockpit.example/laerm.pdf", document_id="L-9")
    xml = kommunal("0401", reason="Neue Wohnbauflächen", blocks=[
        Block("public", notices=["Erörterung am 12. Mai im Bürgerhaus"], documents=[link])])  # fmt: skip
    outcome = receive(world, xml, project=world.public)
    module = outcome.procedure.module
    page = world.client("citizen").get(module.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200 and "Erörterung am 12. Mai im Bürgerhaus" in text
    assert 'href="https://cockpit.example/laerm.pdf"' in text and "Gutachten Lärm" in text
    setup = world.client("case_worker").get(
        f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/verfahren/{module.pk}/"
    )
    body = setup.content.decode()
    assert setup.status_code == 200 and "Übernommen per XBeteiligung" in body
    assert "Neue Wohnbauflächen" in body and "planID BP-17" in body and "Gutachten Lärm" in body


def test_the_staff_guide_lists_every_step_code_the_portal_knows():
    from pathlib import Path

    guide = (Path(__file__).parents[1] / "docs" / "formal.md").read_text(encoding="utf-8")
    for steps in (xbeteiligung.KOMMUNAL_STEPS, xbeteiligung.RAUMORDNUNG_STEPS):
        for step in steps.values():
            assert f"| {step.code} | {step.label} |" in guide, step


def test_an_unexpected_api_error_is_logged_and_never_answered_with_a_traceback(world, settings, monkeypatch, caplog):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from .conftest import login

    def broken(*args, **kwargs):
        raise RuntimeError("kaputt im Inneren")

    monkeypatch.setattr(exchange, "receive", broken)
    settings.DEBUG = True  # development settings: ninja would answer with the traceback
    client = login(Client(), world.personas["case_worker"])
    response = client.post("/api/v1/xbeteiligung/messages", {"message": SimpleUploadedFile("m.xml", b"<x/>")})
    assert response.status_code == 500 and response["Content-Type"].startswith("application/json")
    assert "Traceback" not in response.content.decode() and "kaputt" not in response.content.decode()
    assert "kaputt im Inneren" in caplog.text


def test_the_example_messages_in_the_docs_work_with_the_demo_organisation(world):
    """docs/examples/xbeteiligung: a 0401 and its 0402 for the demo's Kreisverwaltung (AGS 07133000)."""
    from pathlib import Path

    import time_machine

    folder = Path(__file__).parents[1] / "docs" / "examples" / "xbeteiligung"
    world.organisation.ags = "07133000"
    world.organisation.save()
    with time_machine.travel("2026-12-15 10:00 +01:00", tick=False):
        created = receive(world, (folder / "kommunal-initiieren-0401.xml").read_bytes())
        updated = receive(world, (folder / "kommunal-aktualisieren-0402.xml").read_bytes())
    assert created.accepted and updated.accepted, (created.errors, updated.errors)
    public = Track.objects.get(round__procedure=created.procedure, audience="public")
    assert public.last_day.isoformat() == "2027-02-26"
    assert Document.objects.filter(procedure=created.procedure).count() == 2


def test_round_trip_through_the_api_with_an_api_client(world):
    """A partner system with a key (no browser login, no CSRF): it sends the 0401, a citizen takes part, the
    partner fetches the 0701 and matches it by its own ids; the repeated 0401 changes nothing."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.utils import timezone

    from mitwirken.api import services as api_services
    from mitwirken.formal.api import EXPORT_SCOPE, IMPORT_SCOPE

    _client, key = api_services.client_create(
        actor=world.personas["org_admin"], organisation=world.organisation, name="DiPlan Cockpit",
        scopes=[IMPORT_SCOPE, EXPORT_SCOPE], expires_at=timezone.now() + timedelta(days=30),
    )  # fmt: skip
    partner = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {key}")
    xml = kommunal("0401", plan_id="BP-KEY", vorgang_id="V-KEY", blocks=[Block("public", participation_id="KEY-OEFF-2",
                                                                               round=2)])  # fmt: skip
    url = f"/api/v1/procedures/{world.organisation.slug}/{world.public.pk}/import"
    response = partner.post(url, {"message": SimpleUploadedFile("m.xml", xml)})
    assert response.status_code == 201, response.content
    procedure = Procedure.objects.get(module__pk=response.json()["procedure"])
    assert procedure.imported_plan.plan_id == "BP-KEY"
    statement = submit_as(world, "citizen", Track.objects.get(round__procedure=procedure))
    exported = partner.get(f"/api/v1/procedures/{world.organisation.slug}/{world.public.pk}/{procedure.module.pk}/"
                           f"statements/{statement.reference}.xml")  # fmt: skip
    assert exported.status_code == 200, exported.content
    xbeteiligung.validate(exported.content)
    assert _round_trip_ids(exported.content) == {
        "vorgangsID": "V-KEY", "planID": "BP-KEY", "beteiligungsID": "KEY-OEFF-2", "durchgang": "2", "leser": SENDER,
    }  # fmt: skip
    again = partner.post(url, {"message": SimpleUploadedFile("m.xml", xml)})
    assert again.status_code == 200 and again.json()["repeated"] is True
    assert Procedure.objects.filter(imported_plan__plan_id="BP-KEY").count() == 1


def test_an_oversize_message_is_refused_before_it_is_read(world, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from .conftest import login

    monkeypatch.setattr(exchange, "MAX_MESSAGE_BYTES", 1000)
    client = login(Client(), world.personas["case_worker"])
    before = counts()
    big = kommunal("0401", blocks=[Block("public", documents=[Doc(content=pdf("x" * 2000))])])
    for url in (
        "/api/v1/xbeteiligung/messages",
        f"/api/v1/procedures/{world.organisation.slug}/{world.public.pk}/import",
    ):
        response = client.post(url, {"message": SimpleUploadedFile("gross.xml", big)})
        assert response.status_code == 400 and "zu groß" in response.json()["detail"]
    assert counts() == before and not ExchangeMessage.objects.exists()
