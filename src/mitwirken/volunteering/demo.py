"""Demo volunteering around Beispielhausen: the Ehrenamtsbörsen of the Verbandsgemeinde Musterkreis-Nord and of the
Landkreis, three verified engagement organisations (the SV Beispielhausen, the Freiwillige Feuerwehr Beispielhausen
and the Tafel), a registration waiting for verification, the Verbandsgemeinde's own Seniorenbeirat, their
opportunities and shifts, applications with messages, and a volunteer just under the Ehrenamtskarte threshold.

The content lives in ``demo/ehrenamt.toml`` (read with ``core.demo.load_data``); this module turns it into records
through the models directly, as the services would leave them: shift places (``Shift.taken``) counted from the
confirmed sign-ups, hours from attended shifts confirmed and linked to the sign-up. Nothing sends e-mail. An
engagement organisation that exists (by slug) is left alone, and so is a volunteer who has a profile, so seeding
twice changes nothing.

``--scale N`` adds N published opportunities at random points of the Landkreis's area across about N/20 engagement
organisations, and 5×N volunteers with profiles (``add_scale``), all by bulk insert.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from mitwirken.core.demo import DEMO_TOTP_SECRET, load_data, paragraphs
from mitwirken.organisations.demo import ensure_account
from mitwirken.organisations.models import Organisation, OrganisationMembership, OrganisationRole

from .models import (
    Application,
    ApplicationStatus,
    Attendance,
    Certificate,
    Commitment,
    Coordinator,
    EngagementOrganisation,
    Exchange,
    Field,
    HoursEntry,
    HoursStatus,
    Message,
    Opportunity,
    OpportunityStatus,
    PoliceCertificateRecord,
    Shift,
    ShiftSeries,
    ShiftSignup,
    SignupStatus,
    VerificationStatus,
    VolunteerProfile,
)

APP = "mitwirken.volunteering"
DATA_FILE = "ehrenamt.toml"
SCALE_FILE = "skala.toml"
SCALE_PREFIX = "skala-ehrenamt-"  # slugs of the scale engagement organisations
SCALE_EMAIL_DOMAIN = "skala.ehrenamt.example"  # addresses of the scale volunteers (a reserved domain)
HELPER_DOMAIN = "ehrenamt.beispiel.example"  # the synthetic helpers who fill the demo shifts
BATCH = 2000
REMOTE_SHARE = 0.3
OPPORTUNITY_FIELDS = (
    "title", "field", "commitment", "hours_per_week", "volunteers_wanted", "minimum_age", "skills", "languages",
    "driving_licence", "police_certificate", "accessibility", "step_free", "expenses_reimbursed", "paid",
    "application_required", "remote", "place_name", "street", "postal_code", "city", "lat", "lon",
)  # fmt: skip
ORGANISATION_FIELDS = (
    "name", "legal_form", "street", "postal_code", "city", "lat", "lon", "contact_name", "contact_email",
    "contact_phone", "website", "fields",
)  # fmt: skip


def seed(stdout: Any, scale: int) -> None:
    data = load_data(APP, DATA_FILE)
    exchanges = ensure_exchanges(data["exchanges"])
    for entry in data.get("staff", ()):
        ensure_staff(entry)
    people = Helpers(data["people"])
    organisations = [ensure_organisation(entry, exchanges, people) for entry in data["organisations"]]
    volunteers = [ensure_volunteer(entry) for entry in data["volunteers"]]
    count_places(Shift.objects.filter(opportunity__organisation__in=organisations))
    if scale:
        add_scale(scale)
    _report(stdout, exchanges, organisations, volunteers, data)


def _report(stdout: Any, exchanges: Mapping[str, Exchange], organisations: Sequence[EngagementOrganisation],
            volunteers: Sequence[Any], data: Mapping[str, Any]) -> None:  # fmt: skip
    stdout.write("Ehrenamt: /ehrenamt/ (Suche); Ehrenamtsbörsen: " + ", ".join(
        f"/verwaltung/{slug}/ehrenamt/" for slug in exchanges))  # fmt: skip
    for organisation in organisations:
        counted = organisation.opportunities.aggregate(
            n=Count("id", distinct=True), shifts=Count("shifts", distinct=True)
        )
        coordinator = organisation.contact_email
        stdout.write(f"  {organisation.name:55} {organisation.get_status_display():12} "
                     f"{counted['n']} Angebote, {counted['shifts']} Schichten; Koordination: {coordinator}")  # fmt: skip
    stdout.write("  Börse der Verbandsgemeinde: " + ", ".join(entry["email"] for entry in data.get("staff", ()))
                 + " (zweiter Faktor wie die anderen Verwaltungskonten)")  # fmt: skip
    stdout.write("  Engagierte (ohne zweiten Faktor): " + ", ".join(user.email for user in volunteers))
    stdout.write(f"  Angebote insgesamt: {Opportunity.objects.count()}, Schicht-Eintragungen: "
                 f"{ShiftSignup.objects.count()}, Profile: {VolunteerProfile.objects.count()}")  # fmt: skip


# --- Börsen, staff and coordinators -----------------------------------------------------------------------------


def ensure_exchanges(entries: Iterable[Mapping[str, Any]]) -> dict[str, Exchange]:
    exchanges = {}
    for entry in entries:
        organisation = Organisation.objects.get(slug=entry["organisation"])
        exchanges[organisation.slug] = Exchange.objects.get_or_create(
            organisation=organisation,
            defaults={"introduction": "\n\n".join(paragraphs(entry["introduction"])),
                      "contact_email": entry["contact_email"]},
        )[0]  # fmt: skip
    return exchanges


def ensure_staff(entry: Mapping[str, Any]) -> Any:
    """A member of a tenant with the demo second factor, like the accounts of the organisations' seeder."""
    user = ensure_account(entry["email"], entry["name"])
    organisation = Organisation.objects.get(slug=entry["organisation"])
    OrganisationMembership.objects.get_or_create(
        organisation=organisation, user=user, defaults={"role": OrganisationRole(entry["role"])}
    )
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


