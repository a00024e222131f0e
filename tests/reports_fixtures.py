"""Builders shared by the Mängelmelder tests: a nested region with handlers, staff and test images."""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, TiffImagePlugin

from mitwirken.organisations.models import Organisation, OrganisationRole
from mitwirken.reports.models import CategoryTemplate, OrganisationCategory, Report, ReportStatus

from .factories import MembershipFactory, OrganisationFactory, UserFactory

# Points inside the nested areas built by ``build_region`` (lon, lat).
DORF_POINT = (7.35, 49.35)  # Ortsgemeinde ⊂ Verbandsgemeinde ⊂ Landkreis
VG_POINT = (7.5, 49.5)  # Verbandsgemeinde, outside the Ortsgemeinde
KREIS_POINT = (7.8, 49.8)  # Landkreis only
OUTSIDE_POINT = (12.0, 52.5)  # no organisation of the portal

KREIS_FORWARD = "strassen@kreis.example"
LBM_FORWARD = "posteingang@lbm.example"
LIGHT_QUESTIONS = [
    {"code": "mast", "label": "Mastnummer", "datatype": "string", "required": True},
    {
        "code": "art",
        "label": "Art der Störung",
        "datatype": "singlevaluelist",
        "required": False,
        "values": [{"key": "aus", "name": "Leuchtet nicht"}, {"key": "flackert", "name": "Flackert"}],
    },
]
METRES_PER_DEGREE = 111_195  # on the sphere of the haversine formula


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def moved(point: tuple[float, float], *, north_m: float = 0, east_m: float = 0) -> tuple[float, float]:
    """A point ``north_m`` metres north and ``east_m`` metres east of ``point``."""
    lon, lat = point
    return (
        lon + east_m / (METRES_PER_DEGREE * math.cos(math.radians(lat))),
        lat + north_m / METRES_PER_DEGREE,
    )


def road_handled_by(organisation: Organisation) -> CategoryTemplate:
    """The organisation covers 7–8° E, 49–50° N and handles road damage there."""
    organisation.boundary = box(7.0, 49.0, 8.0, 50.0)
    organisation.save()
    road = CategoryTemplate.objects.create(code="strassenschaden", name="Straßenschaden")
    OrganisationCategory.objects.create(organisation=organisation, template=road)
    return road


def staff_of(organisation: Organisation, *, role: str = OrganisationRole.STAFF, email: str = "") -> Any:
    extra = {"user__email": email} if email else {}
    return MembershipFactory(organisation=organisation, role=role, **extra).user


@dataclass
class Region:
    """Landkreis ⊃ Verbandsgemeinde ⊃ Ortsgemeinde, a Landesbetrieb without an area and a town elsewhere."""

    kreis: Organisation
    vg: Organisation
    dorf: Organisation
    lbm: Organisation
    anderswo: Organisation
    road: CategoryTemplate
    light: CategoryTemplate
    play: CategoryTemplate
    water: CategoryTemplate
    people: dict[str, Any] = field(default_factory=dict)

    def handler_of(self, category: CategoryTemplate) -> Organisation:
        return {
            self.road.pk: self.kreis,
            self.light.pk: self.vg,
            self.play.pk: self.dorf,
            self.water.pk: self.anderswo,
        }[category.pk]


def build_region() -> Region:
    kreis = OrganisationFactory(slug="kreis", name="Landkreis Musterkreis", boundary=box(7.0, 49.0, 8.0, 50.0))
    vg = OrganisationFactory(slug="vg", name="VG Mitte", parent=kreis, boundary=box(7.2, 49.2, 7.6, 49.6))
    dorf = OrganisationFactory(slug="dorf", name="Ortsgemeinde Dorf", parent=vg, boundary=box(7.3, 49.3, 7.4, 49.4))
    lbm = OrganisationFactory(slug="lbm", name="Landesbetrieb Mobilität")
    anderswo = OrganisationFactory(slug="anderswo", name="Stadt Anderswo", boundary=box(9.0, 51.0, 9.5, 51.5))
    road = CategoryTemplate.objects.create(code="strassenschaden", name="Straßenschaden")
    light = CategoryTemplate.objects.create(code="strassenbeleuchtung", name="Straßenbeleuchtung")
    play = CategoryTemplate.objects.create(code="spielplatz", name="Spielplatz")
    water = CategoryTemplate.objects.create(code="gewaesser", name="Gewässer")
    OrganisationCategory.objects.create(organisation=kreis, template=road, forward_email=KREIS_FORWARD)
    OrganisationCategory.objects.create(organisation=lbm, template=road, forward_email=LBM_FORWARD)
    OrganisationCategory.objects.create(organisation=vg, template=light, questions=LIGHT_QUESTIONS)
    OrganisationCategory.objects.create(organisation=dorf, template=play)
    OrganisationCategory.objects.create(organisation=anderswo, template=water)
    people = {
        "citizen": UserFactory(email="buerger@example.org"),
        "neighbour": UserFactory(email="nachbar@example.org"),
        "neighbour2": UserFactory(email="nachbarin@example.org"),
        "kreis_staff": staff_of(kreis, email="sachbearbeitung@kreis.example"),
        "kreis_admin": staff_of(kreis, role=OrganisationRole.ADMIN, email="admin@kreis.example"),
        "vg_staff": staff_of(vg, email="sachbearbeitung@vg.example"),
        "dorf_staff": staff_of(dorf, email="buergermeister@dorf.example"),
        "lbm_staff": staff_of(lbm, email="sachbearbeitung@lbm.example"),
        "anderswo_admin": staff_of(anderswo, role=OrganisationRole.ADMIN, email="admin@anderswo.example"),
        "portal_admin": UserFactory(email="portal@example.org", is_superuser=True, is_staff=True),
    }
    return Region(kreis, vg, dorf, lbm, anderswo, road, light, play, water, people)


