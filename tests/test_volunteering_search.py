"""Finding opportunities: the public search (words, field, commitment, age, distance from a postcode with its
radius edges, remote ones), its constant query count, the map view, an opportunity's page with its JSON-LD, an
organisation's page, bookmarks, and saved searches with their notifications."""

from __future__ import annotations

import json
import math
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mitwirken.core.geo import EARTH_RADIUS_M
from mitwirken.reports.models import Place
from mitwirken.volunteering.models import (
    Bookmark,
    Commitment,
    Field,
    Frequency,
    Opportunity,
    OpportunityStatus,
    SavedSearch,
    VerificationStatus,
)
from mitwirken.volunteering.services import saved_searches

from .conftest import login
from .volunteering_fixtures import HOME, make_engagement_organisation, make_opportunity, volunteering_world

pytestmark = pytest.mark.django_db
SEARCH = "/ehrenamt/"
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180


def north_of_home(metres: float) -> dict[str, float]:
    """A place ``metres`` due north of HOME (along a meridian the great-circle distance is exact)."""
    return {"lat": HOME[0] + metres / METRES_PER_DEGREE, "lon": HOME[1]}


@pytest.fixture
def vw(world: Any) -> Any:
    Place.objects.create(name="Hauptstraße", municipality="Beispielhausen", postal_code="56789", lat=HOME[0],
                         lon=HOME[1])  # fmt: skip
    return volunteering_world(world)


def titles(response: Any) -> list[str]:
    html = response.content.decode()
    return [re.sub(r"<[^>]+>", "", title).strip()
            for title in re.findall(r'<h3 class="kern-heading-small volunteer-card__title">(.*?)</h3>', html)]  # fmt: skip


# --- filters ------------------------------------------------------------------------------------------------------


def test_only_published_opportunities_of_verified_organisations_are_listed(vw: Any) -> None:
    make_opportunity(vw.club, "Entwurf", status=OpportunityStatus.DRAFT)
    make_opportunity(vw.club, "In Prüfung", status=OpportunityStatus.REVIEW)
    make_opportunity(vw.club, "Besetzt", status=OpportunityStatus.FILLED)
    pending = make_engagement_organisation(vw.exchange, "Neue Initiative", status=VerificationStatus.PENDING)
    make_opportunity(pending, "Von ungeprüfter Initiative")
    response = Client().get(SEARCH)
    assert response.status_code == 200
    assert titles(response) == ["Trainer für die Bambini"]
    assert "1 Angebot" in response.content.decode()


def test_words_are_anded_and_case_insensitive(vw: Any) -> None:
    make_opportunity(vw.club, "Hausaufgabenhilfe Mathe", description="Für Kinder der Grundschule.")
    make_opportunity(vw.club, "Hausaufgabenhilfe Deutsch", description="Lesen üben.")
    assert titles(Client().get(SEARCH, {"q": "HAUSAUFGABENHILFE mathe"})) == ["Hausaufgabenhilfe Mathe"]
    assert sorted(titles(Client().get(SEARCH, {"q": "hausaufgabenhilfe"}))) == [
        "Hausaufgabenhilfe Deutsch", "Hausaufgabenhilfe Mathe"]  # fmt: skip
    assert titles(Client().get(SEARCH, {"q": "mathe lesen"})) == []


def test_words_are_found_in_skills_and_place_and_only_in_published_opportunities(vw: Any) -> None:
    make_opportunity(vw.club, "Vorlesen im Seniorenheim", skills="Geduld, gute Aussprache", city="Neustadt",
                     postal_code="55487")  # fmt: skip
    make_opportunity(vw.club, "Vorlesen in der Kita", status=OpportunityStatus.DRAFT)
    assert titles(Client().get(SEARCH, {"q": "geduld"})) == ["Vorlesen im Seniorenheim"]
    assert titles(Client().get(SEARCH, {"q": "vorlesen neustadt"})) == ["Vorlesen im Seniorenheim"]
    assert titles(Client().get(SEARCH, {"q": "55487"})) == ["Vorlesen im Seniorenheim"]
    assert titles(Client().get(SEARCH, {"q": "vorlesen, kita!"})) == []  # punctuation is no syntax; a draft is hidden