# --- engagement organisations, opportunities and shifts ---------------------------------------------------------


class Helpers:
    """Synthetic people who fill the demo shifts: accounts with an unusable password and a small profile."""

    def __init__(self, people: Mapping[str, Sequence[str]]) -> None:
        self.names = [(first, last) for first in people["first_names"] for last in people["last_names"]]
        self._cache: dict[str, Any] = {}

    def draw(self, rng: random.Random, count: int) -> list[Any]:
        return [self.get(first, last) for first, last in rng.sample(self.names, count)]

    def get(self, first: str, last: str) -> Any:
        email = f"{first}.{last}@{HELPER_DOMAIN}".lower()
        if email not in self._cache:
            User = get_user_model()
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=None, display_name=f"{first} {last}")
                VolunteerProfile.objects.create(
                    user=user, birth_date=date(1950 + len(email) % 40, 1 + len(first) % 12, 1 + len(last) % 28),
                    postal_code="55487", lat=50.05, lon=7.60,
                )  # fmt: skip
            self._cache[email] = user
        return self._cache[email]


def ensure_organisation(entry: Mapping[str, Any], exchanges: Mapping[str, Exchange], people: Helpers
                        ) -> EngagementOrganisation:  # fmt: skip
    existing = EngagementOrganisation.objects.filter(slug=entry["slug"]).first()
    if existing is not None:
        return existing
    coordinator = ensure_account(entry["coordinator"]["email"], entry["coordinator"]["name"])
    status = entry["status"]
    tenant = Organisation.objects.get(slug=entry["tenant"]) if "tenant" in entry else None
    organisation = EngagementOrganisation.objects.create(
        exchange=exchanges[entry["exchange"]], tenant=tenant, slug=entry["slug"], status=status,
        description="\n\n".join(paragraphs(entry["description"])),
        verified_at=timezone.now() - timedelta(days=400) if status == VerificationStatus.VERIFIED else None,
        **{name: entry[name] for name in ORGANISATION_FIELDS if name in entry},
    )  # fmt: skip
    Coordinator.objects.create(organisation=organisation, user=coordinator)
    for item in entry.get("opportunities", ()):
        ensure_opportunity(organisation, item, coordinator, people)
    return organisation


