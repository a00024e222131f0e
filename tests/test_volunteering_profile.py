"""The volunteer's profile: saving it (interests, availability slots, the postcode located), bad input with German
messages and nothing half-saved, a parent's consent under 16, its privacy, and the suggestions with their reasons."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mitwirken.reports.models import Place
from mitwirken.volunteering.models import Commitment, Field, VolunteerProfile
from mitwirken.volunteering.services import profiles
from mitwirken.volunteering.suggestions import suggest

from .conftest import login
from .factories import UserFactory
from .test_volunteering_search import north_of_home
from .volunteering_fixtures import HOME, make_opportunity, make_shift, make_volunteer, volunteering_world

pytestmark = pytest.mark.django_db
PROFILE = "/ehrenamt/profil/"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def vw(world: Any) -> Any:
    Place.objects.create(name="Hauptstraße", municipality="Beispielhausen", postal_code="56789", lat=HOME[0],
                         lon=HOME[1])  # fmt: skip
    return volunteering_world(world)


def years_ago(years: int) -> str:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28)).isoformat()


def form_data(**values: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"interests": ["umwelt", "sport"], "skills": "Kochen, Erste Hilfe", "languages": "Deutsch",
                            "availability": ["sa-vormittag", "mi-abend"], "postal_code": "56789", "radius_km": "25",
                            "wants_suggestions": "on", "birth_date": "1990-04-01", "parent_name": "",
                            "parent_email": ""}  # fmt: skip
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def errors_of(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", error) for error in
                    re.findall(r'<div class="kern-error" id="[^"]+">(.*?)</div>', response.content.decode(), re.S))  # fmt: skip


def test_saving_the_profile_locates_the_postcode(world: Any, vw: Any) -> None:
    user = UserFactory(email="neu@example.org")
    client = login(Client(), user)
    assert client.get(PROFILE).status_code == 200
    response = client.post(PROFILE, form_data())
    assert response.status_code == 302
    profile = VolunteerProfile.objects.get(user=user)
    assert profile.fields == ["umwelt", "sport"]
    assert profile.availability == ["sa-vormittag", "mi-abend"]
    assert (profile.lat, profile.lon) == pytest.approx(HOME)
    assert profile.radius_km == 25 and profile.wants_suggestions
    page = client.get(PROFILE).content.decode()
    assert 'value="sa-vormittag" id="id_availability_sa_vormittag" checked' in page
    assert re.search(r'value="umwelt"[^>]*checked', page)


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"birth_date": (timezone.localdate() + timedelta(days=3)).isoformat()}, "birth_date",
     "Das Geburtsdatum liegt in der Zukunft."),
    ({"postal_code": "99999"}, "postal_code", "Diese Postleitzahl kennen wir nicht."),
    ({"radius_km": "7"}, "radius_km", "Bitte eine gültige Auswahl treffen."),
    ({"availability": ["sa-mitternacht"]}, "availability", "Bitte eine gültige Auswahl treffen."),
    ({"birth_date": "31.02.2000"}, "birth_date", "Bitte ein gültiges Datum eingeben"),
])  # fmt: skip
def test_bad_input_is_explained_and_nothing_is_saved(vw: Any, values: dict[str, Any], field: str, message: str) -> None:
    before = VolunteerProfile.objects.get(user=vw.volunteer)
    response = login(Client(), vw.volunteer).post(PROFILE, form_data(**values))
    assert response.status_code == 200
    assert message in errors_of(response), errors_of(response)
    assert f'id="id_{field}_error"' in response.content.decode()
    after = VolunteerProfile.objects.get(user=vw.volunteer)
    assert (after.fields, after.skills, after.updated_at) == (before.fields, before.skills, before.updated_at)


def test_under_sixteen_needs_a_parent_who_confirms_by_link(vw: Any, django_capture_on_commit_callbacks: Any) -> None:
    user = UserFactory(email="jung@example.org", display_name="Mia")
    client = login(Client(), user)
    fourteen = years_ago(14)
    refused = client.post(PROFILE, form_data(birth_date=fourteen))
    assert "Unter 16 Jahren braucht es den Namen eines Elternteils." in errors_of(refused)
    assert "Unter 16 Jahren braucht es die E-Mail-Adresse eines Elternteils." in errors_of(refused)
    assert not VolunteerProfile.objects.filter(user=user).exists()
    mail.outbox.clear()
    with_parent = form_data(birth_date=fourteen, parent_name="Petra Muster", parent_email="petra@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(PROFILE, with_parent).status_code == 302
    profile = VolunteerProfile.objects.get(user=user)
    assert profiles.needs_parent_consent(profile)
    (message,) = mail.outbox
    assert message.to == ["petra@example.org"] and "Mia" in message.subject
    link = re.search(r"https?://\S+/ehrenamt/einverstaendnis/(\S+)/", message.body)
    assert link is not None and link.group(1) == profile.parent_token
    consent = f"/ehrenamt/einverstaendnis/{profile.parent_token}/"
    assert "Das Einverständnis Ihres Elternteils fehlt noch." in client.get(PROFILE).content.decode()
    parent = Client()
    assert "Ich bin einverstanden" in parent.get(consent).content.decode()
    profile.refresh_from_db()
    assert profile.parent_consented_at is None  # a GET (a mail scanner) changes nothing
    assert "Ihr Einverständnis ist gespeichert." in parent.post(consent).content.decode()
    profile.refresh_from_db()
    assert profile.parent_consented_at is not None and not profiles.needs_parent_consent(profile)
    assert Client().get("/ehrenamt/einverstaendnis/falsch/").status_code == 404
    # Saving again with the same parent keeps the consent; another parent address asks again.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PROFILE, with_parent)
    profile.refresh_from_db()
    assert profile.parent_consented_at is not None and len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PROFILE, {**with_parent, "parent_email": "papa@example.org"})
    profile.refresh_from_db()
    assert profile.parent_consented_at is None
    assert mail.outbox[-1].to == ["papa@example.org"]
    assert Client().post(consent).status_code == 404  # the old link is dead


def test_own_address_is_no_parent_address(vw: Any) -> None:
    user = UserFactory(email="jung@example.org")
    fourteen = years_ago(14)
    response = login(Client(), user).post(PROFILE, form_data(birth_date=fourteen, parent_name="Ich",
                                                             parent_email="JUNG@example.org"))  # fmt: skip
    assert "nicht Ihre eigene" in errors_of(response)


def test_the_profile_is_private(vw: Any, world: Any) -> None:
    VolunteerProfile.objects.filter(user=vw.volunteer).update(skills="Geheime Fähigkeit")
    assert Client().get(PROFILE).status_code == 302  # to the login
    for client in (login(Client(), vw.other_volunteer), login(Client(), vw.coordinator),
                   world.client("case_worker"), world.client("portal_admin")):  # fmt: skip
        response = client.get(PROFILE)
        assert "Geheime Fähigkeit" not in response.content.decode()
    # The only address shows the signed-in person's own profile: there is no id to forge.
    assert "Geheime Fähigkeit" in login(Client(), vw.volunteer).get(PROFILE).content.decode()


# --- suggestions ----------------------------------------------------------------------------------------------------


def saturday_morning(weeks: int = 1) -> datetime:
    today = timezone.localdate()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 + 7 * weeks)
    return datetime(saturday.year, saturday.month, saturday.day, 9, 30, tzinfo=BERLIN)


def test_suggestions_are_ranked_with_their_reasons(vw: Any) -> None:
    volunteer = make_volunteer("sugg@example.org", fields=[Field.ENVIRONMENT], skills="Kochen, Gärtnern",
                               availability=["sa-vormittag"], radius_km=10)  # fmt: skip
    river = make_opportunity(vw.club, "Bachpatenschaft", field=Field.ENVIRONMENT, skills="Gärtnern",
                             **north_of_home(3_000))  # fmt: skip
    make_shift(river, start=saturday_morning())
    make_opportunity(vw.club, "Umwelt weit weg", field=Field.ENVIRONMENT, **north_of_home(40_000))
    make_opportunity(vw.club, "Tafel kochen", field=Field.SOCIAL, skills="Kochen", commitment=Commitment.ONE_OFF,
                     **north_of_home(8_000))  # fmt: skip
    make_opportunity(vw.club, "Erwachsene Umwelt", field=Field.ENVIRONMENT, minimum_age=99)
    found = suggest(VolunteerProfile.objects.get(user=volunteer))
    titles = [suggestion.opportunity.title for suggestion in found]
    # Interest, skill, distance and the Saturday shift beat the fixture's near Bambini training (distance only).
    assert titles[0] == "Bachpatenschaft"
    assert set(titles[1:]) == {"Tafel kochen", "Trainer für die Bambini"}
    assert "Umwelt weit weg" not in titles and "Erwachsene Umwelt" not in titles
    assert found[0].reason == "Umwelt und Naturschutz, gärtnern, 3,0 km, samstags"
    page = login(Client(), volunteer).get("/ehrenamt/vorschlaege/").content.decode()
    assert "passt zu: Umwelt und Naturschutz, gärtnern, 3,0 km, samstags" in page
    assert "passt zu: kochen, 8,0 km" in page


def test_suggestions_query_count_does_not_grow(vw: Any) -> None:
    volunteer = make_volunteer("sugg@example.org", fields=[Field.SPORT], availability=["sa-vormittag"])
    client = login(Client(), volunteer)
    counts = []
    for count in (5, 60):
        for n in range(count - (5 if count == 60 else 0)):
            make_shift(make_opportunity(vw.club, f"Angebot {n}", **north_of_home(100 * n)), start=saturday_morning())
        client.get("/ehrenamt/vorschlaege/")
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/ehrenamt/vorschlaege/")
        assert "passt zu:" in response.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_suggestions_without_a_profile_or_switched_off(vw: Any) -> None:
    nobody = login(Client(), UserFactory(email="ohne@example.org"))
    assert "Füllen Sie Ihr Profil aus" in nobody.get("/ehrenamt/vorschlaege/").content.decode()
    VolunteerProfile.objects.filter(user=vw.volunteer).update(wants_suggestions=False)
    assert "abgeschaltet" in login(Client(), vw.volunteer).get("/ehrenamt/vorschlaege/").content.decode()
    assert Client().get("/ehrenamt/vorschlaege/").status_code == 302
    assert reverse("volunteering:suggestions") == "/ehrenamt/vorschlaege/"