@pytest.mark.skipif(connection.vendor != "postgresql", reason="German stemming is PostgreSQL's text search")
def test_inflected_forms_and_compounds_are_found_on_postgresql(vw: Any) -> None:
    make_opportunity(vw.club, "Umweltschutz am Bach", field=Field.ENVIRONMENT)
    make_opportunity(vw.club, "Pflege der Gärten", description="Beete gießen.", field=Field.ENVIRONMENT)
    assert titles(Client().get(SEARCH, {"q": "Umwelt"})) == ["Umweltschutz am Bach"]  # the start of a compound
    assert titles(Client().get(SEARCH, {"q": "Garten"})) == ["Pflege der Gärten"]  # another form of the word
    assert titles(Client().get(SEARCH, {"q": "beet gießen"})) == ["Pflege der Gärten"]


def test_field_commitment_and_age(vw: Any) -> None:
    make_opportunity(vw.club, "Bachpatenschaft", field=Field.ENVIRONMENT, commitment=Commitment.ONE_OFF)
    make_opportunity(vw.club, "Jugendtrainer", field=Field.SPORT, minimum_age=18)
    make_opportunity(vw.club, "Schwimmhelfer", field=Field.SPORT, minimum_age=14)
    assert titles(Client().get(SEARCH, {"bereich": "umwelt"})) == ["Bachpatenschaft"]
    assert titles(Client().get(SEARCH, {"zeitaufwand": "one_off"})) == ["Bachpatenschaft"]
    fourteen = titles(Client().get(SEARCH, {"alter": "14", "bereich": "sport"}))
    assert sorted(fourteen) == ["Schwimmhelfer", "Trainer für die Bambini"]
    assert "Jugendtrainer" in titles(Client().get(SEARCH, {"alter": "18"}))


@pytest.mark.parametrize(("radius", "inside", "outside"), [(5, 4_990, 5_010), (10, 9_990, 10_010), (25, 24_990, 25_010),
                                                           (50, 49_950, 50_050)])  # fmt: skip
def test_radius_edges(vw: Any, radius: int, inside: float, outside: float) -> None:
    Opportunity.objects.all().delete()
    make_opportunity(vw.club, "Knapp drinnen", **north_of_home(inside))
    make_opportunity(vw.club, "Knapp draußen", **north_of_home(outside))
    response = Client().get(SEARCH, {"ort": "56789", "umkreis": str(radius)})
    assert titles(response) == ["Knapp drinnen"]


def test_nearest_first_with_the_distance_on_each_card(vw: Any) -> None:
    Opportunity.objects.all().delete()
    make_opportunity(vw.club, "Weiter weg", **north_of_home(7_400))
    make_opportunity(vw.club, "Ganz nah", **north_of_home(600))
    make_opportunity(vw.club, "Mittel", **north_of_home(2_400))
    response = Client().get(SEARCH, {"ort": "56789", "umkreis": "10"})
    assert titles(response) == ["Ganz nah", "Mittel", "Weiter weg"]
    html = response.content.decode()
    assert "600 m entfernt" in html and "2,4 km entfernt" in html and "7,4 km entfernt" in html
    assert "3 Angebote im Umkreis von 10 km" in html


def test_remote_opportunities_come_along_when_ticked(vw: Any) -> None:
    make_opportunity(vw.club, "Online-Nachhilfe", remote=True, **north_of_home(200_000))
    make_opportunity(vw.club, "Telefonpatenschaft", remote=True, lat=None, lon=None, postal_code="", city="")
    without = titles(Client().get(SEARCH, {"ort": "56789"}))
    assert without == ["Trainer für die Bambini"]
    with_remote = titles(Client().get(SEARCH, {"ort": "56789", "zuhause": "on"}))
    assert with_remote[0] == "Trainer für die Bambini"  # the near one first, the remote ones follow
    assert sorted(with_remote[1:]) == ["Online-Nachhilfe", "Telefonpatenschaft"]


