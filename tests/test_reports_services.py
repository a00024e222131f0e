"""Mängelmelder services: reporting, photos, duplicates, status flow, forwarding, follow-ups, moderation, alerts.

Every test goes through the service functions the web form, the Open311 API and the back office share.
E-mails land in ``mail.outbox``; ``transaction.on_commit`` work runs inside
``django_capture_on_commit_callbacks(execute=True)``. The immediate task backend used in tests swallows
exceptions, so a fixture fails any test in which a task failed.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.urls import reverse
from PIL import Image

from mitwirken.core.models import AuditEntry, Notification
from mitwirken.core.uploads import image_gps
from mitwirken.reports import alerts, services
from mitwirken.reports.models import (
    TRANSITIONS,
    AlertFrequency,
    AreaAlert,
    Place,
    Report,
    ReportPhoto,
    ReportStatus,
    ReportUpdate,
    Supporter,
)

from .reports_fixtures import (
    DORF_POINT,
    KREIS_FORWARD,
    KREIS_POINT,
    LBM_FORWARD,
    OUTSIDE_POINT,
    VG_POINT,
    Region,
    build_region,
    disguised_uploads,
    gps_exif,
    image_bytes,
    jpeg_upload,
    make_report,
    moved,
    stored_report_files,
)

pytestmark = pytest.mark.django_db

DESCRIPTION = "Tiefes Schlagloch auf der Fahrbahn vor Hausnummer 3."


@pytest.fixture
def region(db: Any) -> Region:
    return build_region()


def mails_to(address: str) -> list[Any]:
    return [message for message in mail.outbox if address in message.to]


def error_fields(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


def assert_nothing_stored() -> None:
    assert Report.objects.count() == 0
    assert ReportPhoto.objects.count() == 0
    assert ReportUpdate.objects.count() == 0
    assert stored_report_files() == []
    assert mail.outbox == []


def create(region: Region, **overrides: Any) -> Report:
    """report_create with sensible defaults: a road report at the village by the citizen."""
    arguments: dict[str, Any] = {
        "category": region.road,
        "lon": DORF_POINT[0],
        "lat": DORF_POINT[1],
        "description": DESCRIPTION,
        "user": region.people["citizen"],
    }
    arguments.update(overrides)
    return services.report_create(**arguments)


# --- report_create: routing, confirmation, receipts ------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "point", "expected"),
    [
        ("play", DORF_POINT, "dorf"),  # the Ortsgemeinde handles it itself
        ("light", DORF_POINT, "vg"),  # the Ortsgemeinde does not: its Verbandsgemeinde does
        ("road", DORF_POINT, "kreis"),  # nobody below the Landkreis does
        ("light", VG_POINT, "vg"),
        ("road", KREIS_POINT, "kreis"),
    ],
)
def test_report_goes_to_the_most_specific_body_that_handles_the_category(region, category, point, expected):
    attributes = {"mast": "M-17"} if category == "light" else {}
    report = create(region, category=getattr(region, category), lon=point[0], lat=point[1], attributes=attributes)
    assert report.organisation.slug == expected
    assert Report.objects.get().organisation.slug == expected


def test_report_with_an_account_is_open_at_once_with_history_and_a_receipt(region, django_capture_on_commit_callbacks):
    citizen = region.people["citizen"]
    with django_capture_on_commit_callbacks(execute=True):
        report = create(region, address="Hauptstraße 3, Dorf")
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN
    assert report.confirmed_at is not None
    assert (report.reporter, report.email, report.source) == (citizen, citizen.email, "web")
    assert list(report.updates.values_list("status", "organisation__slug")) == [(ReportStatus.OPEN, "kreis")]
    assert Report.objects.public().filter(pk=report.pk).exists()
    receipts = mails_to(citizen.email)
    assert len(receipts) == 1
    assert "/bestaetigen/" not in receipts[0].body  # nothing to confirm
    assert f"/maengelmelder/{report.pk}/" in receipts[0].body
    # The handling body's forwarding address gets a copy with the back-office link.
    copies = mails_to(KREIS_FORWARD)
    assert len(copies) == 1
    assert f"/verwaltung/kreis/meldungen/{report.pk}/" in copies[0].body
    assert {address for message in mail.outbox for address in message.to} == {citizen.email, KREIS_FORWARD}


def test_anonymous_report_waits_for_the_e_mail_confirmation(region, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = create(region, user=AnonymousUser(), email="anonym@example.org", name="Erika")
    report.refresh_from_db()
    assert report.status == ReportStatus.UNCONFIRMED
    assert (report.reporter, report.confirmed_at) == (None, None)
    assert report.updates.count() == 0
    assert not Report.objects.public().filter(pk=report.pk).exists()
    assert mails_to(KREIS_FORWARD) == []  # the body hears of it only once it is confirmed
    (confirmation,) = mails_to("anonym@example.org")
    link = re.search(r"https?://\S+/maengelmelder/bestaetigen/([0-9a-f-]{36})/", confirmation.body)
    assert link, confirmation.body
    assert link.group(1) == str(report.confirm_token)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = services.report_confirm(token=link.group(1))
    assert confirmed.pk == report.pk
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN
    assert report.confirmed_at is not None
    assert list(report.updates.values_list("status", flat=True)) == [ReportStatus.OPEN]
    assert len(mails_to("anonym@example.org")) == 1  # the receipt
    assert len(mails_to(KREIS_FORWARD)) == 1
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        again = services.report_confirm(token=link.group(1))  # a second click on the same link
    assert again.pk == report.pk
    assert report.updates.count() == 1
    assert Report.objects.get(pk=report.pk).confirmed_at == report.confirmed_at
    assert mail.outbox == []


def test_confirmation_with_an_unknown_token_is_refused(region):
    make_report(region, status=ReportStatus.UNCONFIRMED, email="anonym@example.org")
    with pytest.raises(ValidationError):
        services.report_confirm(token="00000000-0000-4000-8000-000000000000")
    assert Report.objects.get().status == ReportStatus.UNCONFIRMED


def test_valid_answers_to_extra_questions_are_stored_and_unknown_ones_dropped(region):
    report = create(region, category=region.light, attributes={"mast": " M-17 ", "art": "flackert", "unbekannt": "x"})
    assert Report.objects.get(pk=report.pk).attributes == {"mast": "M-17", "art": "flackert"}


def test_limits_are_inclusive(region):
    report = create(region, description="x" * services.MAX_DESCRIPTION, photos=[jpeg_upload() for _ in range(5)])
    assert len(Report.objects.get(pk=report.pk).description) == services.MAX_DESCRIPTION
    assert report.photos.count() == 5
    assert len(stored_report_files()) == 5


def _photos() -> list[Any]:
    return [jpeg_upload("erstes.jpg"), jpeg_upload("zweites.jpg")]


# Each case: the arguments that break report_create, the field the error belongs to, a text the message contains.
BAD_INPUT: dict[str, tuple[Any, str, str]] = {
    "no category": (lambda r: {"category": None}, "category", "Kategorie"),
    "category nobody handles there": (lambda r: {"category": r.water}, "category", "Gewässer"),
    "empty description": (lambda r: {"description": ""}, "description", "beschreiben"),
    "blank description": (lambda r: {"description": "   \n  "}, "description", "beschreiben"),
    "description too long": (lambda r: {"description": "x" * 4001}, "description", "4001"),
    "outside every area": (
        lambda r: {"lon": OUTSIDE_POINT[0], "lat": OUTSIDE_POINT[1]},
        "location",
        "keine Verwaltung",
    ),
    "no coordinates": (lambda r: {"lon": "", "lat": None}, "location", "Ort"),
    "coordinates out of range": (lambda r: {"lon": 200, "lat": 49}, "location", "außerhalb"),
    "required question missing": (
        lambda r: {"category": r.light, "attributes": {"art": "aus"}},
        "attributes",
        "Mastnummer",
    ),
    "invalid choice": (
        lambda r: {"category": r.light, "attributes": {"mast": "M-1", "art": "explodiert"}},
        "attributes",
        "Art der Störung",
    ),
    "six photos": (lambda r: {"photos": [jpeg_upload(f"{n}.jpg") for n in range(6)]}, "photos", "5"),
    "text named .jpg": (lambda r: {"photos": [*_photos(), disguised_uploads()["text"]]}, "photos", "foto.jpg"),
    "PDF named .jpg": (lambda r: {"photos": [*_photos(), disguised_uploads()["pdf"]]}, "photos", "foto.jpg"),
    "HTML named .jpg": (lambda r: {"photos": [disguised_uploads()["html"], *_photos()]}, "photos", "foto.jpg"),
    "anonymous without e-mail": (lambda r: {"user": AnonymousUser(), "email": ""}, "email", "E-Mail"),
    "no user, no e-mail": (lambda r: {"user": None}, "email", "E-Mail"),
}


@pytest.mark.parametrize("case", BAD_INPUT, ids=list(BAD_INPUT))
def test_bad_input_is_refused_on_its_field_and_nothing_is_stored(region, django_capture_on_commit_callbacks, case):
    build, field, expected_text = BAD_INPUT[case]
    arguments = {"photos": _photos(), **build(region)}
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as error:
        create(region, **arguments)
    fields = error_fields(error)
    assert field in fields, fields
    assert any(expected_text in message for message in fields[field]), fields
    assert_nothing_stored()


def test_an_oversized_photo_is_refused_and_nothing_is_stored(region, settings, django_capture_on_commit_callbacks):
    settings.MITWIRKEN_MAX_IMAGE_BYTES = 50_000
    big = image_bytes(size=(300, 300), noise=True)
    assert len(big) > 50_000
    upload = jpeg_upload("gross.jpg", size=(300, 300), noise=True)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as error:
        create(region, photos=[jpeg_upload("klein.jpg"), upload])
    messages = error_fields(error)["photos"]
    assert any("gross.jpg" in message and "zu groß" in message for message in messages), messages
    assert_nothing_stored()


def test_a_database_failure_after_the_photos_were_written_leaves_no_files(region, monkeypatch):
    """Rolling back the rows is not enough: the photo files written inside the transaction must go too."""

    def lost_connection(**kwargs: Any) -> None:
        raise DatabaseError("Verbindung zur Datenbank verloren")

    monkeypatch.setattr(ReportUpdate.objects, "create", lost_connection)
    with pytest.raises(DatabaseError):
        create(region, photos=_photos())
    assert Report.objects.count() == 0
    assert ReportPhoto.objects.count() == 0
    assert stored_report_files() == []


# --- photos ----------------------------------------------------------------------------------------------------


def test_gps_is_read_from_exif_before_the_photo_is_re_encoded_without_it(region):
    data = image_bytes(exif=gps_exif(lon=7.35, lat=49.35))
    assert b"Exif" in data and b"Modell Geheim 7" in data  # the test image really carries EXIF
    upload = jpeg_upload("handy.jpg", exif=gps_exif(lon=7.35, lat=49.35))
    assert image_gps(upload) == pytest.approx((7.35, 49.35), abs=1e-5)
    assert upload.tell() == 0  # the file is rewound for the re-encoding that follows

    report = create(region, photos=[upload])
    (photo,) = report.photos.all()
    with photo.image.open("rb") as stored:
        stored_bytes = stored.read()
    assert stored_bytes.startswith(b"\xff\xd8")  # still a JPEG ...
    assert b"Exif" not in stored_bytes  # ... without an APP1/EXIF segment
    assert b"Modell Geheim 7" not in stored_bytes
    reopened = Image.open(io.BytesIO(stored_bytes))
    assert dict(reopened.getexif()) == {}
    assert image_gps(io.BytesIO(stored_bytes)) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(("lon", "lat"), [(-3.7, 40.4167), (151.2, -33.85)])
def test_gps_in_the_western_and_southern_hemispheres(lon, lat):
    upload = jpeg_upload(exif=gps_exif(lon=lon, lat=lat))
    assert image_gps(upload) == pytest.approx((lon, lat), abs=1e-5)


def test_no_gps_for_photos_without_exif_or_non_images():
    assert image_gps(jpeg_upload()) is None
    assert image_gps(disguised_uploads()["pdf"]) is None


@pytest.mark.parametrize(("image_format", "extension"), [("PNG", "png"), ("WEBP", "webp")])
def test_other_formats_lose_their_exif_too(region, image_format, extension):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = image_bytes(image_format=image_format, exif=gps_exif(lon=7.35, lat=49.35))
    upload = SimpleUploadedFile(f"bild.{extension}", data, content_type=f"image/{extension}")
    assert image_gps(upload) == pytest.approx((7.35, 49.35), abs=1e-5)
    report = create(region, photos=[upload])
    (photo,) = report.photos.all()
    assert photo.image.name.endswith(f".{extension}")
    with photo.image.open("rb") as stored:
        stored_bytes = stored.read()
    assert b"Modell Geheim 7" not in stored_bytes
    assert dict(Image.open(io.BytesIO(stored_bytes)).getexif()) == {}


def test_the_camera_orientation_is_applied_before_exif_is_dropped(region):
    """Without EXIF the viewer cannot rotate the photo any more, so the pixels must be turned."""
    exif = gps_exif(lon=7.35, lat=49.35)
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    report = create(region, photos=[jpeg_upload("hochkant.jpg", size=(64, 48), exif=exif)])
    with report.photos.get().image.open("rb") as stored:
        assert Image.open(io.BytesIO(stored.read())).size == (48, 64)


def test_a_decompression_bomb_is_refused(region):
    """Pillow only warns between MAX_IMAGE_PIXELS and twice that; the limit must still hold."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    size = (8000, 7600)
    assert Image.MAX_IMAGE_PIXELS < size[0] * size[1] < 2 * Image.MAX_IMAGE_PIXELS
    output = io.BytesIO()
    Image.new("1", size).save(output, format="PNG")
    bomb = SimpleUploadedFile("klein.png", output.getvalue(), content_type="image/png")
    assert bomb.size < 20_000  # a few kilobytes that decode to 60.8 megapixels
    with pytest.raises(ValidationError) as error:
        create(region, photos=[bomb])
    assert "photos" in error_fields(error)
    assert_nothing_stored()


