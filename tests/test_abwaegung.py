"""The Abwägung: segments, optimistic locking, mass objections, exports, notices, public results, retention."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from mitwirken.core.models import AuditEntry
from mitwirken.formal import evaluation, grouping, services
from mitwirken.formal.models import Statement
from mitwirken.formal.notices import anonymise_expired, send_final_notices

from .formal_fixtures import make_procedure

pytestmark = pytest.mark.django_db
ADDRESS = {"author_name": "Erika Mustermann", "street": "Hauptstraße 1", "postal_code": "55555", "city": "Musterstadt"}
OBJECTION = "Die Ortsumgehung zerschneidet das Naherholungsgebiet. Außerdem fehlt ein Lärmgutachten."
# Long enough for the grouping of mass objections (it leaves texts under 20 content words alone).
LETTER = (
    f"{OBJECTION} Die Trasse führt mitten durch die Aue am Mühlbach und zerstört den Lebensraum von Eisvogel und "
    "Bachforelle. Für die Wohngebiete am nördlichen Ortsrand werden täglich mehr als 9.000 Fahrzeuge erwartet. "
    "Deshalb fordern wir, die Variante Süd entlang der Bahnlinie gleichwertig zu prüfen und öffentlich auszulegen."
)


@pytest.fixture
def procedure(world):
    return make_procedure(world.personas["case_worker"], world.public)


@pytest.fixture
def track(procedure):
    return procedure.rounds.get().tracks.get()


def submit_as(world, persona, track, text=OBJECTION, **extra):
    user = world.personas[persona]
    services.draft_save(user=user, track=track, data={"text": text, **ADDRESS, **extra})
    key = str(services.draft_for(user=user, track=track).submission_key)
    return services.statement_submit(user=user, track=track, submission_key=key)


def backoffice(world, procedure, path=""):
    return f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/verfahren/{procedure.module.pk}/{path}"


def close_and_publish(world, procedure, track):
    """End the period (it ended a minute ago) and publish the Abwägung, as staff do after the deadline."""
    from mitwirken.formal import editing
    from mitwirken.projects.models import Phase

    Phase.objects.filter(pk=track.phase_id).update(end=timezone.now() - timedelta(minutes=1))
    editing.results_publish(actor=world.personas["case_worker"], procedure=procedure)


def release(world, statement):
    segment = evaluation.segment_create(actor=world.personas["case_worker"], statement=statement,
                                        text="Außerdem fehlt ein Lärmgutachten.")  # fmt: skip
    return evaluation.segment_update(actor=world.personas["case_worker"], segment=segment, version=segment.version,
                                     response="Ein Lärmgutachten wird nachgereicht.", result="considered",
                                     status="released")  # fmt: skip


def test_segments_must_be_passages_of_the_statement(world, track):
    statement = submit_as(world, "citizen", track)
    with pytest.raises(ValidationError) as error:
        evaluation.segment_create(actor=world.personas["case_worker"], statement=statement, text="Erfundener Satz")
    assert "wörtlich aus der Stellungnahme" in str(error.value)
    segment = evaluation.segment_create(actor=world.personas["case_worker"], statement=statement,
                                        text="Die Ortsumgehung zerschneidet das Naherholungsgebiet.")  # fmt: skip
    assert segment.number == 1
    statement.refresh_from_db()
    assert statement.status == "in_progress"


def test_two_case_workers_editing_one_segment_get_a_conflict_not_an_overwrite(world, track):
    statement = submit_as(world, "citizen", track)
    segment = evaluation.segment_create(actor=world.personas["case_worker"], statement=statement, text="Lärmgutachten")
    opened_version = segment.version  # both open the same version
    evaluation.segment_update(actor=world.personas["case_worker"], segment=segment, version=opened_version,
                              response="Antwort A", result="noted", status="in_progress")  # fmt: skip
    with pytest.raises(evaluation.EditConflict) as error:
        evaluation.segment_update(actor=world.personas["org_admin"], segment=segment, version=opened_version,
                                  response="Antwort B", result="considered", status="in_progress")  # fmt: skip
    assert "inzwischen von staff@example.org geändert" in str(error.value)
    segment.refresh_from_db()
    assert segment.response == "Antwort A" and segment.version == opened_version + 1


def test_conflict_is_shown_next_to_the_form(world, procedure, track):
    statement = submit_as(world, "citizen", track)
    segment = evaluation.segment_create(actor=world.personas["case_worker"], statement=statement, text="Lärmgutachten")
    evaluation.segment_update(actor=world.personas["org_admin"], segment=segment, version=1, response="Zuerst",
                              result="noted", status="in_progress")  # fmt: skip
    url = backoffice(world, procedure, f"eingang/{statement.pk}/")
    response = world.client("case_worker").post(url, {
        "action": "segment_update", "segment": segment.pk, f"s{segment.pk}-version": 1,
        f"s{segment.pk}-response": "Später", f"s{segment.pk}-result": "considered", f"s{segment.pk}-status": "in_progress",
    })  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert "inzwischen von admin@example.org geändert" in html
    assert "Aktuelle Fassung der Erwiderung" in html and "Zuerst" in html  # the colleague's text, to merge
    assert "Später" in html  # the user's own input is kept
    assert f'name="s{segment.pk}-version" value="2"' in html  # saving again now targets the current version
    segment.refresh_from_db()
    assert segment.response == "Zuerst"


def test_weighed_needs_response_and_result(world, track):
    statement = submit_as(world, "citizen", track)
    segment = evaluation.segment_create(actor=world.personas["case_worker"], statement=statement, text="Lärmgutachten")
    with pytest.raises(ValidationError):
        evaluation.segment_update(actor=world.personas["case_worker"], segment=segment, version=1, response="",
                                  result="", status="weighed")  # fmt: skip


def group(world, procedure):
    """Let the analysis propose the groups, and confirm every proposed group as a case worker would."""
    grouping.regroup.call(procedure.pk)
    return sum(
        grouping.group_confirm(actor=world.personas["case_worker"], procedure=procedure, lead_id=lead.pk)
        for lead in grouping.group_leads(procedure)
    )


def test_identical_objections_are_grouped_and_answered_once(world, procedure, track):
    lead = submit_as(world, "citizen", track, text=LETTER)
    member = submit_as(world, "invited", track, text=LETTER.upper().replace(".", " !"))
    other = submit_as(world, "agency", track, text="Etwas ganz anderes.")
    grouping.regroup.call(procedure.pk)
    member.refresh_from_db()
    other.refresh_from_db()
    assert member.proposed_lead == lead and member.lead is None and other.proposed_lead is None  # proposed only
    assert grouping.group_confirm(actor=world.personas["case_worker"], procedure=procedure, lead_id=lead.pk) == 1
    member.refresh_from_db()
    other.refresh_from_db()
    assert member.lead == lead and other.lead is None
    release(world, lead)
    assert [s.response for s in evaluation.effective_segments(member)] == ["Ein Lärmgutachten wird nachgereicht."]
    assert AuditEntry.objects.filter(action="statements.group").exists()


def test_bulk_assign_and_status_from_the_inbox(world, procedure, track):
    statements = [submit_as(world, persona, track) for persona in ("citizen", "invited")]
    client = world.client("case_worker")
    response = client.post(backoffice(world, procedure, "eingang/"), {
        "selected": [s.pk for s in statements], "bulk_action": "assign", "assignee": world.personas["case_worker"].pk,
    })  # fmt: skip
    assert response.status_code == 302
    assert Statement.objects.filter(assignee=world.personas["case_worker"]).count() == 2
    client.post(
        backoffice(world, procedure, "eingang/"),
        {"selected": [statements[0].pk], "bulk_action": "status", "status": "weighed"},
    )
    assert Statement.objects.get(pk=statements[0].pk).status == "weighed"


def test_assigning_to_an_outsider_is_refused(world, procedure, track):
    statement = submit_as(world, "citizen", track)
    with pytest.raises(ValidationError):
        evaluation.statements_assign(actor=world.personas["case_worker"], procedure=procedure,
                                     statement_ids=[statement.pk], assignee=world.personas["citizen"])  # fmt: skip


def test_abwaegungstabelle_exports_are_complete_and_audited(world, procedure, track):
    statement = submit_as(world, "citizen", track)
    release(world, statement)
    submit_as(world, "invited", track, text="Ohne Abschnitte")
    client = world.client("case_worker")
    xlsx = client.get(backoffice(world, procedure, "abwaegungstabelle.xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Vorgangsnummer" and len(rows) == 3
    assert any(row[9] == "Ein Lärmgutachten wird nachgereicht." and row[10] == "berücksichtigt" for row in rows)
    ods = zipfile.ZipFile(
        io.BytesIO(b"".join(client.get(backoffice(world, procedure, "abwaegungstabelle.ods")).streaming_content))
    )
    assert ods.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    assert "Lärmgutachten wird nachgereicht" in ods.read("content.xml").decode()
    pdf = client.get(backoffice(world, procedure, "abwaegungstabelle.pdf"))
    assert pdf.content.startswith(b"%PDF")
    filtered = client.get(backoffice(world, procedure, "abwaegungstabelle.xlsx") + "?q=Ohne")
    assert (
        len(list(load_workbook(io.BytesIO(b"".join(filtered.streaming_content)), read_only=True).active.iter_rows()))
        == 2
    )
    assert AuditEntry.objects.filter(action="abwaegung.export").count() == 4


def test_final_notices_reach_submitters_and_group_members(world, procedure, track):
    lead = submit_as(world, "citizen", track, text=LETTER)
    submit_as(world, "invited", track, text=LETTER)
    assert group(world, procedure) == 1
    unanswered = submit_as(world, "agency", track, text="Noch offen")
    release(world, lead)
    mail.outbox.clear()
    assert send_final_notices.call(procedure.pk) == 2
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["citizen@example.org", "invited@example.org"]
    assert "Lärmgutachten wird nachgereicht" in mail.outbox[0].body
    unanswered.refresh_from_db()
    assert unanswered.final_notice_sent_at is None
    assert send_final_notices.call(procedure.pk) == 0  # nobody gets a second notice


def test_public_results_are_anonymised(world, procedure, track):
    consenting = submit_as(world, "citizen", track, publish_name=True)
    private = submit_as(world, "invited", track, text="Bitte Lärmgutachten erstellen.", author_name="Geheim Person")
    release(world, consenting)
    segment = evaluation.segment_create(actor=world.personas["case_worker"], statement=private, text="Lärmgutachten")
    evaluation.segment_update(actor=world.personas["case_worker"], segment=segment, version=1, response="Wird erstellt.",
                              result="considered", status="released")  # fmt: skip
    close_and_publish(world, procedure, track)
    project = world.public
    html = (
        world.client("anonymous")
        .get(f"/{project.organisation.slug}/projekte/{project.slug}/{procedure.module.slug}/abwaegung/")
        .content.decode()
    )
    assert "Erika Mustermann" in html  # consented
    assert "Geheim Person" not in html and f"Einwender/in {int(private.reference[-6:])}" in html
    for personal in ["Hauptstraße", "55555", "citizen@example.org", "invited@example.org"]:
        assert personal not in html


def test_public_results_query_count_is_constant(world, procedure, track):
    """10 versus 1,000 answered statements (some in mass-objection groups): the same queries."""
    from mitwirken.formal.models import Segment

    client = world.client("anonymous")
    project = world.public
    url = f"/{project.organisation.slug}/projekte/{project.slug}/{procedure.module.slug}/abwaegung/"

    def add(count):
        start = Statement.objects.count()
        statements = Statement.objects.bulk_create(
            Statement(procedure=procedure, track=track, reference=f"MK-2026-ROV-{start + i + 1:06d}", text="Text",
                      received_at=timezone.now(), content_sha256="0" * 64, author_name=f"P{i}", publish_name=i % 2 == 0)
            for i in range(count)
        )  # fmt: skip
        Segment.objects.bulk_create(
            Segment(statement=s, number=1, text="Text", response="Antwort", result="noted", status="released")
            for s in statements[: count // 2]
        )
        Statement.objects.filter(pk__in=[s.pk for s in statements[count // 2 :]]).update(lead=statements[0])

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    add(10)
    close_and_publish(world, procedure, track)
    small = count()
    add(990)
    assert count() == small


def test_retention_anonymises_personal_data_after_the_period(world, procedure, track):
    statement = submit_as(world, "citizen", track)
    procedure.retention_days = 30
    procedure.save()
    assert anonymise_expired.call() == 0
    import time_machine

    with time_machine.travel(track.end + timedelta(days=31)):
        assert anonymise_expired.call() == 1
    statement.refresh_from_db()
    assert statement.author is None and statement.author_name == "" and statement.street == "" and statement.email == ""
    assert statement.text == OBJECTION and statement.anonymised_at is not None  # the record itself stays


def test_keywords_and_text_blocks(world, procedure, track):
    statement = submit_as(world, "citizen", track)
    keyword = evaluation.keyword_add(
        actor=world.personas["case_worker"], procedure=procedure, topic="Umwelt", keyword="Lärm"
    )
    evaluation.statement_tag(actor=world.personas["case_worker"], statement=statement, keyword_ids=[keyword.pk])
    assert [str(k) for k in statement.keywords.all()] == ["Umwelt: Lärm"]
    evaluation.text_block_add(
        actor=world.personas["case_worker"], procedure=procedure, title="Standard", text="Wird geprüft."
    )
    html = world.client("case_worker").get(backoffice(world, procedure, f"eingang/{statement.pk}/")).content.decode()
    assert "Umwelt: Lärm" in html


def test_results_page_counts(world, procedure, track):
    release(world, submit_as(world, "citizen", track))
    html = world.client("case_worker").get(backoffice(world, procedure, "ergebnis/")).content.decode()
    assert "1 × berücksichtigt" in html
    assert timezone.now()


def test_retention_also_clears_cosigners(world, procedure, track):
    statement = submit_as(world, "citizen", track)
    services.cosign(user=world.personas["invited"], statement=statement, name="Max Mit", street="Weg 2",
                    postal_code="55555", city="X")  # fmt: skip
    procedure.retention_days = 0
    procedure.save()
    import time_machine

    with time_machine.travel(track.end + timedelta(days=1)):
        anonymise_expired.call()
    cosigner = statement.cosigners.get()
    assert cosigner.name == "" and cosigner.street == "" and cosigner.user is None


def test_procedure_settings_are_editable_and_audited(world, procedure):
    response = world.client("case_worker").post(backoffice(world, procedure), {
        "action": "settings", "settings-require_postal_address": "on", "settings-allow_unregistered": "on",
        "settings-max_text_length": "5000", "settings-retention_days": "365", "settings-preclusion_notice": "",
    })  # fmt: skip
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.allow_unregistered and procedure.max_text_length == 5000
    assert AuditEntry.objects.filter(action="procedure.update").exists()


def test_generic_phase_editing_does_not_touch_legal_periods(world, procedure, track):
    url = f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/phasen/{track.phase.pk}/"
    end = track.end
    response = world.client("case_worker").post(url, {"name": "x", "start": "2026-01-01T00:00", "end": "2026-01-02"})
    assert response.status_code == 302 and f"/verfahren/{procedure.module.pk}/" in response["Location"]
    track.phase.refresh_from_db()
    assert track.phase.end == end


def test_prepared_letters_with_own_greeting_and_signature_are_grouped(world, procedure, track):
    body = ("Die geplante Trasse der Ortsumgehung führt mitten durch das Naherholungsgebiet am Mühlbach und "
            "zerstört Lebensraum geschützter Arten wie Eisvogel und Bachforelle. Für die Wohngebiete am Ortsrand "
            "fehlt ein Lärmgutachten, deshalb fordern wir eine Prüfung der Variante Süd entlang der Bahnlinie.")  # fmt: skip
    lead = submit_as(
        world, "citizen", track, text=f"Sehr geehrte Damen und Herren,\n\n{body}\n\nMit freundlichen Grüßen\nErika"
    )
    member = submit_as(world, "invited", track, text=f"Hallo,\n\n{body}\n\nViele Grüße, Max aus Nordheim")
    # Another letter on the same topic, in its own words: not a copy.
    other = submit_as(world, "agency", track, text=(
        "Guten Tag,\n\nals Landwirt bewirtschafte ich 40 Hektar nördlich der Bundesstraße. Die Zufahrt zu meinen "
        "Feldern wäre während der Bauzeit abgeschnitten, und eine Ersatzzufahrt über den Wirtschaftsweg am Friedhof "
        "ist für Mähdrescher zu schmal. Ich bitte um eine verbindliche Regelung vor Baubeginn.\n\nGruß"))  # fmt: skip
    assert group(world, procedure) == 1
    member.refresh_from_db()
    other.refresh_from_db()
    assert member.lead == lead and other.lead is None
