"""Uploads (issue 10): every stored file is checked by content; images re-encoded; bombs, active PDFs refused.

The hostile files come from ``tests/corpora.py``; each upload field of the portal gets the whole corpus
through its service (the check the views call), and the views that serve files are checked for their headers.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from mitwirken.core import uploads
from mitwirken.formal import services as formal_services
from mitwirken.formal.models import Document, Statement, StatementAttachment
from mitwirken.organisations import services as org_services
from mitwirken.projects import services as project_services
from mitwirken.reports import services as report_services

from . import corpora
from .formal_fixtures import make_procedure
from .test_formal import ADDRESS, submit, urls

pytestmark = pytest.mark.django_db


def as_upload(item: corpora.HostileFile) -> SimpleUploadedFile:
    return SimpleUploadedFile(item.name, item.content, content_type=item.content_type)


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def procedure(world: Any) -> Any:
    return make_procedure(world.personas["case_worker"], world.public)


@pytest.fixture
def track(procedure: Any) -> Any:
    return procedure.rounds.get().tracks.get()


# --- the checks themselves, over the whole corpus -------------------------------------------------------------------


@pytest.mark.parametrize("item", corpora.hostile_files(), ids=lambda item: item.label)
@pytest.mark.parametrize("check", ["attachment", "document"])
def test_every_hostile_file_is_refused_or_neutralised(item: corpora.HostileFile, check: str) -> None:
    upload = as_upload(item)
    try:
        if check == "attachment":
            checked = uploads.check_attachment(upload)
            stored, name = checked.content.read(), checked.content.name
        else:
            document = uploads.check_document(upload, max_bytes=10**9)
            stored, name = document.upload.read(), f"x.{document.extension}"
    except ValidationError as error:
        assert item.expect == "refuse", f"{item.label} was refused: {error.messages}"
        assert error.messages and all(message.strip() for message in error.messages)
        return
    assert item.expect == "neutralise", f"{item.label} ({item.why}) was accepted"
    if name.endswith((".jpg", ".png")):
        assert not corpora.has_gps(stored), "EXIF survived"
        assert b"<script" not in stored and b"<!doctype" not in stored.lower(), "the polyglot's HTML survived"
        Image.open(io.BytesIO(stored)).verify()


def test_corpus_covers_the_classes_the_issue_names() -> None:
    labels = {item.label for item in corpora.hostile_files()}
    for needed in ["exe as pdf", "svg with script", "html", "jpeg/html polyglot", "exif gps jpeg", "png bomb 7700",
                   "pdf with javascript", "zip bomb docx", "traversal name", "header injection name"]:  # fmt: skip
        assert needed in labels
    assert len(corpora.png_bomb(7700, 7700)) < 200_000  # small on disk ...
    assert (
        uploads.image_pixels(SimpleUploadedFile("b.png", corpora.png_bomb(7700, 7700))) > 2 * uploads.MAX_IMAGE_PIXELS
    )


def test_image_pixel_limit_is_what_a_photo_needs() -> None:
    assert Image.MAX_IMAGE_PIXELS == uploads.MAX_IMAGE_PIXELS <= 25_000_000
    with pytest.raises(ValidationError, match="mehr als 50 Megapixel"):  # 59.3: Pillow stops at the header
        uploads.reencode_image(SimpleUploadedFile("b.png", corpora.png_bomb(7700, 7700)))
    with pytest.raises(ValidationError, match="36,0 Megapixel"):
        uploads.reencode_image(SimpleUploadedFile("b.png", corpora.png_bomb(6000, 6000)))
    with pytest.raises(ValidationError, match="mehr als 50 Megapixel"):
        uploads.reencode_image(SimpleUploadedFile("b.png", corpora.png_bomb(30000, 30000, complete=False)))
    # a 12-megapixel photo is fine
    assert (
        uploads.reencode_image(SimpleUploadedFile("ok.png", corpora.png_bomb(4000, 3000))).content_type == "image/png"
    )


def test_pillow_decompression_bomb_warning_is_a_validation_message(monkeypatch: Any) -> None:
    """Pillow's warning (between its limit and twice that) must never pass as "accepted"."""
    monkeypatch.setattr(uploads, "MAX_IMAGE_PIXELS", 10**9)  # our own header check out of the way
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ValidationError, match="zu groß"):
        uploads.reencode_image(SimpleUploadedFile("p.png", corpora.png((40, 40))))


def test_pixels_are_limited_per_request() -> None:
    photos = [SimpleUploadedFile(f"f{n}.png", corpora.png_bomb(5000, 4800)) for n in range(3)]  # 24 MP each
    with pytest.raises(ValidationError) as error:
        report_services.check_photos(photos)
    assert "zusammen zu groß" in str(error.value.message_dict["photos"])
    report_services.check_photos(photos[:2])  # 48 MP in one request is allowed