# --- duplicates near the pin -----------------------------------------------------------------------------------


def test_nearby_open_reports_of_the_same_kind_within_50_m(region):
    here = DORF_POINT
    near = make_report(region, point=moved(here, north_m=45), description="nah")
    near_in_progress = make_report(region, point=moved(here, east_m=-30), status=ReportStatus.IN_PROGRESS)
    make_report(region, point=moved(here, north_m=60), description="60 m nördlich")
    make_report(region, point=moved(here, north_m=42.5, east_m=42.5), description="60 m diagonal, im Quadrat")
    make_report(region, category=region.play, point=moved(here, north_m=10), description="andere Kategorie")
    for status in (ReportStatus.FIXED, ReportStatus.REJECTED, ReportStatus.DUPLICATE, ReportStatus.UNCONFIRMED):
        make_report(region, point=moved(here, north_m=5), status=status, description=str(status))
    make_report(region, point=moved(here, north_m=5), hidden=True, hidden_reason="Beleidigung")
    found = services.nearby_open_reports(category=region.road, lon=here[0], lat=here[1])
    assert {report.pk for report in found} == {near.pk, near_in_progress.pk}


def test_a_report_just_inside_50_m_is_found(region):
    """The bounding-box prefilter must contain the whole circle, also in the haversine's metres."""
    here = DORF_POINT
    edge = moved(here, north_m=49.97)
    assert services.distance_m(here[0], here[1], *edge) <= services.DUPLICATE_RADIUS_M
    east_edge = moved(here, east_m=49.97)
    assert services.distance_m(here[0], here[1], *east_edge) <= services.DUPLICATE_RADIUS_M
    north = make_report(region, point=edge)
    east = make_report(region, point=east_edge)
    found = services.nearby_open_reports(category=region.road, lon=here[0], lat=here[1])
    assert {report.pk for report in found} == {north.pk, east.pk}


