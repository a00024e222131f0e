"""Editing what staff set up in a formal procedure: periods, rounds, procedure data, documents, publication.

Covers issue #14: changes after participation began need a reason and are audited, an extension tells the
draft holders, deletion is refused while something depends on the object, the Abwägung appears only once
published and never while a period runs, a mass objection appears once with its signers, and the PDF never
splits a reference number. The permission matrix of the new staff pages is at the end.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mitwirken.core.models import AuditEntry, Notification
from mitwirken.formal import editing, evaluation, grouping, services
from mitwirken.formal.models import Document, DocumentSection, Procedure, Segment, Track
from mitwirken.projects.models import Phase

from .conftest import PERSONAS
from .formal_fixtures import make_procedure, pdf_upload

pytestmark = pytest.mark.django_db
ADDRESS = {"author_name": "Erika Mustermann", "street": "Hauptstraße 1", "postal_code": "55555", "city": "Musterstadt"}
STAFF = {"case_worker", "org_admin", "portal_admin"}


@pytest.fixture
def procedure(world):
    return make_procedure(world.personas["case_worker"], world.public)


@pytest.fixture
def track(procedure):
    return procedure.rounds.get().tracks.select_related("phase", "round").get()


def worker(world):
    return world.personas["case_worker"]


def submit_as(world, persona, track, text="Die Ortsumgehung zerschneidet das Naherholungsgebiet.", **extra):
    user = world.personas[persona]
    services.draft_save(user=user, track=track, data={"text": text, **ADDRESS, **extra})
    key = str(services.draft_for(user=user, track=track).submission_key)
    return services.statement_submit(user=user, track=track, submission_key=key)


def fresh(track):
    return Track.objects.with_phase().get(pk=track.pk)


def last_day_of(track):
    return fresh(track).last_day


def first_day_of(track):
    return timezone.localtime(fresh(track).start).date()


# Periods


def test_shortening_a_running_period_with_statements_needs_a_reason_and_is_audited(world, procedure, track):
    statement = submit_as(world, "citizen", track)
    shorter = last_day_of(track) - timedelta(days=5)
    with pytest.raises(ValidationError) as error:
        editing.track_change(actor=worker(world), track=track, first_day=first_day_of(track), last_day=shorter,
                             override_reason="Test")  # fmt: skip
    assert "begründen" in " ".join(error.value.message_dict["change_reason"])
    assert fresh(track).last_day != shorter  # nothing half-saved

    change = editing.track_change(actor=worker(world), track=track, first_day=first_day_of(track), last_day=shorter,
                                  override_reason="Test", change_reason="Planänderung zieht Termin vor")  # fmt: skip
    assert change.shortened and fresh(track).last_day == shorter
    entry = AuditEntry.objects.filter(action="track.change", object_id=str(track.pk)).get()
    assert entry.changes["reason"] == "Planänderung zieht Termin vor" and entry.changes["statements"] == 1
    # The announced period changed: it must be announced again (ROV requires an announcement).
    assert change.reannouncement_due and fresh(track).reannouncement_reason
    assert AuditEntry.objects.filter(action="track.reannouncement_due").exists()
    editing.track_announce(actor=worker(world), track=fresh(track), announced_at=timezone.now())
    assert fresh(track).reannouncement_reason == ""
    statement.refresh_from_db()
    assert statement.track_id == track.pk  # the statement stays where it was received


def test_extending_a_period_tells_everyone_with_a_draft(world, procedure, track):
    services.draft_save(user=world.personas["citizen"], track=track, data={"text": "Entwurf"})
    services.draft_save(user=world.personas["invited"], track=track, data={"text": "Noch ein Entwurf"})
    submit_as(world, "moderator", track)  # submitted: no draft left, no message
    mail.outbox.clear()
    longer = last_day_of(track) + timedelta(days=14)
    change = editing.track_change(actor=worker(world), track=track, first_day=first_day_of(track), last_day=longer,
                                  override_reason="Test")  # fmt: skip
    assert change.extended and change.notified == 2
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([world.personas["citizen"].email, world.personas["invited"].email])
    assert longer.strftime("%d.%m.%Y") in Notification.objects.filter(recipient=world.personas["citizen"]).get().body


def test_a_running_period_keeps_its_start_and_can_not_end_in_the_past(world, procedure, track):
    with pytest.raises(ValidationError) as error:
        editing.track_change(actor=worker(world), track=track, first_day=first_day_of(track) + timedelta(days=1),
                             last_day=last_day_of(track), override_reason="Test")  # fmt: skip
    assert "first_day" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        editing.track_change(actor=worker(world), track=track, first_day=first_day_of(track),
                             last_day=timezone.localdate() - timedelta(days=1), override_reason="Test",
                             change_reason="Versehen")  # fmt: skip
    assert "last_day" in error.value.message_dict


def test_an_ended_period_can_not_be_changed(world, procedure, track):
    with time_machine.travel(fresh(track).end + timedelta(days=1)), pytest.raises(ValidationError) as error:
        editing.track_change(actor=worker(world), track=track, first_day=first_day_of(track),
                             last_day=last_day_of(track) + timedelta(days=30), override_reason="Test")  # fmt: skip
    assert "abgelaufen" in " ".join(error.value.message_dict["last_day"])


def test_a_future_period_changes_freely_without_a_reason(world):
    start = timezone.localdate() + timedelta(days=20)
    procedure = make_procedure(worker(world), world.public, first_day=start, last_day=start + timedelta(days=40))
    track = procedure.rounds.get().tracks.get()
    change = editing.track_change(actor=worker(world), track=track, first_day=start + timedelta(days=2),
                                  last_day=start + timedelta(days=45))  # fmt: skip
    assert not change.reannouncement_due and change.notified == 0
    assert first_day_of(track) == start + timedelta(days=2)


def test_deleting_a_period_is_refused_while_statements_exist(world, procedure, track):
    submit_as(world, "citizen", track)
    with pytest.raises(ValidationError) as error:
        editing.track_delete(actor=worker(world), track=track)
    assert "1 Stellungnahmen" in " ".join(error.value.messages)
    assert Track.objects.filter(pk=track.pk).exists()


def test_deleting_a_period_is_refused_while_drafts_or_documents_exist(world, procedure, track):
    services.draft_save(user=world.personas["citizen"], track=track, data={"text": "Entwurf"})
    with pytest.raises(ValidationError, match="Entwürfe"):
        editing.track_delete(actor=worker(world), track=track)


def test_an_unused_period_and_round_can_be_deleted(world, procedure, track):
    round_ = track.round
    with pytest.raises(ValidationError, match="Fristen"):
        editing.round_delete(actor=worker(world), round=round_)
    phase_pk = track.phase_id
    editing.track_delete(actor=worker(world), track=track)
    assert not Track.objects.filter(pk=track.pk).exists() and not Phase.objects.filter(pk=phase_pk).exists()
    editing.round_delete(actor=worker(world), round=round_)
    assert not procedure.rounds.exists()
    assert AuditEntry.objects.filter(action__in=["track.delete", "round.delete"]).count() == 2


# Procedure data


def test_type_change_that_makes_periods_unlawful_asks_for_confirmation(world):
    today = timezone.localdate()
    procedure = make_procedure(worker(world), world.public, first_day=today + timedelta(days=10),
                               last_day=today + timedelta(days=140))  # fmt: skip
    # Landesplanung allows at most three months: the 130-day period would be unlawful.
    with pytest.raises(ValidationError) as error:
        editing.procedure_change(actor=worker(world), procedure=procedure, name="Neuer Name",
                                 procedure_type="landesplanung")  # fmt: skip
    text = " ".join(error.value.message_dict["procedure_type"])
    assert "Höchstdauer" in text and "bestätigen" in text
    procedure.refresh_from_db()
    assert procedure.procedure_type == "rov" and procedure.module.name != "Neuer Name"

    editing.procedure_change(actor=worker(world), procedure=procedure, name="Neuer Name", procedure_type="landesplanung",
                             confirm=True, reason="Gesetzlich verlängerte Auslegung")  # fmt: skip
    procedure = Procedure.objects.select_related("module").get(pk=procedure.pk)
    assert procedure.procedure_type == "landesplanung" and procedure.module.name == "Neuer Name"
    assert procedure.rounds.get().tracks.get().period_override_reason == "Gesetzlich verlängerte Auslegung"
    assert AuditEntry.objects.filter(action="procedure.change").exists()


def test_type_change_is_refused_once_statements_exist(world, procedure, track):
    submit_as(world, "citizen", track)
    with pytest.raises(ValidationError, match="Stellungnahmen eingegangen"):
        editing.procedure_change(actor=worker(world), procedure=procedure, name="X", procedure_type="blp")
    # Renaming stays possible.
    editing.procedure_change(actor=worker(world), procedure=procedure, name="Umbenannt", procedure_type="rov")
    procedure.module.refresh_from_db()
    assert procedure.module.name == "Umbenannt"


def test_round_kind_is_fixed_once_statements_exist(world, procedure, track):
    submit_as(world, "citizen", track)
    with pytest.raises(ValidationError):
        editing.round_change(actor=worker(world), round=track.round, kind="early")


# Documents


def test_replacing_a_public_document_keeps_the_old_version_and_calls_for_renewal(world, procedure, track):
    old = services.document_add(
        actor=worker(world), procedure=procedure, track=track, title="Plan", upload=pdf_upload()
    )
    submit_as(world, "citizen", track)
    with pytest.raises(ValidationError) as error:
        services.document_add(actor=worker(world), procedure=procedure, track=track, title="Plan",
                              upload=pdf_upload("plan2.pdf"), replaces=old)  # fmt: skip
    assert "change_note" in error.value.message_dict
    new = services.document_add(actor=worker(world), procedure=procedure, track=track, title="Plan",
                                upload=pdf_upload("plan2.pdf"), replaces=old, change_note="Trasse verschoben")  # fmt: skip
    assert new.version == 2 and list(Document.objects.current().filter(procedure=procedure)) == [new]
    procedure.refresh_from_db()
    assert "Trasse verschoben" in procedure.renewal_required_reason
    project = world.public
    base = f"/{project.organisation.slug}/projekte/{project.slug}/{procedure.module.slug}/"
    client = world.client("anonymous")
    assert client.get(f"{base}unterlagen/{old.pk}/").status_code == 200  # the old version stays retrievable
    assert "1. Fassung" in client.get(base).content.decode()
    # A renewed participation round clears the reminder.
    services.round_add(actor=worker(world), procedure=procedure, kind="renewed")
    procedure.refresh_from_db()
    assert procedure.renewal_required_reason == ""


def test_withdrawing_a_document_needs_a_reason_and_stays_retrievable(world, procedure, track):
    document = services.document_add(actor=worker(world), procedure=procedure, track=track, title="Gutachten",
                                     upload=pdf_upload())  # fmt: skip
    with pytest.raises(ValidationError):
        editing.document_withdraw(actor=worker(world), document=document, reason="  ")
    submit_as(world, "citizen", track)
    editing.document_withdraw(actor=worker(world), document=document, reason="Veraltetes Gutachten")
    assert not Document.objects.current().filter(pk=document.pk).exists()
    assert AuditEntry.objects.filter(action="document.withdraw", object_id=str(document.pk)).exists()
    procedure.refresh_from_db()
    assert "Veraltetes Gutachten" in procedure.renewal_required_reason
    project = world.public
    base = f"/{project.organisation.slug}/projekte/{project.slug}/{procedure.module.slug}/"
    html = world.client("anonymous").get(base).content.decode()
    assert "Veraltetes Gutachten" in html and "zurückgezogen" in html
    assert world.client("anonymous").get(f"{base}unterlagen/{document.pk}/").status_code == 200


def test_only_unpublished_documents_can_be_deleted(world, procedure, track):
    public = services.document_add(
        actor=worker(world), procedure=procedure, track=track, title="Plan", upload=pdf_upload()
    )
    with pytest.raises(ValidationError, match="zurück"):
        editing.document_delete(actor=worker(world), document=public)
    later = services.round_add(actor=worker(world), procedure=procedure, kind="renewed")
    start = timezone.localdate() + timedelta(days=60)
    future_track = services.track_add(actor=worker(world), round=later, audience="public", first_day=start,
                                      last_day=start + timedelta(days=40))  # fmt: skip
    draft = services.document_add(actor=worker(world), procedure=procedure, track=future_track, title="Entwurf",
                                  upload=pdf_upload())  # fmt: skip
    editing.document_delete(actor=worker(world), document=draft)
    assert not Document.objects.filter(pk=draft.pk).exists()


def test_documents_and_sections_are_reordered(world, procedure, track):
    first = services.document_add(actor=worker(world), procedure=procedure, track=track, title="A", upload=pdf_upload(),
                                  sections="1 Einleitung\n2 Ziele\n3 Umwelt")  # fmt: skip
    second = services.document_add(
        actor=worker(world), procedure=procedure, track=track, title="B", upload=pdf_upload()
    )
    editing.document_move(actor=worker(world), document=second, direction="up")
    assert list(Document.objects.current().filter(procedure=procedure)) == [second, first]
    with pytest.raises(ValidationError):
        editing.document_move(actor=worker(world), document=second, direction="up")
    umwelt = DocumentSection.objects.get(document=first, title="Umwelt")
    umwelt.document.procedure = procedure
    editing.section_move(actor=worker(world), section=umwelt, direction="up")
    assert [s.title for s in first.sections.all()] == ["Einleitung", "Umwelt", "Ziele"]


# The published Abwägung and mass objections


def release(world, statement, passage="Naherholungsgebiet"):
    segment = evaluation.segment_create(actor=worker(world), statement=statement, text=passage)
    return evaluation.segment_update(actor=worker(world), segment=segment, version=segment.version,
                                     response="Wird geprüft.", result="considered", status="released")  # fmt: skip


def results_url(world, procedure):
    project = world.public
    return f"/{project.organisation.slug}/projekte/{project.slug}/{procedure.module.slug}/abwaegung/"


def test_results_appear_only_after_publication_and_never_while_a_period_runs(world, procedure, track):
    statement = submit_as(world, "citizen", track)
    release(world, statement)
    client = world.client("anonymous")
    assert "Wird geprüft." not in client.get(results_url(world, procedure)).content.decode()
    with pytest.raises(ValidationError, match="Frist läuft noch"):
        editing.results_publish(actor=worker(world), procedure=procedure)
    with time_machine.travel(fresh(track).end + timedelta(days=1)):
        assert "Wird geprüft." not in client.get(results_url(world, procedure)).content.decode()  # not published yet
        editing.results_publish(actor=worker(world), procedure=procedure)
        assert "Wird geprüft." in client.get(results_url(world, procedure)).content.decode()
    assert AuditEntry.objects.filter(action="abwaegung.publish", object_id=str(procedure.pk)).exists()
    # A renewed period that runs hides the published result until it ends.
    with time_machine.travel(fresh(track).end + timedelta(days=2)):
        renewed = services.round_add(actor=worker(world), procedure=procedure, kind="renewed")
        today = timezone.localdate()
        services.track_add(actor=worker(world), round=renewed, audience="public", first_day=today,
                           last_day=today + timedelta(days=40))  # fmt: skip
        assert "Wird geprüft." not in client.get(results_url(world, procedure)).content.decode()


def test_publication_can_be_taken_back_with_a_reason(world, procedure, track):
    release(world, submit_as(world, "citizen", track))
    with time_machine.travel(fresh(track).end + timedelta(days=1)):
        editing.results_publish(actor=worker(world), procedure=procedure)
        with pytest.raises(ValidationError):
            editing.results_unpublish(actor=worker(world), procedure=procedure, reason="")
        editing.results_unpublish(actor=worker(world), procedure=procedure, reason="Fehler in Abschnitt 1")
        assert "Wird geprüft." not in world.client("anonymous").get(results_url(world, procedure)).content.decode()


def test_a_mass_objection_appears_once_with_its_number_of_signers(world, procedure, track):
    text = ("Wir lehnen die Ortsumgehung ab, weil sie das Naherholungsgebiet zerschneidet. Die Trasse zerstört den "
            "Lebensraum von Eisvogel und Bachforelle am Mühlbach, und für die Wohngebiete am Ortsrand fehlt ein "
            "Lärmgutachten. Bitte prüfen Sie die Variante Süd entlang der Bahnlinie.")  # fmt: skip
    lead = submit_as(world, "citizen", track, text=text)
    for persona in ("invited", "agency", "moderator"):
        submit_as(world, persona, track, text=text)
    grouping.regroup.call(procedure.pk)  # the analysis proposes the group, the case worker confirms it
    assert grouping.group_confirm(actor=worker(world), procedure=procedure, lead_id=lead.pk) == 3
    release(world, lead)
    with time_machine.travel(fresh(track).end + timedelta(days=1)):
        editing.results_publish(actor=worker(world), procedure=procedure)
        html = world.client("anonymous").get(results_url(world, procedure)).content.decode()
    assert html.count("Wird geprüft.") == 1
    assert "Masseneinwendung von 4 Personen" in html


# The Abwägung page keeps unsaved input


def test_saving_one_segment_keeps_the_unsaved_text_of_another(world, procedure, track):
    statement = submit_as(world, "citizen", track, text="Erstens zu laut. Zweitens zu teuer.")
    first = evaluation.segment_create(actor=worker(world), statement=statement, text="Erstens zu laut.")
    second = evaluation.segment_create(actor=worker(world), statement=statement, text="Zweitens zu teuer.")
    project = world.public
    url = (f"/verwaltung/{world.organisation.slug}/projekte/{project.pk}/verfahren/{procedure.module.pk}/"
           f"eingang/{statement.pk}/")  # fmt: skip
    data = {"action": "segment_update", "segment": str(second.pk)}
    for segment, response in ((first, "Noch nicht fertig – Lärmschutz prüfen"), (second, "Kosten sind gedeckt.")):
        data |= {f"s{segment.pk}-version": "1", f"s{segment.pk}-response": response, f"s{segment.pk}-result": "",
                 f"s{segment.pk}-status": "in_progress"}  # fmt: skip
    response = world.client("case_worker").post(url, data)
    assert response.status_code == 200  # not redirected: the other segment's input would be lost
    html = response.content.decode()
    assert "Noch nicht fertig – Lärmschutz prüfen" in html and "nicht gespeichert" in html
    assert Segment.objects.get(pk=second.pk).response == "Kosten sind gedeckt."
    assert Segment.objects.get(pk=first.pk).response == ""  # only the segment whose button was pressed
    # Nothing else typed: the usual redirect after saving.
    data[f"s{first.pk}-response"] = ""
    data[f"s{first.pk}-status"] = Segment.objects.get(pk=first.pk).status
    data[f"s{second.pk}-version"] = "2"
    data[f"s{second.pk}-response"] = "Kosten sind gedeckt, siehe Haushalt."
    assert world.client("case_worker").post(url, data).status_code == 302


# The PDF


def test_pdf_reference_column_never_splits_a_reference(world, procedure, track, monkeypatch):
    """Every cell text the table lays out is measured with fpdf2's own line breaking, as it renders it."""
    from fpdf import FPDF

    from mitwirken.formal import exports
    from mitwirken.formal.models import Statement

    laid_out: dict[str, list[str]] = {}
    original = FPDF.multi_cell
    measuring = []

    def spy(self, w, h=None, text="", *args, **kwargs):
        if text.count("-") == 3 and not measuring:  # a reference number
            measuring.append(text)
            try:
                laid_out[text] = original(self, w, h, text, *args, **{**kwargs, "dry_run": True, "output": "LINES"})
            finally:
                measuring.clear()
        return original(self, w, h, text, *args, **kwargs)

    monkeypatch.setattr(FPDF, "multi_cell", spy)
    for prefix in ("MK", "LANDKREISX"):  # the longest prefix staff may choose has ten letters
        Procedure.objects.filter(pk=procedure.pk).update(reference_prefix=prefix)
        procedure.refresh_from_db()
        track.round.procedure = procedure
        submit_as(world, "citizen" if prefix == "MK" else "invited", track)
        assert exports.write_pdf(Statement.objects.filter(procedure=procedure), "Test").startswith(b"%PDF")
    references = set(Statement.objects.filter(procedure=procedure).values_list("reference", flat=True))
    assert references <= set(laid_out), (references, laid_out)
    for reference in references:
        assert laid_out[reference] == [reference], laid_out[reference]


