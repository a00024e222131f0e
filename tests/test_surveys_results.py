"""Survey results: the numbers, filters, publishing, permissions, exports and constant query counts."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mitwirken.surveys import questions, results
from mitwirken.surveys.models import Answer, Question, Response, ResponseIdentity, Survey, Token
from mitwirken.surveys.questionnaire import Questionnaire
from mitwirken.surveys.services import building

from .survey_fixtures import make_survey

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 1)
HYPERLINK = '=HYPERLINK("http://example.org/boese","klick")'
# The known data set: four responses to the household survey, plus a scale and a location question.
KNOWN = [
    (DAY, {"verkehrsmittel": {"choice": "rad", "other": ""}, "personen": "1",
           "radwege": {"innenstadt": "1", "schulwege": "3"}, "wuensche": {"choices": ["licht", "breite"], "other": ""},
           "prioritaeten": ["sicherheit", "tempo", "kosten"], "zufriedenheit": 2, "rad_anmerkung": "Mehr Bügel"}),
    (DAY + datetime.timedelta(days=1), {"verkehrsmittel": {"choice": "rad", "other": ""}, "personen": "4",
           "radwege": {"innenstadt": "2", "schulwege": "3"}, "wuensche": {"choices": ["licht"], "other": ""},
           "prioritaeten": ["tempo", "sicherheit", "kosten"], "zufriedenheit": 4, "anmerkungen": HYPERLINK}),
    (DAY + datetime.timedelta(days=4), {"verkehrsmittel": {"choice": "auto", "other": ""}, "personen": "2",
           "prioritaeten": ["kosten", "sicherheit", "tempo"], "zufriedenheit": 5}),
    (DAY + datetime.timedelta(days=9), {"verkehrsmittel": {"choice": "_other", "other": "Tretroller"},
           "personen": "3", "prioritaeten": ["sicherheit", "kosten", "tempo"], "ort": {"lat": 50.01, "lon": 8.27}}),
]  # fmt: skip


def household(project: Any, staff: Any, **kwargs: Any) -> Survey:
    survey = make_survey(project, staff=staff, **kwargs)
    last = survey.pages.order_by("position").last()
    building.question_add(actor=staff, page=last, type="scale", code="zufriedenheit", text="Wie zufrieden sind Sie?",
                          config={"scale": "1-5"})  # fmt: skip
    building.question_add(actor=staff, page=last, type="location", code="ort", text="Wo fehlt ein Radweg?")
    return survey


def add_responses(survey: Survey, answers: list[tuple[datetime.date, dict[str, Any]]]) -> list[Response]:
    """Responses written straight into the tables (as the submission service would), fast with bulk_create."""
    by_code = {question.code: question for question in survey.questions.all()}
    made = Response.objects.bulk_create(Response(survey=survey, submitted_on=day) for day, _values in answers)
    Answer.objects.bulk_create(
        Answer(response=response, question=by_code[code], **row)
        for response, (_day, values) in zip(made, answers, strict=True)
        for code, value in values.items()
        for row in questions.answer_rows(by_code[code].type, value)
    )  # fmt: skip
    results.changed(survey)  # as the submission service does
    if connection.vendor == "postgresql":
        # Fresh planner statistics after a bulk insert, as autovacuum gathers them in production: with the
        # statistics of the nearly empty tables PostgreSQL plans the filtered results with nested loops that ran
        # for many minutes at 10,000 responses.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE surveys_response, surveys_answer")
    return made


def build(survey: Survey, **filters: Any) -> dict[str, Any]:
    found = results.build(survey, Questionnaire(survey), filters=results.Filters(**filters))
    return {"_": found, **{item.question.code: item for item in found.items}}


def bars(item: results.QuestionResult) -> dict[str, tuple[int, float]]:
    return {bar.code: (bar.count, round(bar.percent, 1)) for bar in item.bars}


def base(survey: Survey) -> str:
    module = survey.module
    return f"/verwaltung/{module.project.organisation.slug}/projekte/{module.project.pk}/umfrage/{module.pk}/"


def public_url(survey: Survey) -> str:
    module = survey.module
    return f"/{module.project.organisation.slug}/projekte/{module.project.slug}/{module.slug}/auswertung/"


@pytest.fixture
def known(world):
    survey = household(world.public, world.personas["org_admin"])
    add_responses(survey, KNOWN)
    return survey


# --- numbers --------------------------------------------------------------------------------------------------


def test_counts_percentages_mean_median_matrix_ranking_and_multiple(known):
    found = build(known)
    assert found["_"].respondents == 4
    single = found["verkehrsmittel"]
    assert single.answered == 4
    assert bars(single) == {"auto": (1, 25.0), "rad": (2, 50.0), "oepnv": (0, 0.0), "fuss": (0, 0.0),
                            "_other": (1, 25.0)}  # fmt: skip
    assert [answer.text for answer in single.texts] == ["Tretroller"]
    number = found["personen"]
    assert number.stats.count == 4 and number.stats.mean == Decimal("2.5") and number.stats.median == Decimal("2.5")
    assert (number.stats.minimum, number.stats.maximum) == (1, 4)
    scale = found["zufriedenheit"]
    assert scale.answered == 3 and scale.stats.median == 4
    assert round(scale.stats.mean, 3) == Decimal("3.667")
    assert bars(scale)["4"] == (1, 33.3)
    multiple = found["wuensche"]  # percentages of the two who answered it
    assert multiple.answered == 2
    assert bars(multiple) == {"abstellen": (0, 0.0), "licht": (2, 100.0), "breite": (1, 50.0)}
    matrix = {
        line.code: [(bar.code, bar.count, round(bar.percent)) for bar in line.bars] for line in found["radwege"].matrix
    }
    assert matrix == {
        "innenstadt": [("1", 1, 50), ("2", 1, 50), ("3", 0, 0)],
        "schulwege": [("1", 0, 0), ("2", 0, 0), ("3", 2, 100)],
    }
    ranking = found["prioritaeten"].ranking
    assert [(entry.code, entry.mean_rank, entry.firsts) for entry in ranking] == [
        ("sicherheit", 1.5, 2), ("tempo", 2.25, 1), ("kosten", 2.25, 1)]  # fmt: skip
    assert [(point["lat"], point["lon"]) for point in found["ort"].points] == [(50.01, 8.27)]
    assert [answer.text for answer in found["rad_anmerkung"].texts] == ["Mehr Bügel"]


def test_median_of_an_odd_count_is_the_middle_value(known):
    add_responses(known, [(DAY, {"personen": "20"})])
    assert build(known)["personen"].stats.median == 3


def test_cross_tabulation_by_an_option(known):
    rad = Question.objects.get(survey=known, code="verkehrsmittel").pk
    found = build(known, question_id=rad, choice="rad")
    assert found["_"].respondents == 2
    assert found["personen"].stats.mean == Decimal("2.5") and found["personen"].stats.median == Decimal("2.5")
    assert [(entry.code, entry.mean_rank) for entry in found["prioritaeten"].ranking][:2] == [("sicherheit", 1.5),
                                                                                               ("tempo", 1.5)]  # fmt: skip
    assert bars(found["verkehrsmittel"])["rad"] == (2, 100.0)
    assert found["zufriedenheit"].stats.mean == 3


def test_date_range(known):
    found = build(known, date_from=DAY + datetime.timedelta(days=1), date_to=DAY + datetime.timedelta(days=4))
    assert found["_"].respondents == 2
    assert found["personen"].stats.mean == 3 and found["personen"].stats.median == 3
    assert bars(found["verkehrsmittel"]) == {"auto": (1, 50.0), "rad": (1, 50.0), "oepnv": (0, 0.0), "fuss": (0, 0.0),
                                             "_other": (0, 0.0)}  # fmt: skip


@pytest.mark.parametrize("public", [False, True])
def test_text_counts_read_with_the_tally_match_the_texts_listed(known, public):
    """The pages of free texts are counted with the other figures (one grouped query, cached); each count must be
    the number of texts that the list pages through, with and without filters, for staff and for the public."""
    more = add_responses(
        known,
        [
            (
                DAY,
                {
                    "verkehrsmittel": {"choice": "_other", "other": f"Roller {n}"},
                    "anmerkungen": f"Anmerkung {n}",
                    "rad_anmerkung": "",
                },
            )
            for n in range(3)
        ],
    )
    Answer.objects.filter(response=more[0]).exclude(text="").update(text_published=True)
    rad = Question.objects.get(survey=known, code="verkehrsmittel").pk
    for filters in (
        {},
        {"question_id": rad, "choice": "_other"},
        {"question_id": rad, "choice": "rad"},
        {"date_from": DAY + datetime.timedelta(days=1)},
    ):
        found = results.build(known, Questionnaire(known), filters=results.Filters(**filters), public=public)
        answers = results.answers_of(known, [item.question.pk for item in found.items], found.filters)
        checked = 0
        for item in found.items:
            if item.texts is not None:
                listed = results.text_answers(answers, item.question, public).count()
                assert item.texts.paginator.count == listed, (filters, item.question.code)
                checked += listed
        assert checked or filters, filters  # the data has texts; a filter may leave none


def test_selecting_texts_for_the_public_renews_their_cached_count(world, known):
    question = Question.objects.get(survey=known, code="verkehrsmittel")
    public = results.build(known, Questionnaire(known), public=True)  # counted and cached: none selected
    assert next(item for item in public.items if item.question == question).texts.paginator.count == 0
    other = Answer.objects.get(question=question, choice="_other")
    from mitwirken.surveys.services import publishing

    publishing.texts_select(actor=world.personas["org_admin"], survey=known, question=question, shown=[other.pk],
                            selected=[other.pk])  # fmt: skip
    public = results.build(known, Questionnaire(known), public=True)
    assert [answer.text for answer in next(item for item in public.items if item.question == question).texts] == [
        "Tretroller"
    ]


def test_map_points_follow_the_filter_and_new_answers(known):
    """The places are cached with the counts: a filter shows its own, and a new response shows at once."""
    rad = Question.objects.get(survey=known, code="verkehrsmittel").pk

    def places(**filters: Any) -> list[tuple[float, float]]:
        return [(point["lat"], point["lon"]) for point in build(known, **filters)["ort"].points]

    assert places() == [(50.01, 8.27)]
    assert places(question_id=rad, choice="rad") == []  # the place came with "Sonstiges"
    add_responses(known, [(DAY, {"verkehrsmittel": {"choice": "rad", "other": ""}, "ort": {"lat": 49.9, "lon": 7.5}})])
    assert places(question_id=rad, choice="rad") == [(49.9, 7.5)]
    assert places() == [(50.01, 8.27), (49.9, 7.5)]


@pytest.mark.parametrize("language", ["de", "en"])
def test_table_of_places_is_the_markup_the_template_loop_made(language):
    from django.template import Context, Template
    from django.utils import translation

    from mitwirken.surveys.templatetags.surveys import point_rows

    points = [{"lat": 50.0123456, "lon": 7.5}, {"lat": 49.9, "lon": 8.123}, {"lat": -0.5, "lon": 10.0}]
    loop = Template(
        '{% for point in points %}<tr class="kern-table__row"><th class="kern-table__cell" scope="row">'
        '{{ forloop.counter }}</th><td class="kern-table__cell survey-num">{{ point.lat }}</td>'
        '<td class="kern-table__cell survey-num">{{ point.lon }}</td></tr>{% endfor %}'
    )
    with translation.override(language):
        assert point_rows(points) == loop.render(Context({"points": points}))
        assert ("50,0123456" if language == "de" else "50.0123456") in point_rows(points)


def test_staff_page_shows_charts_tables_and_filters(world, known):
    client = world.client("org_admin")
    page = client.get(base(known) + "ergebnisse/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "survey-w-50" in body and "Wie kommen Sie meistens zur Arbeit?" in body
    assert 'style="' not in body.split("<main", 1)[1]  # strict CSP: no inline styles in the charts
    assert "Mehr Bügel" in body  # staff see every free text
    assert 'data-points-map="orte-' in body
    rad = Question.objects.get(survey=known, code="verkehrsmittel").pk
    filtered = client.get(base(known) + "ergebnisse/", {"antwort": f"{rad}:rad", "von": "", "bis": ""})
    assert "2 Antwortbögen entsprechen dem Filter." in filtered.content.decode()
    dated = client.get(base(known) + "ergebnisse/", {"von": "2026-03-05", "bis": "2026-03-31"})
    assert "2 Antwortbögen entsprechen dem Filter." in dated.content.decode()
    forged = client.get(base(known) + "ergebnisse/", {"antwort": "999999:rad"})
    assert forged.status_code == 200  # an unknown option is refused by the form, not a server error


def test_free_texts_page_on_their_own(world, known):
    add_responses(known, [(DAY, {"anmerkungen": f"Text {number:02d}"}) for number in range(25)])
    client = world.client("org_admin")
    body = client.get(base(known) + "ergebnisse/", {"texte-anmerkungen": "2"}).content.decode()
    assert "Text 24" in body and "Text 00" not in body
    assert "Mehr Bügel" in body  # the other question's list stays on its first page


# --- publishing -----------------------------------------------------------------------------------------------


def test_unpublished_results_are_404_except_for_staff(world, known):
    for persona in ("anonymous", "citizen", "invited", "other_org_admin"):
        assert world.client(persona).get(public_url(known)).status_code == 404, persona
    preview = world.client("case_worker").get(public_url(known))
    assert preview.status_code == 200 and "Vorschau" in preview.content.decode()


def test_published_shows_chosen_questions_and_selected_texts_only(world, known):
    admin = world.client("org_admin")
    chosen = list(Question.objects.filter(survey=known, code__in=["verkehrsmittel", "anmerkungen", "ort"])
                  .values_list("pk", flat=True))  # fmt: skip
    answer = admin.post(base(known) + "ergebnisse/veroeffentlichen/",
                        {"published": "on", "questions": [str(pk) for pk in chosen]})  # fmt: skip
    assert answer.status_code == 302
    known.refresh_from_db()
    assert known.results_published
    page = world.client("anonymous").get(public_url(known))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Wie kommen Sie meistens zur Arbeit?" in body
    assert "Wie viele Personen" not in body  # not chosen
    assert "HYPERLINK" not in body and "Tretroller" not in body  # free texts: none selected yet
    assert "50.01" in body  # the location, rounded to three decimals
    # Select the "Sonstiges" text one by one; the other stays private.
    question = Question.objects.get(survey=known, code="verkehrsmittel")
    other = Answer.objects.get(question=question, choice="_other")
    admin.post(f"{base(known)}ergebnisse/texte/{question.pk}/", {"shown": [other.pk], "selected": [other.pk]})
    body = world.client("anonymous").get(public_url(known)).content.decode()
    assert "Tretroller" in body and "HYPERLINK" not in body
    # Another question's answer id smuggled into the form changes nothing.
    foreign = Answer.objects.get(text=HYPERLINK)
    admin.post(f"{base(known)}ergebnisse/texte/{question.pk}/", {"shown": [foreign.pk], "selected": [foreign.pk]})
    assert not Answer.objects.get(pk=foreign.pk).text_published
    start = world.client("anonymous").get(known.module.get_absolute_url()).content.decode()
    assert public_url(known) in start


def test_protected_project_results_stay_404_for_outsiders(world):
    survey = household(world.protected, world.personas["org_admin"])
    Survey.objects.filter(pk=survey.pk).update(results_published=True)
    for persona in ("anonymous", "citizen", "other_org_admin"):
        assert world.client(persona).get(public_url(survey)).status_code == 404, persona
    assert world.client("invited").get(public_url(survey)).status_code == 200


# --- permissions ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["ergebnisse/", "ergebnisse/veroeffentlichen/", "export.csv", "export.xlsx",
                                  "export.zip"])  # fmt: skip
def test_outsiders_cannot_see_staff_results_or_exports(world, known, path):
    assert world.client("anonymous").get(base(known) + path).status_code == 302  # to the login
    for persona in ("citizen", "invited", "moderator", "other_org_admin"):
        assert world.client(persona).get(base(known) + path).status_code == 404, persona
    assert world.client("case_worker").get(base(known) + path).status_code == 200


def test_publishing_needs_staff_and_posts_are_checked(world, known):
    response = world.client("other_org_admin").post(base(known) + "ergebnisse/veroeffentlichen/", {"published": "on"})
    assert response.status_code == 404
    known.refresh_from_db()
    assert not known.results_published


def test_unknown_export_format_is_404(world, known):
    assert world.client("org_admin").get(base(known) + "export.pdf").status_code == 404


# --- exports --------------------------------------------------------------------------------------------------


def read_csv(response: Any) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    names = [title.split(":", 1)[0] for title in rows[0]]
    return [dict(zip(names, row, strict=True)) for row in rows[1:]]


def test_csv_has_a_row_per_response_and_a_column_per_answer(world, known):
    response = world.client("org_admin").get(base(known) + "export.csv")
    assert response.status_code == 200 and response.streaming
    rows = read_csv(response)
    assert len(rows) == 4
    first, second, third, fourth = rows
    assert first["datum"] == "2026-03-01" and "name" not in first and "pseudonym" not in first
    assert (first["verkehrsmittel"], first["verkehrsmittel_text"]) == ("rad", "Fahrrad")
    assert (first["wuensche_abstellen"], first["wuensche_licht"], first["wuensche_breite"]) == ("0", "1", "1")
    assert third["wuensche_licht"] == ""  # not asked, not answered: empty, not 0
    assert (first["radwege_innenstadt"], first["radwege_schulwege"]) == ("sehr zufrieden", "unzufrieden")
    assert (second["prioritaeten_sicherheit"], second["prioritaeten_tempo"], second["prioritaeten_kosten"]) == (
        "2",
        "1",
        "3",
    )
    assert first["personen"] == "1" and first["zufriedenheit"] == "2"
    assert fourth["verkehrsmittel"] == "_other" and fourth["verkehrsmittel_other"] == "Tretroller"
    assert (fourth["ort_lat"], fourth["ort_lon"]) == ("50.01", "8.27")
    assert second["anmerkungen"] == "'" + HYPERLINK  # never a formula


def test_xlsx_is_formula_safe(world, known):
    from openpyxl import load_workbook

    response = world.client("org_admin").get(base(known) + "export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(title).split(":", 1)[0] for title in rows[0]]
    assert len(rows) == 5
    second = dict(zip(header, rows[2], strict=True))
    assert second["anmerkungen"] == "'" + HYPERLINK
    assert second["personen"] == 4 and second["prioritaeten_tempo"] == 1


def test_spss_package_codes_codebook_and_syntax(world, known):
    response = world.client("org_admin").get(base(known) + "export.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert set(archive.namelist()) == {"data.csv", "codebook.csv", "import.sps"}
    data = list(csv.DictReader(io.StringIO(archive.read("data.csv").decode("utf-8"))))
    assert len(data) == 4
    # Option codes that are not numbers become 1, 2, 3 … in their order; "Sonstiges" the next one.
    assert [row["verkehrsmittel"] for row in data] == ["2", "2", "1", "5"]
    assert data[0]["radwege_innenstadt"] == "1" and data[0]["wuensche_licht"] == "1"
    assert "anmerkungen" not in data[0] and "verkehrsmittel_text" not in data[0]  # codes only, no free texts
    codebook = archive.read("codebook.csv").decode("utf-8")
    assert "verkehrsmittel,,2,Fahrrad" in codebook
    syntax = archive.read("import.sps").decode("utf-8")
    assert "VARIABLE LABELS" in syntax and "VALUE LABELS" in syntax
    assert "verkehrsmittel 1 'Auto' 2 'Fahrrad'" in syntax


def test_identified_and_pseudonymous_exports_name_the_respondent(world):
    staff = world.personas["org_admin"]
    identified = household(world.public, staff, access="token", anonymity="identified")
    token = Token.objects.create(survey=identified, email="maria@example.org", name="Maria Muster")
    [made] = add_responses(identified, KNOWN[:1])
    ResponseIdentity.objects.create(response=made, token=token)
    rows = read_csv(world.client("org_admin").get(base(identified) + "export.csv"))
    assert (rows[0]["name"], rows[0]["email"]) == ("Maria Muster", "maria@example.org")
    pseudonymous = household(world.semipublic, staff, anonymity="pseudonymous")
    [made] = add_responses(pseudonymous, KNOWN[:1])
    ResponseIdentity.objects.create(response=made, pseudonym="abc123")
    rows = read_csv(world.client("org_admin").get(base(pseudonymous) + "export.csv"))
    assert rows[0]["pseudonym"] == "abc123" and "email" not in rows[0]


# --- constant queries -----------------------------------------------------------------------------------------


def many(count: int) -> list[tuple[datetime.date, dict[str, Any]]]:
    return [KNOWN[index % len(KNOWN)] for index in range(count)]


def queries(client: Any, url: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(context.captured_queries)


def test_query_counts_do_not_grow_with_the_responses(world):
    survey = household(world.public, world.personas["org_admin"])
    add_responses(survey, many(10))
    client = world.client("org_admin")
    rad = Question.objects.get(survey=survey, code="verkehrsmittel").pk
    urls = [(base(survey) + "ergebnisse/", None), (base(survey) + "ergebnisse/", {"antwort": f"{rad}:rad", "von": "2026-01-01"}),
            (base(survey) + "export.csv", None), (base(survey) + "export.xlsx", None), (base(survey) + "export.zip", None)]  # fmt: skip
    Survey.objects.filter(pk=survey.pk).update(results_published=True)
    urls.append((public_url(survey), None))
    small = [queries(client, url, params) for url, params in urls]
    add_responses(survey, many(9_990))
    assert Response.objects.filter(survey=survey).count() == 10_000
    large = [queries(client, url, params) for url, params in urls]
    assert small == large
    csv_rows = read_csv(client.get(base(survey) + "export.csv"))
    assert len(csv_rows) == 10_000


# --- cached counts --------------------------------------------------------------------------------------------


def counting_queries(survey: Survey, **filters: Any) -> tuple[dict[str, Any], int]:
    with CaptureQueriesContext(connection) as context:
        found = build(survey, **filters)
    return found, sum('"surveys_answer"' in query["sql"] and "GROUP BY" in query["sql"]
                      for query in context.captured_queries)  # fmt: skip


def summary(found: dict[str, Any]) -> Any:
    return found["_"].respondents, [(item.question.code, item.answered, [(b.code, b.count) for b in item.bars],
                                     item.stats) for item in found["_"].items]  # fmt: skip


def test_counts_are_cached_until_the_answers_change(known):
    first, counted = counting_queries(known)
    assert counted > 0
    again, counted = counting_queries(known)
    assert counted == 0 and summary(again) == summary(first)
    rad = Question.objects.get(survey=known, code="verkehrsmittel").pk
    # Each filter is a result of its own, never served from the unfiltered one.
    crossed, counted = counting_queries(known, question_id=rad, choice="rad")
    assert counted > 0 and crossed["_"].respondents == 2
    add_responses(known, KNOWN[2:3])  # calls results.changed, as every writer of answers must
    after, counted = counting_queries(known)
    assert counted > 0 and after["_"].respondents == 5
    assert bars(after["verkehrsmittel"])["auto"][0] == bars(first["verkehrsmittel"])["auto"][0] + 1


def test_a_submission_retires_the_cached_counts(known):
    from django.contrib.auth.models import AnonymousUser

    from mitwirken.surveys.models import Draft
    from mitwirken.surveys.services import responding

    stale = Survey.objects.get(pk=known.pk)  # loaded before the submission: its key is the old one
    assert build(stale)["_"].respondents == 4
    respondent = responding.Respondent(user=AnonymousUser(), browser_key=responding.new_browser_key())
    draft = Draft(survey=known, answers=dict(KNOWN[0][1]))
    responding.submit(known, respondent, Questionnaire(known), draft)
    found = build(stale)
    assert found["_"].respondents == 5 and bars(found["verkehrsmittel"])["rad"][0] == 3


def test_edits_that_remove_answers_retire_the_cached_counts(world, known):
    staff = world.personas["org_admin"]
    assert build(known)["zufriedenheit"].answered == 3
    scale = Question.objects.get(survey=known, code="zufriedenheit")
    building.question_update(actor=staff, question=scale, text=scale.text, type="short_text", confirm=True)
    found = build(known)
    assert found["zufriedenheit"].answered == 0 and found["zufriedenheit"].stats is None
    before = Survey.objects.get(pk=known.pk).results_key
    building.question_delete(actor=staff, question=Question.objects.get(survey=known, code="ort"), confirm=True)
    assert Survey.objects.get(pk=known.pk).results_key != before and "ort" not in build(known)


def test_results_are_the_same_cached_and_read_anew(known):
    from django.core.cache import cache

    fresh = summary(build(known))
    cached = summary(build(known))
    cache.clear()
    assert fresh == cached == summary(build(known))
