"""Bad input on a survey page: each gets a clear German message at its question (inside ``id="frage-<code>"``),
the page answers 400, and nothing of the page is stored (no draft change, no uploaded file left behind). Then
the refusals that are not about a field: a hidden question, a used code, a closed survey, a second response."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from mitwirken.projects.models import Phase
from mitwirken.surveys.models import Completion, Draft, Response, Token
from mitwirken.surveys.questionnaire import Questionnaire
from mitwirken.surveys.services import responding

from .conftest import login
from .dialogue_helpers import established, flash_messages
from .factories import ProjectFactory, UserFactory
from .survey_fixtures import make_survey
from .survey_helpers import (
    answer_household,
    build_survey,
    code_url,
    error_near,
    field_html,
    page_url,
    text_of,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Around Mainz: [west, south, east, north] = [8.1, 49.9, 8.4, 50.1].
AREA = {"type": "Polygon", "coordinates": [[[8.1, 49.9], [8.4, 49.9], [8.4, 50.1], [8.1, 50.1], [8.1, 49.9]]]}
PAGES = [
    {"title": "Eingaben", "questions": [
        {"type": "number", "code": "personen", "text": "Personen", "required": True,
         "config": {"min": 1, "max": 20, "step": 1}},
        {"type": "single", "code": "wahl", "text": "Wahl", "required": True,
         "options": [("a", "A"), ("b", "B"), ("c", "C")]},
        {"type": "multiple", "code": "wuensche", "text": "Wünsche", "config": {"max": 2},
         "options": [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")]},
        {"type": "matrix", "code": "matrix", "text": "Matrix", "required": True,
         "options": [("1", "gut"), ("2", "mittel"), ("3", "schlecht")], "rows": [("r1", "Zeile 1"), ("r2", "Zeile 2")]},
        {"type": "ranking", "code": "rang", "text": "Rangfolge", "options": [("x", "X"), ("y", "Y"), ("z", "Z")]},
        {"type": "short_text", "code": "notiz", "text": "Notiz", "config": {"max_length": 20}},
        {"type": "date", "code": "tag", "text": "Tag", "config": {"min": "2026-01-01", "max": "2026-12-31"}},
        {"type": "location", "code": "ort", "text": "Ort"},
        {"type": "file", "code": "datei", "text": "Datei"},
    ]},
    {"title": "Nur bei B", "condition": {"question": "wahl", "op": "equals", "value": "b"},
     "questions": [{"type": "short_text", "code": "spaeter", "text": "Nur bei B"}]},
    {"title": "Schluss", "questions": [{"type": "short_text", "code": "schluss", "text": "Schluss"}]},
]  # fmt: skip
VALID: dict[str, Any] = {
    "q-personen": "3", "q-wahl": "a", "q-wuensche": ["a", "b"], "q-matrix-r1": "1", "q-matrix-r2": "2",
    "q-rang": ["z", "x", "y"], "q-rang-ranked": "1", "q-notiz": "kurz", "q-tag": "01.06.2026",
    "q-ort-lat": "50,0", "q-ort-lon": "8,27",
}  # fmt: skip
CODES = ["personen", "wahl", "wuensche", "matrix", "rang", "notiz", "tag", "ort", "datei"]


@pytest.fixture
def survey() -> Any:
    return build_survey(ProjectFactory(location=AREA), PAGES)


@pytest.fixture
def client() -> Client:
    user = UserFactory()
    established(user)
    return login(Client(), user)


def stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "surveys"
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")


def test_valid_page_is_stored(survey: Any, client: Client, settings: Any) -> None:
    """The baseline the cases below change one field of."""
    response = client.post(page_url(survey, 1), {**VALID, "q-datei": pdf()})
    assert response.status_code == 302 and response["Location"] == page_url(survey, 3)
    answers = Draft.objects.get().answers
    assert set(answers) == set(CODES)
    assert answers["rang"] == ["z", "x", "y"] and answers["tag"] == "2026-06-01" and answers["personen"] == "3"
    assert answers["ort"] == {"lat": 50.0, "lon": 8.27}
    assert len(stored_files(settings)) == 1


BAD = [
    ("missing required answer", "wahl", {"q-wahl": ""}, "Bitte beantworten Sie diese Frage."),
    ("missing required number", "personen", {"q-personen": " "}, "Bitte beantworten Sie diese Frage."),
    ("number too large", "personen", {"q-personen": "21"}, "Bitte geben Sie höchstens 20 an."),
    ("number too small", "personen", {"q-personen": "0"}, "Bitte geben Sie mindestens 1 an."),
    ("not a number", "personen", {"q-personen": "drei"}, "Bitte geben Sie eine Zahl ein, z. B. 12 oder 3,5."),
    ("not a finite number", "personen", {"q-personen": "Infinity"}, "Bitte geben Sie eine Zahl ein"),
    ("step mismatch", "personen", {"q-personen": "2,5"}, "Bitte geben Sie ein Vielfaches von 1 an."),
    ("too many choices", "wuensche", {"q-wuensche": ["a", "b", "c"]}, "Bitte wählen Sie höchstens 2 Antworten."),
    ("forged option (multiple)", "wuensche", {"q-wuensche": ["a", "zz"]},
     "Bitte wählen Sie nur unter den angebotenen Antworten."),
    ("the same option twice", "wuensche", {"q-wuensche": ["a", "a"]},
     "Bitte wählen Sie nur unter den angebotenen Antworten."),
    ("forged option (single)", "wahl", {"q-wahl": "hubschrauber"}, "Bitte wählen Sie eine der angebotenen Antworten."),
    ("forged 'other' without the option", "wahl", {"q-wahl": "_other"},
     "Bitte wählen Sie eine der angebotenen Antworten."),
    ("forged matrix value", "matrix", {"q-matrix-r1": "9"},
     "Bitte wählen Sie in jeder Zeile eine der angebotenen Antworten."),
    ("matrix row left out", "matrix", {"q-matrix-r2": ""}, "Bitte beantworten Sie auch: Zeile 2."),
    ("ranking with an item missing", "rang", {"q-rang": ["x", "y"]},
     "Bitte bringen Sie alle Einträge in eine Reihenfolge."),
    ("ranking with a duplicate", "rang", {"q-rang": ["x", "x", "y"]},
     "Bitte bringen Sie alle Einträge in eine Reihenfolge."),
    ("ranking with a forged item", "rang", {"q-rang": ["x", "y", "z", "w"]},
     "Bitte bringen Sie alle Einträge in eine Reihenfolge."),
    ("text too long", "notiz", {"q-notiz": "x" * 21}, "Bitte antworten Sie mit höchstens 20 Zeichen (jetzt 21)."),
    ("bad date", "tag", {"q-tag": "31.02.2026"}, "Bitte geben Sie ein Datum im Format TT.MM.JJJJ ein."),
    ("not a date", "tag", {"q-tag": "morgen"}, "Bitte geben Sie ein Datum im Format TT.MM.JJJJ ein."),
    ("date too early", "tag", {"q-tag": "2025-12-31"}, "Bitte wählen Sie ein Datum ab dem 01.01.2026."),
    ("date too late", "tag", {"q-tag": "01.01.2027"}, "Bitte wählen Sie ein Datum bis zum 31.12.2026."),
    ("location outside the project area", "ort", {"q-ort-lat": "52,52", "q-ort-lon": "13,40"},
     "Dieser Ort liegt außerhalb des Projektgebiets."),
    ("location not a number", "ort", {"q-ort-lat": "Mainz", "q-ort-lon": "8,27"},
     "Bitte geben Sie Breite und Länge als Zahlen an"),
    ("location half given", "ort", {"q-ort-lat": "50,0", "q-ort-lon": ""},
     "Bitte geben Sie Breite und Länge als Zahlen an"),
    ("location off the globe", "ort", {"q-ort-lat": "91", "q-ort-lon": "8"},
     "Bitte geben Sie Breite und Länge als Zahlen an"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "changes", "message"), [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_input_is_named_at_its_question_and_nothing_is_stored(
    survey: Any, client: Client, settings: Any, code: str, changes: dict[str, Any], message: str
) -> None:
    response = client.post(page_url(survey, 1), {**VALID, **changes, "q-datei": pdf()})
    assert response.status_code == 400
    assert message in error_near(response, code)
    assert 'aria-invalid="true"' in field_html(response, code) or "kern-fieldset--error" in field_html(response, code)
    assert [other for other in CODES if other != code and error_near(response, other)] == []
    assert "Bitte korrigieren Sie die markierten Angaben." in text_of(response)
    # The summary leads to the question: to its input, or to its group where it has several inputs.
    assert f'href="#frage-{code}"' in text_of(response) or f'href="#q-{code}"' in text_of(response)
    assert not Draft.objects.exists()
    assert stored_files(settings) == []  # the valid upload of the refused page is not kept either


def test_a_disguised_file_is_refused_at_its_question(survey: Any, client: Client, settings: Any) -> None:
    for name, content in [("plan.pdf", b"MZ\x90\x00\x03\x00\x00\x00 ein Programm"),
                          ("bild.png", b"<html><script>alert(1)</script></html>")]:  # fmt: skip
        upload = SimpleUploadedFile(name, content, content_type="application/pdf")
        response = client.post(page_url(survey, 1), {**VALID, "q-datei": upload})
        assert response.status_code == 400
        assert "Dieser Dateityp ist nicht erlaubt." in error_near(response, "datei")
    assert not Draft.objects.exists() and stored_files(settings) == []


def test_a_refused_page_leaves_the_saved_draft_as_it_was(survey: Any, client: Client, settings: Any) -> None:
    assert client.post(page_url(survey, 1), {**VALID, "q-datei": pdf()}).status_code == 302
    saved = Draft.objects.get().answers
    files = stored_files(settings)
    response = client.post(page_url(survey, 1), {**VALID, "q-personen": "5", "q-notiz": "neu", "q-tag": "gestern",
                                                  "q-datei": pdf()})  # fmt: skip
    assert response.status_code == 400
    assert Draft.objects.get().answers == saved
    assert stored_files(settings) == files  # the second upload went nowhere
    # The first upload is still the one the page offers to keep.
    assert "Bereits hochgeladen: plan.pdf" in field_html(client.get(page_url(survey, 1)), "datei")


def test_a_replaced_upload_does_not_stay_behind(survey: Any, client: Client, settings: Any) -> None:
    assert client.post(page_url(survey, 1), {**VALID, "q-datei": pdf()}).status_code == 302
    first = Draft.objects.get().answers["datei"]["path"]
    second = SimpleUploadedFile("neu.pdf", PDF, content_type="application/pdf")
    assert client.post(page_url(survey, 1), {**VALID, "q-datei": second}).status_code == 302
    kept = Draft.objects.get().answers["datei"]
    assert kept["name"] == "neu.pdf" and kept["path"] != first
    assert [path.name for path in stored_files(settings)] == [Path(kept["path"]).name]


def test_an_answer_to_a_hidden_question_is_ignored_with_a_notice(survey: Any, client: Client) -> None:
    response = client.post(page_url(survey, 1), {**VALID, "q-spaeter": "untergeschoben", "q-schluss": "zu früh"})
    assert response.status_code == 302
    assert "Antworten auf Fragen, die Ihnen nach Ihren bisherigen Angaben nicht gestellt werden, wurden nicht " \
           "gespeichert." in flash_messages(response)  # fmt: skip
    answers = Draft.objects.get().answers
    assert "spaeter" not in answers and "schluss" not in answers


# --- refusals that are not about a field ----------------------------------------------------------------------


def test_a_reused_code_is_refused() -> None:
    survey = make_survey(ProjectFactory(), access="token")
    token = Token.objects.create(survey=survey)
    first = Client()
    first.post(code_url(survey, token.code))
    assert answer_household(first, survey)["Location"].endswith("/danke/")
    again = Client()
    response = again.post(code_url(survey, token.code))
    assert "Mit diesem Zugangscode wurde die Umfrage bereits beantwortet. Jeder Code gilt einmal." in flash_messages(
        response
    )
    response = answer_household(again, survey)
    assert response.status_code == 403 and "persönlichen Zugangscode" in text_of(response)
    assert Response.objects.count() == 1


def test_a_response_after_closing_is_refused() -> None:
    survey = make_survey(ProjectFactory(), access="account")
    user = UserFactory()
    established(user)
    client = login(Client(), user)
    client.post(page_url(survey, 1), {"q-verkehrsmittel": "fuss", "q-personen": "2"})
    Phase.objects.filter(module=survey.module).update(end=timezone.now() - timedelta(minutes=1))
    response = client.post(page_url(survey, 3), {"q-prioritaeten": ["kosten", "tempo", "sicherheit"]})
    assert response.status_code == 403
    assert "geschlossen. Antworten sind nicht mehr möglich." in text_of(response)
    assert not Response.objects.exists() and not Completion.objects.exists()


def test_a_second_response_from_the_same_account_is_refused() -> None:
    survey = make_survey(ProjectFactory(), access="account")
    user = UserFactory()
    established(user)
    client = login(Client(), user)
    assert answer_household(client, survey)["Location"].endswith("/danke/")
    for attempt in (client, login(Client(), user)):  # the same browser, and another one
        response = attempt.get(page_url(survey, 1))
        assert response.status_code == 403
        assert "Sie haben diese Umfrage bereits beantwortet. Vielen Dank!" in text_of(response)
        assert answer_household(attempt, survey).status_code == 403
    assert Response.objects.count() == 1 and not Draft.objects.exists()


def test_two_drafts_of_one_account_submitted_at_once_count_once(monkeypatch: Any) -> None:
    """The service's own guard, for two requests that both passed the check before either had submitted."""
    survey = make_survey(ProjectFactory(), access="account")
    user = UserFactory()
    questionnaire = Questionnaire(survey)
    answers = {"verkehrsmittel": {"choice": "fuss", "other": ""}, "personen": "2",
               "prioritaeten": ["kosten", "tempo", "sicherheit"]}  # fmt: skip
    respondent = responding.Respondent(user=user)
    first = Draft.objects.create(survey=survey, user=user, answers=answers, page=2)
    second = Draft(survey=survey, answers=answers, page=2)  # as held by the other request
    responding.submit(survey, respondent, questionnaire, first)
    monkeypatch.setattr(responding, "refusal", lambda survey, respondent: "")  # its check ran before the first
    with pytest.raises(responding.AlreadyAnswered):
        responding.submit(survey, respondent, questionnaire, second)
    assert Response.objects.count() == 1 and Completion.objects.count() == 1
    survey.refresh_from_db()
    assert survey.response_count == 1


def test_a_public_survey_answered_twice_in_the_same_browser_is_refused() -> None:
    survey = make_survey(ProjectFactory(), access="public")
    browser = Client()
    assert answer_household(browser, survey)["Location"].endswith("/danke/")
    response = browser.get(page_url(survey, 1))
    assert response.status_code == 403
    assert "Sie haben diese Umfrage in diesem Browser bereits beantwortet. Vielen Dank!" in text_of(response)
    assert answer_household(browser, survey).status_code == 403
    assert Response.objects.count() == 1
    # It is the browser's cookie that refuses: another browser may answer (a public survey has no accounts).
    assert answer_household(Client(), survey)["Location"].endswith("/danke/")
    assert Response.objects.count() == 2