# --- typed addresses -------------------------------------------------------------------------------------------


def test_geocode_finds_a_unique_place_and_explains_unknown_or_ambiguous_text(db):
    Place.objects.create(name="Hauptstraße", municipality="Dorf", postal_code="55555", lon=7.35, lat=49.35)
    Place.objects.create(name="Hauptstraße", municipality="Anderswo", postal_code="66666", lon=9.2, lat=51.2)
    assert services.geocode("Hauptstraße 55555").municipality == "Dorf"
    assert services.geocode("hauptstraße, dorf").municipality == "Dorf"
    for text, expected in (("Gibtsnichtweg", "nicht bekannt"), ("Hauptstraße", "mehreren Orten"), ("", "nicht")):
        with pytest.raises(ValidationError) as error:
            services.geocode(text)
        assert any(expected in message for message in error_fields(error)["address"]), (text, error.value)


def test_geocode_accepts_the_exact_text_of_a_suggestion_even_if_another_place_also_matches(db):
    """Picking "Am Markt, Dorf" from the suggestions must not be refused because "Am Alten Markt" matches too."""
    Place.objects.create(name="Am Alten Markt", municipality="Dorf", lon=7.36, lat=49.36)
    markt = Place.objects.create(name="Am Markt", municipality="Dorf", lon=7.35, lat=49.35)
    suggestion = str(markt)
    assert suggestion == "Am Markt, Dorf"
    assert [str(place) for place in services.places_matching(suggestion)] == ["Am Alten Markt, Dorf", suggestion]
    assert services.geocode(suggestion) == markt