def test_an_unknown_place_is_explained_next_to_the_field(vw: Any) -> None:
    response = Client().get(SEARCH, {"ort": "99999"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_ort_error"' in html
    assert "Diesen Ort kennen wir nicht." in html
    assert 'aria-invalid="true"' in html
    assert titles(response) == []  # nothing rather than everything
    assert "Bitte korrigieren Sie die markierten Angaben der Suche." in html


def test_bad_parameters_never_break_the_page(vw: Any) -> None:
    for params in ({"umkreis": "7"}, {"alter": "-3"}, {"alter": "zwölf"}, {"bereich": "gibtsnicht"},
                   {"seite": "999"}, {"seite": "x"}, {"q": "a" * 500}):  # fmt: skip
        assert Client().get(SEARCH, params).status_code == 200


def fill(organisation: Any, count: int) -> None:
    Opportunity.objects.all().delete()
    now = timezone.now()
    Opportunity.objects.bulk_create(  # the search document is the database's business, bulk or not
        Opportunity(organisation=organisation, title=f"Angebot {n}", description="Helfen beim Sportfest",
                    field=Field.SPORT, status=OpportunityStatus.PUBLISHED, commitment=Commitment.REGULAR,
                    published_at=now - timedelta(minutes=n), remote=n % 7 == 0,
                    **north_of_home((n % 90) * 100))
        for n in range(count)
    )  # fmt: skip


@pytest.mark.parametrize("params", [{}, {"q": "sportfest", "bereich": "sport"}, {"ort": "56789", "zuhause": "on"},
                                    {"ort": "56789", "ansicht": "karte", "seite": "2"}])  # fmt: skip
def test_query_count_does_not_grow_with_the_opportunities(vw: Any, params: dict[str, str]) -> None:
    client = login(Client(), vw.volunteer)
    counts = []
    for count in (10, 1000):
        fill(vw.club, count)
        client.get(SEARCH, params)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(SEARCH, params)
        assert response.status_code == 200
        assert "Angebot 1<" in response.content.decode() or params.get("seite")
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_deep_page_lists_the_same_rows_in_the_same_order_with_as_many_queries(vw: Any) -> None:
    fill(vw.club, 260)  # page 12 starts at the 221st opportunity
    client = Client()
    with CaptureQueriesContext(connection) as shallow:
        assert titles(client.get(SEARCH, {"seite": "2"})) == [f"Angebot {n}" for n in range(20, 40)]
    with CaptureQueriesContext(connection) as deep:
        assert titles(client.get(SEARCH, {"seite": "12"})) == [f"Angebot {n}" for n in range(220, 240)]
    assert len(deep) == len(shallow)  # every page reads its keys first
    assert titles(client.get(SEARCH, {"seite": "13", "q": "sportfest"})) == [f"Angebot {n}" for n in range(240, 260)]


def test_the_map_view_shows_the_page_s_results_and_keeps_the_list(vw: Any) -> None:
    make_opportunity(vw.club, "Ohne Ort", remote=True, lat=None, lon=None)
    response = Client().get(SEARCH, {"ansicht": "karte"})
    html = response.content.decode()
    points = json.loads(re.search(r'<script id="volunteer-map-points" type="application/json">(.*?)</script>',
                                  html).group(1))  # fmt: skip
    assert [point["title"] for point in points] == ["Trainer für die Bambini"]
    assert "leaflet.js" in html
    assert sorted(titles(response)) == ["Ohne Ort", "Trainer für die Bambini"]  # the list stays
    assert "leaflet.js" not in Client().get(SEARCH).content.decode()


# --- an opportunity's page ------------------------------------------------------------------------------------------


def json_ld(response: Any) -> dict[str, Any]:
    html = response.content.decode()
    (script,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return dict(json.loads(script))


def test_opportunity_page_shows_the_facts_links_and_json_ld(vw: Any) -> None:
    opportunity = vw.opportunity
    Opportunity.objects.filter(pk=opportunity.pk).update(
        hours_per_week=2, volunteers_wanted=4, minimum_age=16, skills="Geduld", driving_licence=True,
        accessibility="Aufzug vorhanden", expenses_reimbursed=True, street="Sportplatzweg 3", place_name="Sportplatz",
        ends_on=timezone.localdate() + timedelta(days=90),
    )  # fmt: skip
    response = Client().get(f"/ehrenamt/angebote/{opportunity.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Sportplatzweg 3", "etwa 2 Stunden pro Woche", "4 Personen", "Mindestalter: 16 Jahre",
                 "Geduld", "Führerschein", "Aufzug vorhanden", "Auslagen werden erstattet.", "Sportverein Beispielhausen"):  # fmt: skip
        assert text in html, text
    assert f'href="/ehrenamt/angebote/{opportunity.pk}/bewerben/"' in html
    assert f'href="/ehrenamt/angebote/{opportunity.pk}/schichten/"' in html  # it has a shift
    data = json_ld(response)
    assert data["@type"] == "JobPosting" and data["employmentType"] == "VOLUNTEER"
    assert data["hiringOrganization"]["name"] == "Sportverein Beispielhausen"
    assert data["jobLocation"]["address"]["postalCode"] == "56789"
    assert data["datePosted"] == timezone.localdate().isoformat()
    assert data["validThrough"].startswith((timezone.localdate() + timedelta(days=90)).isoformat())


def test_json_ld_cannot_break_out_of_its_script_element(vw: Any) -> None:
    evil = "</script><script>alert(1)</script> & <!--"
    opportunity = make_opportunity(vw.club, evil, description=evil, remote=True)
    response = Client().get(f"/ehrenamt/angebote/{opportunity.pk}/")
    html = response.content.decode()
    head = html.split("</head>")[0]
    assert "<script>alert(1)" not in head
    assert head.count("</script>") == head.count("<script")
    data = json_ld(response)
    assert data["title"] == evil  # escaped, not altered
    assert data["jobLocationType"] == "TELECOMMUTE"


@pytest.mark.parametrize("status", [OpportunityStatus.DRAFT, OpportunityStatus.REVIEW])
def test_unpublished_opportunities_are_404_except_for_their_coordinators(vw: Any, world: Any, status: str) -> None:
    opportunity = make_opportunity(vw.club, "Noch geheim", status=status)
    url = f"/ehrenamt/angebote/{opportunity.pk}/"
    assert Client().get(url).status_code == 404
    assert login(Client(), vw.volunteer).get(url).status_code == 404
    assert login(Client(), vw.other_coordinator).get(url).status_code == 404
    coordinator_page = login(Client(), vw.coordinator).get(url)
    assert coordinator_page.status_code == 200
    assert "bewerben/" not in coordinator_page.content.decode()
    assert world.client("other_org_admin").get(url).status_code == 404  # another Börse
    assert world.client("case_worker").get(url).status_code == 200  # the Börse reviews it


def test_an_ended_opportunity_keeps_its_page_without_applying(vw: Any) -> None:
    opportunity = make_opportunity(vw.club, "Vorbei", status=OpportunityStatus.ENDED)
    html = Client().get(f"/ehrenamt/angebote/{opportunity.pk}/").content.decode()
    assert "Für dieses Angebot werden zurzeit keine Bewerbungen angenommen." in html
    assert "bewerben/" not in html


def test_organisation_page(vw: Any, world: Any) -> None:
    make_opportunity(vw.club, "Entwurf", status=OpportunityStatus.DRAFT)
    response = Client().get(vw.club.get_absolute_url())
    assert response.status_code == 200
    assert titles(response) == ["Trainer für die Bambini"]
    pending = make_engagement_organisation(vw.exchange, "Neue Initiative", status=VerificationStatus.PENDING)
    rejected = make_engagement_organisation(vw.exchange, "Abgelehnt", status=VerificationStatus.REJECTED)
    for organisation in (pending, rejected):
        url = organisation.get_absolute_url()
        assert url.startswith("/ehrenamt/organisationen/")
        assert Client().get(url).status_code == 404
        assert login(Client(), vw.volunteer).get(url).status_code == 404
        assert world.client("other_org_admin").get(url).status_code == 404
        assert world.client("case_worker").get(url).status_code == 200


# --- bookmarks --------------------------------------------------------------------------------------------------------


def test_bookmark_toggle_and_list(vw: Any) -> None:
    client = login(Client(), vw.volunteer)
    url = f"/ehrenamt/angebote/{vw.opportunity.pk}/merken/"
    assert Client().post(url).status_code == 302 and not Bookmark.objects.exists()  # to the login
    client.post(url)
    assert Bookmark.objects.filter(user=vw.volunteer, opportunity=vw.opportunity).count() == 1
    assert "Von der Merkliste nehmen" in client.get(vw.opportunity.get_absolute_url()).content.decode()
    assert "Trainer für die Bambini" in client.get("/ehrenamt/merkliste/").content.decode()
    assert "Merkliste: Ehrenamt" in client.get(reverse("accounts:overview")).content.decode()
    assert (
        "Trainer für die Bambini"
        not in login(Client(), vw.other_volunteer).get("/ehrenamt/merkliste/").content.decode()
    )
    client.post(url)
    assert not Bookmark.objects.exists()
    draft = make_opportunity(vw.club, "Entwurf", status=OpportunityStatus.DRAFT)
    assert client.post(f"/ehrenamt/angebote/{draft.pk}/merken/").status_code == 404
    assert client.get(url).status_code == 405


# --- saved searches ------------------------------------------------------------------------------------------------


def test_saving_a_search_from_the_search_page(vw: Any) -> None:
    client = login(Client(), vw.volunteer)
    page = client.get(SEARCH, {"bereich": "umwelt", "ort": "56789", "seite": "1", "ansicht": "karte"}).content.decode()
    query = re.search(r'name="query" value="([^"]*)"', page).group(1).replace("&amp;", "&")
    assert "seite" not in query and "ansicht" not in query
    response = client.post("/ehrenamt/suchen/", {"name": "Umwelt bei mir", "frequency": "daily", "query": query})
    assert response.status_code == 302
    saved = SavedSearch.objects.get(user=vw.volunteer)
    assert saved.query == "bereich=umwelt&ort=56789&umkreis=10" and saved.frequency == Frequency.DAILY
    listing = client.get("/ehrenamt/suchen/").content.decode()
    assert "Umwelt bei mir" in listing
    refused = client.post("/ehrenamt/suchen/", {"name": "Alles", "frequency": "daily", "query": ""})
    assert refused.status_code == 400
    assert "Bitte suchen Sie zuerst mit mindestens einem Filter." in refused.content.decode()
    assert login(Client(), vw.other_volunteer).post(f"/ehrenamt/suchen/{saved.pk}/loeschen/").status_code == 404
    client.post(f"/ehrenamt/suchen/{saved.pk}/loeschen/")
    assert not SavedSearch.objects.exists()


def saved(vw: Any, query: str, frequency: str, since: Any) -> SavedSearch:
    return SavedSearch.objects.create(user=vw.volunteer, name="Meine Suche", query=query, frequency=frequency,
                                      notified_until=since)  # fmt: skip


def test_immediate_notifications_send_new_matches_once(vw: Any) -> None:
    now = timezone.now()
    search = saved(vw, "bereich=umwelt&ort=56789&umkreis=10", Frequency.IMMEDIATE, now - timedelta(hours=1))
    make_opportunity(vw.club, "Alt", field=Field.ENVIRONMENT, published_at=now - timedelta(hours=2))
    make_opportunity(vw.club, "Bachpatenschaft", field=Field.ENVIRONMENT, published_at=now - timedelta(minutes=5),
                     **north_of_home(3_000))  # fmt: skip
    make_opportunity(vw.club, "Zu weit", field=Field.ENVIRONMENT, published_at=now - timedelta(minutes=5),
                     **north_of_home(30_000))  # fmt: skip
    make_opportunity(vw.club, "Anderer Bereich", field=Field.SPORT, published_at=now - timedelta(minutes=5))
    mail.outbox.clear()
    assert saved_searches.notify_due(now) == 1
    (message,) = mail.outbox
    assert message.to == [vw.volunteer.email]
    assert message.subject == "Ein neues Angebot zu Ihrer Suche „Meine Suche“"
    assert "Bachpatenschaft" in message.body and "3,0 km" in message.body, message.body
    for other in ("Alt", "Zu weit", "Anderer Bereich"):
        assert f"- {other} (" not in message.body
    search.refresh_from_db()
    assert search.notified_until == now
    assert saved_searches.notify_due(now + timedelta(minutes=15)) == 0  # nothing twice
    make_opportunity(vw.club, "Neu danach", field=Field.ENVIRONMENT, published_at=now + timedelta(minutes=20))
    assert saved_searches.notify_due(now + timedelta(minutes=30)) == 1
    assert "Neu danach" in mail.outbox[-1].body and "Bachpatenschaft" not in mail.outbox[-1].body


def test_digests_wait_for_their_period_and_nothing_is_sent_without_news(vw: Any) -> None:
    now = timezone.now()
    daily = saved(vw, "q=bambini", Frequency.DAILY, now - timedelta(hours=3))
    weekly = saved(vw, "q=bambini", Frequency.WEEKLY, now - timedelta(days=3))
    mail.outbox.clear()
    assert saved_searches.notify_due(now) == 0  # neither period has passed
    daily.refresh_from_db()
    assert daily.notified_until == now - timedelta(hours=3)
    later = now + timedelta(hours=22)
    assert saved_searches.notify_due(later) == 1  # the day has passed: the fixture's opportunity
    assert len(mail.outbox) == 1 and "Trainer für die Bambini" in mail.outbox[0].body
    assert saved_searches.notify_due(later + timedelta(hours=2)) == 0
    week_later = now + timedelta(days=4, minutes=1)
    assert saved_searches.notify_due(week_later) == 1  # the weekly digest
    weekly.refresh_from_db()
    assert weekly.notified_until == week_later
    daily.refresh_from_db()
    assert daily.notified_until == week_later  # due again, nothing new, moved without a mail
    assert len(mail.outbox) == 2


def test_the_command_runs(vw: Any) -> None:
    from django.core.management import call_command

    saved(vw, "q=bambini", Frequency.IMMEDIATE, timezone.now() - timedelta(days=1))
    mail.outbox.clear()
    call_command("volunteering_notify")
    assert len(mail.outbox) == 1


def test_organisation_page_and_bookmarks_keep_their_query_count(vw: Any) -> None:
    client = login(Client(), vw.volunteer)
    pages = [vw.club.get_absolute_url(), "/ehrenamt/merkliste/", "/ehrenamt/suchen/"]
    counts: dict[str, list[int]] = {url: [] for url in pages}
    for count in (10, 1000):
        fill(vw.club, count)
        Bookmark.objects.bulk_create(Bookmark(user=vw.volunteer, opportunity=opportunity)
                                     for opportunity in Opportunity.objects.all())  # fmt: skip
        SavedSearch.objects.bulk_create(
            SavedSearch(user=vw.volunteer, name=f"Suche {n}", query="q=sport", frequency=Frequency.DAILY,
                        notified_until=timezone.now()) for n in range(max(count // 25, 1))
        )  # fmt: skip
        for url in pages:
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[url].append(len(queries))
    for url, (small, large) in counts.items():
        assert small == large, (url, small, large)


def test_main_navigation_and_my_area_lead_here(vw: Any) -> None:
    assert 'href="/ehrenamt/"' in Client().get("/").content.decode()
    SavedSearch.objects.create(user=vw.volunteer, name="Umwelt bei mir", query="bereich=umwelt",
                               frequency=Frequency.WEEKLY, notified_until=timezone.now())  # fmt: skip
    Bookmark.objects.create(user=vw.volunteer, opportunity=vw.opportunity)
    overview = login(Client(), vw.volunteer).get(reverse("accounts:overview")).content.decode()
    assert "Suchaufträge: Ehrenamt" in overview and "Umwelt bei mir" in overview
    assert "Merkliste: Ehrenamt" in overview and "Trainer für die Bambini" in overview
    other = login(Client(), vw.other_volunteer).get(reverse("accounts:overview")).content.decode()
    assert "Umwelt bei mir" not in other