def _day(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def _at(day: date, clock: str) -> datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def ensure_opportunity(organisation: EngagementOrganisation, entry: Mapping[str, Any], coordinator: Any,
                       people: Helpers) -> Opportunity:  # fmt: skip
    status = entry.get("status", OpportunityStatus.PUBLISHED)
    published = status in (OpportunityStatus.PUBLISHED, OpportunityStatus.FILLED, OpportunityStatus.ENDED)
    values = {name: entry[name] for name in OPPORTUNITY_FIELDS if name in entry}
    if "hours_per_week" in values:
        values["hours_per_week"] = Decimal(str(values["hours_per_week"]))
    opportunity = Opportunity.objects.create(
        organisation=organisation, status=status, description="\n\n".join(paragraphs(entry["description"])),
        starts_on=_day(entry["starts"]) if "starts" in entry else None,
        ends_on=_day(entry["ends"]) if "ends" in entry else None,
        published_at=timezone.now() - timedelta(days=entry.get("published_days_ago", 0)) if published else None,
        **values,
    )  # fmt: skip
    rng = random.Random(entry["title"])
    if "series" in entry:
        _series(opportunity, entry["series"], coordinator, people, rng)
    for item in entry.get("shifts", ()):
        start = _at(_day(item["days"]), item["time"])
        shift = _shift(opportunity, item, start)
        _fill(shift, item.get("fill", 0), 0, item.get("attended", False), coordinator, people, rng)
    return opportunity


def _shift(opportunity: Opportunity, item: Mapping[str, Any], start: datetime, series: ShiftSeries | None = None
           ) -> Shift:  # fmt: skip
    return Shift.objects.create(
        opportunity=opportunity, series=series, start=start, end=start + timedelta(hours=item["hours"]),
        place=item.get("place", ""), tasks=item.get("tasks", ""), min_helpers=item.get("min_helpers", 1),
        max_helpers=item["max_helpers"],
    )  # fmt: skip


WEEKDAYS = ("montags", "dienstags", "mittwochs", "donnerstags", "freitags", "samstags", "sonntags")


def _series(opportunity: Opportunity, item: Mapping[str, Any], coordinator: Any, people: Helpers,
            rng: random.Random) -> None:  # fmt: skip
    """``past`` weekly shifts before today and ``upcoming`` ones from tomorrow on, on ``weekday`` (0 = Monday)."""
    today = timezone.localdate()
    first_ahead = today + timedelta(days=1 + (item["weekday"] - today.weekday() - 1) % 7)
    past, upcoming = item.get("past", 0), item["upcoming"]
    days = [first_ahead - timedelta(weeks=past - index) for index in range(past + upcoming)]
    end = (_at(today, item["time"]) + timedelta(hours=item["hours"])).strftime("%H:%M")
    series = ShiftSeries.objects.create(
        opportunity=opportunity, description=f"{WEEKDAYS[item['weekday']]} {item['time']}–{end} Uhr, wöchentlich"
    )
    fill, waiting = item.get("fill", []), item.get("waiting", [])
    for index, day in enumerate(days):
        shift = _shift(opportunity, item, _at(day, item["time"]), series)
        confirmed = fill[index] if index < len(fill) else 0
        on_list = waiting[index] if index < len(waiting) else 0
        _fill(shift, confirmed, on_list, item.get("attended_past", False) and day < today, coordinator, people, rng)
    if opportunity.commitment == Commitment.ONE_OFF:  # the opportunity runs as long as its shifts
        Opportunity.objects.filter(pk=opportunity.pk).update(starts_on=days[0], ends_on=days[-1])


def _fill(shift: Shift, confirmed: int, waiting: int, attended: bool, coordinator: Any, people: Helpers,
          rng: random.Random) -> None:  # fmt: skip
    """Synthetic helpers on the shift (an accepted application first where the opportunity asks for one); the
    first ``confirmed`` get a place, the rest wait. Attended shifts give each helper confirmed hours."""
    helpers = people.draw(rng, confirmed + waiting)
    opportunity = shift.opportunity
    if opportunity.application_required:
        for helper in helpers:
            accept(opportunity, helper, coordinator, days_ago=400)
    for number, helper in enumerate(helpers):
        status = SignupStatus.CONFIRMED if number < confirmed else SignupStatus.WAITING
        sign_up(shift, helper, status=status, attended=attended, coordinator=coordinator)


def accept(opportunity: Opportunity, volunteer: Any, coordinator: Any, *, days_ago: int) -> Application:
    existing = Application.objects.filter(opportunity=opportunity, volunteer=volunteer).first()
    if existing is not None:
        return existing
    return _application(opportunity, volunteer, ApplicationStatus.ACCEPTED, days_ago, "", coordinator)


def _application(opportunity: Opportunity, volunteer: Any, status: str, days_ago: int, message: str,
                 coordinator: Any) -> Application:  # fmt: skip
    created = timezone.now() - timedelta(days=days_ago)
    decided = status in (ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED)
    application = Application.objects.create(
        opportunity=opportunity, volunteer=volunteer, status=status, message=message,
        decided_by=coordinator if decided else None, decided_at=created + timedelta(days=1) if decided else None,
    )  # fmt: skip
    Application.objects.filter(pk=application.pk).update(created_at=created)  # auto_now_add ignores a value
    return application


def sign_up(shift: Shift, volunteer: Any, *, status: str = SignupStatus.CONFIRMED, attended: bool = False,
            coordinator: Any = None) -> ShiftSignup:  # fmt: skip
    signup = ShiftSignup.objects.create(
        shift=shift, volunteer=volunteer, status=status,
        attendance=Attendance.ATTENDED if attended and status == SignupStatus.CONFIRMED else Attendance.UNKNOWN,
    )  # fmt: skip
    if signup.attendance == Attendance.ATTENDED:
        opportunity = shift.opportunity
        HoursEntry.objects.create(
            volunteer=volunteer, organisation=opportunity.organisation, opportunity=opportunity, signup=signup,
            day=timezone.localtime(shift.start).date(), hours=Decimal(str(shift.hours)), paid=opportunity.paid,
            description=shift.tasks[:300] or opportunity.title, status=HoursStatus.CONFIRMED,
            decided_by=coordinator, decided_at=shift.end,
        )  # fmt: skip
    return signup


def count_places(shifts: Iterable[Shift] | Any) -> None:
    """``taken`` = the confirmed sign-ups of each shift, as the sign-up service keeps it."""
    counted = (
        Shift.objects.filter(pk__in=[shift.pk for shift in shifts])
        .annotate(confirmed=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED)))
        .values_list("pk", "taken", "confirmed")
    )
    for pk, taken, confirmed in counted:
        if taken != confirmed:
            Shift.objects.filter(pk=pk).update(taken=confirmed)


