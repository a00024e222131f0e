"""Protected hearings in headless Chromium: bulk invitations (also on a phone), the address book of public
agencies → inviting a whole group, and a forwarded invitation opened by the wrong account.

Every page reached is checked with axe-core and saved as a screenshot (see ``browser.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from mitwirken.core.demo import DEMO_TOTP_SECRET
from mitwirken.projects import services
from mitwirken.projects.models import AgencyContact, Invitation, ProjectMembership

from .factories import PASSWORD, UserFactory

if TYPE_CHECKING:
    from .browser import Browse

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def participants(world: Any) -> str:
    return f"/verwaltung/{world.organisation.slug}/projekte/{world.protected.pk}/teilnehmende/"


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_case_worker_invites_a_list_and_sees_refused_lines(new_tab: Any, world: Any, phone: bool) -> None:
    tab: Browse = new_tab(phone=phone)
    page = tab.page
    tab.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    tab.open(participants(world))
    tab.click(page.get_by_role("link", name="Mehrere Personen auf einmal einladen (Liste oder CSV-Datei)"))
    page.get_by_label("E-Mail-Adressen").fill(
        "anna@example.org\nBernd Beispiel <bernd@example.org>\nkeine-adresse\nanna@example.org\n"
        "amt@example.org; Wasserwirtschaftsamt; TöB"
    )
    tab.click(page.get_by_role("button", name="Einladungen senden"))
    assert page.get_by_role("status").filter(has_text="3 Einladungen verschickt.").is_visible()
    refused = page.locator(".refused-rows li")
    assert refused.count() == 2
    assert "Zeile 3" in refused.nth(0).inner_text() and "Zeile 4" in refused.nth(1).inner_text()
    if phone:
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert Invitation.objects.get(email="amt@example.org").role == "agency"
    assert Invitation.objects.filter(project=world.protected).count() == 3


def test_address_book_group_invited_into_a_protected_project(tab: Browse, world: Any) -> None:
    page = tab.page
    tab.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    tab.open(f"/verwaltung/{world.organisation.slug}/")
    tab.click(page.get_by_role("link", name="Adressbuch (TöB)"))
    page.get_by_label("Name der Gruppe").fill("Naturschutzverbände")
    tab.click(page.get_by_role("button", name="Gruppe anlegen"))
    for name, email in (("NABU Kreisgruppe", "nabu@example.org"), ("BUND Ortsgruppe", "bund@example.org")):
        page.get_by_label("Behörde oder Stelle").fill(name)
        page.get_by_label("E-Mail-Adresse").fill(email)
        page.get_by_label("Naturschutzverbände").check()
        tab.click(page.get_by_role("button", name="Eintrag speichern"))
    assert (
        AgencyContact.objects.filter(organisation=world.organisation, groups__name="Naturschutzverbände").count() == 2
    )
    tab.open(participants(world))
    page.get_by_label("Gruppe aus dem Adressbuch", exact=True).select_option(label="Naturschutzverbände (2)")
    tab.click(page.get_by_role("button", name="Ganze Gruppe einladen"))
    assert page.get_by_role("status").filter(has_text="2 Einladungen wurden verschickt.").is_visible()
    assert set(Invitation.objects.filter(project=world.protected).values_list("name", flat=True)) == {
        "NABU Kreisgruppe",
        "BUND Ortsgruppe",
    }


def test_wrong_account_cannot_accept_and_switches_to_the_invited_address(new_tab: Any, world: Any) -> None:
    invitation = services.invitation_create(
        actor=world.personas["case_worker"], project=world.protected, email="gemeinde@example.org"
    )
    invited = UserFactory(email="gemeinde@example.org")
    tab: Browse = new_tab(phone=True)
    page = tab.page
    tab.log_in(world.personas["citizen"].email, PASSWORD)
    tab.open(f"/einladung/{invitation.token}/", status=410)
    assert page.get_by_role("alert").filter(has_text="an eine andere E-Mail-Adresse gerichtet").is_visible()
    assert page.get_by_role("button", name="Einladung annehmen").count() == 0
    tab.click(page.get_by_role("button", name="Abmelden und mit der eingeladenen Adresse anmelden"))
    assert "/konto/login/" in page.url
    tab.submit_login(invited.email, PASSWORD)
    assert tab.path == f"/einladung/{invitation.token}/"
    tab.click(page.get_by_role("button", name="Einladung annehmen"))
    assert tab.path == world.protected.get_absolute_url()
    assert ProjectMembership.objects.filter(project=world.protected, user=invited).exists()
    assert not ProjectMembership.objects.filter(project=world.protected, user=world.personas["citizen"]).exists()


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_sign_language_page_without_and_with_videos(new_tab: Any, world: Any, settings: Any, phone: bool) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mitwirken.organisations import services as organisation_services

    settings.PORTAL_CONTACT_EMAIL = "dgs@portal.example"
    tab: Browse = new_tab(phone=phone)
    page = tab.page
    tab.open("/gebaerdensprache/")
    assert page.get_by_text("Hier gibt es noch keine Videos in Deutscher Gebärdensprache.").is_visible()
    assert page.get_by_role("link", name="dgs@portal.example").is_visible()
    mp4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 256
    vtt = b"WEBVTT\n\n00:00.000 --> 00:04.000\nWillkommen.\n"
    organisation_services.sign_language_video_add(
        actor=world.personas["portal_admin"], organisation=None, title="Was ist das Beteiligungsportal?",
        text_version="Im Beteiligungsportal stellen Behörden ihre Planungen vor.",
        video=SimpleUploadedFile("portal.mp4", mp4), captions=SimpleUploadedFile("portal.vtt", vtt),
    )  # fmt: skip
    organisation_services.sign_language_video_add(
        actor=world.personas["portal_admin"], organisation=None, title="So geben Sie eine Stellungnahme ab",
        text_version="Eine Stellungnahme schreiben Sie im Formular des Verfahrens.",
        external_url="https://video.land.example/dgs/stellungnahme",
    )  # fmt: skip
    tab.open("/gebaerdensprache/")
    video = page.locator("video")
    assert video.count() == 1
    assert video.locator("track[kind=captions]").get_attribute("srclang") == "de"
    assert page.get_by_role("link", name="Video beim Videodienst des Landes ansehen").is_visible()
    page.locator("details.dgs-text summary").first.click()
    assert page.get_by_text("Im Beteiligungsportal stellen Behörden ihre Planungen vor.").is_visible()
    tab.check_axe()
    if phone:
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    tab.screenshot()


def test_address_book_on_a_phone(new_tab: Any, world: Any) -> None:
    actor = world.personas["case_worker"]
    group = services.agency_group_save(actor=actor, organisation=world.organisation, name="Nachbargemeinden")
    for name in ("Ortsgemeinde Nordheim", "Verbandsgemeinde Südhausen-Westerwald-Mitte"):
        services.agency_contact_save(
            actor=actor, organisation=world.organisation, name=name, person="Bauamt, Frau Beispiel",
            email=f"bauamt@{name.split()[-1].lower()}.example", role="agency", groups=[group],
        )  # fmt: skip
    tab: Browse = new_tab(phone=True)
    page = tab.page
    tab.log_in(actor.email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    tab.open(f"/verwaltung/{world.organisation.slug}/adressbuch/")
    tab.click(page.get_by_role("link", name="Nachbargemeinden (2)"))
    assert page.get_by_role("heading", name="Einträge in „Nachbargemeinden“").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    tab.click(page.get_by_role("link", name="Bearbeiten Ortsgemeinde Nordheim"))
    page.get_by_label("Ansprechperson").fill("Bauamt, Herr Muster")
    tab.click(page.get_by_role("button", name="Speichern"))
    assert page.get_by_role("status").filter(has_text="Der Eintrag ist gespeichert.").is_visible()