# --- status flow -----------------------------------------------------------------------------------------------

ALLOWED = [(str(old), str(new)) for old, targets in TRANSITIONS.items() for new in targets]
DISALLOWED = [
    (str(old), str(new)) for old in ReportStatus.values for new in ReportStatus.values if new not in TRANSITIONS[old]
] + [(ReportStatus.OPEN.value, "erledigt-ish")]


def test_the_transition_table_covers_every_status():
    assert set(TRANSITIONS) == set(ReportStatus.values)


@pytest.mark.parametrize(("old", "new"), ALLOWED, ids=[f"{o}->{n}" for o, n in ALLOWED])
def test_every_allowed_transition_writes_history_and_audit(region, old, new):
    staff = region.people["kreis_staff"]
    report = make_report(region, status=old, reporter=region.people["citizen"])
    original = make_report(region, point=moved(DORF_POINT, north_m=20))
    duplicate_of = original if new == ReportStatus.DUPLICATE else None
    services.report_change_status(
        actor=staff, report=report, status=new, message="Öffentliche Antwort", duplicate_of=duplicate_of
    )
    report.refresh_from_db()
    assert report.status == new
    assert report.status_message == "Öffentliche Antwort"
    assert report.duplicate_of == duplicate_of
    (update,) = ReportUpdate.objects.filter(report=report)
    assert (update.status, update.message, update.author, update.organisation) == (
        new, "Öffentliche Antwort", staff, region.kreis
    )  # fmt: skip
    (entry,) = AuditEntry.objects.filter(action="report.status", object_id=str(report.pk))
    assert (entry.actor, entry.organisation, entry.changes) == (staff, region.kreis, {"status": [old, new]})


@pytest.mark.parametrize(("old", "new"), DISALLOWED, ids=[f"{o}->{n}" for o, n in DISALLOWED])
def test_every_other_transition_is_refused_and_changes_nothing(region, django_capture_on_commit_callbacks, old, new):
    report = make_report(region, status=old, reporter=region.people["citizen"])
    original = make_report(region, point=moved(DORF_POINT, north_m=20))
    before = Report.objects.filter(pk=report.pk).values().get()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError) as error:
        services.report_change_status(
            actor=region.people["kreis_staff"], report=report, status=new, message="Text", duplicate_of=original
        )
    assert "status" in error_fields(error)
    assert Report.objects.filter(pk=report.pk).values().get() == before
    assert ReportUpdate.objects.count() == 0
    assert AuditEntry.objects.filter(action="report.status").count() == 0
    assert callbacks == []
    assert Notification.objects.count() == 0


def test_duplicate_needs_the_original_report(region):
    staff = region.people["kreis_staff"]
    report = make_report(region)
    for duplicate_of in (None, report):
        with pytest.raises(ValidationError) as error:
            services.report_change_status(
                actor=staff, report=report, status=ReportStatus.DUPLICATE, duplicate_of=duplicate_of
            )
        assert "duplicate_of" in error_fields(error)
    assert Report.objects.get(pk=report.pk).status == ReportStatus.OPEN
    assert ReportUpdate.objects.count() == 0


def test_the_original_of_a_duplicate_must_be_a_public_report(region):
    """An unconfirmed report is not public; pointing readers to it would show them nothing (or leak it)."""
    staff = region.people["kreis_staff"]
    report = make_report(region)
    unconfirmed = make_report(region, status=ReportStatus.UNCONFIRMED, email="anonym@example.org")
    with pytest.raises(ValidationError) as error:
        services.report_change_status(
            actor=staff, report=report, status=ReportStatus.DUPLICATE, duplicate_of=unconfirmed
        )
    assert "duplicate_of" in error_fields(error)
    assert Report.objects.get(pk=report.pk).status == ReportStatus.OPEN


def test_reopening_a_duplicate_forgets_its_original(region):
    staff = region.people["kreis_staff"]
    original = make_report(region)
    report = make_report(region, point=moved(DORF_POINT, north_m=5))
    services.report_change_status(actor=staff, report=report, status=ReportStatus.DUPLICATE, duplicate_of=original)
    services.report_change_status(actor=staff, report=report, status=ReportStatus.OPEN)
    assert Report.objects.get(pk=report.pk).duplicate_of is None


