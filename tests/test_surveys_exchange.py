"""A survey's structure as JSON (export, validated import) and the XLSForm import, services and back-office views."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from mitwirken.surveys import exchange, xlsform
from mitwirken.surveys.models import AnswerSet, Option, Page, Question, Response, Survey
from mitwirken.surveys.services import building

from .factories import ProjectFactory, UserFactory
from .survey_fixtures import make_survey, make_survey_module

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).parents[1] / "src/mitwirken/surveys/schema/questionnaire.schema.json"
EXAMPLE = Path(__file__).parent / "data/surveys/haushalt.json"


@pytest.fixture
def admin() -> Any:
    return UserFactory(is_superuser=True, is_staff=True)


def empty_survey(project: Any = None) -> Survey:
    module = make_survey_module(project or ProjectFactory(), name="Leer")
    survey = building.survey_for(module)
    survey.module = module
    return survey


def rich_survey(admin: Any) -> Survey:
    """The household survey plus an answer set, an info block, a scale, a date, a quota per option and in total."""
    survey = make_survey(ProjectFactory(), staff=admin)
    organisation = survey.module.project.organisation
    agree = AnswerSet.objects.create(organisation=organisation, name="Zustimmung")
    Option.objects.bulk_create(Option(answer_set=agree, position=index, code=code, label=label)
                               for index, (code, label) in enumerate([("ja", "Stimme zu"), ("nein", "Stimme nicht zu")]))  # fmt: skip
    page = building.page_add(actor=admin, survey=survey, title="Zum Schluss", description="Fast geschafft.",
                             condition={"any": [{"question": "personen", "op": "gt", "value": 1},
                                                {"question": "verkehrsmittel", "op": "one_of", "value": ["rad", "fuss"]}]})  # fmt: skip
    building.question_add(actor=admin, page=page, type="info", code="hinweis", text="Danke für Ihre Zeit.")
    question = building.question_add(actor=admin, page=page, type="single", code="tempo30", text="Tempo 30?",
                                     options=[("ja", "Stimme zu"), ("nein", "Stimme nicht zu")], publish=False)  # fmt: skip
    exchange._attach(question, agree)
    building.question_add(actor=admin, page=page, type="scale", code="zufrieden", text="Wie zufrieden?",
                          config={"scale": "1-10", "low_label": "gar nicht", "high_label": "sehr"}, required=True)  # fmt: skip
    building.question_add(actor=admin, page=page, type="date", code="umzug", text="Seit wann wohnen Sie hier?",
                          help_text="Ungefähr.", config={"min": "1950-01-01", "max": "2030-12-31"})  # fmt: skip
    building.quota_set(actor=admin, survey=survey, limit=100, question=survey.questions.get(code="verkehrsmittel"),
                       option_code="auto")  # fmt: skip
    building.quota_set(actor=admin, survey=survey, limit=500)
    building.settings_update(actor=admin, survey=survey, intro="Willkommen.", completion_text="Danke!",
                             link_results=True)  # fmt: skip
    return survey


def valid_document(admin: Any) -> dict[str, Any]:
    return exchange.export(rich_survey(admin))


# --- export and round trip --------------------------------------------------------------------------------------


def test_export_has_the_documented_shape(admin):
    document = valid_document(admin)
    assert document["format"] == "mitwirken-umfrage" and document["version"] == 1
    assert document["settings"] == {"access": "public", "anonymity": "anonymous", "intro": "Willkommen.",
                                    "completion_text": "Danke!", "link_results": True}  # fmt: skip
    assert [page["title"] for page in document["pages"]] == ["Ihr Haushalt", "Radverkehr", "Prioritäten", "Zum Schluss"]
    tempo = document["pages"][3]["questions"][1]
    assert tempo == {"code": "tempo30", "type": "single", "text": "Tempo 30?", "help_text": "", "required": False,
                     "config": {}, "options": [{"code": "ja", "label": "Stimme zu"},
                                               {"code": "nein", "label": "Stimme nicht zu"}],
                     "rows": [], "condition": {}, "publish": False, "answer_set": "Zustimmung"}  # fmt: skip
    assert document["quotas"] == [{"question": "verkehrsmittel", "option": "auto", "limit": 100},
                                  {"question": None, "option": "", "limit": 500}]  # fmt: skip
    assert "id" not in json.dumps(document).replace('"didn', "")  # no ids anywhere
    assert exchange.validate(document) == []


def test_export_matches_the_json_schema_and_the_shipped_example(admin):
    jsonschema_rs = pytest.importorskip("jsonschema_rs")  # a development dependency (via schemathesis)
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text()))
    validator.validate(valid_document(admin))
    example = json.loads(EXAMPLE.read_text())
    validator.validate(example)
    assert exchange.validate(example) == []
    assert not validator.is_valid({**example, "version": 2})


def test_the_shipped_example_imports_and_exports_unchanged(admin):
    example = json.loads(EXAMPLE.read_text())
    target = empty_survey()
    exchange.import_structure(actor=admin, survey=target, document=example)
    assert exchange.export(target) == example


def test_round_trip_into_another_organisation_and_back(admin):
    first = valid_document(admin)
    target = empty_survey()  # another organisation: ProjectFactory makes one each time
    assert target.module.project.organisation != Survey.objects.exclude(pk=target.pk).get().module.project.organisation
    imported = exchange.import_structure(actor=admin, survey=target, document=first)
    assert (imported.pages, imported.questions, imported.answer_sets_created) == (4, 11, ["Zustimmung"])
    assert exchange.export(target) == first
    # A second copy in the same organisation reuses the identical answer set instead of creating another.
    again = empty_survey(target.module.project)
    assert exchange.import_structure(actor=admin, survey=again, document=first).answer_sets_created == []
    assert AnswerSet.objects.filter(organisation=target.module.project.organisation).count() == 1
    assert exchange.export(again) == first


def test_an_answer_set_of_the_same_name_with_other_options_is_not_reused(admin):
    document = valid_document(admin)
    target = empty_survey()
    other = AnswerSet.objects.create(organisation=target.module.project.organisation, name="Zustimmung")
    Option.objects.create(answer_set=other, code="x", label="Etwas anderes")
    imported = exchange.import_structure(actor=admin, survey=target, document=document)
    assert imported.answer_sets_created == ["Zustimmung (2)"]
    assert target.questions.get(code="tempo30").answer_set.name == "Zustimmung (2)"
    assert exchange.export(target)["pages"][3]["questions"][1]["answer_set"] == "Zustimmung (2)"


def test_import_replaces_an_unanswered_structure_and_refuses_an_answered_one(admin):
    document = valid_document(admin)
    target = make_survey(ProjectFactory(), staff=admin)
    exchange.import_structure(actor=admin, survey=target, document=document)
    assert exchange.export(target) == document
    Response.objects.create(survey=target, submitted_on=timezone.localdate())
    before = exchange.export(target)
    document["pages"] = document["pages"][:1]
    with pytest.raises(ValidationError) as refused:
        exchange.import_structure(actor=admin, survey=target, document=document)
    assert "schon Antworten" in refused.value.messages[0]
    assert exchange.export(target) == before


def test_import_checks_the_permission(admin):
    document = valid_document(admin)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        exchange.import_structure(actor=UserFactory(), survey=empty_survey(), document=document)


# --- validation: every problem in German with its place, nothing written ------------------------------------------


def _question(document: dict[str, Any], page: int, code: str) -> dict[str, Any]:
    return next(q for q in document["pages"][page]["questions"] if q["code"] == code)


def _unknown_type(document):
    _question(document, 0, "personen")["type"] = "slider"


def _duplicate_code(document):
    _question(document, 2, "anmerkungen")["code"] = "personen"


def _later_question(document):
    _question(document, 0, "personen")["condition"] = {"question": "radwege", "op": "answered"}


def _same_page(document):
    _question(document, 0, "personen")["condition"] = {"question": "verkehrsmittel", "op": "equals", "value": "rad"}


def _unknown_question(document):
    document["pages"][1]["condition"] = {"question": "alter", "op": "gt", "value": 17}


def _missing_options(document):
    _question(document, 2, "prioritaeten")["options"] = []


def _min_above_max(document):
    _question(document, 0, "personen")["config"] = {"min": 20, "max": 1}


def _bad_config(document):
    _question(document, 0, "verkehrsmittel")["config"] = {"other": "ja", "farbe": "rot"}


def _wrong_version(document):
    document["version"] = 2


def _bad_quota(document):
    document["quotas"].append({"question": "wuensche", "option": "licht", "limit": 0})


CASES = [
    (_unknown_type, "Seite 1, Frage „personen“: Unbekannter Fragetyp „slider“."),
    (_duplicate_code, "Seite 3, Frage „personen“: Das Kürzel „personen“ kommt mehrfach vor."),
    (_later_question, "Seite 1, Frage „personen“: Die Bedingung nennt „radwege“, eine Frage, die erst später kommt"),
    (_same_page, "Seite 1, Frage „personen“: Die Bedingung nennt „verkehrsmittel“ auf derselben Seite"),
    (_unknown_question, "Seite 2: Die Bedingung nennt die unbekannte Frage „alter“."),
    (_missing_options, "Seite 3, Frage „prioritaeten“: Bitte geben Sie mindestens zwei Antwortmöglichkeiten an"),
    (_min_above_max, "Seite 1, Frage „personen“: Der kleinste Wert (min) ist größer als der größte (max)."),
    (_bad_config, "Seite 1, Frage „verkehrsmittel“: Die Einstellung „other“ muss true oder false sein."),
    (_wrong_version, "Version 2 dieses Formats wird nicht unterstützt"),
    (_bad_quota, "Quote 3: „limit“ muss eine ganze Zahl ab 1 sein."),
]


@pytest.mark.parametrize(("spoil", "message"), CASES, ids=[case[0].__name__.strip("_") for case in CASES])
def test_each_problem_is_named_and_nothing_is_written(admin, spoil, message):
    document = valid_document(admin)
    spoil(document)
    target = empty_survey()
    sets_before = AnswerSet.objects.count()
    with pytest.raises(ValidationError) as refused:
        exchange.import_structure(actor=admin, survey=target, document=document)
    assert any(problem.startswith(message) for problem in refused.value.messages), refused.value.messages
    assert not Page.objects.filter(survey=target).exists()
    assert AnswerSet.objects.count() == sets_before
    assert Survey.objects.get(pk=target.pk).intro == ""  # settings untouched too


def test_all_problems_are_listed_at_once(admin):
    document = valid_document(admin)
    for spoil, _message in CASES[:8]:
        spoil(document)
    problems = exchange.validate(document)
    assert any("Einstellung „farbe“ gibt es für diesen Fragetyp nicht" in problem for problem in problems)
    assert len(problems) >= 7


@pytest.mark.parametrize(("raw", "message"), [
    (b"{nicht json", "Die Datei ist kein gültiges JSON"),
    (b"\xff\xfe\x00", "keine Textdatei in UTF-8"),
    (b" " * (exchange.MAX_BYTES + 1), "zu groß"),
    (b"[" * 100 + b"]" * 100, "zu tief verschachtelt"),
    (b"[" * 100_000 + b"]" * 100_000, "zu tief verschachtelt"),
])  # fmt: skip
def test_files_that_are_not_a_document(raw, message):
    with pytest.raises(ValidationError) as refused:
        exchange.parse(raw)
    assert message in refused.value.messages[0]


def test_a_list_is_not_a_document():
    assert exchange.validate([]) == ["Die Datei enthält kein JSON-Objekt, sondern list."]


# --- XLSForm ------------------------------------------------------------------------------------------------------

SURVEY_SHEET = [
    ["type", "name", "label", "label::German (de)", "hint", "required", "relevant", "constraint", "appearance",
     "calculation"],
    ["select_one mode or_other", "mode", "Mode", "Verkehrsmittel", "", "yes", "", "", "", ""],
    ["integer", "age", "Age", "Alter", "In Jahren", "yes", "", ". >= 0 and . <= 120", "", ""],
    ["calculate", "doubled", "", "", "", "", "", "", "", "${age} * 2"],
    ["text", "name", "Name", "Name", "", "", "", "", "", ""],
    ["begin group", "travel", "Travel", "Unterwegs", "", "", "${mode} != ''", "", "field-list", ""],
    ["select_multiple mode", "wishes", "Wishes", "Wünsche", "", "", "selected(${mode}, 'bike') and ${age} > 17", "",
     "", ""],
    ["text", "why", "Why", "Warum", "", "", "${mode} = 'car' or ${age} < 18", "", "multiline", ""],
    ["decimal", "km", "Km", "Kilometer", "", "", "", ". > 0", "", ""],
    ["date", "since", "Since", "Seit wann", "", "", "", "", "", ""],
    ["note", "thanks", "Thanks", "Danke", "", "", "", "", "", ""],
    ["text", "detail", "Detail", "Genauer", "", "", "selected(${wishes}, 'car')", "", "", ""],
    ["end group", "", "", "", "", "", "", "", "", ""],
    ["begin repeat", "kids", "Kids", "Kinder", "", "", "", "", "", ""],
    ["integer", "kid_age", "Age", "Alter", "", "", "", "", "", ""],
    ["end repeat", "", "", "", "", "", "", "", "", ""],
    ["begin group", "rating", "Rating", "Bewertung", "", "", "", "", "table-list", ""],
    ["select_one agree", "safety", "Safety", "Sicherheit", "", "yes", "", "", "", ""],
    ["select_one agree", "speed", "Speed", "Tempo", "", "", "", "", "", ""],
    ["end group", "", "", "", "", "", "", "", "", ""],
    ["geopoint", "where", "Where", "Wo", "", "", "count(${wishes}) > 2", "", "", ""],
    ["image", "photo", "Photo", "Foto", "", "", "", "", "", ""],
    ["file", "plan", "Plan", "Plan", "", "", "", "", "", ""],
    ["rank mode", "order", "Order", "Reihenfolge", "", "", "", "", "", ""],
    ["select_one mode", "again", "Again", "Nochmal", "", "", "${mode} != 'car'", "", "minimal", ""],
]  # fmt: skip
CHOICES_SHEET = [
    ["list_name", "name", "label", "label::German (de)"],
    ["mode", "car", "Car", "Auto"], ["mode", "bike", "Bike", "Fahrrad"], ["mode", "walk", "Walk", "Zu Fuß"],
    ["agree", "yes", "Agree", "Stimme zu"], ["agree", "no", "Disagree", "Stimme nicht zu"],
]  # fmt: skip


def xlsx(survey: list[list[str]] = SURVEY_SHEET, choices: list[list[str]] = CHOICES_SHEET) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    choice_sheet = book.create_sheet("choices")
    for row in choices:
        choice_sheet.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id"])
    settings.append(["Mobilität", "mobil"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def questions_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["code"]: q for page in document["pages"] for q in page["questions"]}


def test_xlsform_maps_every_type_and_reports_what_it_leaves_out():
    converted = xlsform.convert(xlsx())
    document, notes = converted.document, converted.notes
    found = questions_of(document)
    assert {code: q["type"] for code, q in found.items()} == {
        "mode": "single", "age": "number", "name": "short_text", "wishes": "multiple", "why": "long_text",
        "km": "number", "since": "date", "thanks": "info", "detail": "short_text", "rating": "matrix",
        "where": "location", "photo": "file", "plan": "file", "order": "ranking", "again": "single",
    }  # fmt: skip
    assert found["mode"]["text"] == "Verkehrsmittel" and found["mode"]["required"] is True
    assert found["mode"]["config"] == {"other": True}
    assert [o["code"] for o in found["mode"]["options"]] == ["car", "bike", "walk"]  # pyxform's "other" is ours
    assert [o["code"] for o in found["wishes"]["options"]] == ["car", "bike", "walk"]
    assert found["age"]["config"] == {"step": 1, "min": 0, "max": 120} and found["age"]["help_text"] == "In Jahren"
    assert found["km"]["config"] == {}
    assert found["again"]["config"] == {"display": "select"}
    assert found["rating"]["rows"] == [{"code": "safety", "label": "Sicherheit"}, {"code": "speed", "label": "Tempo"}]
    assert found["rating"]["options"] == [
        {"code": "yes", "label": "Stimme zu"},
        {"code": "no", "label": "Stimme nicht zu"},
    ]
    assert found["rating"]["required"] is True
    # The group is a page with its condition; loose questions before it form the first page.
    titles = [page["title"] for page in document["pages"]]
    assert titles[:2] == ["", "Unterwegs"]
    assert document["pages"][1]["condition"] == {"question": "mode", "op": "answered"}
    assert found["wishes"]["condition"] == {"all": [{"question": "mode", "op": "equals", "value": "bike"},
                                                    {"question": "age", "op": "gt", "value": "17"}]}  # fmt: skip
    assert found["why"]["condition"] == {"any": [{"question": "mode", "op": "equals", "value": "car"},
                                                 {"question": "age", "op": "lt", "value": "18"}]}  # fmt: skip
    # "detail" depends on "wishes" of the same group: it starts a new page.
    assert found["detail"]["condition"] == {"question": "wishes", "op": "contains", "value": "car"}
    assert titles.count("Unterwegs") == 2
    text = "\n".join(notes)
    for expected in (
        "nicht übernommen: Zeile 4, Typ „calculate“ („doubled“)",
        "nicht übernommen: Zeile 14, Wiederholungsgruppe „kids“ mit 1 Fragen",
        "Prüfung nicht übernommen: Zeile 9, „. > 0“",
        "Seite geteilt: „detail“",
        "Bedingung nicht übernommen: Zeile 21, „count(${wishes}) > 2“",
        "Bedingung nicht übernommen: Zeile 25, „${mode} != 'car'“",
        "Zeile 17: Die Gruppe „rating“ (table-list) wird eine Matrixfrage",
    ):
        assert expected in text, text
    assert found["where"]["condition"] == {} and found["again"]["condition"] == {}
    assert exchange.validate(document) == []


def test_xlsform_imports_into_a_survey(admin):
    target = empty_survey()
    exchange.import_structure(actor=admin, survey=target, document=xlsform.convert(xlsx()).document)
    assert target.questions.count() == 15
    assert Question.objects.get(survey=target, code="rating").rows.count() == 2


def test_xlsform_that_pyxform_refuses_is_a_german_message():
    broken = [["type", "name", "label"], ["select_one missing", "q", "Frage"]]
    with pytest.raises(ValidationError) as refused:
        xlsform.convert(xlsx(survey=broken))
    assert refused.value.messages[0].startswith("Die XLSForm-Datei kann nicht gelesen werden:")


# --- back office ----------------------------------------------------------------------------------------------------


def urls(survey: Survey) -> tuple[str, str]:
    kwargs = {"org_slug": survey.module.project.organisation.slug, "project_pk": survey.module.project.pk,
              "module_pk": survey.module.pk}  # fmt: skip
    return reverse("backoffice:survey_structure_export", kwargs=kwargs), reverse(
        "backoffice:survey_import", kwargs=kwargs
    )


def test_staff_download_the_structure_and_others_get_404(world):
    survey = make_survey(world.public)
    export_url, import_url = urls(survey)
    response = world.client("org_admin").get(export_url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert json.loads(response.content) == exchange.export(survey)
    for persona in ("other_org_admin", "citizen"):
        client = world.client(persona)
        assert client.get(export_url).status_code == 404
        assert client.get(import_url).status_code == 404
        assert client.post(import_url, {"payload": "x"}).status_code == 404


def test_staff_check_then_import_a_json_file(world, admin):
    document = valid_document(admin)
    survey = empty_survey(world.public)
    _export_url, import_url = urls(survey)
    client = world.client("org_admin")
    upload = SimpleUploadedFile("irgendwas.txt", exchange.dumps(document).encode(), content_type="text/plain")
    response = client.post(import_url, {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200 and "Geprüft: noch nichts gespeichert" in page
    assert not Page.objects.filter(survey=survey).exists()
    payload = response.context["payload"]
    response = client.post(import_url, {"payload": payload})
    assert response.status_code == 200 and "Struktur importiert" in response.content.decode()
    survey.refresh_from_db()
    assert exchange.export(survey) == document
    # Tampering with the signed payload imports nothing.
    response = client.post(import_url, {"payload": payload[:-3] + "abc"})
    assert "Die Prüfung ist abgelaufen" in response.content.decode()


def test_staff_import_an_xlsform_and_see_the_report(world):
    survey = empty_survey(world.public)
    _export_url, import_url = urls(survey)
    client = world.client("org_admin")
    response = client.post(import_url, {"file": SimpleUploadedFile("form.xlsx", xlsx())})
    assert "nicht übernommen: Zeile 4, Typ „calculate“" in response.content.decode()
    response = client.post(import_url, {"payload": response.context["payload"]})
    page = response.content.decode()
    assert "Wiederholungsgruppe „kids“" in page
    assert survey.questions.count() == 15


def test_a_bad_file_shows_german_errors_at_the_field_and_saves_nothing(world, admin):
    survey = empty_survey(world.public)
    _export_url, import_url = urls(survey)
    client = world.client("org_admin")
    document = valid_document(admin)
    _unknown_type(document)
    _min_above_max(document)
    response = client.post(import_url, {"file": SimpleUploadedFile("s.json", json.dumps(document).encode())})
    errors = response.context["form"].errors["file"]
    assert "Seite 1, Frage „personen“: Unbekannter Fragetyp „slider“." in errors
    assert "payload" not in response.context
    response = client.post(import_url, {"file": SimpleUploadedFile("s.json", b"PK\x03\x04 kein zip")})
    assert response.context["form"].errors["file"] == [
        "Das Office-Dokument ist beschädigt und kann nicht geprüft werden."
    ]
    assert not Page.objects.filter(survey=survey).exists()


def test_import_page_says_why_an_answered_survey_cannot_take_an_import(world, admin):
    survey = make_survey(world.public)
    Response.objects.create(survey=survey, submitted_on=timezone.localdate())
    _export_url, import_url = urls(survey)
    client = world.client("org_admin")
    payload_document = copy.deepcopy(exchange.export(survey))
    response = client.post(import_url, {"file": SimpleUploadedFile("s.json", json.dumps(payload_document).encode())})
    assert "Import nicht möglich" in response.content.decode()
    assert "payload" not in response.context