# List pages stay flat


def test_documents_page_query_count_does_not_grow(world, procedure, track):
    client = world.client("case_worker")
    project = world.public
    url = f"/verwaltung/{world.organisation.slug}/projekte/{project.pk}/verfahren/{procedure.module.pk}/unterlagen/"

    def add(count):
        for i in range(count):
            document = services.document_add(actor=worker(world), procedure=procedure, track=track, title=f"D{i}",
                                             upload=pdf_upload(), sections="1 A\n2 B")  # fmt: skip
            services.document_add(actor=worker(world), procedure=procedure, track=track, title=f"D{i}",
                                  upload=pdf_upload(), replaces=document)  # fmt: skip

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    add(2)
    small = queries()
    add(8)
    assert queries() == small


def test_public_procedure_page_query_count_does_not_grow_with_versions(world, procedure, track):
    client = world.client("anonymous")
    project = world.public
    url = f"/{project.organisation.slug}/projekte/{project.slug}/{procedure.module.slug}/"

    def add(count):
        for i in range(count):
            document = services.document_add(actor=worker(world), procedure=procedure, track=track, title=f"D{i}",
                                             upload=pdf_upload())  # fmt: skip
            editing.document_withdraw(actor=worker(world), document=document, reason="Alt")

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    add(2)
    small = queries()
    add(8)
    assert queries() == small