# --- volunteers -------------------------------------------------------------------------------------------------


def ensure_volunteer(entry: Mapping[str, Any]) -> Any:
    """A demo account with a profile, its applications, shift sign-ups, hours and certificates (made once: a
    person who has a profile is left alone)."""
    user = ensure_account(entry["email"], entry["name"])
    if VolunteerProfile.objects.filter(user=user).exists():
        return user
    place = {"55487": (50.0500, 7.6010), "55490": (50.0840, 7.5070), "55491": (50.0220, 7.6970)}
    lat, lon = place.get(entry["postal_code"], (50.05, 7.60))
    VolunteerProfile.objects.create(
        user=user, birth_date=entry.get("birth_date"), fields=entry.get("fields", []),
        skills=entry.get("skills", ""), languages=entry.get("languages", ""),
        availability=entry.get("availability", []), postal_code=entry["postal_code"], lat=lat, lon=lon,
        radius_km=entry.get("radius_km", 10),
    )  # fmt: skip
    user.real_name = entry["name"]
    user.postal_code, user.city = entry["postal_code"], entry.get("city", "")
    user.save(update_fields=["real_name", "postal_code", "city"])
    for item in entry.get("applications", ()):
        _volunteer_application(user, item)
    for item in entry.get("hours", ()):
        add_hours(user, item)
    for item in entry.get("certificates", ()):
        _certificate(user, item)
    return user


def _opportunity(slug: str, title: str) -> Opportunity:
    return Opportunity.objects.select_related("organisation").get(organisation__slug=slug, title=title)


def _coordinator_of(organisation: EngagementOrganisation) -> Any:
    return organisation.coordinators.select_related("user").order_by("id").first().user  # type: ignore[union-attr]


