"""The demo surveys: built by seed_demo once, answerable, with synthetic responses that respect the conditions."""

from __future__ import annotations

import io
import random

import pytest
from django.core.management import call_command
from django.test import Client

from mitwirken.core.demo import load_data
from mitwirken.surveys.demo import HOUSEHOLD_FILE, STAFF_FILE, _days, add_responses, specs
from mitwirken.surveys.models import Answer, Quota, Response, Survey, Token

from .dialogue_helpers import solved_altcha_from

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def surveys() -> tuple[Survey, Survey]:
    household = Survey.objects.select_related("module__project__organisation").get(
        module__project__slug="mobilitaetskonzept-beispielhausen"
    )
    staff = Survey.objects.select_related("module__project__organisation").get(
        module__project__slug="digitale-kreisverwaltung"
    )
    return household, staff


@pytest.fixture
def seeded(db):
    return seed()


def test_seeding_builds_both_surveys_with_responses(seeded):
    household, staff = surveys()
    assert (household.access, household.anonymity) == ("public", "anonymous")
    assert household.pages.count() == 4 and household.module.project.location is not None
    assert set(household.questions.values_list("type", flat=True)) >= {
        "single", "number", "matrix", "multiple", "yes_no", "scale", "ranking", "location", "long_text",
    }  # fmt: skip
    assert household.module.allows("respond")
    assert household.response_count == Response.objects.filter(survey=household).count() == 40
    assert (staff.access, staff.anonymity) == ("token", "anonymous")
    codes = Token.objects.filter(survey=staff)
    assert codes.filter(email="").count() == 12
    assert codes.exclude(email="").filter(invited=False).count() == 5  # the late list: work for the overview
    assert codes.filter(used=True).count() == staff.response_count == 9
    assert household.module.get_absolute_url() in seeded and "Zugangscodes in der Verwaltung" in seeded


def test_synthetic_responses_respect_conditions_and_quotas(seeded):
    household, _staff = surveys()
    add_responses(household, 300, specs(load_data("mitwirken.surveys", HOUSEHOLD_FILE)), random.Random(1))
    bikers = set(
        Answer.objects.filter(question__code="verkehrsmittel", choice="rad").values_list("response_id", flat=True)
    )
    matrix = set(Answer.objects.filter(question__code="radwege").values_list("response_id", flat=True))
    assert bikers and matrix == bikers  # the bike page (required matrix) for bike respondents only
    drivers = set(
        Answer.objects.filter(question__code="verkehrsmittel", choice="auto").values_list("response_id", flat=True)
    )
    assert set(Answer.objects.filter(question__code="umstieg").values_list("response_id", flat=True)) <= drivers
    quota = Quota.objects.get(survey=household)
    young = Answer.objects.filter(question__code="altersgruppe", choice="unter_18").count()
    assert quota.filled == young <= quota.limit
    ranks = Answer.objects.filter(question__code="prioritaeten", response__survey=household)
    assert ranks.count() == 5 * household.responses.count()
    assert min(_days(household)) <= min(household.responses.values_list("submitted_on", flat=True))


def test_seeding_twice_does_not_duplicate(seeded):
    counts = (Survey.objects.count(), Response.objects.count(), Token.objects.count(), Answer.objects.count())
    assert seed() == seeded
    assert (Survey.objects.count(), Response.objects.count(), Token.objects.count(), Answer.objects.count()) == counts


def test_scale_adds_responses_to_the_household_survey(seeded):
    household, staff = surveys()
    seed("--scale", "500")
    household.refresh_from_db()
    staff.refresh_from_db()
    assert household.response_count == Response.objects.filter(survey=household).count() == 540
    assert staff.response_count == 9


def test_a_visitor_answers_the_demo_household_survey(seeded):
    household, _staff = surveys()
    module = household.module
    base = f"/{module.project.organisation.slug}/projekte/{module.project.slug}/{module.slug}"
    client = Client()
    assert client.get(f"{base}/").status_code == 200
    response = client.post(f"{base}/seite/1/", {
        "q-altersgruppe": "30_49", "q-personen": "3", "q-autos": "1", "q-verkehrsmittel": "rad", "q-weglaenge": "7,5",
    })  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("/seite/2/")
    rows = {f"q-radwege-{row}": "eher_zufrieden" for row in ("ortskern", "schulwege", "nachbarorte", "bahnhof")}
    response = client.post(f"{base}/seite/2/", {**rows, "q-rad_wuensche": ["lueckenschluss"], "q-pedelec": "ja"})
    assert response.status_code == 302 and response["Location"].endswith("/seite/3/")
    response = client.post(f"{base}/seite/3/", {
        "q-zufriedenheit_bus": "2", "q-prioritaeten": ["radwege", "takt", "gehwege", "teilen", "parken"],
        "q-prioritaeten-ranked": "1", "q-gefahrenstelle-lat": "50,05", "q-gefahrenstelle-lon": "7,6",
    })  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("/seite/4/")
    altcha = solved_altcha_from(client.get(f"{base}/seite/4/"))
    response = client.post(f"{base}/seite/4/", {"q-anmerkungen": "Bitte den Radweg bauen.", "altcha": altcha})
    assert response.status_code == 302 and response["Location"].endswith("/danke/")
    household.refresh_from_db()
    assert household.response_count == 41
    assert Answer.objects.filter(question__code="anmerkungen", text="Bitte den Radweg bauen.").exists()


def test_a_demo_letter_code_opens_the_staff_survey(seeded):
    _household, staff = surveys()
    token = Token.objects.filter(survey=staff, email="", used=False).first()
    module = staff.module
    base = f"/{module.project.organisation.slug}/projekte/{module.project.slug}/{module.slug}"
    client = Client()
    response = client.post(f"{base}/zugang/", {"code": token.code})
    assert response.status_code == 302 and response["Location"].endswith("/seite/1/")
    assert client.get(f"{base}/seite/1/").status_code == 200


def test_the_data_files_are_read(db):
    assert load_data("mitwirken.surveys", STAFF_FILE)["module_name"] == "Mitarbeitendenbefragung Digitalisierung"