# Permission matrix of the new staff pages: personas × before / during / after the period


@pytest.fixture
def staff_urls(world):
    start_day = timezone.localdate() + timedelta(days=2)
    procedure = make_procedure(worker(world), world.public, first_day=start_day, last_day=start_day + timedelta(days=3))
    track = procedure.rounds.get().tracks.select_related("phase").get()
    document = services.document_add(actor=worker(world), procedure=procedure, track=track, title="Plan",
                                     upload=pdf_upload())  # fmt: skip
    office = f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/verfahren/{procedure.module.pk}/"
    urls = {
        "procedure_edit": f"{office}bezeichnung/",
        "round": f"{office}durchgaenge/{track.round_id}/",
        "track": f"{office}fristen/{track.pk}/",
        "document": f"{office}unterlagen/{document.pk}/",
        "publish": f"{office}ergebnis/veroeffentlichen/",
    }
    return procedure, track, document, urls


@pytest.mark.parametrize("moment", ["before", "during", "after"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_staff_editing_matrix(world, staff_urls, persona, moment):
    procedure, track, document, urls = staff_urls
    at = {"before": track.start - timedelta(days=1), "during": track.start + timedelta(days=1),
          "after": track.end + timedelta(days=1)}[moment]  # fmt: skip
    client = world.client(persona)
    with time_machine.travel(at):
        for route, url in urls.items():
            status = client.get(url).status_code
            want = 200 if persona in STAFF else (302 if persona == "anonymous" else 404)
            assert status == want, (route, persona, moment, status)
        # Writes: outsiders are turned away before anything changes.
        if persona not in STAFF:
            client.post(urls["track"], {"action": "delete"})
            client.post(urls["document"], {"action": "withdraw", "withdraw-reason": "weg"})
            client.post(urls["publish"], {"action": "publish", "confirm": "on"})
            client.post(urls["round"], {"action": "delete"})
            assert Track.objects.filter(pk=track.pk).exists()
            document.refresh_from_db()
            assert document.withdrawn_at is None
            procedure.refresh_from_db()
            assert procedure.results_published_at is None


@pytest.mark.parametrize("moment", ["before", "during", "after"])
def test_staff_write_rules_per_phase(world, staff_urls, moment):
    """What a case worker may change depends on the phase: the service decides, the page explains."""
    procedure, track, document, urls = staff_urls
    at = {"before": track.start - timedelta(days=1), "during": track.start + timedelta(days=1),
          "after": track.end + timedelta(days=1)}[moment]  # fmt: skip
    client = world.client("case_worker")
    with time_machine.travel(at):
        response = client.post(urls["document"], {"action": "delete"}, follow=True)
        assert Document.objects.filter(pk=document.pk).exists() == (moment != "before")
        if moment != "before":
            assert "kann nicht gelöscht werden" in response.content.decode()
        client.post(urls["publish"], {"action": "publish", "confirm": "on"})
        procedure.refresh_from_db()
        assert procedure.results_published_at is None  # nothing released yet, in any phase
        last_day = fresh(track).last_day + timedelta(days=7)
        client.post(urls["track"], {"action": "change", "first_day": first_day_of(track).isoformat(),
                                    "last_day": last_day.isoformat(), "override_reason": "Test"})  # fmt: skip
        assert (fresh(track).last_day == last_day) == (moment != "after")