def test_fixed_sets_fixed_at(region):
    report = make_report(region, status=ReportStatus.IN_PROGRESS)
    moment = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        services.report_change_status(actor=region.people["kreis_staff"], report=report, status=ReportStatus.FIXED)
    report.refresh_from_db()
    assert report.fixed_at == moment
    assert report.updated_at == moment
    assert report.followup_sent_at is None


def test_reporter_and_supporters_hear_of_a_change_with_the_public_message(region, django_capture_on_commit_callbacks):
    people = region.people
    report = make_report(region, reporter=people["citizen"])
    services.report_support(user=people["neighbour"], report=report)
    services.report_support(user=people["neighbour2"], report=report)
    message = "Wir beheben den Schaden am Montag."
    with django_capture_on_commit_callbacks(execute=True):
        services.report_change_status(
            actor=people["kreis_staff"], report=report, status=ReportStatus.IN_PROGRESS, message=message
        )
    followers = [people["citizen"], people["neighbour"], people["neighbour2"]]
    for person in followers:
        (notification,) = Notification.objects.filter(recipient=person)
        assert notification.body == message
        assert str(report.pk) in notification.title
        (sent,) = mails_to(person.email)
        assert message in sent.body
    assert Notification.objects.count() == 3  # not the staff member
    assert {address for m in mail.outbox for address in m.to} == {person.email for person in followers}


def test_a_reporter_without_account_hears_of_a_change_by_e_mail(region, django_capture_on_commit_callbacks):
    report = make_report(region, email="anonym@example.org")
    message = "Das Schlagloch ist verfüllt."
    with django_capture_on_commit_callbacks(execute=True):
        services.report_change_status(
            actor=region.people["kreis_staff"], report=report, status=ReportStatus.FIXED, message=message
        )
    (sent,) = mails_to("anonym@example.org")
    assert message in sent.body
    assert f"/maengelmelder/{report.pk}/" in sent.body
    assert Notification.objects.count() == 0
    assert len(mail.outbox) == 1


def test_bulk_status_skips_reports_for_which_the_step_is_not_allowed(region):
    staff = region.people["kreis_staff"]
    reports = [
        make_report(region),
        make_report(region, status=ReportStatus.IN_PROGRESS),
        make_report(region, status=ReportStatus.NOT_RESPONSIBLE),
        make_report(region, status=ReportStatus.UNCONFIRMED, email="a@example.org"),
    ]
    assert services.report_bulk_status(actor=staff, reports=reports, status=ReportStatus.FIXED) == (2, 2)
    assert [Report.objects.get(pk=r.pk).status for r in reports] == [
        ReportStatus.FIXED, ReportStatus.FIXED, ReportStatus.NOT_RESPONSIBLE, ReportStatus.UNCONFIRMED
    ]  # fmt: skip


# --- forwarding ------------------------------------------------------------------------------------------------


