"""Demo events: a booked-out Bürgerversammlung with a waiting list, a weekly Sprechstunde (a series), a hybrid
Informationsabend with an online link, the Erörterungstermin of the demo Raumordnungsverfahren (in its project, so
it shows on the procedure's project page), a workshop in a project and a past assembly with check-ins.

The content lives in ``demo/veranstaltungen.toml`` and ``demo/people.toml`` (read with ``core.demo.load_data``).
Events, places, questions, publishing and the series go through the back office's services (``services/setup.py``),
as staff would set them up; an event that exists (organisation and slug) is left alone, so seeding twice changes
nothing. The registrations are synthetic people inserted in bulk with the places counted (``taken``) as the
registration service would, and without e-mail: the demo addresses do not exist.

``--scale N`` adds N events across the organisations (``add_events``), each with a place category and
registrations (up to full, some with a waiting list), all by bulk insert.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from mitwirken.core.demo import load_data, paragraphs
from mitwirken.organisations.models import Organisation
from mitwirken.projects.models import Project

from .models import (
    HOLDING,
    CapacityCategory,
    Category,
    Event,
    Kind,
    Registration,
    RegistrationMode,
    RegistrationStatus,
    Status,
)
from .services import setup

APP = "mitwirken.events"
EVENTS_FILE = "veranstaltungen.toml"
PEOPLE_FILE = "people.toml"
SCALE_PREFIX = "skala-termin-"
BATCH = 2000
# --scale: titles by category, German places, and how full the events are.
SCALE_TITLES = {
    "buergerversammlung": ["Bürgerversammlung", "Einwohnerversammlung", "Ortsbegehung mit Bürgerversammlung"],
    "sprechstunde": ["Sprechstunde der Ortsbürgermeisterin", "Bürgersprechstunde", "Sprechstunde Bauberatung"],
    "informationsveranstaltung": ["Informationsabend Nahwärme", "Infoabend Dorferneuerung", "Informationsabend Radwege"],
    "eroerterungstermin": ["Erörterungstermin Bebauungsplan", "Erörterungstermin Windpark"],
    "workshop": ["Planungswerkstatt", "Workshop Klimaanpassung", "Zukunftswerkstatt Dorfmitte"],
}  # fmt: skip
SCALE_PLACES = ["Bürgerhaus", "Dorfgemeinschaftshaus", "Rathaus, Sitzungssaal", "Grundschule, Aula", "Feuerwehrhaus"]


def seed(stdout: Any, scale: int) -> None:
    data = load_data(APP, EVENTS_FILE)
    names = _names(load_data(APP, PEOPLE_FILE))
    categories = ensure_categories(data["categories"])
    made = [_ensure(entry, categories, names) for entry in data["events"]]
    if scale:
        add_events(scale, names=names)
    stdout.write("Veranstaltungen: /veranstaltungen/ (Kalender) und /veranstaltungen/?ansicht=monat (Monat)")
    for event in made:
        counts = _counts(event)
        series = f", Reihe mit {event.series.events.count()} Terminen" if event.series else ""
        project = f", im Projekt {event.project.get_absolute_url()}" if event.project else ""
        stdout.write(f"  {event.get_absolute_url():72} {event.get_kind_display()}, {counts}{series}{project}")
    stdout.write(f"  Veranstaltungen insgesamt: {Event.objects.count()}, Anmeldungen: {Registration.objects.count()}")


def ensure_categories(pairs: Sequence[Sequence[str]]) -> dict[str, Category]:
    """The portal-wide kinds of event, by slug (created once, names kept as staff may have renamed them)."""
    return {slug: Category.objects.get_or_create(slug=slug, defaults={"name": name})[0] for name, slug in pairs}


def _names(people: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(first, last) for first in people["first_names"] for last in people["last_names"]]


def _counts(event: Event) -> str:
    by_status = dict(
        event.registrations.order_by().values("status").annotate(n=Sum(1 + F("companions"))).values_list("status", "n")
    )
    places = sum(c.capacity for c in event.capacities.all())
    text = f"{by_status.get(RegistrationStatus.CONFIRMED, 0)}/{places} Plätze belegt"
    if by_status.get(RegistrationStatus.WAITING):
        text += f", {by_status[RegistrationStatus.WAITING]} auf der Warteliste"
    if by_status.get(RegistrationStatus.PENDING):
        text += f", {by_status[RegistrationStatus.PENDING]} warten auf Freigabe"
    return text


# --- the curated events ---------------------------------------------------------------------------------------


def _start(entry: Mapping[str, Any]) -> datetime:
    """``day`` days from today at ``time`` (German wall time); a series starts on its first weekday from then."""
    day = timezone.localdate() + timedelta(days=entry["day"])
    if "series" in entry:
        while day.weekday() not in entry["series"]["weekdays"]:
            day += timedelta(days=1)
    hour, minute = (int(part) for part in entry["time"].split(":"))
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _ensure(entry: Mapping[str, Any], categories: Mapping[str, Category], names: list[tuple[str, str]]) -> Event:
    organisation = Organisation.objects.get(slug=entry["organisation"])
    existing = (
        Event.objects.select_related("organisation", "project__organisation", "series")
        .filter(organisation=organisation, slug=entry["slug"]).first()
    )  # fmt: skip
    if existing is not None:
        return existing
    staff = get_user_model().objects.get(email=entry["staff"])
    project = None
    if "project" in entry:  # made by the projects' or the formal module's seeder; absent if that is not installed
        project = Project.objects.filter(organisation=organisation, slug=entry["project"]).first()
    start = _start(entry)
    days_before = entry.get("registration_days_before")
    values = {
        "title": entry["title"], "slug": entry["slug"], "description": "\n\n".join(paragraphs(entry["description"])),
        "project": project, "category": categories[entry["category"]], "start": start,
        "end": start + timedelta(minutes=entry["minutes"]), "kind": entry["kind"],
        "online_url": entry.get("online_url", ""), "online_link_minutes": entry.get("online_link_minutes", 30),
        "venue_name": entry.get("venue_name", ""), "address": entry.get("address", ""), "room": entry.get("room", ""),
        "lat": entry.get("lat"), "lon": entry.get("lon"),
        **{name: entry.get(name, False) for name in ("step_free", "accessible_toilet", "hearing_loop",
                                                    "sign_language_on_request", "captioning_on_request")},
        "registration": entry.get("registration", RegistrationMode.OFF),
        "registration_deadline": start - timedelta(days=days_before) if days_before else None,
        "max_companions": entry.get("max_companions", 0), "hold_minutes": entry.get("hold_minutes", 30),
        "offer_hours": entry.get("offer_hours", 48), "reminder_minutes": entry.get("reminders", []),
    }  # fmt: skip
    with transaction.atomic():
        event = setup.event_save(actor=staff, organisation=organisation, data=values)
        for name, places in entry.get("capacities", ()):
            setup.capacity_save(actor=staff, event=event, name=name, places=places)
        for question in entry.get("questions", ()):
            setup.question_save(actor=staff, event=event, text=question["text"], type=question["type"],
                                required=question.get("required", False),
                                options="\n".join(question.get("options", ())))  # fmt: skip
        setup.event_change_status(actor=staff, event=event, action="publish")
        dates = [event]
        if "series" in entry:
            recurrence = setup.Recurrence(frequency="weekly", weekdays=list(entry["series"]["weekdays"]),
                                          count=entry["series"]["count"])  # fmt: skip
            series = setup.series_create(actor=staff, event=event, recurrence=recurrence)
            dates = list(series.events.order_by("start"))
        rng = random.Random(entry["slug"])
        for index, date_event in enumerate(dates):
            # A series fills up less the further away a date is.
            shrink = max(0, entry.get("confirmed", 0) - index)
            add_registrations(date_event, names, rng, full=entry.get("full", False) and index == 0,
                              confirmed=shrink, pending=entry.get("pending", 0) if index == 0 else 0,
                              waiting=entry.get("waiting", 0) if index == 0 else 0,
                              checked_in=entry.get("checked_in", 0))  # fmt: skip
    return Event.objects.select_related("organisation", "project__organisation", "series").get(pk=event.pk)


# --- registrations ----------------------------------------------------------------------------------------------


def _answers(event: Event, rng: random.Random) -> dict[str, Any]:
    """Plausible answers to the event's questions, in the form the registration form stores them."""
    answers: dict[str, Any] = {}
    for question in event.questions.all():
        codes = [code for code, _label in question.options or []]
        if question.type == "single" and codes:
            answers[question.code] = {"choice": rng.choice(codes), "other": ""}
        elif question.type == "multiple" and codes:
            answers[question.code] = {"choices": sorted(rng.sample(codes, rng.randint(1, min(3, len(codes)))),
                                                        key=codes.index), "other": ""}  # fmt: skip
        elif question.type == "yes_no":
            answers[question.code] = rng.choice(["ja", "nein", "nein"])
        elif question.type == "short_text" and "Aktenzeichen" in question.text:
            answers[question.code] = f"MK-{timezone.localdate().year}-{rng.randint(1, 400):04d}"
        elif question.type in ("short_text", "long_text") and (question.required or rng.random() < 0.5):
            answers[question.code] = rng.choice([
                "Es geht um die Zufahrt zu unserem Grundstück während der Bauarbeiten.",
                "Ich habe eine Frage zum Antrag auf Zuschuss für die Dachbegrünung.",
                "Die Straßenbeleuchtung in unserer Straße ist zu dunkel.",
                "Wir möchten einen Vorschlag für den Schulbus machen.",
            ])  # fmt: skip
    return answers


