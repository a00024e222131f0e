"""End-to-end journeys in headless Chromium against the live server.

Every page reached is checked with axe-core (no serious or critical violation)
and saved as a screenshot under ``test-artifacts/screenshots/``; see ``browser.py``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mitwirken.core.demo import DEMO_TOTP_SECRET
from mitwirken.organisations.models import OrganisationRole
from mitwirken.projects.models import Invitation, Project, ProjectStatus

from .factories import PASSWORD, MembershipFactory, ModuleFactory, OrganisationFactory, PhaseFactory, ProjectFactory

if TYPE_CHECKING:
    from .browser import Browse

# The fixtures (chromium, new_tab, tab) live in browser.py; loading it as a plugin keeps its asserts rewritten.
pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOTP_SECRET = DEMO_TOTP_SECRET  # the demo staff secret; any base32 secret works


def local_input(moment: Any) -> str:
    """A moment as a ``datetime-local`` input value in German time, e.g. ``2026-12-01T09:00``."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def organisation() -> Any:
    return OrganisationFactory(slug="musterkreis", name="Landkreis Musterkreis")


@pytest.fixture
def org_admin(organisation: Any) -> Any:
    user = MembershipFactory(
        organisation=organisation, role=OrganisationRole.ADMIN, user__email="admin@example.org"
    ).user
    TOTP.activate(user, TOTP_SECRET)
    return user


@pytest.fixture
def public_project(organisation: Any) -> Any:
    project = ProjectFactory(organisation=organisation, slug="radweg", title="Radweg an der Mosel", access="public")
    PhaseFactory(module=ModuleFactory(project=project, name="Informationen zum Radweg"))
    return project