def make_report(
    region: Region | None,
    *,
    category: CategoryTemplate | None = None,
    point: tuple[float, float] = DORF_POINT,
    status: str = ReportStatus.OPEN,
    reporter: Any = None,
    email: str = "",
    **fields: Any,
) -> Report:
    """A report stored directly, for tests that are not about creating one.

    Without ``region``, pass ``category`` and ``organisation``.
    """
    if region is not None:
        category = category or region.road
        fields.setdefault("organisation", region.handler_of(category))
    now = timezone.now()
    return Report.objects.create(
        organisation=fields.pop("organisation"),
        category=category,
        description=fields.pop("description", "Schlagloch vor Hausnummer 3"),
        lon=point[0],
        lat=point[1],
        status=status,
        reporter=reporter,
        email=email or (reporter.email if reporter is not None else ""),
        confirmed_at=None if status == ReportStatus.UNCONFIRMED else now,
        created_at=now,
        updated_at=now,
        **fields,
    )


# --- images ---------------------------------------------------------------------------------------------------


def _rational(value: float) -> TiffImagePlugin.IFDRational:
    return TiffImagePlugin.IFDRational(value)


def gps_exif(*, lon: float, lat: float) -> Image.Exif:
    """EXIF with camera data and a GPS IFD (0x8825), as a phone writes it."""
    exif = Image.Exif()
    exif[0x010F] = "Kamerahersteller AG"  # Make
    exif[0x0110] = "Modell Geheim 7"  # Model
    gps = exif.get_ifd(0x8825)

    def dms(value: float) -> tuple[TiffImagePlugin.IFDRational, ...]:
        value = abs(value)
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        seconds = round((value - degrees - minutes / 60) * 3600, 4)
        return _rational(degrees), _rational(minutes), _rational(seconds)

    gps.update({1: "N" if lat >= 0 else "S", 2: dms(lat), 3: "E" if lon >= 0 else "W", 4: dms(lon)})
    return exif


def image_bytes(
    *, image_format: str = "JPEG", size: tuple[int, int] = (64, 48), exif: Image.Exif | None = None, noise: bool = False
) -> bytes:
    if noise:  # incompressible, so the file is large
        image = Image.frombytes("RGB", size, random.Random(4).randbytes(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (180, 40, 40))
    output = io.BytesIO()
    options: dict[str, Any] = {"exif": exif} if exif is not None else {}
    if image_format == "JPEG":
        options["quality"] = 95
    image.save(output, format=image_format, **options)
    return output.getvalue()


def jpeg_upload(name: str = "foto.jpg", **options: Any) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(**options), content_type="image/jpeg")


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def disguised_uploads() -> dict[str, SimpleUploadedFile]:
    """Files whose name and declared type claim a JPEG while their bytes are something else."""
    return {
        "text": SimpleUploadedFile("foto.jpg", b"Das ist gar kein Bild.\n" * 20, content_type="image/jpeg"),
        "pdf": SimpleUploadedFile("foto.jpg", PDF_BYTES, content_type="image/jpeg"),
        "html": SimpleUploadedFile("foto.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg"),
    }


def stored_report_files() -> list[Path]:
    """Every file below MEDIA_ROOT/reports (the upload_to of report photos)."""
    root = Path(settings.MEDIA_ROOT) / "reports"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []
