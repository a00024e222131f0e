"""Demo data of the Mängelmelder: categories and who handles them, a small gazetteer and about fifty reports.

The content is in ``demo/*.toml`` (categories, places, reports, scale); this module only turns it into records.
The reports go through the services (routing, confirmation, status changes, forwarding), so each one has the
history, audit entries and notifications a real one would have; afterwards their timestamps are spread over the
past weeks. ``--scale N`` adds N reports by bulk insert for benchmarks (``_scale``). Running it twice adds nothing.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw
from shapely.geometry import Point
from shapely.prepared import prep

from mitwirken.core import geo
from mitwirken.core.demo import load_data, single_paragraph
from mitwirken.organisations.models import Organisation

from . import routing, services
from .models import CategoryTemplate, OrganisationCategory, Place, Report, ReportStatus, ReportUpdate, Supporter

APP = "mitwirken.reports"


@dataclass(frozen=True)
class DemoReport:
    """One demo report from ``demo/reports.toml``. ``steps``: (status, message); ("forward", slug, message);
    ("duplicate", key, message), in order."""

    key: str
    place: tuple[str, str]
    category: str
    reporter: str
    description: str
    days_ago: int
    steps: tuple[tuple[str, ...], ...] = ()
    name: str = ""
    publish_name: bool = False
    photo: str = ""
    supporters: tuple[str, ...] = ()


def _step(step: dict[str, str]) -> tuple[str, ...]:
    message = single_paragraph(step["message"])
    if "forward" in step:
        return ("forward", step["forward"], message)
    if "duplicate_of" in step:
        return ("duplicate", step["duplicate_of"], message)
    return (step["status"], message)


def _report(entry: dict[str, Any]) -> DemoReport:
    return DemoReport(
        key=entry["key"], place=(entry["place"][0], entry["place"][1]), category=entry["category"],
        reporter=entry["reporter"], description=single_paragraph(entry["description"]), days_ago=entry["days_ago"],
        steps=tuple(_step(step) for step in entry.get("step", [])), name=entry.get("name", ""),
        publish_name=entry.get("publish_name", False), photo=entry.get("photo", ""),
        supporters=tuple(entry.get("supporters", ())),
    )  # fmt: skip


@cache
def demo_reports() -> tuple[DemoReport, ...]:
    return tuple(_report(entry) for entry in load_data(APP, "reports.toml")["report"])


@cache
def people() -> dict[str, Any]:
    return load_data(APP, "reports.toml")["people"]


def seed(stdout: Any, scale: int) -> None:
    categories = load_data(APP, "categories.toml")
    templates = {}
    for entry in categories["category"]:
        templates[entry["code"]], _created = CategoryTemplate.objects.get_or_create(
            code=entry["code"],
            defaults={"name": entry["name"], "description": entry["description"], "group": entry["group"]},
        )
    for slug, codes in categories["handlers"].items():
        organisation = Organisation.objects.filter(slug=slug).first()
        for code in codes if organisation else []:
            OrganisationCategory.objects.get_or_create(organisation=organisation, template=templates[code])
    places = {}
    for municipality in load_data(APP, "places.toml")["municipality"]:
        for entry in municipality["places"]:
            key = (entry["name"], municipality["name"])
            places[key], _created = Place.objects.get_or_create(
                name=entry["name"], municipality=municipality["name"],
                defaults={"postal_code": municipality["postal_code"], "lon": entry["lon"], "lat": entry["lat"]},
            )  # fmt: skip
    reports = demo_reports()
    if not Report.objects.filter(description__in=[demo.description for demo in reports]).exists():
        _create_reports(templates, places)
    if scale:
        _scale(scale)
    stdout.write(
        f"Mängelmelder: {len(templates)} Kategorien, Zuständigkeiten für {len(categories['handlers'])} Organisationen, "
        f"{Place.objects.count()} Einträge im Ortsverzeichnis, {Report.objects.public().count()} öffentliche "
        f"Meldungen: /maengelmelder/"
    )


# --- the demo reports -----------------------------------------------------------------------------------------


def _create_reports(templates: dict[str, CategoryTemplate], places: dict[tuple[str, str], Place]) -> None:
    User = get_user_model()
    accounts = {
        "citizen": User.objects.get(email=people()["citizen"]),
        "guest": User.objects.get(email=people()["guest"]),
    }
    created: dict[str, Report] = {}
    for index, demo in enumerate(demo_reports()):
        place = places[demo.place]
        # A few metres apart, so reports at the same street are separate pins (and duplicates stay within 50 m).
        lon = place.lon + ((index * 7) % 11 - 5) * 0.00004
        lat = place.lat + ((index * 5) % 9 - 4) * 0.00003
        user = accounts.get(demo.reporter)
        email = "" if user is not None else f"{slugify(demo.name or 'anwohner').replace('-', '.')}@post.example"
        report = services.report_create(
            category=templates[demo.category], lon=lon, lat=lat, description=demo.description,
            address=str(place), user=user, email=email,
            name=demo.name or (user.display_name if user is not None and demo.publish_name else ""),
            publish_name=demo.publish_name, photos=[_photo(demo.photo)] if demo.photo else [],
        )  # fmt: skip
        if demo.reporter == "email":
            report = services.report_confirm(token=str(report.confirm_token))
        for supporter in demo.supporters:
            services.report_support(user=accounts[supporter], report=report)
        for step in demo.steps:
            report = _apply(report, step, created)
        created[demo.key] = report
    for demo in demo_reports():
        _backdate(created[demo.key], demo)


def _staff(organisation: Organisation) -> Any:
    return get_user_model().objects.get(email=people()["staff"].get(organisation.slug, people()["fallback_staff"]))


def _apply(report: Report, step: tuple[str, ...], created: dict[str, Report]) -> Report:
    report.refresh_from_db()
    actor = _staff(report.organisation)
    if step[0] == "forward":
        target = Organisation.objects.get(slug=step[1])
        return services.report_forward(actor=actor, report=report, organisation=target, message=step[2])
    if step[0] == "duplicate":
        original = created[step[1]]
        return services.report_change_status(
            actor=actor, report=report, status=ReportStatus.DUPLICATE, duplicate_of=original,
            message=f"{step[2]} (Meldung #{original.pk})",
        )  # fmt: skip
    return services.report_change_status(actor=actor, report=report, status=step[0], message=step[1])


def _backdate(report: Report, demo: DemoReport) -> None:
    """Spread a report's life over the past ``days_ago`` days: reported, confirmed, then each step.

    The services stamp everything with the current time; each service call is one group of history rows
    with the same timestamp (a forwarding writes two), in order.
    """
    now = timezone.now()
    reported = now - timedelta(days=demo.days_ago, minutes=37 * (int(demo.key[1:]) % 23))
    if demo.days_ago == 0:
        reported = now - timedelta(minutes=15 + int(demo.key[1:]))
    span = max(now - reported, timedelta(minutes=10))
    updates = list(ReportUpdate.objects.filter(report=report).order_by("created_at", "pk"))
    moments = sorted({update.created_at for update in updates})
    # Confirmation a few minutes after reporting; the staff steps spread over the rest of the time.
    confirmed = reported + (timedelta(0) if demo.reporter in ("citizen", "guest") else timedelta(minutes=4))
    planned = [confirmed + span * (position / len(moments)) * 0.9 for position in range(len(moments))]
    shifted = dict(zip(moments, planned, strict=True))
    for update in updates:
        ReportUpdate.objects.filter(pk=update.pk).update(created_at=shifted[update.created_at])
    if planned:
        Supporter.objects.filter(report=report).update(created_at=planned[0] + span * 0.2)
    report.refresh_from_db()
    last = planned[-1] if planned else reported
    fixed = [shifted[update.created_at] for update in updates if update.status == ReportStatus.FIXED]
    Report.objects.filter(pk=report.pk).update(
        created_at=reported,
        confirmed_at=planned[0] if report.confirmed_at else None,
        updated_at=last,
        fixed_at=fixed[-1] if report.status == ReportStatus.FIXED and fixed else None,
    )


def _photo(kind: str) -> SimpleUploadedFile:
    """A small JPEG drawn in memory: no photo files are kept in the repository."""
    colours = load_data(APP, "reports.toml")["photos"].get(kind, [[128, 128, 128], [60, 60, 60]])
    ground, thing = tuple(colours[0]), tuple(colours[1])
    image = Image.new("RGB", (480, 360), ground)
    draw = ImageDraw.Draw(image)
    rng = random.Random(kind)
    for _ in range(400):  # texture, so the JPEG is not a flat colour
        x, y = rng.randrange(480), rng.randrange(360)
        shade = rng.randrange(-18, 18)
        draw.point((x, y), fill=tuple(max(0, min(255, c + shade)) for c in ground))
    draw.ellipse((150, 120, 330, 250), fill=thing)
    draw.rectangle((0, 300, 480, 360), fill=tuple(max(0, c - 30) for c in ground))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=80)
    return SimpleUploadedFile(f"{kind}.jpg", output.getvalue(), content_type="image/jpeg")


# --- scale ----------------------------------------------------------------------------------------------------

SCALE_BATCH = 5_000


class _Router:
    """Routing for many generated points at once.

    Which organisations contain a point is tested in memory against the stored boundaries (the same
    ``covers`` test as ``routing.organisations_at``). The answer for one category depends only on that set,
    so ``routing.route`` itself decides it once per set and category, and the result is reused.
    """

    def __init__(self) -> None:
        self.areas: list[tuple[int, float, float, float, float, Any]] = []
        for organisation in Organisation.objects.exclude(boundary=None):
            west, south = organisation.bbox_min_lon, organisation.bbox_min_lat
            east, north = organisation.bbox_max_lon, organisation.bbox_max_lat
            if (
                organisation.boundary
                and west is not None
                and south is not None
                and east is not None
                and north is not None
            ):
                area = prep(geo.to_shape(organisation.boundary))
                self.areas.append((organisation.pk, west, south, east, north, area))
        self.routes: dict[tuple[frozenset[int], int], int | None] = {}

    def containing(self, lon: float, lat: float) -> frozenset[int]:
        point = Point(lon, lat)
        return frozenset(
            pk for pk, west, south, east, north, area in self.areas
            if west <= lon <= east and south <= lat <= north and area.covers(point)
        )  # fmt: skip

    def organisation_id(self, key: frozenset[int], lon: float, lat: float, category: CategoryTemplate) -> int | None:
        if (key, category.pk) not in self.routes:
            try:
                self.routes[(key, category.pk)] = routing.route(lon=lon, lat=lat, category=category).organisation.pk
            except ValidationError:
                self.routes[(key, category.pk)] = None
        return self.routes[(key, category.pk)]


def _scale(count: int, *, seed: int | None = None) -> int:
    """Bulk-insert ``count`` confirmed reports at random points of the Landkreis, routed like real ones.

    Not through the services (no history, no mail): this is load for benchmarks. Returns the number added.
    """
    area = Organisation.objects.filter(slug="musterkreis").first()
    west, south, east, north = (
        (area.bbox_min_lon, area.bbox_min_lat, area.bbox_max_lon, area.bbox_max_lat) if area else (None,) * 4
    )
    categories = list(CategoryTemplate.objects.filter(handlers__isnull=False).distinct().order_by("code"))
    if west is None or south is None or east is None or north is None or not categories or count <= 0:
        return 0
    rng = random.Random(Report.objects.count() if seed is None else seed)
    texts: dict[str, list[str]] = {}
    for demo in demo_reports():
        texts.setdefault(demo.category, []).append(demo.description)
    data = load_data(APP, "scale.toml")
    statuses, weights = list(data["statuses"]), list(data["statuses"].values())
    router = _Router()
    now = timezone.now()
    added = 0
    while added < count:
        batch: list[Report] = []
        while len(batch) < min(SCALE_BATCH, count - added):
            lon, lat = rng.uniform(west, east), rng.uniform(south, north)
            key = router.containing(lon, lat)
            category = rng.choice(categories)
            organisation_id = router.organisation_id(key, lon, lat, category)
            if organisation_id is None:  # nobody handles this category here: a citizen would pick another
                continue
            status = rng.choices(statuses, weights)[0]
            created = now - timedelta(minutes=rng.randrange(5, 2 * 365 * 24 * 60))
            changed = _later(created, now, rng) if status != ReportStatus.OPEN else created
            batch.append(Report(
                organisation_id=organisation_id, category=category, lon=round(lon, 6), lat=round(lat, 6),
                description=rng.choice(texts.get(category.code) or [category.description or category.name]),
                status=status, status_message=data["messages"].get(status, ""), created_at=created,
                confirmed_at=created + timedelta(minutes=2), updated_at=changed,
                fixed_at=changed if status == ReportStatus.FIXED else None,
            ))  # fmt: skip
        Report.objects.bulk_create(batch, batch_size=SCALE_BATCH)
        added += len(batch)
    return added


def _later(start: datetime, now: datetime, rng: random.Random) -> datetime:
    return min(now, start + timedelta(hours=rng.randrange(2, 24 * 30)))