def test_pdf_scan_keeps_legitimate_pdfs_and_names_that_merely_start_alike() -> None:
    uploads.check_pdf(io.BytesIO(corpora.clean_pdf()))
    uploads.check_pdf(io.BytesIO(corpora.pdf_with(b"/OpenAction [3 0 R /Fit] /JSONData (x) /AAA 1")))
    uploads.check_pdf(io.BytesIO(corpora.pdf_object_stream(b"<< /S /GoTo /D [3 0 R /Fit] >>")))
    # a name cut at the scanner's chunk boundary is still seen
    padded = corpora.pdf_with(b"/Padding (" + b"x" * (uploads.PDF_CHUNK - 260) + b") /OpenAction << /S /JavaScript >>")
    with pytest.raises(ValidationError, match="JavaScript"):
        uploads.check_pdf(io.BytesIO(padded))


def test_office_files_are_accepted_unless_they_are_bombs() -> None:
    for kind in ("docx", "xlsx", "odt"):
        uploads.check_zip(io.BytesIO(corpora.office_zip(kind)))
    with pytest.raises(ValidationError, match="ungewöhnlich großen Datenmenge"):
        uploads.check_zip(io.BytesIO(corpora.hostile("zip bomb docx").content))


def test_safe_filename_keeps_everything_but_separators() -> None:
    assert uploads.safe_filename("Plan 1/2 (Entwurf).pdf") == "Plan 1_2 (Entwurf).pdf"
    assert uploads.safe_filename("../../etc/passwd") == "etc_passwd"
    assert uploads.safe_filename('a"\r\nSet-Cookie: x') == "a_Set-Cookie_ x"
    assert uploads.safe_filename("rechnung\u202egpj.exe") == "rechnunggpj.exe"
    assert uploads.safe_filename("Ärger über Lärm.pdf") == "Ärger über Lärm.pdf"
    assert uploads.safe_filename("") == "datei"


# --- every upload field stores only checked files -------------------------------------------------------------------


def test_plan_document_image_is_reencoded_without_gps_and_served_without_it(
    world: Any, procedure: Any, track: Any
) -> None:
    photo = SimpleUploadedFile("luftbild.jpg", corpora.jpeg(gps=True), content_type="image/jpeg")
    assert uploads.image_gps(photo) is not None  # the test file really carries a position
    document = formal_services.document_add(actor=world.personas["case_worker"], procedure=procedure, track=track,
                                            title="Luftbild", upload=photo)  # fmt: skip
    response = world.client("anonymous").get(f"{urls(procedure, track)['base']}/unterlagen/{document.pk}/")
    assert response.status_code == 200
    served = body(response)
    assert not corpora.has_gps(served)
    assert document.content_type == "image/jpeg" and document.size == len(served)


@pytest.mark.parametrize("label", ["png bomb 30000", "png bomb 7700", "pdf with javascript", "zip bomb docx",
                                   "pdf with javascript in object stream"])  # fmt: skip
def test_plan_documents_refuse_bombs_and_active_content(world: Any, procedure: Any, track: Any, label: str) -> None:
    with pytest.raises(ValidationError) as error:
        formal_services.document_add(actor=world.personas["case_worker"], procedure=procedure, track=track,
                                     title="Plan", upload=as_upload(corpora.hostile(label)))  # fmt: skip
    assert "upload" in error.value.message_dict
    assert not Document.objects.exists()


