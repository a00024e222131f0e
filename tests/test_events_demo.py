"""The demo events: built by seed_demo once, consistent places, the Erörterungstermin on the procedure's project
page, the back-office pages and lists of the demo events work, and ``--scale`` adds events with registrations."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db.models import F, Sum
from django.test import Client

from mitwirken.accounts.models import User
from mitwirken.events import demo
from mitwirken.events.models import HOLDING, CapacityCategory, Category, Event, Registration, Status

from .conftest import login

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return seed()


def places_are_counted_right() -> None:
    """Every category's ``taken`` is the places of the registrations holding one, and never above capacity."""
    held = dict(
        Registration.objects.filter(status__in=HOLDING).order_by().values("capacity_id")
        .annotate(places=Sum(1 + F("companions"))).values_list("capacity_id", "places")
    )  # fmt: skip
    for capacity in CapacityCategory.objects.all():
        assert capacity.taken == held.get(capacity.pk, 0), capacity
        assert capacity.taken <= capacity.capacity


def test_seeding_builds_the_demo_events(seeded):
    assert set(Category.objects.values_list("name", flat=True)) >= {
        "Bürgerversammlung", "Sprechstunde", "Informationsveranstaltung", "Erörterungstermin", "Workshop",
    }  # fmt: skip
    assembly = Event.objects.get(organisation__slug="beispielhausen", slug="buergerversammlung-dorfmitte")
    (places,) = assembly.capacities.all()
    assert assembly.status == Status.PUBLISHED and places.taken == places.capacity == 60
    assert assembly.registrations.filter(status="waiting").count() == 6
    assert assembly.registrations.exclude(answers={}).exists()

    consultation = Event.objects.get(organisation__slug="musterkreis", slug="buergersprechstunde-landrat")
    series = consultation.series
    assert series is not None and series.rrule.startswith("FREQ=WEEKLY;BYDAY=TU") and series.rrule.endswith("COUNT=8")
    dates = list(series.events.order_by("start"))
    assert len(dates) == 8 and {event.start.weekday() for event in dates} == {1}
    assert all(event.status == Status.PUBLISHED and event.capacities.count() == 1 for event in dates)

    evening = Event.objects.get(slug="informationsabend-glasfaser")
    assert evening.kind == "hybrid" and evening.online_url.startswith("https://")
    assert [c.name for c in evening.capacities.all()] == ["Online", "Vor Ort"]

    hearing = Event.objects.select_related("project").get(slug="eroerterungstermin-b999")
    assert hearing.project.slug == "ortsumgehung-beispielhausen" and hearing.project_visible
    assert hearing.category.slug == "eroerterungstermin" and hearing.registration == "approval"
    assert hearing.registration_deadline < hearing.start
    assert hearing.registrations.filter(status="pending").count() == 6

    past = Event.objects.get(slug="buergerversammlung-kreishaushalt")
    assert past.registrations.filter(checked_in_at__isnull=False).count() == 24
    places_are_counted_right()
    assert not Registration.objects.exclude(email__endswith="@beispiel.example").exists()  # nobody real
    assert "/beispielhausen/veranstaltungen/buergerversammlung-dorfmitte/" in seeded


def test_the_hearing_shows_on_the_procedures_project_page_and_in_the_calendar(seeded):
    hearing = Event.objects.select_related("project__organisation").get(slug="eroerterungstermin-b999")
    client = Client()
    page = client.get(hearing.project.get_absolute_url())
    assert page.status_code == 200
    assert hearing.title in page.content.decode() and hearing.get_absolute_url() in page.content.decode()
    assert client.get(hearing.get_absolute_url()).status_code == 200
    calendar = client.get("/veranstaltungen/").content.decode()
    assert "Bürgerversammlung: Neue Dorfmitte Beispielhausen" in calendar
    month = client.get(f"/veranstaltungen/?ansicht=monat&monat={hearing.start:%Y-%m}").content.decode()
    assert "Erörterungstermin" in month


def test_the_back_office_pages_and_lists_of_the_demo_events_work(seeded):
    client = login(Client(), User.objects.get(email="orgadmin@beispielhausen.example"))
    assembly = Event.objects.get(slug="buergerversammlung-dorfmitte")
    base = f"/verwaltung/beispielhausen/veranstaltungen/{assembly.pk}/"
    for path in ("", "anmeldungen/", "anmeldungen/?status=waiting", "einchecken/?q=a", "fragen/"):
        assert client.get(base + path).status_code == 200, path
    # The single-choice answers are shown with their labels, in the list and the files.
    page = client.get(base + "anmeldungen/").content.decode()
    assert re.search(
        r"Welcher Entwurf interessiert Sie am meisten\?: (Platz vor der Kirche|Bushaltestelle|Spielplatz)", page
    )
    assert client.get(base + "teilnahmeliste.pdf").status_code == 200
    assert client.get(base + "teilnahmeliste.xlsx").status_code == 200
    assert client.get("/verwaltung/beispielhausen/veranstaltungen/").status_code == 200


def test_seeding_twice_adds_nothing_and_scale_adds_events_with_registrations(seeded):
    counts = (Event.objects.count(), Registration.objects.count(), Category.objects.count())
    assert seed() == seeded
    assert (Event.objects.count(), Registration.objects.count(), Category.objects.count()) == counts

    seed("--scale", "30")
    scaled = Event.objects.filter(slug__startswith=demo.SCALE_PREFIX)
    assert scaled.count() == 30
    assert scaled.values("organisation").distinct().count() >= 4
    assert Registration.objects.filter(event__in=scaled).count() > 30
    places_are_counted_right()
    demo.add_events(5, registrations=False)
    assert Event.objects.filter(slug__startswith=demo.SCALE_PREFIX).count() == 35