def test_forwarding_moves_the_report_to_the_other_body(region, django_capture_on_commit_callbacks):
    people = region.people
    report = make_report(region, status=ReportStatus.IN_PROGRESS, reporter=people["citizen"])
    services.report_assign(actor=people["kreis_staff"], reports=[report], assignee=people["kreis_staff"])
    assert [target.organisation for target in services.forward_targets(report)] == [region.lbm]
    with django_capture_on_commit_callbacks(execute=True):
        services.report_forward(
            actor=people["kreis_staff"], report=report, organisation=region.lbm, message="Landesstraße: LBM."
        )
    report.refresh_from_db()
    assert (report.organisation, report.status, report.assignee) == (region.lbm, ReportStatus.OPEN, None)
    history = list(report.updates.values_list("status", "organisation__slug", "message"))
    assert history[0] == (ReportStatus.NOT_RESPONSIBLE, "kreis", "Landesstraße: LBM.")
    assert history[1][:2] == (ReportStatus.OPEN, "lbm")
    assert len(history) == 2
    (forwarded,) = mails_to(LBM_FORWARD)
    assert f"/verwaltung/lbm/meldungen/{report.pk}/" in forwarded.body
    assert mails_to(KREIS_FORWARD) == []
    assert len(mails_to(people["citizen"].email)) == 1  # the reporter is told
    assert set(AuditEntry.objects.filter(action="report.forward").values_list("organisation__slug", flat=True)) == {
        "kreis",
        "lbm",
    }
    # The new body's staff now handle it, the old body's staff no longer may.
    services.report_change_status(actor=people["lbm_staff"], report=report, status=ReportStatus.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        services.report_change_status(actor=people["kreis_staff"], report=report, status=ReportStatus.FIXED)


def test_forwarding_to_a_body_that_does_not_handle_the_category_is_refused(region):
    report = make_report(region)
    for organisation in (region.vg, region.kreis, region.anderswo):
        with pytest.raises(ValidationError) as error:
            services.report_forward(actor=region.people["kreis_admin"], report=report, organisation=organisation)
        assert "organisation" in error_fields(error)
    report.refresh_from_db()
    assert (report.organisation, report.status) == (region.kreis, ReportStatus.OPEN)
    assert ReportUpdate.objects.count() == 0


def test_only_open_reports_can_be_forwarded(region):
    report = make_report(region, status=ReportStatus.FIXED)
    with pytest.raises(ValidationError):
        services.report_forward(actor=region.people["kreis_staff"], report=report, organisation=region.lbm)
    assert Report.objects.get(pk=report.pk).organisation == region.kreis


@pytest.mark.parametrize("persona", ["lbm_staff", "anderswo_admin", "vg_staff", "citizen"])
def test_staff_of_another_organisation_may_not_forward(region, persona):
    report = make_report(region)
    with pytest.raises(PermissionDenied):
        services.report_forward(actor=region.people[persona], report=report, organisation=region.lbm)
    report.refresh_from_db()
    assert (report.organisation, report.status) == (region.kreis, ReportStatus.OPEN)
    assert ReportUpdate.objects.count() == 0
    assert not AuditEntry.objects.filter(action="report.forward").exists()


# --- support ---------------------------------------------------------------------------------------------------


def test_a_user_supports_a_report_once(region):
    report = make_report(region, reporter=region.people["citizen"])
    assert services.report_support(user=region.people["neighbour"], report=report) is True
    assert services.report_support(user=region.people["neighbour"], report=report) is False
    assert Report.objects.get(pk=report.pk).supporters_count == 1
    assert services.report_support(user=region.people["neighbour2"], report=report) is True
    assert Report.objects.get(pk=report.pk).supporters_count == 2
    assert Supporter.objects.filter(report=report).count() == 2


def test_the_own_report_cannot_be_supported(region):
    report = make_report(region, reporter=region.people["citizen"])
    with pytest.raises(ValidationError):
        services.report_support(user=region.people["citizen"], report=report)
    assert Report.objects.get(pk=report.pk).supporters_count == 0
    assert not Supporter.objects.exists()


@pytest.mark.parametrize(
    "state",
    [
        {"status": ReportStatus.FIXED},
        {"status": ReportStatus.REJECTED},
        {"status": ReportStatus.UNCONFIRMED, "email": "a@example.org"},
        {"hidden": True, "hidden_reason": "Beleidigung"},
    ],
    ids=["fixed", "rejected", "unconfirmed", "hidden"],
)
def test_closed_unconfirmed_or_hidden_reports_cannot_be_supported(region, state):
    report = make_report(region, **state)
    with pytest.raises(ValidationError):
        services.report_support(user=region.people["neighbour"], report=report)
    assert Report.objects.get(pk=report.pk).supporters_count == 0
    assert not Supporter.objects.exists()


# --- follow-up -------------------------------------------------------------------------------------------------

FIXED_AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_the_follow_up_question_goes_out_once_four_weeks_after_fixed(region):
    citizen = region.people["citizen"]
    with time_machine.travel(FIXED_AT, tick=False):
        report = make_report(region, status=ReportStatus.IN_PROGRESS, reporter=citizen)
        services.report_change_status(actor=region.people["kreis_staff"], report=report, status=ReportStatus.FIXED)
        still_open = make_report(region, reporter=region.people["neighbour"])
    mail.outbox.clear()

    with time_machine.travel(FIXED_AT + timedelta(weeks=4) - timedelta(hours=1), tick=False):
        assert services.send_followups() == 0
    assert mail.outbox == []

    later = FIXED_AT + timedelta(weeks=4, hours=1)
    with time_machine.travel(later, tick=False):
        assert services.send_followups() == 1
    (question,) = mail.outbox
    assert question.to == [citizen.email]
    assert f"/maengelmelder/nachfrage/{report.confirm_token}/" in question.body
    assert Report.objects.get(pk=report.pk).followup_sent_at == later
    assert Report.objects.get(pk=still_open.pk).followup_sent_at is None

    with time_machine.travel(later + timedelta(days=3), tick=False):
        assert services.send_followups() == 0
    assert len(mail.outbox) == 1


def _fixed_and_asked(region: Region) -> Report:
    return make_report(
        region,
        status=ReportStatus.FIXED,
        reporter=region.people["citizen"],
        fixed_at=FIXED_AT,
        followup_sent_at=FIXED_AT + timedelta(weeks=4),
    )


def test_follow_up_answer_not_fixed_reopens_the_report(region):
    report = _fixed_and_asked(region)
    services.followup_answer(token=str(report.confirm_token), fixed=False)
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN
    assert report.fixed_at is None
    (update,) = report.updates.all()
    assert (update.status, update.organisation) == (ReportStatus.OPEN, region.kreis)
    assert "besteht" in update.message
    assert AuditEntry.objects.filter(action="report.reopen", object_id=str(report.pk)).count() == 1
    # A second click changes nothing more.
    services.followup_answer(token=str(report.confirm_token), fixed=False)
    assert report.updates.count() == 1


def test_follow_up_answer_fixed_keeps_the_report_fixed_and_records_the_confirmation(region):
    report = _fixed_and_asked(region)
    services.followup_answer(token=str(report.confirm_token), fixed=True)
    report.refresh_from_db()
    assert (report.status, report.fixed_at) == (ReportStatus.FIXED, FIXED_AT)
    assert report.fix_confirmed_at is not None
    (update,) = report.updates.all()
    assert (update.status, update.author) == (ReportStatus.FIXED, None)
    assert "bestätigt" in update.message
    # A second click changes nothing more.
    services.followup_answer(token=str(report.confirm_token), fixed=True)
    assert report.updates.count() == 1


def test_follow_up_answer_with_an_unknown_token_is_refused(region):
    _fixed_and_asked(region)
    with pytest.raises(ValidationError):
        services.followup_answer(token="00000000-0000-4000-8000-000000000000", fixed=False)
    assert Report.objects.get().status == ReportStatus.FIXED


# --- moderation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_hiding_a_report_needs_a_reason(region, reason):
    report = make_report(region)
    with pytest.raises(ValidationError) as error:
        services.report_hide(actor=region.people["kreis_staff"], report=report, reason=reason)
    assert "reason" in error_fields(error)
    assert Report.objects.get(pk=report.pk).hidden is False
    assert not AuditEntry.objects.filter(action="report.hide").exists()


def test_a_hidden_report_keeps_its_data_as_a_placeholder_and_is_audited(region):
    moderator = region.people["kreis_staff"]
    report = make_report(region, description="Beleidigender Text")
    services.report_hide(actor=moderator, report=report, reason="Beleidigung einer Person")
    report.refresh_from_db()
    assert (report.hidden, report.hidden_reason) == (True, "Beleidigung einer Person")
    assert report.description == "Beleidigender Text"  # hidden, never deleted
    assert Report.objects.public().filter(pk=report.pk).exists()  # the page shows a placeholder
    assert services.nearby_open_reports(category=region.road, lon=DORF_POINT[0], lat=DORF_POINT[1]) == []
    (entry,) = AuditEntry.objects.filter(action="report.hide", object_id=str(report.pk))
    assert (entry.actor, entry.organisation) == (moderator, region.kreis)
    assert entry.changes["reason"] == "Beleidigung einer Person"

    services.report_hide(actor=moderator, report=report, reason="", hidden=False)
    report.refresh_from_db()
    assert (report.hidden, report.hidden_reason) == (False, "")
    assert AuditEntry.objects.filter(action="report.unhide", object_id=str(report.pk)).count() == 1


@pytest.mark.parametrize("persona", ["citizen", "neighbour", "lbm_staff", "anderswo_admin", "dorf_staff"])
def test_hiding_needs_the_moderation_permission(region, persona):
    report = create(region, photos=[jpeg_upload()])
    photo = report.photos.get()
    actor = region.people[persona]
    with pytest.raises(PermissionDenied):
        services.report_hide(actor=actor, report=report, reason="Grund")
    with pytest.raises(PermissionDenied):
        services.photo_hide(actor=actor, photo=photo, reason="Grund")
    assert Report.objects.get(pk=report.pk).hidden is False
    assert ReportPhoto.objects.get(pk=photo.pk).hidden is False
    assert not AuditEntry.objects.filter(action__startswith="report.").exists()


def test_hiding_a_photo_needs_a_reason_keeps_the_file_and_is_audited(region):
    moderator = region.people["kreis_admin"]
    report = create(region, photos=[jpeg_upload("eins.jpg"), jpeg_upload("zwei.jpg")])
    photo, other = report.photos.order_by("position")
    with pytest.raises(ValidationError) as error:
        services.photo_hide(actor=moderator, photo=photo, reason=" ")
    assert "reason" in error_fields(error)
    assert ReportPhoto.objects.get(pk=photo.pk).hidden is False

    services.photo_hide(actor=moderator, photo=photo, reason="Gesicht erkennbar")
    photo.refresh_from_db()
    assert (photo.hidden, photo.hidden_reason) == (True, "Gesicht erkennbar")
    assert photo.image.storage.exists(photo.image.name)
    assert ReportPhoto.objects.get(pk=other.pk).hidden is False
    assert [p.pk for p in Report.objects.for_list().get(pk=report.pk).photos.all()] == [other.pk]
    (entry,) = AuditEntry.objects.filter(action="report.photo_hide", object_id=str(report.pk))
    assert entry.actor == moderator
    assert entry.changes == {"photo": photo.pk, "reason": "Gesicht erkennbar"}


# --- area alerts -----------------------------------------------------------------------------------------------


def unsubscribe_url(alert: AreaAlert) -> str:
    return settings.SITE_URL + reverse("reports:alert_unsubscribe", kwargs={"token": alert.token})


def subscribed(email: str, *, confirm: bool = True, **area: Any) -> AreaAlert:
    area.setdefault("frequency", AlertFrequency.IMMEDIATE)
    if "organisation" not in area:
        area.setdefault("lon", DORF_POINT[0])
        area.setdefault("lat", DORF_POINT[1])
        area.setdefault("radius_m", 500)
    alert = alerts.alert_subscribe(email=email, **area)
    if confirm:
        alert = alerts.alert_confirm(token=str(alert.token))
    return alert


@pytest.mark.parametrize("area", ["radius", "organisation"])
def test_subscribing_sends_a_confirmation_link(region, area):
    if area == "radius":
        alert = alerts.alert_subscribe(
            email="anwohner@example.org", frequency="immediate", lon=DORF_POINT[0], lat=DORF_POINT[1], radius_m=800
        )
        assert (alert.radius_m, alert.organisation) == (800, None)
        assert alert.min_lon < DORF_POINT[0] < alert.max_lon and alert.min_lat < DORF_POINT[1] < alert.max_lat
    else:
        alert = alerts.alert_subscribe(email="anwohner@example.org", frequency="daily", organisation=region.dorf)
        assert alert.organisation == region.dorf
    assert alert.confirmed_at is None
    (confirmation,) = mail.outbox
    assert confirmation.to == ["anwohner@example.org"]
    assert f"/maengelmelder/benachrichtigung/{alert.token}/bestaetigen/" in confirmation.body
    confirmed = alerts.alert_confirm(token=str(alert.token))
    assert confirmed.confirmed_at is not None and confirmed.active


@pytest.mark.parametrize("radius", [None, 0, 49, 20_001, 1_000_000])
def test_a_radius_out_of_range_is_refused(region, radius):
    with pytest.raises(ValidationError) as error:
        alerts.alert_subscribe(
            email="a@example.org", frequency="immediate", lon=DORF_POINT[0], lat=DORF_POINT[1], radius_m=radius
        )
    assert "radius_m" in error_fields(error)
    assert not AreaAlert.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("radius", [50, 20_000])
def test_the_radius_limits_are_inclusive(region, radius):
    alerts.alert_subscribe(
        email="a@example.org", frequency="immediate", lon=DORF_POINT[0], lat=DORF_POINT[1], radius_m=radius
    )
    assert AreaAlert.objects.get().radius_m == radius


def test_immediate_alerts_reach_confirmed_subscribers_inside_the_radius_only(
    region, django_capture_on_commit_callbacks
):
    inside = subscribed("nah@example.org", radius_m=500)
    subscribed("unbestaetigt@example.org", confirm=False, radius_m=500)
    subscribed("fern@example.org", lon=KREIS_POINT[0], lat=KREIS_POINT[1], radius_m=500)
    # The report lies inside this alert's bounding square but 566 m from its centre.
    corner = moved(DORF_POINT, north_m=400, east_m=400)
    subscribed("ecke@example.org", lon=corner[0], lat=corner[1], radius_m=500)
    daily = subscribed("taeglich@example.org", frequency=AlertFrequency.DAILY, radius_m=500)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        create(region)
    (alert_mail,) = mails_to("nah@example.org")
    assert alert_mail.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url(inside)}>"
    assert alert_mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url(inside) in alert_mail.body
    for address in ("unbestaetigt@example.org", "fern@example.org", "ecke@example.org", daily.email):
        assert mails_to(address) == [], address


