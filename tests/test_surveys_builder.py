"""The survey builder in the back office: settings, pages, questions, conditions, answer sets, preview."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from mitwirken.core.models import AuditEntry
from mitwirken.surveys.models import Answer, AnswerSet, Draft, Option, Page, Question, Quota, Response, Survey
from mitwirken.surveys.services import building

from .survey_fixtures import make_survey, make_survey_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(world):
    return make_survey(world.public)


@pytest.fixture
def admin(world):
    return world.client("org_admin")


def url(survey, tail=""):
    module = survey.module
    return f"/verwaltung/{module.project.organisation.slug}/projekte/{module.project.pk}/umfrage/{module.pk}/{tail}"


def page(survey, title):
    return Page.objects.get(survey=survey, title=title)


def question(survey, code):
    return Question.objects.get(survey=survey, code=code)


def order(survey):
    return [
        (p.title, [q.code for q in p.questions.order_by("position", "id")])
        for p in Page.objects.filter(survey=survey).order_by("position", "id")
    ]


def answered(survey, code, choice):
    """A submitted response choosing ``choice`` for question ``code``."""
    response = Response.objects.create(survey=survey, submitted_on=timezone.localdate())
    Answer.objects.create(response=response, question=question(survey, code), choice=choice)
    Survey.objects.filter(pk=survey.pk).update(response_count=1)
    return response


# --- overview and permissions ---------------------------------------------------------------------------------


def test_overview_shows_pages_questions_and_conditions_in_words(survey, admin):
    response = admin.get(url(survey))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Seite 2: Radverkehr" in body
    assert "Wie kommen Sie meistens zur Arbeit?" in body and "Einfachauswahl" in body and "Pflicht" in body
    assert "Nur gezeigt, wenn: „Wie kommen Sie meistens zur Arbeit?“ ist gleich rad" in body
    assert url(survey, "vorschau/seite/1/?neu=1") in body
    assert survey.module.get_absolute_url() in body


@pytest.mark.parametrize("tail", ["", "einstellungen/", "seiten/neu/", "antwortlisten/", "vorschau/seite/1/"])
def test_other_organisations_admin_and_citizens_get_404(world, survey, tail):
    assert world.client("other_org_admin").get(url(survey, tail)).status_code == 404
    assert world.client("citizen").get(url(survey, tail)).status_code == 404
    assert world.client("anonymous").get(url(survey, tail)).status_code == 302  # to the login


def test_foreign_page_and_question_ids_are_404(world, survey, admin):
    other = make_survey(world.other_organisation.projects.create(title="Fremd", slug="fremd"))
    foreign_page, foreign_question = other.pages.first(), other.questions.first()
    assert admin.get(url(survey, f"seiten/{foreign_page.pk}/")).status_code == 404
    assert admin.post(url(survey, f"seiten/{foreign_page.pk}/aktion/"), {"aktion": "runter"}).status_code == 404
    assert admin.get(url(survey, f"fragen/{foreign_question.pk}/")).status_code == 404
    assert admin.post(url(survey, f"fragen/{foreign_question.pk}/aktion/"), {"aktion": "hoch"}).status_code == 404
    assert order(other)[0] == ("Ihr Haushalt", ["verkehrsmittel", "personen"])


def test_case_worker_may_build(world, survey):
    assert world.client("case_worker").get(url(survey)).status_code == 200


# --- settings and quotas --------------------------------------------------------------------------------------


def settings_data(**changes):
    data = {"action": "settings", "settings-access": "public", "settings-anonymity": "anonymous",
            "settings-intro": "Bitte machen Sie mit.", "settings-completion_text": "Danke!", "settings-link_results": "on"}  # fmt: skip
    data.update({f"settings-{key}": value for key, value in changes.items()})
    return data


def test_settings_are_saved(survey, admin):
    response = admin.post(url(survey, "einstellungen/"), settings_data(access="account", anonymity="pseudonymous"))
    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.access, survey.anonymity, survey.intro, survey.link_results) == (
        "account", "pseudonymous", "Bitte machen Sie mit.", True,
    )  # fmt: skip
    assert AuditEntry.objects.filter(action="survey.settings").exists()


def test_anonymity_and_access_are_refused_at_the_field_once_responses_exist(survey, admin):
    answered(survey, "verkehrsmittel", "rad")
    response = admin.post(url(survey, "einstellungen/"), settings_data(anonymity="identified"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_settings-anonymity_error"' in body
    assert "Die Anonymität kann jetzt nur noch verstärkt" in body
    response = admin.post(url(survey, "einstellungen/"), settings_data(access="token"))
    assert 'id="id_settings-access_error"' in response.content.decode()
    survey.refresh_from_db()
    assert (survey.access, survey.anonymity) == ("public", "anonymous")


def test_quotas_total_and_per_option(survey, admin):
    single = question(survey, "verkehrsmittel")
    response = admin.post(url(survey, "einstellungen/"), {"action": "quotas", "quotas-total": "100",
                                                          f"quotas-quota_{single.pk}_rad": "30"})  # fmt: skip
    assert response.status_code == 302
    assert set(Quota.objects.values_list("question__code", "option_code", "limit")) == {
        (None, "", 100), ("verkehrsmittel", "rad", 30),
    }  # fmt: skip
    Quota.objects.filter(option_code="rad").update(filled=20)
    response = admin.post(url(survey, "einstellungen/"), {"action": "quotas", "quotas-total": "",
                                                          f"quotas-quota_{single.pk}_rad": "10"})  # fmt: skip
    assert "schon mit 20 Antworten gefüllt" in response.content.decode()
    assert Quota.objects.get(option_code="rad").limit == 30


# --- pages ----------------------------------------------------------------------------------------------------


def test_page_add_edit_duplicate_and_delete(survey, admin):
    response = admin.post(url(survey, "seiten/neu/"), {"title": "Zum Schluss", "description": "Fast geschafft.",
                                                       "condition": "all"})  # fmt: skip
    assert response.status_code == 302
    new = page(survey, "Zum Schluss")
    assert new.position == 3 and new.condition == {}
    response = admin.post(url(survey, f"seiten/{new.pk}/"), {
        "action": "save", "title": "Zum Schluss", "description": "", "condition": "any",
        "rule_1_question": "verkehrsmittel", "rule_1_op": "one_of", "rule_1_value": "rad, fuss",
        "rule_2_question": "personen", "rule_2_op": "gt", "rule_2_value": "2",
    })  # fmt: skip
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.condition == {"any": [{"question": "verkehrsmittel", "op": "one_of", "value": ["rad", "fuss"]},
                                     {"question": "personen", "op": "gt", "value": "2"}]}  # fmt: skip
    # The editor shows the rules again.
    body = admin.get(url(survey, f"seiten/{new.pk}/")).content.decode()
    assert 'value="rad, fuss"' in body
    response = admin.post(url(survey, f"seiten/{page(survey, 'Radverkehr').pk}/aktion/"), {"aktion": "duplizieren"})
    assert response.status_code == 302
    assert [title for title, _codes in order(survey)] == [
        "Ihr Haushalt", "Radverkehr", "Radverkehr (Kopie)", "Prioritäten", "Zum Schluss",
    ]  # fmt: skip
    assert order(survey)[2][1] == ["radwege_2", "wuensche_2"]
    assert question(survey, "radwege_2").rows.count() == 2
    response = admin.post(url(survey, f"seiten/{page(survey, 'Radverkehr (Kopie)').pk}/"), {"action": "delete"})
    assert response.status_code == 302
    assert not Question.objects.filter(code="radwege_2").exists()
    assert AuditEntry.objects.filter(action="survey.page_delete").exists()


def test_page_whose_questions_a_condition_names_cannot_be_deleted(survey, admin):
    first = page(survey, "Ihr Haushalt")
    response = admin.post(url(survey, f"seiten/{first.pk}/"), {"action": "delete"})
    body = response.content.decode()
    assert (
        "Die Bedingung von Seite 1 „Radverkehr“ bezieht sich auf „verkehrsmittel“, das es dann nicht mehr gäbe" in body
    )
    assert Question.objects.filter(code="verkehrsmittel").exists()
    assert Page.objects.filter(pk=first.pk).exists()


def test_page_condition_naming_a_later_page_is_refused_in_german(survey, admin):
    first = page(survey, "Ihr Haushalt")
    response = admin.post(url(survey, f"seiten/{first.pk}/"), {
        "action": "save", "title": "Ihr Haushalt", "condition": "all",
        "rule_1_question": "prioritaeten", "rule_1_op": "answered",
    })  # fmt: skip
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bedingungen dürfen sich nur auf Fragen früherer Seiten beziehen." in body
    assert 'id="id_condition_error"' in body  # next to the condition editor
    first.refresh_from_db()
    assert first.condition == {}


def test_question_condition_on_its_own_page_or_itself_is_refused(survey, admin):
    personen = question(survey, "personen")
    data = {"action": "save", "type": "number", "text": personen.text, "code": "personen", "condition": "all",
            "rule_1_question": "verkehrsmittel", "rule_1_op": "equals", "rule_1_value": "rad"}  # fmt: skip
    body = admin.post(url(survey, f"fragen/{personen.pk}/"), data).content.decode()
    assert "nur auf Fragen früherer Seiten" in body
    body = admin.post(url(survey, f"fragen/{personen.pk}/"), {**data, "rule_1_question": "personen"}).content.decode()
    assert "Eine Frage kann nicht von ihrer eigenen Antwort abhängen." in body
    personen.refresh_from_db()
    assert personen.condition == {}


def test_page_reorder_is_refused_when_a_condition_would_name_a_later_question(survey, admin):
    before = order(survey)
    response = admin.post(url(survey, f"seiten/{page(survey, 'Ihr Haushalt').pk}/aktion/"), {"aktion": "runter"},
                          follow=True)  # fmt: skip
    body = response.content.decode()
    assert "Das geht nicht: Die Bedingung von Seite 1 „Radverkehr“ bezieht sich auf „verkehrsmittel“" in body
    assert order(survey) == before
    # Moving the last page up has no condition against it.
    admin.post(url(survey, f"seiten/{page(survey, 'Prioritäten').pk}/aktion/"), {"aktion": "hoch"})
    assert [title for title, _codes in order(survey)] == ["Ihr Haushalt", "Prioritäten", "Radverkehr"]


def test_check_order_is_one_rule_for_every_change(survey):
    building.check_order(survey)  # the fixture is in order
    Page.objects.filter(survey=survey, title="Radverkehr").update(position=0)
    Page.objects.filter(survey=survey, title="Ihr Haushalt").update(position=1)
    with pytest.raises(Exception, match="früheren Seite"):
        building.check_order(survey)


# --- questions ------------------------------------------------------------------------------------------------


def test_question_add_in_two_steps_with_options_as_lines(survey, admin):
    last = page(survey, "Prioritäten")
    response = admin.get(url(survey, f"seiten/{last.pk}/frage-neu/"))
    assert "Schritt 1 von 2" in response.content.decode()
    response = admin.get(url(survey, f"seiten/{last.pk}/frage-neu/?typ=single"))
    body = response.content.decode()
    assert "Antwortmöglichkeiten" in body and "Darstellung" in body and "Skala" not in body
    # The condition's question list offers earlier pages only.
    assert 'value="verkehrsmittel"' in body and 'value="anmerkungen"' not in body
    response = admin.post(url(survey, f"seiten/{last.pk}/frage-neu/?typ=single"), {
        "text": "Wie alt sind Sie?", "code": "", "required": "on", "publish": "on", "display": "select",
        "other": "on", "other_label": "Möchte ich nicht sagen", "options": "u30 = unter 30\n30 bis 60\nüber 60",
        "condition": "all",
    })  # fmt: skip
    assert response.status_code == 302
    new = question(survey, "wie_alt_sind_sie")
    assert new.required and new.config == {"display": "select", "other": True, "other_label": "Möchte ich nicht sagen"}
    assert list(new.options.values_list("code", "label")) == [("u30", "unter 30"), ("30_bis_60", "30 bis 60"),
                                                              ("uber_60", "über 60")]  # fmt: skip


def test_question_form_errors_are_german_and_next_to_the_field(survey, admin):
    last = page(survey, "Prioritäten")
    response = admin.post(url(survey, f"seiten/{last.pk}/frage-neu/?typ=multiple"), {
        "text": "Was noch?", "options": "nur eine", "min_choices": "3", "max_choices": "2", "condition": "all",
    })  # fmt: skip
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_options_error"' in body and "mindestens zwei Antwortmöglichkeiten" in body
    assert 'id="id_max_choices_error"' in body
    response = admin.post(url(survey, f"seiten/{last.pk}/frage-neu/?typ=single"), {
        "text": "Doppelt", "code": "personen", "options": "a\nb", "condition": "all",
    })  # fmt: skip
    assert "Das Kürzel „personen“ ist in dieser Umfrage schon vergeben." in response.content.decode()


def test_question_edit_keeps_codes_of_existing_labels(survey, admin):
    wuensche = question(survey, "wuensche")
    response = admin.post(url(survey, f"fragen/{wuensche.pk}/"), {
        "action": "save", "type": "multiple", "text": "Was wünschen Sie sich am meisten?", "code": "wuensche",
        "options": "Beleuchtung\nAbstellanlagen\nMehr Grün", "max_choices": "2", "randomise": "on", "condition": "all",
        "publish": "on",
    })  # fmt: skip
    assert response.status_code == 302
    wuensche.refresh_from_db()
    assert list(wuensche.options.values_list("code", flat=True)) == ["licht", "abstellen", "mehr_grun"]
    assert wuensche.config == {"max": 2, "randomise": True}


@pytest.mark.parametrize(("qtype", "fields", "config"), [
    ("number", {"number_min": "0", "number_max": "99,5", "step": "0.5", "unit": "km"},
     {"min": "0", "max": "99.5", "step": "0.5", "unit": "km"}),
    ("date", {"date_min": "2026-01-01", "date_max": "2026-12-31"}, {"min": "2026-01-01", "max": "2026-12-31"}),
    ("scale", {"scale": "nps", "low_label": "nie", "high_label": "sofort"},
     {"scale": "nps", "low_label": "nie", "high_label": "sofort"}),
    ("long_text", {"max_length": "800"}, {"max_length": 800}),
])  # fmt: skip
def test_type_specific_settings(survey, admin, qtype, fields, config):
    last = page(survey, "Prioritäten")
    response = admin.post(url(survey, f"seiten/{last.pk}/frage-neu/?typ={qtype}"),
                          {"text": f"Frage {qtype}", "code": f"f_{qtype}", "condition": "all", **fields})  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    assert question(survey, f"f_{qtype}").config == config


def test_matrix_and_answer_set(world, survey, admin):
    response = admin.post(url(survey, "antwortlisten/"), {"name": "Zustimmung",
                                                          "options": "1 = stimme zu\n2 = teils\n3 = stimme nicht zu"})  # fmt: skip
    assert response.status_code == 302
    answer_set = AnswerSet.objects.get(organisation=world.organisation, name="Zustimmung")
    last = page(survey, "Prioritäten")
    response = admin.post(url(survey, f"seiten/{last.pk}/frage-neu/?typ=matrix"), {
        "text": "Wie sehen Sie das?", "code": "aussagen", "answer_set": answer_set.pk, "rows": "Parken\nRadwege",
        "condition": "all",
    })  # fmt: skip
    assert response.status_code == 302
    matrix = question(survey, "aussagen")
    assert matrix.answer_set == answer_set and not matrix.options.exists()
    assert list(matrix.rows.values_list("code", flat=True)) == ["parken", "radwege"]
    response = admin.post(url(survey, f"antwortlisten/{answer_set.pk}/"),
                          {"name": "Zustimmung", "options": "1 = stimme voll zu\n2 = teils\n3 = stimme nicht zu"})  # fmt: skip
    assert response.status_code == 302
    assert Option.objects.get(answer_set=answer_set, code="1").label == "stimme voll zu"
    # Another organisation's list is not offered and not accepted.
    foreign = AnswerSet.objects.create(organisation=world.other_organisation, name="Fremd")
    assert admin.get(url(survey, f"antwortlisten/{foreign.pk}/")).status_code == 404


def test_answer_set_options_that_were_chosen_cannot_go(world, survey, admin):
    answer_set = AnswerSet.objects.create(organisation=world.organisation, name="Ja/Nein")
    Option.objects.create(answer_set=answer_set, code="ja", label="Ja", position=0)
    Option.objects.create(answer_set=answer_set, code="nein", label="Nein", position=1)
    single = building.question_add(actor=world.personas["org_admin"], page=page(survey, "Prioritäten"),
                                   type="single", text="Einverstanden?", answer_set=answer_set)  # fmt: skip
    answered(survey, single.code, "nein")
    response = admin.post(
        url(survey, f"antwortlisten/{answer_set.pk}/"), {"name": "Ja/Nein", "options": "ja = Ja\nx = Y"}
    )
    assert "können nicht entfernt oder umbenannt werden: nein" in response.content.decode()


def test_question_reorder_move_between_pages_and_duplicate(survey, admin):
    personen = question(survey, "personen")
    admin.post(url(survey, f"fragen/{personen.pk}/aktion/"), {"aktion": "hoch"})
    assert order(survey)[0][1] == ["personen", "verkehrsmittel"]
    # Down from the last question of page 1 moves it to the top of page 2.
    response = admin.post(url(survey, f"fragen/{question(survey, 'verkehrsmittel').pk}/aktion/"), {"aktion": "runter"},
                          follow=True)  # fmt: skip
    assert "Die Bedingung von Seite 2 „Radverkehr“ bezieht sich auf „verkehrsmittel“" in response.content.decode()
    assert order(survey)[0][1] == ["personen", "verkehrsmittel"]  # refused: page 2 depends on it
    admin.post(url(survey, f"fragen/{personen.pk}/aktion/"), {"aktion": "hoch"})  # already first: nothing happens
    anmerkungen = question(survey, "anmerkungen")
    admin.post(url(survey, f"fragen/{anmerkungen.pk}/aktion/"), {"aktion": "hoch"})
    admin.post(url(survey, f"fragen/{anmerkungen.pk}/aktion/"), {"aktion": "hoch"})  # onto page 2, at its end
    assert order(survey)[1] == ("Radverkehr", ["radwege", "wuensche", "anmerkungen"])
    admin.post(url(survey, f"fragen/{anmerkungen.pk}/aktion/"), {"aktion": "duplizieren"})
    assert order(survey)[1][1] == ["radwege", "wuensche", "anmerkungen", "anmerkungen_2"]


def test_moving_a_question_above_the_question_it_depends_on_is_refused(survey, admin):
    rad_anmerkung = question(survey, "rad_anmerkung")
    for _step in range(3):  # to the top of page 3, then onto page 2
        admin.post(url(survey, f"fragen/{rad_anmerkung.pk}/aktion/"), {"aktion": "hoch"})
    assert order(survey)[1][1][-1] == "rad_anmerkung"
    for _step in range(3):  # up page 2, then onto page 1, where its condition's question is
        response = admin.post(url(survey, f"fragen/{rad_anmerkung.pk}/aktion/"), {"aktion": "hoch"}, follow=True)
    assert "Die Bedingung von Frage „rad_anmerkung“ auf Seite 1" in response.content.decode()
    assert order(survey)[1][1][0] == "rad_anmerkung"


def test_question_referenced_by_a_condition_cannot_be_deleted(survey, admin):
    verkehrsmittel = question(survey, "verkehrsmittel")
    response = admin.post(url(survey, f"fragen/{verkehrsmittel.pk}/"), {"action": "delete"})
    body = response.content.decode()
    assert "wird in der Bedingung von Seite 2 „Radverkehr“, Frage „rad_anmerkung“ auf Seite 3 verwendet" in body
    assert Question.objects.filter(pk=verkehrsmittel.pk).exists()
    wuensche = question(survey, "wuensche")
    assert admin.post(url(survey, f"fragen/{wuensche.pk}/"), {"action": "delete"}).status_code == 302
    assert not Question.objects.filter(pk=wuensche.pk).exists()


def test_info_block_with_reencoded_image(survey, admin):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "red").save(buffer, "JPEG")
    upload = SimpleUploadedFile("plan.jpg", buffer.getvalue(), content_type="image/jpeg")
    last = page(survey, "Prioritäten")
    response = admin.post(url(survey, f"seiten/{last.pk}/frage-neu/?typ=info"),
                          {"text": "Zum Plan", "help_text": "So sieht es aus.", "image": upload, "condition": "all"})  # fmt: skip
    assert "Bitte beschreiben Sie, was auf dem Bild zu sehen ist." in response.content.decode()
    upload.seek(0)
    response = admin.post(url(survey, f"seiten/{last.pk}/frage-neu/?typ=info"), {
        "text": "Zum Plan", "code": "plan", "help_text": "So sieht es aus.", "image": upload,
        "image_alt": "Lageplan der Radwege", "condition": "all",
    })  # fmt: skip
    assert response.status_code == 302
    info = question(survey, "plan")
    assert info.image and info.image_alt == "Lageplan der Radwege" and not info.required


# --- edits once answers exist ---------------------------------------------------------------------------------


def edit_verkehrsmittel(admin, survey, **changes):
    single = question(survey, "verkehrsmittel")
    data = {"action": "save", "type": "single", "text": single.text, "code": "verkehrsmittel", "required": "on",
            "publish": "on", "display": "radio", "other": "on", "condition": "all",
            "options": "auto = Auto\nrad = Fahrrad\noepnv = Bus und Bahn\nfuss = Zu Fuß"}  # fmt: skip
    data.update(changes)
    return admin.post(url(survey, f"fragen/{single.pk}/"), data)


def test_harmless_edits_after_responses_go_through(survey, admin):
    answered(survey, "verkehrsmittel", "rad")
    response = edit_verkehrsmittel(
        admin, survey, text="Womit kommen Sie zur Arbeit?", options="auto = PKW\nrad = Fahrrad\noepnv = Bus und Bahn"
    )  # "fuss" never chosen
    assert response.status_code == 302
    assert list(question(survey, "verkehrsmittel").options.values_list("code", flat=True)) == ["auto", "rad", "oepnv"]
    assert not AuditEntry.objects.filter(action="survey.destructive_edit").exists()


def test_removing_a_chosen_option_needs_confirmation_and_is_audited(survey, admin):
    answered(survey, "verkehrsmittel", "rad")
    response = edit_verkehrsmittel(admin, survey, options="auto = Auto\nfahrrad = Fahrrad\noepnv = Bus und Bahn")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_confirm_error"' in body and "Gewählte Antworten entfernt oder umbenannt: rad" in body
    assert "rad" in question(survey, "verkehrsmittel").options.values_list("code", flat=True)
    assert Answer.objects.filter(choice="rad").exists()
    response = edit_verkehrsmittel(admin, survey, options="auto = Auto\nfahrrad = Fahrrad\noepnv = Bus und Bahn",
                                   confirm="on")  # fmt: skip
    assert response.status_code == 302
    assert not Answer.objects.filter(choice="rad").exists()
    entry = AuditEntry.objects.get(action="survey.destructive_edit")
    assert entry.changes["frage"] == "verkehrsmittel" and entry.changes["entfernte_antworten"] == 1


def test_type_change_after_responses_needs_confirmation(survey, admin):
    answered(survey, "verkehrsmittel", "auto")
    # Switching the type first shows the new type's settings (multiple has no "display").
    response = edit_verkehrsmittel(admin, survey, type="short_text", options="")
    assert response.status_code == 200
    assert "Fragetyp von „Einfachauswahl“ zu „Kurzer Text“ geändert" in response.content.decode()
    assert question(survey, "verkehrsmittel").type == "single"
    # The page condition on page 2 still names the question: the type change is allowed, the answers go.
    response = edit_verkehrsmittel(admin, survey, type="short_text", options="", confirm="on")
    assert response.status_code == 302
    assert question(survey, "verkehrsmittel").type == "short_text"
    assert not question(survey, "verkehrsmittel").options.exists()
    assert AuditEntry.objects.filter(action="survey.destructive_edit").count() == 1


def test_deleting_an_answered_question_needs_confirmation(survey, admin):
    answered(survey, "personen", "")
    personen = question(survey, "personen")
    body = admin.post(url(survey, f"fragen/{personen.pk}/"), {"action": "delete"}).content.decode()
    assert "Bitte bestätigen Sie" in body
    assert (
        admin.post(url(survey, f"fragen/{personen.pk}/"), {"action": "delete", "delete-confirm": "on"}).status_code
        == 302
    )
    assert not Question.objects.filter(pk=personen.pk).exists()
    assert AuditEntry.objects.filter(action="survey.destructive_edit", changes__frage="personen").exists()


def test_code_cannot_change_while_a_condition_names_it(survey, admin):
    response = edit_verkehrsmittel(admin, survey, code="weg")
    assert "Das Kürzel wird in der Bedingung von Seite 2 „Radverkehr“" in response.content.decode()


# --- preview --------------------------------------------------------------------------------------------------


def test_preview_shows_page_one_applies_conditions_and_stores_nothing(world, survey, admin):
    project = survey.module.project
    project.status = "draft"  # a survey is built before its project is published
    project.save()
    response = admin.get(url(survey, "vorschau/seite/1/?neu=1"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Vorschau: So sehen Teilnehmende diese Seite." in body
    assert "Wie kommen Sie meistens zur Arbeit?" in body and "Seite 1 von 3" in body  # the bike page may come
    assert "Speichern und später fortsetzen" not in body
    response = admin.post(url(survey, "vorschau/seite/1/"), {"q-verkehrsmittel": "hubschrauber", "q-personen": "2"})
    assert response.status_code == 400
    assert "Bitte wählen Sie eine der angebotenen Antworten." in response.content.decode()
    response = admin.post(url(survey, "vorschau/seite/1/"), {"q-verkehrsmittel": "auto", "q-personen": "2"})
    assert response["Location"] == url(survey, "vorschau/seite/3/")  # "Radverkehr" is skipped
    assert admin.get(url(survey, "vorschau/seite/2/"))["Location"] == url(survey, "vorschau/seite/3/")
    body = admin.get(url(survey, "vorschau/seite/3/")).content.decode()
    assert "Und zum Radverkehr?" not in body and "Seite 2 von 2" in body
    admin.post(url(survey, "vorschau/seite/3/"), {"aktion": "zurueck"})
    response = admin.post(url(survey, "vorschau/seite/1/"), {"q-verkehrsmittel": "rad", "q-personen": "2"})
    assert response["Location"] == url(survey, "vorschau/seite/2/")
    body = admin.get(url(survey, "vorschau/seite/2/")).content.decode()
    assert "Wie zufrieden sind Sie mit den Radwegen?" in body and "Seite 2 von 3" in body
    admin.post(url(survey, "vorschau/seite/2/"), {"q-radwege-innenstadt": "1", "q-radwege-schulwege": "2"})
    response = admin.post(url(survey, "vorschau/seite/3/"), {"q-prioritaeten": ["kosten", "tempo", "sicherheit"],
                                                             "q-prioritaeten-ranked": "1"})  # fmt: skip
    assert response["Location"] == url(survey)
    assert Response.objects.count() == 0 and Draft.objects.count() == 0 and Answer.objects.count() == 0


def test_preview_of_an_empty_survey_goes_back_to_the_builder(world, admin):
    module = make_survey_module(world.public)
    survey = building.survey_for(module)
    assert admin.get(url(survey, "vorschau/seite/1/"))["Location"] == url(survey)


# --- queries --------------------------------------------------------------------------------------------------


def test_overview_queries_do_not_grow_with_questions(world, admin):
    def count(questions):
        survey = make_survey(world.public)
        actor = world.personas["org_admin"]
        extra = building.page_add(actor=actor, survey=survey, title="Mehr")
        for number in range(questions):
            building.question_add(actor=actor, page=extra, type="single", text=f"Frage {number}",
                                  options=[("a", "A"), ("b", "B")],
                                  condition={"question": "verkehrsmittel", "op": "equals", "value": "rad"})  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(url(survey)).status_code == 200
        return len(queries)

    assert count(3) == count(30)
