"""Sign-language (DGS) pages: videos of the portal and of organisations, their checks, serving and management."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mitwirken.core.models import AuditEntry
from mitwirken.organisations import services
from mitwirken.organisations.models import SignLanguageVideo

from .conftest import PERSONAS

pytestmark = pytest.mark.django_db

MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 256
WEBM = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"
    + b"\x00" * 64
)
VTT = b"WEBVTT\n\n00:00.000 --> 00:04.000\nWillkommen im Beteiligungsportal.\n"


def video_file(data=MP4, name="erklaerung.mp4"):
    return SimpleUploadedFile(name, data, content_type="video/mp4")


def captions_file(data=VTT):
    return SimpleUploadedFile("untertitel.vtt", data, content_type="text/vtt")


def add_video(world, organisation=None, **extra):
    actor = world.personas["portal_admin"] if organisation is None else world.personas["case_worker"]
    data = {"title": "Das Portal erklärt", "text_version": "Im Video wird das Portal erklärt.", **extra}
    if "external_url" not in extra:
        data.setdefault("video", video_file())
        data.setdefault("captions", captions_file())
    return services.sign_language_video_add(actor=actor, organisation=organisation, **data)


def test_page_without_videos_says_how_to_get_help(world, settings):
    settings.PORTAL_CONTACT_EMAIL = "dgs@portal.example"
    html = world.client("anonymous").get("/gebaerdensprache/").content.decode()
    assert "Hier gibt es noch keine Videos in Deutscher Gebärdensprache." in html
    assert "mailto:dgs@portal.example" in html and "Gebärdensprachdolmetschung" in html
    assert "werden vom Betreiber des Portals bereitgestellt" not in html  # the old placeholder
    assert "<video" not in html


def test_portal_page_lists_portal_videos_with_captions_and_text(world):
    item = add_video(world)
    linked = add_video(world, title="Stellungnahme abgeben", external_url="https://video.land.example/dgs/42")
    add_video(world, organisation=world.organisation, title="Nur beim Landkreis")
    html = world.client("anonymous").get("/gebaerdensprache/").content.decode()
    assert f'<source src="/gebaerdensprache/videos/{item.pk}/" type="video/mp4">' in html
    assert f'<track kind="captions" src="/gebaerdensprache/untertitel/{item.pk}.vtt" srclang="de"' in html
    assert "Im Video wird das Portal erklärt." in html
    assert linked.external_url in html
    assert "Nur beim Landkreis" not in html
    assert "Hier gibt es noch keine Videos" not in html


def test_organisation_page_lists_its_videos_and_its_contact(world):
    organisation = world.organisation
    organisation.contact_email = "buergerservice@musterkreis.example"
    organisation.save()
    page = f"/{organisation.slug}/gebaerdensprache/"
    empty = world.client("anonymous").get(page).content.decode()
    assert "Hier gibt es noch keine Videos" in empty and "mailto:buergerservice@musterkreis.example" in empty
    add_video(world, organisation=organisation, title="Der Kreistag")
    html = world.client("anonymous").get(page).content.decode()
    assert "Der Kreistag" in html and "<video" in html
    other = world.client("anonymous").get(f"/{world.other_organisation.slug}/gebaerdensprache/").content.decode()
    assert "Der Kreistag" not in other


def test_video_and_captions_are_served_with_safe_headers(world):
    item = add_video(world, video=video_file(WEBM, "film.webm"))
    client = world.client("anonymous")
    video = client.get(f"/gebaerdensprache/videos/{item.pk}/")
    assert video["Content-Type"] == "video/webm" and video["X-Content-Type-Options"] == "nosniff"
    assert b"".join(video.streaming_content) == WEBM
    captions = client.get(f"/gebaerdensprache/untertitel/{item.pk}.vtt")
    assert captions["Content-Type"].startswith("text/vtt")
    assert b"".join(captions.streaming_content).startswith(b"WEBVTT")
    linked = add_video(world, external_url="https://video.land.example/1")
    assert client.get(f"/gebaerdensprache/videos/{linked.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"video": video_file(b"%PDF-1.4 not a video", "a.mp4")}, "MP4 oder WebM"),
        ({"captions": captions_file(b"1\n00:00:00,000 --> 00:00:01,000\nSRT\n")}, "WebVTT"),
        ({"captions": None}, "Untertitel als WebVTT-Datei"),
        ({"external_url": "http://video.example/1"}, "https://"),
    ],
)
def test_bad_uploads_are_refused_in_german_and_nothing_is_saved(world, extra, message):
    with pytest.raises(Exception, match=message):
        add_video(world, **extra)
    assert not SignLanguageVideo.objects.exists()


def test_size_limit(world, settings):
    settings.MITWIRKEN_MAX_VIDEO_BYTES = 100
    with pytest.raises(Exception, match="zu groß"):
        add_video(world)


def test_backoffice_add_edit_delete(world):
    client = world.client("case_worker")
    url = f"/verwaltung/{world.organisation.slug}/gebaerdensprache/"
    response = client.post(url, {"title": "Bürgerbeteiligung", "text_version": "Text", "video": video_file()})
    assert "Bitte laden Sie zum Video die Untertitel" in response.content.decode()
    client.post(url, {"title": "Bürgerbeteiligung", "text_version": "Text", "video": video_file(),
                      "captions": captions_file()})  # fmt: skip
    item = SignLanguageVideo.objects.get(organisation=world.organisation)
    client.post(f"{url}{item.pk}/", {"title": "Bürgerbeteiligung im Kreis", "text_version": "Neuer Text"})
    item.refresh_from_db()
    assert (item.title, item.text_version) == ("Bürgerbeteiligung im Kreis", "Neuer Text")
    client.post(f"{url}{item.pk}/", {"action": "delete"})
    assert not SignLanguageVideo.objects.exists()
    assert {"sign_language_video.add", "sign_language_video.update", "sign_language_video.delete"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )


# --- permission matrix: personas × (portal, own organisation, other organisation) -------------------------------

ALLOWED = {
    "portal": {"portal_admin"},
    "own": {"case_worker", "org_admin", "portal_admin"},
    "other": {"other_org_admin", "portal_admin"},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("scope", ["portal", "own", "other"])
def test_management_matrix(world, persona, scope):
    organisation = {"portal": None, "own": world.organisation, "other": world.other_organisation}[scope]
    base = (
        "/verwaltung/gebaerdensprache/"
        if organisation is None
        else f"/verwaltung/{organisation.slug}/gebaerdensprache/"
    )
    item = SignLanguageVideo.objects.create(
        organisation=organisation, title="Vorhanden", text_version="Text", external_url="https://video.example/1"
    )
    client = world.client(persona)
    allowed = persona in ALLOWED[scope]
    listing = client.get(base)
    added = client.post(base, {"title": "Neu", "text_version": "Text", "external_url": "https://video.example/2"})
    deleted = client.post(f"{base}{item.pk}/", {"action": "delete"})
    assert SignLanguageVideo.objects.filter(title="Neu").exists() == allowed
    assert SignLanguageVideo.objects.filter(pk=item.pk).exists() != allowed
    if allowed:
        assert listing.status_code == 200 and added.status_code == 302 and deleted.status_code == 302
    else:
        assert {listing.status_code, added.status_code, deleted.status_code} <= {302, 404}
        if persona != "anonymous":
            assert listing.status_code == 404
    user = world.personas[persona]
    if user is not None:
        assert user.has_perm("organisations.manage_sign_language_videos", organisation) == allowed