def test_an_alert_covers_its_whole_radius(region, django_capture_on_commit_callbacks):
    """A report 19.99 km away is inside a 20 km radius, so the bounding-box prefilter must not drop it."""
    subscribed("weit@example.org", radius_m=20_000)
    point = moved(DORF_POINT, north_m=19_990)
    assert services.distance_m(DORF_POINT[0], DORF_POINT[1], *point) <= 20_000
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        create(region, lon=point[0], lat=point[1])
    assert len(mails_to("weit@example.org")) == 1


def test_an_unconfirmed_report_alerts_nobody_until_it_is_confirmed(region, django_capture_on_commit_callbacks):
    subscribed("nah@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = create(region, user=None, email="anonym@example.org")
    assert mails_to("nah@example.org") == []
    with django_capture_on_commit_callbacks(execute=True):
        services.report_confirm(token=str(report.confirm_token))
    assert len(mails_to("nah@example.org")) == 1


def test_an_organisation_alert_matches_points_in_the_organisation_area(region, django_capture_on_commit_callbacks):
    subscribed("dorf-news@example.org", organisation=region.dorf)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        # Handled by the Landkreis, but inside the Ortsgemeinde's area.
        in_area = create(region, category=region.road)
    assert in_area.organisation == region.kreis
    assert len(mails_to("dorf-news@example.org")) == 1
    with django_capture_on_commit_callbacks(execute=True):
        create(region, category=region.light, lon=VG_POINT[0], lat=VG_POINT[1], attributes={"mast": "M-3"})
        create(region, category=region.road, lon=KREIS_POINT[0], lat=KREIS_POINT[1])
    assert len(mails_to("dorf-news@example.org")) == 1


def test_unsubscribing_stops_the_alerts_and_resubscribing_resumes_them(region, django_capture_on_commit_callbacks):
    alert = subscribed("nah@example.org")
    mail.outbox.clear()
    alerts.alert_set_active(token=str(alert.token), active=False)
    with django_capture_on_commit_callbacks(execute=True):
        create(region)
    assert mails_to("nah@example.org") == []
    alerts.alert_set_active(token=str(alert.token), active=True)
    with django_capture_on_commit_callbacks(execute=True):
        create(region, description="Noch ein Schlagloch")
    assert len(mails_to("nah@example.org")) == 1


def test_daily_digests_run_in_batches_and_reach_every_subscriber(region, monkeypatch, tasks):
    monkeypatch.setattr(alerts, "BATCH", 2)
    start = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        subscribers = [
            subscribed(f"digest{n}@example.org", frequency=AlertFrequency.DAILY, radius_m=1000) for n in range(5)
        ]
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        make_report(region, reporter=region.people["citizen"])
    mail.outbox.clear()

    digest_time = start + timedelta(days=1)
    with time_machine.travel(digest_time, tick=False):
        alerts.start_daily_digests()
    for alert in subscribers:
        (digest,) = mails_to(alert.email)
        assert digest.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url(alert)}>"
        assert AreaAlert.objects.get(pk=alert.pk).last_sent_at == digest_time
    runs = [list(result.args) for result in tasks["enqueued"] if result.task.name == "send_daily_digests"]
    assert runs == [[0], [subscribers[1].pk], [subscribers[3].pk]]

    mail.outbox.clear()
    with time_machine.travel(digest_time + timedelta(days=1), tick=False):
        alerts.start_daily_digests()
    assert mail.outbox == []  # nothing new, no digest


def test_immediate_alerts_are_sent_in_batches(region, monkeypatch, tasks, django_capture_on_commit_callbacks):
    monkeypatch.setattr(alerts, "BATCH", 2)
    subscribers = [subscribed(f"sofort{n}@example.org") for n in range(5)]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = create(region)
    for alert in subscribers:
        assert len(mails_to(alert.email)) == 1
    runs = [list(result.args) for result in tasks["enqueued"] if result.task.name == "send_immediate_alerts"]
    assert runs == [[report.pk], [report.pk, subscribers[1].pk], [report.pk, subscribers[3].pk]]