def add_registrations(
    event: Event, names: list[tuple[str, str]], rng: random.Random, *, confirmed: int = 0, pending: int = 0,
    waiting: int = 0, full: bool = False, checked_in: int = 0,
) -> int:  # fmt: skip
    """Parties of synthetic people: ``full`` fills the first place category exactly, ``confirmed`` and ``pending``
    parties spread over the categories while places last, ``waiting`` join the first category's waiting list. The
    places (``CapacityCategory.taken``) are counted as the registration service would. Returns the rows added."""
    capacities = list(event.capacities.all())
    if not capacities:
        return 0
    free = {capacity.pk: capacity.free for capacity in capacities}
    taken_addresses = set(event.registrations.values_list("email", flat=True))
    people = iter(rng.sample(names, len(names)))
    rows: list[Registration] = []

    def party(capacity: CapacityCategory, status: str, companions: int) -> None:
        first, last = next(people)
        email = _address(first, last, taken_addresses)
        rows.append(Registration(
            event=event, capacity=capacity, name=f"{first} {last}", email=email, companions=companions,
            answers=_answers(event, rng), status=status,
            sign_language=event.sign_language_on_request and rng.random() < 0.08,
            captioning=event.captioning_on_request and rng.random() < 0.06,
        ))  # fmt: skip
        if status in HOLDING:
            free[capacity.pk] -= 1 + companions

    def companions(room: int) -> int:
        return min(rng.choice([0, 0, 0, 1, 1, 2]), event.max_companions, max(room - 1, 0))

    if full:
        first_capacity = capacities[0]
        while free[first_capacity.pk] > 0:
            party(first_capacity, RegistrationStatus.CONFIRMED, companions(free[first_capacity.pk]))
    for count, status in ((confirmed, RegistrationStatus.CONFIRMED), (pending, RegistrationStatus.PENDING)):
        for number in range(count):
            open_ones = [c for c in capacities if free[c.pk] > 0]
            if not open_ones:
                break
            capacity = open_ones[number % len(open_ones)]
            party(capacity, status, companions(free[capacity.pk]))
    for _number in range(waiting):
        party(capacities[0], RegistrationStatus.WAITING, companions(2))
    if checked_in and event.end < timezone.now():
        attending = [row for row in rows if row.status == RegistrationStatus.CONFIRMED][:checked_in]
        for row in attending:
            row.checked_in_at = event.start - timedelta(minutes=rng.randint(0, 25))
    Registration.objects.bulk_create(rows, batch_size=BATCH)
    _count_places(capacities)
    return len(rows)