def _volunteer_application(user: Any, item: Mapping[str, Any]) -> Application:
    opportunity = _opportunity(item["organisation"], item["opportunity"])
    coordinator = _coordinator_of(opportunity.organisation)
    message = " ".join(paragraphs(item.get("message", "")))
    application = _application(opportunity, user, item["status"], item["days_ago"], message, coordinator)
    thread = [(entry["from"], entry["days_ago"], entry["body"]) for entry in item.get("messages", ())]
    if "decision_message" in item:
        thread.append(("organisation", item["days_ago"] - 1, item["decision_message"]))
    for side, days_ago, body in thread:
        from_organisation = side == "organisation"
        written = Message.objects.create(
            application=application, sender=coordinator if from_organisation else user,
            from_organisation=from_organisation, body=" ".join(paragraphs(body)),
            read_at=timezone.now() - timedelta(days=max(days_ago - 1, 0)) if days_ago > 1 else None,
        )  # fmt: skip
        Message.objects.filter(pk=written.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    if "police_record" in item:
        record = item["police_record"]
        PoliceCertificateRecord.objects.create(
            organisation=opportunity.organisation, volunteer=user, application=application,
            certificate_date=_day(-record["certificate_days_ago"]), inspected_on=_day(-record["inspected_days_ago"]),
            relevant_entry=record["relevant_entry"], recorded_by=coordinator,
        )  # fmt: skip
    signups = item.get("signups", {})
    shifts = list(opportunity.shifts.order_by("start"))
    now = timezone.now()
    past = [shift for shift in shifts if shift.start < now]
    for shift in past[len(past) - signups.get("past", 0) :]:
        sign_up(shift, user, attended=True, coordinator=coordinator)
    for shift in [shift for shift in shifts if shift.start >= now][: signups.get("upcoming", 0)]:
        sign_up(shift, user)
    return application


def add_hours(user: Any, item: Mapping[str, Any]) -> list[HoursEntry]:
    """``entries`` entries adding up to exactly ``total`` hours, spread evenly from ``from_days_ago`` to
    ``to_days_ago`` (the volunteer's own entries: confirmed, pending or rejected by the coordinator)."""
    organisation = EngagementOrganisation.objects.get(slug=item["organisation"])
    opportunity = _opportunity(item["organisation"], item["opportunity"]) if "opportunity" in item else None
    coordinator = _coordinator_of(organisation)
    count, total = item["entries"], Decimal(str(item["total"]))
    each = (total / count).quantize(Decimal("0.01"))
    span = item["from_days_ago"] - item["to_days_ago"]
    status = item.get("status", HoursStatus.CONFIRMED)
    entries = []
    for index in range(count):
        days_ago = item["from_days_ago"] - (span * index // max(count - 1, 1) if count > 1 else 0)
        hours = each if index < count - 1 else total - each * (count - 1)
        entries.append(HoursEntry(
            volunteer=user, organisation=organisation, opportunity=opportunity, day=_day(-days_ago), hours=hours,
            description=item["description"], paid=bool(opportunity and opportunity.paid), status=status,
            note=item.get("note", ""), decided_by=coordinator if status != HoursStatus.PENDING else None,
            decided_at=timezone.now() - timedelta(days=max(days_ago - 3, 0)) if status != HoursStatus.PENDING else None,
        ))  # fmt: skip
    return HoursEntry.objects.bulk_create(entries)


def _certificate(user: Any, item: Mapping[str, Any]) -> Certificate:
    """An Ehrenamtsnachweis over the person's confirmed hours at the organisation in the period."""
    organisation = EngagementOrganisation.objects.get(slug=item["organisation"])
    coordinator = _coordinator_of(organisation)
    start, end = _day(-item["from_days_ago"]), _day(-item["to_days_ago"])
    hours = sum(
        HoursEntry.objects.confirmed().filter(volunteer=user, organisation=organisation, day__range=(start, end))
        .values_list("hours", flat=True), Decimal(0),
    )  # fmt: skip
    return Certificate.objects.create(
        volunteer=user, organisation=organisation, volunteer_name=user.real_name or user.display_name,
        organisation_name=organisation.name, period_start=start, period_end=end,
        activity=" ".join(paragraphs(item["activity"])), hours=hours,
        competences=" ".join(paragraphs(item.get("competences", ""))), signed_by=coordinator,
        signed_by_name=coordinator.display_name.split(" (")[0],
    )  # fmt: skip


# --- --scale ----------------------------------------------------------------------------------------------------


def _area() -> tuple[float, float, float, float]:
    """(west, south, east, north) of the Landkreis, else of the Verbandsgemeinde, else the demo region."""
    for slug in ("musterkreis", "vg-nord"):
        organisation = Organisation.objects.filter(slug=slug, bbox_min_lon__isnull=False).first()
        if organisation is not None:
            return (organisation.bbox_min_lon, organisation.bbox_min_lat,  # type: ignore[return-value]
                    organisation.bbox_max_lon, organisation.bbox_max_lat)  # fmt: skip
    return 7.40, 49.85, 7.80, 50.15


def _scale_exchanges() -> list[Exchange]:
    """The Börse of the Verbandsgemeinde for points in its area, the Landkreis's for the rest (made if missing)."""
    exchanges = []
    for slug in ("vg-nord", "musterkreis"):
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is not None:
            exchanges.append(Exchange.objects.get_or_create(organisation=organisation)[0])
    if not exchanges:
        exchanges.append(Exchange.objects.get_or_create(organisation=Organisation.objects.order_by("pk").first())[0])
    return exchanges


def add_scale(count: int, *, volunteers: int | None = None, seed_text: str = "") -> tuple[int, int]:
    """Bulk-insert ``count`` published opportunities across about ``count``/20 new verified engagement
    organisations, at random points of the demo area (30 % remote, without a point), and ``volunteers`` (5 ×
    ``count`` unless given) volunteers with profiles. Returns (opportunities, volunteers) added."""
    added_opportunities = add_opportunities(count, seed_text=seed_text) if count > 0 else 0
    wanted = 5 * count if volunteers is None else volunteers
    return added_opportunities, add_volunteers(wanted, seed_text=seed_text) if wanted > 0 else 0


def _nearest(places: Sequence[Mapping[str, Any]], lat: float, lon: float) -> Mapping[str, Any]:
    return min(places, key=lambda place: (place["lat"] - lat) ** 2 + ((place["lon"] - lon) * 0.64) ** 2)


def add_opportunities(count: int, *, seed_text: str = "") -> int:
    data = load_data(APP, SCALE_FILE)
    places = data["places"]
    west, south, east, north = _area()
    exchanges = _scale_exchanges()
    home = exchanges[0].organisation
    existing = EngagementOrganisation.objects.filter(slug__startswith=SCALE_PREFIX).count()
    rng = random.Random(f"{seed_text}volunteering-scale-{existing}")
    now = timezone.now()
    today = timezone.localdate()
    organisations = []
    for number in range(existing, existing + max(1, round(count / 20))):
        lat, lon = rng.uniform(south, north), rng.uniform(west, east)
        place = _nearest(places, lat, lon)
        inside_home = (home.bbox_min_lat or 0) <= lat <= (home.bbox_max_lat or 0) and (
            home.bbox_min_lon or 0) <= lon <= (home.bbox_max_lon or 0)  # fmt: skip
        name = rng.choice(data["organisation_names"]).format(ort=place["name"])
        organisations.append(EngagementOrganisation(
            exchange=exchanges[0] if inside_home or len(exchanges) == 1 else exchanges[1], name=name,
            slug=f"{SCALE_PREFIX}{number}", legal_form=rng.choice(data["legal_forms"]),
            street=f"Hauptstraße {rng.randint(1, 80)}", postal_code=place["postal_code"], city=place["name"],
            lat=lat, lon=lon, contact_name="Vorstand", contact_email=f"vorstand{number}@{SCALE_EMAIL_DOMAIN}",
            fields=rng.sample(Field.values, 2), description="Automatisch erzeugter Verein für Lasttests und Demos.",
            status=VerificationStatus.VERIFIED, verified_at=now,
        ))  # fmt: skip
    EngagementOrganisation.objects.bulk_create(organisations, batch_size=BATCH)
    made = list(EngagementOrganisation.objects.filter(slug__in=[o.slug for o in organisations]).order_by("pk"))
    rows: list[Opportunity] = []
    for number in range(count):
        rows.append(_scale_opportunity(made[number % len(made)], number, rng, data, (west, south, east, north),
                                       now, today))  # fmt: skip
        if len(rows) >= BATCH:
            Opportunity.objects.bulk_create(rows, batch_size=BATCH)
            rows = []
    Opportunity.objects.bulk_create(rows, batch_size=BATCH)
    return count


def _scale_opportunity(organisation: EngagementOrganisation, number: int, rng: random.Random,
                       data: Mapping[str, Any], area: tuple[float, float, float, float], now: datetime,
                       today: date) -> Opportunity:  # fmt: skip
    west, south, east, north = area
    field = Field.values[number % len(Field.values)]
    remote = rng.random() < REMOTE_SHARE
    lat, lon = rng.uniform(south, north), rng.uniform(west, east)
    place = _nearest(data["places"], lat, lon)
    commitment = rng.choice(Commitment.values)
    starts = today + timedelta(days=rng.randint(-90, 60))
    youth = field == Field.YOUTH
    opportunity = Opportunity(
        organisation=organisation, title=f"{rng.choice(data['titles'][field])} in {place['name']}", field=field,
        description=rng.choice(data["descriptions"]), status=OpportunityStatus.PUBLISHED, remote=remote,
        place_name="" if remote else f"{organisation.name}, Treffpunkt", postal_code=place["postal_code"],
        city=place["name"], lat=None if remote else lat, lon=None if remote else lon, commitment=commitment,
        hours_per_week=Decimal(rng.choice([1, 2, 2, 3, 4])) if commitment == Commitment.REGULAR else None,
        starts_on=starts, ends_on=starts + timedelta(days=rng.randint(0, 3)) if commitment == Commitment.ONE_OFF else None,
        volunteers_wanted=rng.choice([1, 2, 3, 5, 10]), minimum_age=rng.choice([16, 18]) if youth else None,
        police_certificate=youth, skills=rng.choice(data["skills"]), languages=rng.choice(data["languages"]),
        driving_licence=rng.random() < 0.1, step_free=rng.random() < 0.6, expenses_reimbursed=rng.random() < 0.5,
        application_required=rng.random() < 0.8, published_at=now - timedelta(days=rng.randint(0, 120),
                                                                                   minutes=number % 1440),
    )  # fmt: skip
    return opportunity


def add_volunteers(count: int, *, seed_text: str = "") -> int:
    """``count`` accounts (no usable password: nobody logs in as them) with a volunteer profile each."""
    data = load_data(APP, SCALE_FILE)
    people = load_data(APP, DATA_FILE)["people"]
    User = get_user_model()
    existing = User.objects.filter(email__endswith=f"@{SCALE_EMAIL_DOMAIN}", email__startswith="engagiert-").count()
    rng = random.Random(f"{seed_text}volunteers-{existing}")
    password = make_password(None)
    today = timezone.localdate()
    for first in range(existing, existing + count, BATCH):
        numbers = range(first, min(first + BATCH, existing + count))
        users = [
            User(email=f"engagiert-{number}@{SCALE_EMAIL_DOMAIN}", password=password,
                 display_name=f"{rng.choice(people['first_names'])} {rng.choice(people['last_names'])[0]}.")
            for number in numbers
        ]  # fmt: skip
        with transaction.atomic():
            User.objects.bulk_create(users, batch_size=BATCH)
            ids = User.objects.filter(email__in=[user.email for user in users]).values_list("pk", flat=True)
            profiles = []
            for user_id in ids:
                place = rng.choice(data["places"])
                profiles.append(VolunteerProfile(
                    user_id=user_id, birth_date=today - timedelta(days=rng.randint(15 * 365, 80 * 365)),
                    fields=rng.sample(Field.values, rng.randint(1, 3)), skills=rng.choice(data["skills"]),
                    languages=rng.choice(data["languages"]),
                    availability=sorted(rng.sample(data["availability"], rng.randint(1, 4))),
                    postal_code=place["postal_code"], lat=place["lat"] + rng.uniform(-0.02, 0.02),
                    lon=place["lon"] + rng.uniform(-0.03, 0.03), radius_km=rng.choice([5, 10, 10, 20, 30]),
                    wants_suggestions=rng.random() < 0.7,
                ))  # fmt: skip
            VolunteerProfile.objects.bulk_create(profiles, batch_size=BATCH)
    return count