def test_invited_person_registers_and_sees_protected_project(new_tab: Any, organisation: Any) -> None:
    """Journey A: invitation link → register → verify e-mail → log in → accept → see the protected project."""
    project = ProjectFactory(
        organisation=organisation, slug="schulneubau", title="Schulneubau Nordstadt", access="protected"
    )
    PhaseFactory(module=ModuleFactory(project=project))
    email = "eingeladen-browser@example.org"
    invitation = Invitation.objects.create(project=project, email=email, expires_at=timezone.now() + timedelta(days=14))
    invitation_path = f"/einladung/{invitation.token}/"
    person = new_tab()
    page = person.page

    person.open(invitation_path)
    person.click(page.get_by_role("link", name="Konto anlegen"))
    assert person.path.startswith("/konto/signup/")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_label("Passwort (Wiederholung)").fill(PASSWORD)
    person.click(page.locator("main form button[type=submit]"))
    assert person.path.startswith("/konto/confirm-email/")

    # The link in the mail is opened elsewhere (the mail program), so it does not log this browser in.
    assert [message.to for message in mail.outbox] == [[email]]
    link = re.search(r"https?://\S+/konto/confirm-email/\S+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    mail_program = new_tab()
    mail_program.open(urlsplit(link.group(0)).path)
    mail_program.click(mail_program.page.locator("main form button[type=submit]"))
    assert mail_program.page.get_by_role("status").filter(has_text="bestätigt").is_visible()

    person.open(invitation_path)
    person.click(page.locator("main").get_by_role("link", name="Anmelden"))
    person.submit_login(email, PASSWORD)
    assert person.path == invitation_path

    # Before accepting, the protected project does not exist for this person.
    person.open(project.get_absolute_url(), status=404)

    person.open(invitation_path)
    person.click(page.get_by_role("button", name="Einladung annehmen"))
    assert person.path == project.get_absolute_url()
    assert page.get_by_role("heading", level=1).inner_text() == project.title
    assert page.get_by_role("status").filter(has_text="Willkommen!").is_visible()
    invitation.refresh_from_db()
    assert invitation.accepted_by is not None and invitation.accepted_by.email == email


def test_org_admin_creates_and_publishes_project(new_tab: Any, organisation: Any, org_admin: Any) -> None:
    """Journey B: log in with a second factor, create a project with a module and a phase, publish it."""
    admin = new_tab()
    page = admin.page
    admin.log_in(org_admin.email, PASSWORD, totp_secret=TOTP_SECRET)

    admin.open(f"/verwaltung/{organisation.slug}/")
    admin.click(page.get_by_role("link", name="Neues Projekt"))
    page.get_by_label("Titel").fill("Neuer Spielplatz am Markt")
    page.get_by_label("Kurzbezeichnung").fill("spielplatz-markt")
    page.get_by_label("Kurzbeschreibung").fill("Wie soll der neue Spielplatz aussehen?")
    page.get_by_label("Öffentlich", exact=True).check()
    admin.click(page.get_by_role("button", name="Projekt anlegen"))
    assert page.get_by_role("status").filter(has_text="Das Projekt ist angelegt").is_visible()

    page.get_by_label("Modultyp").select_option(label="Information")
    page.get_by_label("Name").fill("Informationen zum Spielplatz")
    admin.click(page.get_by_role("button", name="Modul anlegen"))
    assert page.get_by_role("heading", name=re.compile("Neue Phase")).is_visible()

    start = timezone.now() + timedelta(days=2)
    page.get_by_label("Name").fill("Information")
    page.get_by_label("Beginn").fill(local_input(start))
    page.get_by_label("Letzter Tag").fill((timezone.localtime(start) + timedelta(days=30)).date().isoformat())
    admin.click(page.get_by_role("button", name="Phase speichern"))
    assert page.get_by_role("status").filter(has_text="Die Phase ist gespeichert").is_visible()

    admin.click(page.get_by_role("link", name="Grunddaten"))
    admin.click(page.get_by_role("link", name="Veröffentlichen"))
    assert page.get_by_role("heading", name="Vor dem Veröffentlichen prüfen").is_visible()
    admin.click(page.get_by_role("button", name="Ja, jetzt veröffentlichen"))
    assert page.get_by_role("status").filter(has_text="Das Projekt ist veröffentlicht.").is_visible()

    project = Project.objects.get(organisation=organisation, slug="spielplatz-markt")
    assert project.status == ProjectStatus.PUBLISHED
    assert project.modules.get().phases.count() == 1

    visitor = new_tab()
    visitor.open(project.get_absolute_url())
    assert visitor.page.get_by_role("heading", level=1).inner_text() == "Neuer Spielplatz am Markt"


def test_phase_form_explains_end_before_start(tab: Browse, organisation: Any, org_admin: Any) -> None:
    """Journey C: bad input in the phase form is explained in German next to the field."""
    project = ProjectFactory(organisation=organisation, status=ProjectStatus.DRAFT, published_at=None)
    module = ModuleFactory(project=project)
    page = tab.page
    tab.log_in(org_admin.email, PASSWORD, totp_secret=TOTP_SECRET)

    tab.open(
        reverse(
            "backoffice:phase_create",
            kwargs={"org_slug": organisation.slug, "project_pk": project.pk, "module_pk": module.pk},
        )
    )
    start = timezone.now() + timedelta(days=10)
    page.get_by_label("Name").fill("Auslegung")
    page.get_by_label("Beginn").fill(local_input(start))
    page.get_by_label("Letzter Tag").fill((timezone.localtime(start) - timedelta(days=1)).date().isoformat())
    tab.click(page.get_by_role("button", name="Phase speichern"))

    message = "Das Ende der Phase muss nach ihrem Beginn liegen."
    end = page.locator("#id_end")
    assert end.get_attribute("aria-invalid") == "true"
    assert page.locator("#id_end_error").inner_text().strip() == message
    assert "id_end_error" in (end.get_attribute("aria-describedby") or "").split()
    # The summary at the top links to the field and has the focus, so screen readers announce it.
    assert page.locator(".error-summary").evaluate("element => element === document.activeElement")
    assert page.get_by_role("alert").get_by_role("link", name=re.compile(message)).get_attribute("href") == "#id_end"
    assert not module.phases.exists()


def test_skip_link_is_first_tab_stop(tab: Browse, public_project: Any) -> None:
    """Journey C (keyboard): the first Tab reaches the skip link, and Enter moves focus into the content."""
    page = tab.page
    tab.open("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.textContent.trim(), document.activeElement.tagName]")
    assert focused == ["Zum Inhalt springen", "A"]
    assert page.locator(":focus").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_public_pages_pass_axe(tab: Browse, organisation: Any, public_project: Any) -> None:
    """Every public page an anonymous visitor reaches, including the 404 page."""
    module = public_project.modules.get()
    pages = [
        "/",
        "/leichte-sprache/",
        "/gebaerdensprache/",
        "/barrierefreiheit/",
        "/impressum/",
        "/datenschutz/",
        "/konto/login/",
        "/konto/signup/",
        "/konto/password/reset/",
        organisation.get_absolute_url(),
        public_project.get_absolute_url(),
        reverse("projects:module", kwargs={**public_project.url_kwargs(), "module_slug": module.slug}),
    ]
    for path in pages:
        tab.open(path)
        assert tab.page.get_by_role("heading", level=1).count() == 1, path
    tab.open("/gibt-es-nicht/", status=404)
    assert tab.page.get_by_role("heading", level=1).count() == 1


def test_phone_layout(new_tab: Any, public_project: Any) -> None:
    """The start page and a project page on a 390×844 phone screen: accessible and without sideways scrolling."""
    phone = new_tab(phone=True)
    for path in ("/", public_project.get_absolute_url()):
        phone.open(path)
        width = phone.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= phone.page.viewport_size["width"], f"{path} scrolls sideways on a phone ({width}px wide)"


def test_axe_check_reports_violations(tab: Browse) -> None:
    """The helper itself: a serious violation on a page makes the check fail with a readable report."""
    tab.open("/")
    tab.page.evaluate(
        "() => { const img = document.createElement('img'); img.src = '/'; document.querySelector('main').append(img); }"
    )
    with pytest.raises(AssertionError, match=r"image-alt \(critical\): Images must have alternative text\n\s+at img"):
        tab.check_axe()