@pytest.mark.parametrize("label", ["pdf with javascript", "zip bomb docx", "png bomb 7700", "pdf with launch"])
def test_statement_attachments_refuse_bombs_and_active_content(
    world: Any, procedure: Any, track: Any, label: str
) -> None:
    response = world.client("citizen").post(
        urls(procedure, track)["form"],
        {"text": "Text", **ADDRESS, "attachments": as_upload(corpora.hostile(label)), "action": "review"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_attachments_error"' in html
    assert not StatementAttachment.objects.exists()


@pytest.mark.parametrize("label", ["pdf with javascript", "zip bomb docx", "pdf with embedded file"])
def test_project_attachments_refuse_bombs_and_active_content(world: Any, label: str) -> None:
    response = world.client("case_worker").post(
        reverse(
            "backoffice:project_attachments",
            kwargs={"org_slug": world.organisation.slug, "project_pk": world.public.pk},
        ),
        {"title": "Plan", "file": as_upload(corpora.hostile(label)), "action": "upload"},
    )
    assert response.status_code == 200
    assert "nicht angenommen" in response.content.decode()
    assert not world.public.attachments.exists()


def test_statement_attachment_gps_never_survives(world: Any, procedure: Any, track: Any) -> None:
    submit(world.client("citizen"), procedure, track, attachments=as_upload(corpora.hostile("exif gps jpeg")))
    attachment = Statement.objects.get().attachments.get()
    with attachment.file.open("rb") as stored:
        assert not corpora.has_gps(stored.read())


def test_logo_and_project_image_lose_gps(world: Any) -> None:
    org_services.organisation_update(actor=world.personas["org_admin"], organisation=world.organisation,
                                     logo=SimpleUploadedFile("logo.jpg", corpora.jpeg(gps=True)))  # fmt: skip
    project_services.project_update(actor=world.personas["case_worker"], project=world.public,
                                    image=SimpleUploadedFile("bild.jpg", corpora.jpeg(gps=True)), image_alt="Bild")  # fmt: skip
    world.organisation.refresh_from_db()
    world.public.refresh_from_db()
    for field in (world.organisation.logo, world.public.image):
        with field.open("rb") as stored:
            assert not corpora.has_gps(stored.read())


# --- files are served through permission-checked views with safe headers ---------------------------------------------


def assert_safe_headers(response: Any, *, attachment: bool) -> None:
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("attachment" if attachment else "inline")


def test_organisation_logo_is_served(world: Any) -> None:
    url = reverse("organisations:logo", kwargs={"org_slug": world.organisation.slug})
    assert world.client("anonymous").get(url).status_code == 404  # no logo yet
    org_services.organisation_update(actor=world.personas["org_admin"], organisation=world.organisation,
                                     logo=SimpleUploadedFile("logo.png", corpora.png()))  # fmt: skip
    response = world.client("anonymous").get(url)
    assert_safe_headers(response, attachment=False)
    assert response["Content-Type"] == "image/png"
    assert url in world.client("anonymous").get(f"/{world.organisation.slug}/").content.decode()


def test_statement_attachments_are_served_to_author_and_staff_only(world: Any, procedure: Any, track: Any) -> None:
    response, _key = submit(world.client("citizen"), procedure, track,
                            attachments=SimpleUploadedFile("Gutachten 1/2.pdf", corpora.clean_pdf()))  # fmt: skip
    statement = Statement.objects.get()
    attachment = statement.attachments.get()
    public_url = reverse("formal:receipt_attachment", kwargs={
        "org_slug": world.organisation.slug, "project_slug": world.public.slug, "module_slug": procedure.module.slug,
        "reference": statement.reference, "attachment_pk": attachment.pk})  # fmt: skip
    staff_url = reverse("backoffice:procedure_statement_attachment", kwargs={
        "org_slug": world.organisation.slug, "project_pk": world.public.pk, "module_pk": procedure.module.pk,
        "statement_pk": statement.pk, "attachment_pk": attachment.pk})  # fmt: skip
    receipt = world.client("citizen").get(response["Location"]).content.decode()
    assert public_url in receipt
    author = world.client("citizen").get(public_url)
    assert_safe_headers(author, attachment=True)
    assert body(author) == corpora.clean_pdf()
    staff = world.client("case_worker").get(staff_url)
    assert_safe_headers(staff, attachment=True)
    evaluate = world.client("case_worker").get(
        reverse("backoffice:procedure_statement", kwargs={"org_slug": world.organisation.slug, "project_pk": world.public.pk,
                                                         "module_pk": procedure.module.pk, "statement_pk": statement.pk})
    ).content.decode()  # fmt: skip
    assert staff_url in evaluate
    for persona in ("anonymous", "invited", "other_org_admin"):
        assert world.client(persona).get(public_url).status_code == 404, persona
    assert (
        world.client("other_org_admin")
        .get(staff_url.replace(world.organisation.slug, world.other_organisation.slug))
        .status_code
        == 404
    )


def test_download_names_keep_what_follows_a_slash(world: Any, procedure: Any, track: Any) -> None:
    project_services.attachment_add(actor=world.personas["case_worker"], project=world.public, title="Plan 1/2: Übersicht",
                                    upload=SimpleUploadedFile("p.pdf", corpora.clean_pdf()))  # fmt: skip
    item = world.public.attachments.get()
    response = world.client("anonymous").get(
        f"/{world.organisation.slug}/projekte/{world.public.slug}/anhaenge/{item.pk}/"
    )
    disposition = response["Content-Disposition"]
    assert "Plan%201_2_%20%C3%9Cbersicht.pdf" in disposition  # RFC 6266 filename*, nothing cut at "/"
    document = formal_services.document_add(actor=world.personas["case_worker"], procedure=procedure, track=track,
                                            title="Teil A/B", upload=SimpleUploadedFile("x.pdf", corpora.clean_pdf()))  # fmt: skip
    response = world.client("anonymous").get(f"{urls(procedure, track)['base']}/unterlagen/{document.pk}/")
    assert 'filename="Teil A_B (1. Fassung).pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
