"""Formal procedures: periods, documents, statements with receipts, deadlines, the inbox."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mitwirken.core.models import AuditEntry
from mitwirken.formal import services
from mitwirken.formal.models import Statement

from .dialogue_helpers import post_with_proof_of_work
from .formal_fixtures import make_procedure, pdf_upload

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
ADDRESS = {"author_name": "Erika Mustermann", "street": "Hauptstraße 1", "postal_code": "55555", "city": "Musterstadt"}


def urls(procedure, track):
    project = procedure.module.project
    base = f"/{project.organisation.slug}/projekte/{project.slug}/{procedure.module.slug}"
    return {"page": f"/{project.organisation.slug}/projekte/{project.slug}/{procedure.module.slug}/",
            "form": f"{base}/frist/{track.pk}/stellungnahme/", "review": f"{base}/frist/{track.pk}/pruefen/", "base": base}  # fmt: skip


@pytest.fixture
def procedure(world):
    return make_procedure(world.personas["case_worker"], world.public)


@pytest.fixture
def track(procedure):
    return procedure.rounds.get().tracks.get()


def submit(client, procedure, track, text="Ich wende mich gegen die Trasse.", **extra):
    links = urls(procedure, track)
    response = client.post(links["form"], {"text": text, **ADDRESS, **extra, "action": "review"})
    assert response.status_code == 302, response.content.decode()[:2000]
    review = client.get(links["review"])
    key = re.search(r'name="submission_key" value="([^"]+)"', review.content.decode()).group(1)
    return client.post(links["review"], {"submission_key": key}), key


def test_citizen_submits_and_gets_reference_receipt_and_email(world, procedure, track):
    client = world.client("citizen")
    response, _key = submit(client, procedure, track)
    statement = Statement.objects.get()
    year = timezone.localtime(statement.received_at).year
    assert statement.reference == f"MK-{year}-ROV-000001"
    assert response.status_code == 302 and statement.reference in response["Location"]
    assert statement.author == world.personas["citizen"] and statement.channel == "portal"
    assert len(statement.content_sha256) == 64
    receipt_mail = mail.outbox[-1]
    assert statement.reference in receipt_mail.subject and statement.content_sha256 in receipt_mail.body
    pdf = client.get(response["Location"] + "eingangsbestaetigung.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="statement.submit").exists()


def test_reference_numbers_count_up_per_procedure(world, procedure, track):
    for persona in ["citizen", "invited", "agency"]:
        submit(world.client(persona), procedure, track)
    numbers = sorted(Statement.objects.values_list("reference", flat=True))
    assert [n[-6:] for n in numbers] == ["000001", "000002", "000003"]


def test_final_submit_is_idempotent(world, procedure, track):
    client = world.client("citizen")
    first, key = submit(client, procedure, track)
    again = client.post(urls(procedure, track)["review"], {"submission_key": key})
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Statement.objects.count() == 1
    # the service itself, called twice with the same key
    statement = services.statement_submit(user=world.personas["citizen"], track=track, submission_key=key)
    assert Statement.objects.count() == 1 and statement.pk == Statement.objects.get().pk


def test_empty_text_and_missing_address_are_explained(world, procedure, track):
    client = world.client("citizen")
    links = urls(procedure, track)
    client.post(links["form"], {"text": "  ", "action": "review"})
    html = client.get(links["review"]).content.decode()
    assert "Bitte schreiben Sie Ihre Stellungnahme." in html
    assert "ist in diesem Verfahren Pflicht" in html
    assert "Verbindlich abgeben" not in html
    key = services.draft_for(user=world.personas["citizen"], track=track).submission_key
    client.post(links["review"], {"submission_key": str(key)})
    assert not Statement.objects.exists()


def test_too_long_text_is_refused(world, procedure, track):
    procedure.max_text_length = 20
    procedure.save()
    client = world.client("citizen")
    client.post(urls(procedure, track)["form"], {"text": "x" * 50, **ADDRESS, "action": "review"})
    assert "zu lang (50 Zeichen, erlaubt sind 20)" in client.get(urls(procedure, track)["review"]).content.decode()


def test_disguised_attachment_is_refused_next_to_the_field(world, procedure, track):
    fake = SimpleUploadedFile("gutachten.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")
    response = world.client("citizen").post(
        urls(procedure, track)["form"], {"text": "Text", **ADDRESS, "attachments": fake, "action": "review"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "gutachten.pdf: Dieser Dateityp ist nicht erlaubt" in html and 'id="id_attachments_error"' in html


def test_attachments_are_listed_with_sha256(world, procedure, track):
    client = world.client("citizen")
    response, _key = submit(client, procedure, track, attachments=pdf_upload("anlage.pdf"))
    statement = Statement.objects.get()
    attachment = statement.attachments.get()
    assert len(attachment.sha256) == 64
    assert attachment.sha256 in client.get(response["Location"]).content.decode()


def make_closing(world, last_day: date):
    procedure = make_procedure(world.personas["case_worker"], world.public, first_day=last_day - timedelta(days=40),
                               last_day=last_day)  # fmt: skip
    return procedure, procedure.rounds.get().tracks.get()


@pytest.mark.parametrize(("seconds", "accepted"), [(-1, True), (0, False), (1, False)])
def test_deadline_is_the_end_of_the_last_day_in_berlin(world, seconds, accepted):
    procedure, track = make_closing(world, date(2027, 3, 10))
    end = datetime(2027, 3, 11, 0, 0, tzinfo=BERLIN)  # 23:59:59 on 10 March is the last accepted second
    assert track.end == end
    with time_machine.travel(end - timedelta(days=1), tick=False):
        services.draft_save(user=world.personas["citizen"], track=track, data={"text": "Einwand", **ADDRESS})
    key = str(services.draft_for(user=world.personas["citizen"], track=track).submission_key)
    with time_machine.travel(end + timedelta(seconds=seconds), tick=False):
        if accepted:
            statement = services.statement_submit(user=world.personas["citizen"], track=track, submission_key=key)
            assert statement.received_at == end + timedelta(seconds=seconds)
        else:
            with pytest.raises(ValidationError) as error:
                services.statement_submit(user=world.personas["citizen"], track=track, submission_key=key)
            assert "abgelaufen" in str(error.value)
            response = world.client("citizen").post(urls(procedure, track)["review"], {"submission_key": key})
            assert response.status_code == 403 and "abgelaufen" in response.content.decode()
    assert Statement.objects.count() == (1 if accepted else 0)


@pytest.mark.parametrize(("local", "accepted"), [((2026, 10, 25, 23, 59, 59), True), ((2026, 10, 26, 0, 0, 0), False)])
def test_deadline_on_the_day_the_clocks_go_back(world, local, accepted):
    """25 October 2026 has 25 hours in Berlin; the period still ends at local midnight (23:00 UTC)."""
    _procedure, track = make_closing(world, date(2026, 10, 25))
    assert track.end == datetime(2026, 10, 25, 23, 0, tzinfo=ZoneInfo("UTC"))
    with time_machine.travel(datetime(2026, 10, 20, tzinfo=BERLIN), tick=False):
        services.draft_save(user=world.personas["citizen"], track=track, data={"text": "Einwand", **ADDRESS})
    key = str(services.draft_for(user=world.personas["citizen"], track=track).submission_key)
    with time_machine.travel(datetime(*local, tzinfo=BERLIN), tick=False):
        if accepted:
            services.statement_submit(user=world.personas["citizen"], track=track, submission_key=key)
        else:
            with pytest.raises(ValidationError):
                services.statement_submit(user=world.personas["citizen"], track=track, submission_key=key)
    assert Statement.objects.count() == int(accepted)


def test_closed_form_shows_a_clear_notice(world):
    procedure, track = make_closing(world, timezone.localdate() - timedelta(days=2))
    response = world.client("citizen").get(urls(procedure, track)["form"])
    assert response.status_code == 403
    assert "Die Frist für Stellungnahmen ist am" in response.content.decode()


def test_staff_record_a_late_letter_which_is_flagged_not_dropped(world):
    procedure, track = make_closing(world, timezone.localdate() - timedelta(days=2))
    statement = services.statement_record(
        actor=world.personas["case_worker"], track=track, received_at=timezone.now() - timedelta(hours=1),
        channel="letter", text="Per Post eingegangen", author_name="Max Brief",
    )  # fmt: skip
    assert statement.late and statement.channel == "letter"
    html = (
        world.client("case_worker")
        .get(
            f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/verfahren/{procedure.module.pk}/eingang/?late=1"
        )
        .content.decode()
    )
    assert statement.reference in html and "verspätet" in html


def test_period_below_the_legal_minimum_needs_a_reason(world):
    procedure = services.procedure_create(actor=world.personas["case_worker"], project=world.public,
                                          procedure_type="rov", name="ROV")  # fmt: skip
    round_ = services.round_add(actor=world.personas["case_worker"], procedure=procedure, kind="hearing")
    with pytest.raises(ValidationError) as error:
        services.track_add(actor=world.personas["case_worker"], round=round_, audience="public",
                           first_day=date(2027, 1, 4), last_day=date(2027, 1, 20))  # fmt: skip
    assert "kürzer als die gesetzliche Mindestdauer von 1 Monat" in str(error.value)
    assert not round_.tracks.exists()
    services.track_add(actor=world.personas["case_worker"], round=round_, audience="public", first_day=date(2027, 1, 4),
                       last_day=date(2027, 1, 20), override_reason="Eilbedürftigkeit laut Erlass vom 1.12.")  # fmt: skip
    entry = AuditEntry.objects.get(action="track.period_override")
    assert entry.changes["reason"].startswith("Eilbedürftigkeit")


def test_a_one_month_period_needs_no_reason(world):
    procedure = services.procedure_create(actor=world.personas["case_worker"], project=world.public,
                                          procedure_type="rov", name="ROV")  # fmt: skip
    round_ = services.round_add(actor=world.personas["case_worker"], procedure=procedure, kind="hearing")
    track = services.track_add(actor=world.personas["case_worker"], round=round_, audience="public",
                               first_day=date(2027, 1, 4), last_day=date(2027, 2, 3))  # fmt: skip
    assert track.period_override_reason == "" and track.xbeteiligung_code == 5200


def test_documents_appear_exactly_at_the_track_start(world):
    start_day = timezone.localdate() + timedelta(days=5)
    procedure = make_procedure(world.personas["case_worker"], world.public, first_day=start_day,
                               last_day=start_day + timedelta(days=40))  # fmt: skip
    track = procedure.rounds.get().tracks.get()
    document = services.document_add(actor=world.personas["case_worker"], procedure=procedure, track=track,
                                      title="Planentwurf", upload=pdf_upload(), sections="1 Einleitung\n2.3 Trasse")  # fmt: skip
    link = f"{urls(procedure, track)['base']}/unterlagen/{document.pk}/"
    client = world.client("anonymous")
    with time_machine.travel(track.start - timedelta(seconds=1), tick=False):
        assert client.get(link).status_code == 404
        page = client.get(urls(procedure, track)["page"]).content.decode()
        assert f"unterlagen/{document.pk}/" not in page  # no link yet ...
        assert "Planentwurf" in page  # ... but the announcement says what will be published and when
        assert world.client("case_worker").get(link).status_code == 200  # staff prepare in advance
    with time_machine.travel(track.start, tick=False):
        response = client.get(link)
        assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert [str(s) for s in document.sections.all()] == ["1 Einleitung", "2.3 Trasse"]


def test_new_document_version_keeps_the_old_one(world, procedure, track):
    first = services.document_add(actor=world.personas["case_worker"], procedure=procedure, track=track, title="Plan",
                                   upload=pdf_upload())  # fmt: skip
    second = services.document_add(actor=world.personas["case_worker"], procedure=procedure, track=track, title="Plan",
                                    upload=pdf_upload(), replaces=first, change_note="Trasse nach Norden verschoben")  # fmt: skip
    first.refresh_from_db()
    assert second.version == 2 and first.superseded_by == second
    html = world.client("anonymous").get(urls(procedure, track)["page"]).content.decode()
    assert "Trasse nach Norden verschoben" in html and "2. Fassung" in html


def test_no_documents_for_a_closed_procedure(world):
    procedure, track = make_closing(world, timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        services.document_add(actor=world.personas["case_worker"], procedure=procedure, track=track, title="Spät",
                              upload=pdf_upload())  # fmt: skip
    assert "abgeschlossen" in str(error.value)
    assert not procedure.documents.exists()


def test_agency_track_is_only_for_agency_members(world):
    procedure = make_procedure(world.personas["case_worker"], world.semipublic, audience="agency")
    track = procedure.rounds.get().tracks.get()
    links = urls(procedure, track)
    assert world.client("agency").get(links["form"]).status_code == 200
    for persona in ["citizen", "invited", "anonymous"]:
        assert world.client(persona).get(links["form"]).status_code == 404
        assert str(track) not in world.client(persona).get(links["page"]).content.decode()


def test_semipublic_project_readers_cannot_submit(world):
    procedure = make_procedure(world.personas["case_worker"], world.semipublic)
    track = procedure.rounds.get().tracks.get()
    assert world.client("citizen").get(urls(procedure, track)["form"]).status_code == 404
    assert world.client("invited").get(urls(procedure, track)["form"]).status_code == 200


def test_inbox_query_count_does_not_grow(world, procedure, track):
    def add(count):
        for _index in range(count):
            Statement.objects.create(procedure=procedure, track=track, reference=f"R-{Statement.objects.count()}",
                                     text="Text", received_at=timezone.now(), content_sha256="0" * 64)  # fmt: skip

    client = world.client("case_worker")
    url = f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/verfahren/{procedure.module.pk}/eingang/"

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url + "?q=Text&status=new&late=0").status_code == 200
        return len(context.captured_queries)

    add(10)
    small = count()
    add(990)
    assert count() == small


def test_receipts_are_for_the_author_and_staff_only(world, procedure, track):
    response, _key = submit(world.client("citizen"), procedure, track)
    receipt = response["Location"]
    assert world.client("citizen").get(receipt).status_code == 200
    assert world.client("case_worker").get(receipt).status_code == 200
    for persona in ["invited", "anonymous", "other_org_admin"]:
        assert world.client(persona).get(receipt).status_code == 404


def agency_setup(world):
    from .conftest import login
    from .factories import MembershipFactory, ProjectMembershipFactory

    coordinator = MembershipFactory(organisation=world.agency_organisation, role="admin",
                                    user__email="koordination@lbm.example").user  # fmt: skip
    ProjectMembershipFactory(
        project=world.semipublic, user=coordinator, role="agency", agency=world.agency_organisation
    )
    procedure = make_procedure(world.personas["case_worker"], world.semipublic, audience="agency")
    from django.test import Client

    return procedure, procedure.rounds.get().tracks.get(), login(Client(), coordinator)


def test_agency_case_worker_drafts_and_coordinator_releases(world):
    procedure, track, coordinator = agency_setup(world)
    drafter = world.client("agency")
    links = urls(procedure, track)
    drafter.post(links["form"], {"text": "Die Zufahrt zur Landesstraße ist zu eng.", **ADDRESS, "action": "review"})
    review = drafter.get(links["review"]).content.decode()
    assert "Zur Freigabe an die Koordination übergeben" in review and "Verbindlich abgeben" not in review
    key = re.search(r'name="submission_key" value="([^"]+)"', review).group(1)
    # Submitting directly is refused for a case worker: the coordinator releases.
    with pytest.raises(ValidationError):
        services.statement_submit(user=world.personas["agency"], track=track, submission_key=key)
    drafter.post(links["review"], {"submission_key": key, "action": "hand_over"})
    assert not Statement.objects.exists()
    queue = coordinator.get(f"{links['base']}/frist/{track.pk}/freigabe/")
    assert queue.status_code == 200 and "Die Zufahrt zur Landesstraße" in queue.content.decode()
    assert drafter.get(f"{links['base']}/frist/{track.pk}/freigabe/").status_code == 404  # not a coordinator
    draft_pk = re.search(r'name="draft" value="(\d+)"', queue.content.decode()).group(1)
    response = coordinator.post(f"{links['base']}/frist/{track.pk}/freigabe/", {"draft": draft_pk})
    statement = Statement.objects.get()
    assert response.status_code == 302 and statement.reference in response["Location"]
    assert (
        statement.agency == world.agency_organisation and statement.organisation_name == world.agency_organisation.name
    )
    assert statement.released_by.email == "koordination@lbm.example"
    assert AuditEntry.objects.filter(action="statement.hand_over").exists()


def test_cosigners_join_with_their_own_address(world, procedure, track):
    response, _key = submit(world.client("citizen"), procedure, track)
    statement = Statement.objects.get()
    link = f"{urls(procedure, track)['base']}/mitzeichnen/{statement.cosign_token}/"
    assert link.split("/projekte/")[1] in world.client("citizen").get(response["Location"]).content.decode()
    client = world.client("invited")
    missing = client.post(link, {"name": "Max Mit", "street": "", "postal_code": "55555", "city": "X"})
    assert 'id="id_street_error"' in missing.content.decode() and not statement.cosigners.exists()
    assert (
        client.post(link, {"name": "Max Mit", "street": "Weg 2", "postal_code": "55555", "city": "X"}).status_code
        == 302
    )
    again = client.post(link, {"name": "Max Mit", "street": "Weg 2", "postal_code": "55555", "city": "X"})
    assert "bereits" in again.content.decode()
    assert statement.cosigners.get().name == "Max Mit"
    assert world.client("anonymous").get(link).status_code == 302  # to the login, the project is public


def test_statement_without_account_is_received_on_confirmation(world, procedure, track):
    procedure.allow_unregistered = True
    procedure.save()
    links = urls(procedure, track)
    client = world.client("anonymous")
    assert "ohne Konto" in client.get(links["page"]).content.decode()
    url = f"{links['base']}/frist/{track.pk}/ohne-konto/"
    missing = post_with_proof_of_work(client, url, {"email": "ohne-konto@example.org", "text": "Einwand ohne Konto"})
    assert "ist in diesem Verfahren Pflicht" in missing.content.decode() and not mail.outbox
    unsolved = client.post(url, {"email": "ohne-konto@example.org", "text": "Einwand ohne Konto", **ADDRESS})
    assert "Sicherheitsprüfung" in unsolved.content.decode() and not mail.outbox  # no proof of work, no mail
    sent = post_with_proof_of_work(client, url, {"email": "ohne-konto@example.org", "text": "Einwand ohne Konto",
                                                 **ADDRESS})  # fmt: skip
    assert sent.status_code == 200 and not Statement.objects.exists()  # nothing received before the confirmation
    link = re.search(r"https?://\S+/bestaetigen/\S+/", mail.outbox[-1].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert (
        client.get(path).status_code == 200 and not Statement.objects.exists()
    )  # a mail scanner's GET confirms nothing
    confirmed = client.post(path)
    statement = Statement.objects.get()
    assert statement.reference in confirmed.content.decode() and statement.author is None
    assert statement.email == "ohne-konto@example.org"
    assert client.post(path).status_code == 200 and Statement.objects.count() == 1  # idempotent
    assert client.get(path + "?pdf=1")["Content-Type"] == "application/pdf"
    assert statement.reference in mail.outbox[-1].subject


def test_confirmation_after_the_deadline_is_refused(world, procedure, track):
    procedure.allow_unregistered = True
    procedure.save()
    client = world.client("anonymous")
    post_with_proof_of_work(client, f"{urls(procedure, track)['base']}/frist/{track.pk}/ohne-konto/",
                            {"email": "spaet@example.org", "text": "Zu spät bestätigt", **ADDRESS})  # fmt: skip
    path = (
        "/"
        + re.search(r"https?://\S+/bestaetigen/\S+/", mail.outbox[-1].body).group(0).split("://", 1)[1].split("/", 1)[1]
    )
    with time_machine.travel(track.end + timedelta(seconds=1)):
        response = client.post(path)
    assert response.status_code == 403 and "abgelaufen" in response.content.decode()
    assert not Statement.objects.exists()


def test_without_account_only_where_allowed(world, procedure, track):
    assert (
        world.client("anonymous").get(f"{urls(procedure, track)['base']}/frist/{track.pk}/ohne-konto/").status_code
        == 404
    )


def test_the_drawing_map_is_always_offered_and_the_geojson_field_waits_behind_coordinates(
    world, procedure, track, settings
):
    client = world.client("citizen")
    for tile_url in ("", "https://tiles.example.de/{z}/{x}/{y}.png"):  # with a base map or without ("off")
        settings.MITWIRKEN_TILE_URL = tile_url
        html = client.get(urls(procedure, track)["form"]).content.decode()
        assert 'data-map-draw="id_location"' in html and "leaflet.js" in html and "leaflet-geoman" in html
        details = html[html.index('<details class="map-coordinates"') :]
        assert details.index("Koordinaten eingeben") < details.index('id="id_location"') < details.index("</details>")
        assert '<details class="map-coordinates" open' not in html  # closed until it has an error to show
    # A broken GeoJSON is kept in the draft; the review names it and links to the field, which the form's
    # script opens (maps.js) when the link's target sits inside the closed <details>.
    response = client.post(
        urls(procedure, track)["form"],
        {"text": "Text", **ADDRESS, "location": "{kaputt", "action": "review"},
        follow=True,
    )
    assert "kein gültiges GeoJSON" in response.content.decode() and "#id_location" in response.content.decode()


def test_oversize_attachment_is_refused_with_the_limit(world, procedure, track, settings):
    settings.MITWIRKEN_MAX_ATTACHMENT_BYTES = 10
    response = world.client("citizen").post(
        urls(procedure, track)["form"],
        {"text": "Text", **ADDRESS, "attachments": pdf_upload("gross.pdf"), "action": "review"},
    )
    html = response.content.decode()
    assert "gross.pdf: Die Datei ist zu groß" in html and "Erlaubt sind höchstens 10\xa0Bytes" in html
    assert not services.draft_for(user=world.personas["citizen"], track=track).attachments.exists()