def _address(first: str, last: str, taken: set[str]) -> str:
    base = f"{first}.{last}".lower().translate(setup.GERMAN_LETTERS)
    email, number = f"{base}@beispiel.example", 2
    while email in taken:
        email, number = f"{base}.{number}@beispiel.example", number + 1
    taken.add(email)
    return email


def _count_places(capacities: Sequence[CapacityCategory]) -> None:
    """``taken`` = the places of the registrations holding one, per category (one query, one UPDATE each)."""
    held = dict(
        Registration.objects.filter(capacity__in=capacities, status__in=HOLDING)
        .order_by().values("capacity_id").annotate(held_places=Sum(1 + F("companions")))
        .values_list("capacity_id", "held_places")
    )  # fmt: skip
    for capacity in capacities:
        CapacityCategory.objects.filter(pk=capacity.pk).update(taken=held.get(capacity.pk, 0))


# --- --scale ----------------------------------------------------------------------------------------------------


def add_events(count: int, *, names: list[tuple[str, str]] | None = None, seed_text: str = "",
               registrations: bool = True) -> int:  # fmt: skip
    """Bulk-insert ``count`` published events across the organisations (from 60 days ago to 300 days ahead), one
    place category each, and registrations: most events half full, some full with a waiting list."""
    names = names or _names(load_data(APP, PEOPLE_FILE))
    categories = list(Category.objects.order_by("slug"))
    if not categories:
        categories = list(ensure_categories(load_data(APP, EVENTS_FILE)["categories"]).values())
    organisations = list(Organisation.objects.exclude(slug="lbm").order_by("slug")) or list(Organisation.objects.all())
    existing = Event.objects.filter(slug__startswith=SCALE_PREFIX).count()
    rng = random.Random(f"{seed_text}scale-{existing}")
    today = timezone.localdate()
    added = 0
    for first in range(existing, existing + count, BATCH):
        numbers = range(first, min(first + BATCH, existing + count))
        events = [_scale_event(number, rng, today, organisations, categories) for number in numbers]
        with transaction.atomic():
            Event.objects.bulk_create(events, batch_size=BATCH)
            made = list(Event.objects.filter(slug__in=[e.slug for e in events]).order_by("pk"))  # ids everywhere
            CapacityCategory.objects.bulk_create(
                [CapacityCategory(event=event, name="Vor Ort", capacity=rng.choice([20, 30, 40, 60, 80, 120]))
                 for event in made], batch_size=BATCH,
            )  # fmt: skip
            if registrations:
                _scale_registrations(made, names, rng)
        added += len(made)
    return added


def _scale_event(number: int, rng: random.Random, today: date, organisations: list[Organisation],
                 categories: list[Category]) -> Event:  # fmt: skip
    organisation = organisations[number % len(organisations)]
    category = categories[number % len(categories)]
    titles = SCALE_TITLES.get(category.slug, [category.name])
    day = today + timedelta(days=rng.randint(-60, 300))
    start = timezone.make_aware(datetime.combine(day, time(rng.choice([10, 14, 16, 18, 19]), rng.choice([0, 30]))))
    kind = rng.choices([Kind.IN_PERSON, Kind.ONLINE, Kind.HYBRID], weights=[8, 1, 1])[0]
    place = rng.choice(SCALE_PLACES)
    return Event(
        organisation=organisation, category=category, title=f"{rng.choice(titles)} ({number})",
        slug=f"{SCALE_PREFIX}{number}", description="Automatisch erzeugter Termin für Lasttests und Demos.",
        start=start, end=start + timedelta(minutes=rng.choice([60, 90, 120, 180])), kind=kind,
        online_url="https://konferenz.beispiel.example/termin" if kind != Kind.IN_PERSON else "",
        venue_name=f"{place} {organisation.name.split()[-1]}" if kind != Kind.ONLINE else "",
        lat=49.9 + rng.random() * 0.25 if kind != Kind.ONLINE else None,
        lon=7.45 + rng.random() * 0.3 if kind != Kind.ONLINE else None,
        step_free=rng.random() < 0.7, accessible_toilet=rng.random() < 0.5,
        sign_language_on_request=rng.random() < 0.2, status=Status.PUBLISHED if rng.random() < 0.97 else Status.CANCELLED,
        registration=rng.choices([RegistrationMode.OPEN, RegistrationMode.OFF, RegistrationMode.APPROVAL],
                                 weights=[7, 2, 1])[0],
        max_companions=rng.choice([0, 1, 2]), reminder_minutes=[1440],
    )  # fmt: skip


def _scale_registrations(events: list[Event], names: list[tuple[str, str]], rng: random.Random) -> None:
    """Per event: confirmed parties up to a random share of the places (a fifth of the events full, with a waiting
    list); inserted in batches, then ``taken`` counted in one UPDATE per category."""
    capacities = {c.event_id: c for c in CapacityCategory.objects.filter(event__in=events)}
    rows: list[Registration] = []
    for event in events:
        capacity = capacities[event.pk]
        if event.registration == RegistrationMode.OFF:
            continue
        full = rng.random() < 0.2
        goal = capacity.capacity if full else int(capacity.capacity * rng.uniform(0.1, 0.8))
        people = rng.sample(names, min(len(names), goal + 10))
        held, index = 0, 0
        status = (
            RegistrationStatus.PENDING
            if event.registration == RegistrationMode.APPROVAL
            else RegistrationStatus.CONFIRMED
        )
        while held < goal and index < len(people):
            companions = min(rng.choice([0, 0, 0, 1, 2]), event.max_companions, goal - held - 1)
            first, last = people[index]
            rows.append(Registration(event=event, capacity=capacity, name=f"{first} {last}",
                                     email=f"{first}.{last}.{index}@beispiel.example".lower(), companions=companions,
                                     status=status, sign_language=event.sign_language_on_request and index % 15 == 0))  # fmt: skip
            held, index = held + 1 + companions, index + 1
        if full:
            for _waiting in range(rng.randint(1, 8)):
                if index >= len(people):
                    break
                first, last = people[index]
                rows.append(Registration(event=event, capacity=capacity, name=f"{first} {last}",
                                         email=f"{first}.{last}.{index}@beispiel.example".lower(),
                                         status=RegistrationStatus.WAITING))  # fmt: skip
                index += 1
        if len(rows) >= BATCH:
            Registration.objects.bulk_create(rows, batch_size=BATCH)
            rows = []
    Registration.objects.bulk_create(rows, batch_size=BATCH)
    held_places = (
        Registration.objects.filter(event__in=events, status__in=HOLDING).order_by().values("capacity_id")
        .annotate(held_places=Sum(1 + F("companions"))).values_list("capacity_id", "held_places")
    )  # fmt: skip
    for capacity_id, places in held_places:
        CapacityCategory.objects.filter(pk=capacity_id).update(taken=places)
