"""Dialogue journeys in headless Chromium: ideas on the map and by keyboard, threads and ratings, moderation,
text review, a semi-public project, and an XSS corpus that must never run.

Every page reached is checked with axe-core and saved as a screenshot (see ``browser.py``). Accounts older
than a week skip the proof of work; the map journey and the thread journey use brand-new accounts, so the
page's own solver (static/js/proof-of-work.js) really runs in the browser before the server accepts a post.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from mitwirken.core.models import Notification
from mitwirken.dialogue import services
from mitwirken.dialogue.models import Blueprint, Feedback, Idea, Paragraph
from mitwirken.participation import services as participation
from mitwirken.participation.models import Comment, Rating
from mitwirken.projects.models import ParticipantRole

from .dialogue_fixtures import AREA, make_dialogue
from .factories import PASSWORD, ProjectMembershipFactory, UserFactory

if TYPE_CHECKING:
    from .browser import Browse

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Sitzbänke am Marktplatz"
IDEA_TEXT = "Am Marktplatz fehlen Sitzbänke im Schatten. Ältere Menschen können dort nicht ausruhen."
(WEST, SOUTH), (EAST, NORTH) = AREA["coordinates"][0][0], AREA["coordinates"][0][2]


def established(user: Any) -> Any:
    """An account older than a week: the forms ask it for no proof of work."""
    user.date_joined = timezone.now() - timedelta(days=30)
    user.save(update_fields=["date_joined"])
    return user


def module_path(module: Any) -> str:
    project = module.project
    return f"/{project.organisation.slug}/projekte/{project.slug}/{module.slug}/"


def dialogue_path(module: Any, rest: str = "") -> str:
    project = module.project
    return f"/{project.organisation.slug}/projekte/{project.slug}/{module.slug}/{rest}"


def idea_path(idea: Any) -> str:
    return dialogue_path(idea.module, f"ideen/{idea.pk}/")


def map_module(project: Any) -> Any:
    project.location = AREA
    project.save(update_fields=["location"])
    return make_dialogue(project, Blueprint.MAP_IDEAS)


def inside_area(lat: float | None, lon: float | None) -> bool:
    return lat is not None and lon is not None and SOUTH <= lat <= NORTH and WEST <= lon <= EAST


def focus_by_tab(page: Any, predicate: str, *, limit: int = 60) -> None:
    """Press Tab until ``predicate`` (a JS expression about document.activeElement) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return Boolean({predicate}); }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate}")


def status_message(page: Any, text: str) -> Any:
    return page.get_by_text(text, exact=False).first


# --- 1. an idea on the map (a brand-new account on a phone: the proof of work runs in the browser) -----------


def test_participant_posts_an_idea_on_the_map_from_a_phone(new_tab: Any, world: Any) -> None:
    module = map_module(world.public)
    newcomer = UserFactory(email="neu@example.org", display_name="Nele Neu")  # joined just now
    tab: Browse = new_tab(phone=True)
    page = tab.page
    tab.log_in(newcomer.email, PASSWORD)
    tab.open(module_path(module))
    assert page.get_by_role("heading", level=1).inner_text() == module.name
    tab.click(page.get_by_role("link", name="Idee einreichen"))

    assert page.locator("input[name=altcha][data-altcha-challenge]").count() == 1  # a new account must prove work
    page.get_by_label("Titel").fill(TITLE)
    page.get_by_label("Beschreibung").fill(IDEA_TEXT)
    page.get_by_label("Kategorie").select_option(label="Verkehr")
    page.get_by_label("Kinder").check()
    picker = page.locator("[data-map-pick].leaflet-container")
    picker.wait_for()
    # Without a tile server the base map still draws the project area.
    assert page.locator("[data-map-pick] .leaflet-overlay-pane path").count() >= 1
    picker.scroll_into_view_if_needed()
    box = picker.bounding_box()
    assert box is not None
    # The map fits the project area, so its centre lies inside.
    picker.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    lat = float(page.get_by_label("Breite (z. B. 50.05)").input_value())
    lon = float(page.get_by_label("Länge (z. B. 7.60)").input_value())
    assert inside_area(lat, lon), (lat, lon)
    tab.click(page.get_by_role("button", name="Idee veröffentlichen"))  # waits for the solver, then submits

    idea = Idea.objects.get()
    assert tab.path == idea_path(idea)
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    assert status_message(page, "Ihre Idee ist veröffentlicht").is_visible()
    assert page.get_by_text(IDEA_TEXT).is_visible()
    assert page.locator(".location-display [data-points-map]").is_visible()  # a map with the marker, no "Breite …"
    assert page.get_by_text(re.compile(r"Breite \d")).count() == 0
    assert idea.author == newcomer and inside_area(idea.lat, idea.lon)
    assert (idea.lat, idea.lon) == pytest.approx((lat, lon), abs=1e-5)
    assert idea.category.name == "Verkehr" and [label.name for label in idea.labels.all()] == ["Kinder"]

    tab.open(module_path(module))
    assert page.get_by_role("link", name=TITLE).is_visible()
    assert page.locator("[data-points-map] .leaflet-overlay-pane path").count() >= 2  # the area and the idea


# --- 2. the same idea by keyboard only, without the map -------------------------------------------------------


def test_the_same_idea_by_keyboard_only_without_the_map(tab: Browse, world: Any) -> None:
    module = map_module(world.public)
    citizen = established(world.personas["citizen"])
    page = tab.page
    tab.log_in(citizen.email, PASSWORD)
    tab.open(dialogue_path(module, "ideen/neu/"))
    page.locator("[data-map-pick].leaflet-container").wait_for()

    focus_by_tab(page, "el.id === 'id_title'")
    page.keyboard.type(TITLE)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_text"
    page.keyboard.type(IDEA_TEXT)
    focus_by_tab(page, "el.textContent.trim() === 'Karte überspringen'")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_lat"  # past the map, straight into the coordinates
    page.keyboard.type("50.05")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_lon"
    page.keyboard.type("7.6")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab.arrived()

    idea = Idea.objects.get()
    assert tab.path == idea_path(idea)
    assert (idea.lat, idea.lon, idea.title) == (50.05, 7.6, TITLE)
    assert page.get_by_text("Ort auf der Karte (keine Adresse in der Nähe bekannt)").is_visible()


def test_keyboard_user_outside_the_area_gets_a_clear_message(tab: Browse, world: Any) -> None:
    module = map_module(world.public)
    citizen = established(world.personas["citizen"])
    page = tab.page
    tab.log_in(citizen.email, PASSWORD)
    tab.open(dialogue_path(module, "ideen/neu/"))
    page.get_by_label("Titel").fill(TITLE)
    page.get_by_label("Beschreibung").fill(IDEA_TEXT)
    page.get_by_label("Breite (z. B. 50.05)").fill("52.52")
    page.get_by_label("Länge (z. B. 7.60)").fill("13.40")
    tab.click(page.get_by_role("button", name="Idee veröffentlichen"))
    summary = page.get_by_role("alert")
    assert "außerhalb des Projektgebiets" in summary.inner_text()
    assert page.get_by_label("Titel").input_value() == TITLE  # nothing typed is lost
    assert Idea.objects.count() == 0


# --- 3. another participant comments, replies and rates -------------------------------------------------------


def test_another_participant_comments_replies_and_rates(tab: Browse, world: Any) -> None:
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING)
    author = established(world.personas["citizen"])
    idea = services.idea_create(user=author, module=module, title=TITLE, text=f"<p>{IDEA_TEXT}</p>")
    first = participation.comment_create(user=author, target=idea, text="Ich ergänze: auch am Spielplatz.")
    newcomer = UserFactory(email="zweite@example.org", display_name="Zora Zweite")  # brand-new: proof of work
    page = tab.page
    tab.log_in(newcomer.email, PASSWORD)
    tab.open(idea_path(idea))

    page.get_by_label("Ihr Kommentar").fill("Gute Idee, die Bänke bitte mit Rückenlehne.")
    tab.click(page.get_by_role("button", name="Kommentar veröffentlichen"))
    mine = Comment.objects.get(author=newcomer)
    assert page.url.endswith(f"#kommentar-{mine.pk}")
    assert page.locator(f"#kommentar-{mine.pk}").get_by_text("bitte mit Rückenlehne").is_visible()

    # Reply to the author's comment with the form inside its <details>; it borrows the page's proof of work.
    page.locator("details.reply summary").filter(has_text=f"auf Kommentar {first.pk}").click()
    reply_box = page.get_by_label("Ihre Antwort").first
    reply_box.fill("Am Spielplatz wäre auch ein Trinkbrunnen gut.")
    tab.click(page.locator("details.reply[open]").get_by_role("button", name="Antwort veröffentlichen"))
    reply = Comment.objects.get(parent=first)
    assert reply.author == newcomer
    replies = page.locator(".comment-list--replies")
    assert replies.get_by_text("Trinkbrunnen").is_visible()

    support = page.get_by_role("button", name=re.compile(r"^Dafür"))
    against = page.get_by_role("button", name=re.compile(r"^Dagegen"))
    assert support.get_attribute("aria-pressed") == "false"
    # Rating happens in place (htmx): no new page; the live region next to the buttons says what happened.
    support.click()
    page.wait_for_function("() => document.querySelector('.rate-form [aria-pressed=true]') !== null")
    assert "Ihre Bewertung ist gespeichert" in page.locator(".rate-form + [role=status]").inner_text()
    assert support.get_attribute("aria-pressed") == "true" and against.get_attribute("aria-pressed") == "false"
    assert "(1)" in support.inner_text()
    tab.check_axe()
    support.click()  # the same again withdraws the rating
    page.wait_for_function("() => document.querySelector('.rate-form [aria-pressed=true]') === null")
    assert "zurückgenommen" in page.locator(".rate-form + [role=status]").inner_text()
    against.click()  # changing one's mind is allowed
    page.wait_for_function("() => document.querySelector('.rate-form [value=\"-1\"][aria-pressed=true]') !== null")
    assert against.get_attribute("aria-pressed") == "true" and support.get_attribute("aria-pressed") == "false"

    idea.refresh_from_db()
    assert (idea.comment_count, idea.positive_count, idea.negative_count, idea.score) == (3, 0, 1, -1)
    assert Rating.objects.get().value == -1
    # The author hears of the reply to their comment.
    assert Notification.objects.filter(recipient=author, title__contains=TITLE).exists()


# --- 4. a moderator hides a comment and gives feedback --------------------------------------------------------


def test_moderator_hides_a_comment_and_gives_feedback(new_tab: Any, world: Any) -> None:
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING)
    author = established(world.personas["citizen"])
    troll = established(UserFactory(email="troll@example.org", display_name="Tom Troll"))
    reader = established(UserFactory(email="leserin@example.org", display_name="Lea Leserin"))
    moderator = established(world.personas["moderator"])
    ProjectMembershipFactory(project=world.public, user=moderator, role=ParticipantRole.MODERATOR)
    idea = services.idea_create(user=author, module=module, title=TITLE, text=f"<p>{IDEA_TEXT}</p>")
    rude = participation.comment_create(user=troll, target=idea, text="So ein Unsinn, ihr seid alle Idioten.")
    spam = participation.comment_create(user=troll, target=idea, text="Billige Bänke kaufen bei bank-discount.example!")
    participation.comment_create(user=reader, target=idea, text="Ich fände das gut.", parent=rude)

    # A reader reports the spam; the moderator finds it in the queue.
    citizen_tab: Browse = new_tab()
    citizen_tab.log_in(reader.email, PASSWORD)
    citizen_tab.open(idea_path(idea))
    citizen_tab.click(citizen_tab.page.get_by_role("link", name=f"Melden (Kommentar {spam.pk})"))
    citizen_tab.page.get_by_label("Grund").fill("Werbung")
    citizen_tab.click(citizen_tab.page.get_by_role("button", name="Melden", exact=True))
    assert status_message(citizen_tab.page, "Die Moderation prüft den Beitrag").is_visible()

    tab: Browse = new_tab()
    page = tab.page
    tab.log_in(moderator.email, PASSWORD)
    tab.open(module_path(module))
    tab.click(page.get_by_role("link", name="Warteschlange"))
    assert page.get_by_role("heading", name="1 offene Meldung").is_visible()
    item = page.locator("article.moderation-item").filter(has_text="Werbung")
    item.get_by_label("Grund des Ausblendens (öffentlich)").fill("Werbung ist hier nicht erlaubt.")
    tab.click(item.get_by_role("button", name="Ausblenden"))
    assert page.get_by_role("heading", name="0 offene Meldungen").is_visible()

    # The rude comment is hidden right on the idea page.
    tab.open(idea_path(idea))
    page.locator(f"#kommentar-{rude.pk} details.moderation-tools summary").click()
    page.locator(f"#kommentar-{rude.pk}").get_by_label("Grund des Ausblendens (öffentlich)").fill(
        "Beleidigung (Netiquette, Regel 2)"
    )
    tab.click(page.locator(f"#kommentar-{rude.pk}").get_by_role("button", name="Ausblenden"))
    assert page.locator(f"#kommentar-{rude.pk}").get_by_text("Beleidigung (Netiquette, Regel 2)").is_visible()

    # Feedback: a status and a public statement.
    page.get_by_text("Idee moderieren").click()
    tab.click(page.get_by_role("link", name="Rückmeldung geben"))
    page.get_by_label("Status").select_option(label="angenommen")
    page.get_by_label("Öffentliche Stellungnahme").fill("Der Bauhof stellt im Mai drei Bänke mit Rückenlehne auf.")
    tab.click(page.get_by_role("button", name="Rückmeldung veröffentlichen"))
    assert tab.path == idea_path(idea)
    feedback = page.locator("section.feedback")
    assert "angenommen" in feedback.inner_text() and "drei Bänke" in feedback.inner_text()

    # Others see the placeholders with the public reasons; the words themselves are gone.
    citizen_tab.open(idea_path(idea))
    others = citizen_tab.page
    assert others.get_by_text("Von der Moderation ausgeblendet: Beleidigung (Netiquette, Regel 2)").is_visible()
    assert others.get_by_text("Von der Moderation ausgeblendet: Werbung ist hier nicht erlaubt.").is_visible()
    assert others.get_by_text("Ich fände das gut.").is_visible()  # the reply stays readable
    assert "Idioten" not in others.content() and "bank-discount" not in others.content()
    assert "angenommen" in others.locator("section.feedback").inner_text()

    idea.refresh_from_db()
    assert idea.feedback == Feedback.ACCEPTED and idea.comment_count == 1
    # The author (who follows their idea) and the troll are told.
    author_tab: Browse = new_tab()
    author_tab.log_in(author.email, PASSWORD)
    author_tab.click(author_tab.page.get_by_role("link", name=re.compile("^Benachrichtigungen")))
    assert author_tab.page.get_by_role("link", name=f"Rückmeldung zu „{TITLE}“: angenommen").is_visible()
    told = Notification.objects.filter(recipient=troll, title="Ihr Kommentar wurde von der Moderation ausgeblendet")
    assert told.count() == 2


# --- 5. a comment on a paragraph in text review ---------------------------------------------------------------


def test_participant_comments_on_a_paragraph_in_text_review(tab: Browse, world: Any) -> None:
    module = make_dialogue(world.public, Blueprint.TEXT_REVIEW)
    citizen = established(world.personas["citizen"])
    page = tab.page
    tab.log_in(citizen.email, PASSWORD)
    tab.open(module_path(module))
    assert page.get_by_role("heading", name="§ 1 Geltungsbereich").is_visible()
    # The comments open in place next to the paragraph (htmx); the form posts to the paragraph's own page.
    page.get_by_role("link", name=re.compile(r"^Kommentieren \(0 Kommentare\).*Absatz 1")).click()
    page.wait_for_selector(".paragraph-comments textarea")
    assert page.get_by_text("Diese Satzung gilt für das Gemeindegebiet.").is_visible()
    tab.check_axe()
    page.get_by_label("Ihr Kommentar").fill("Gilt das auch für die Ortsteile Nord und Süd?")
    tab.click(page.get_by_role("button", name="Kommentar veröffentlichen"))
    comment = Comment.objects.get()
    assert isinstance(comment.content_object, Paragraph) and comment.content_object.position == 1
    assert page.locator(f"#kommentar-{comment.pk}").get_by_text("Ortsteile Nord und Süd").is_visible()
    tab.click(page.get_by_role("link", name=module.name))
    assert page.get_by_role("link", name=re.compile(r"^Kommentieren \(1 Kommentar\).*Absatz 1")).is_visible()


# --- 6. a semi-public project: invited people take part, others only read ------------------------------------


def test_semipublic_invited_takes_part_and_others_only_read(new_tab: Any, world: Any) -> None:
    module = make_dialogue(world.semipublic, Blueprint.BRAINSTORMING)
    invited = established(world.personas["invited"])
    outsider = established(world.personas["citizen"])

    guest: Browse = new_tab()
    page = guest.page
    guest.log_in(invited.email, PASSWORD)
    guest.open(module_path(module))
    guest.click(page.get_by_role("link", name="Idee einreichen"))
    page.get_by_label("Titel").fill(TITLE)
    page.get_by_label("Beschreibung").fill(IDEA_TEXT)
    guest.click(page.get_by_role("button", name="Idee veröffentlichen"))
    idea = Idea.objects.get()
    page.get_by_label("Ihr Kommentar").fill("Ich bin eingeladen und mache mit.")
    guest.click(page.get_by_role("button", name="Kommentar veröffentlichen"))
    assert Comment.objects.filter(author=invited).count() == 1

    reader: Browse = new_tab()
    page = reader.page
    reader.log_in(outsider.email, PASSWORD)
    reader.open(module_path(module))
    assert page.get_by_role("link", name=TITLE).is_visible()  # reading is open to everyone logged in or not
    assert page.get_by_role("link", name="Idee einreichen").count() == 0
    notice = page.get_by_text("nur eingeladene Personen")
    assert notice.first.is_visible()
    reader.click(page.get_by_role("link", name=TITLE))
    assert page.get_by_text("Ich bin eingeladen und mache mit.").is_visible()
    assert page.get_by_label("Ihr Kommentar").count() == 0
    assert page.get_by_role("button", name=re.compile("^Dafür")).count() == 0
    assert page.get_by_text("nur eingeladene Personen").first.is_visible()

    # Forging the form does not help: the server refuses and says why.
    page.evaluate(
        """() => {
            const form = document.createElement("form");
            form.method = "post";
            form.innerHTML = `<input name="csrfmiddlewaretoken" value="${document.querySelector('[name=csrfmiddlewaretoken]').value}">
                              <input name="comment-text" value="Ich schreibe trotzdem.">`;
            document.body.append(form);
            form.submit();
        }"""
    )
    page.wait_for_url(re.compile(re.escape(idea_path(idea)) + "$"))
    reader.arrived()
    assert page.get_by_role("alert").filter(has_text="nur eingeladene Personen").is_visible()
    reader.open(dialogue_path(module, "ideen/neu/"), status=403)
    assert page.get_by_text("nur eingeladene Personen").is_visible()
    assert Comment.objects.filter(author=outsider).count() == 0 and Idea.objects.count() == 1


# --- 7. an XSS corpus never runs --------------------------------------------------------------------------


def _corpus() -> list[str]:
    """Each payload sets window.__xss (and calls alert) if it ever runs."""
    return [
        "<script>window.__xss=1;alert(1)</script>",
        '<img src=x onerror="window.__xss=2;alert(2)">',
        '<svg onload="window.__xss=3;alert(3)"></svg>',
        '<a href="javascript:window.__xss=4;alert(4)">Mehr lesen</a>',
        '"><script>window.__xss=5;alert(5)</script>',
        "</textarea><script>window.__xss=6;alert(6)</script>",
        "</script><script>window.__xss=7;alert(7)</script>",
        '<details open ontoggle="window.__xss=8;alert(8)">x</details>',
        '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=9;alert(9)">',
        '<iframe srcdoc="<script>parent.__xss=10;parent.alert(10)</script>"></iframe>',
        '<input autofocus onfocus="window.__xss=11;alert(11)">',
        '<p style="background:url(javascript:window.__xss=12)">Stil</p>',
        '<a href="data:text/html,<script>alert(13)</script>">Daten</a>',
        '<body onload="window.__xss=14;alert(14)">',
        '<noscript><p title="</noscript><img src=x onerror=window.__xss=15;alert(15)>"></noscript>',
        '<object data="javascript:window.__xss=16"></object><embed src="javascript:window.__xss=16">',
        "'-alert(17)-'",
        '<a href="  JaVaScRiPt:window.__xss=18;alert(18)">Groß</a>',
    ]


XSS_SENTINEL_CHECK = """() => {
    const main = document.querySelector("main");
    const handlers = [...main.querySelectorAll("*")].flatMap(
        (el) => [...el.attributes].filter((a) => a.name.startsWith("on")).map((a) => `${el.tagName} ${a.name}`));
    const scripts = [...main.querySelectorAll("script")].filter((s) => s.type !== "application/json").length;
    const jsLinks = [...main.querySelectorAll("[href],[src],[data]")].filter(
        (el) => /^\\s*(javascript|data):/i.test(el.getAttribute("href") || el.getAttribute("src") || el.getAttribute("data") || "")).length;
    const frames = main.querySelectorAll("iframe,object,embed,svg[onload]").length;
    return {ran: window.__xss ?? null, handlers, scripts, jsLinks, frames};
}"""


def test_xss_corpus_never_runs_in_the_browser(new_tab: Any, world: Any) -> None:
    module = map_module(world.public)
    author = established(world.personas["citizen"])
    commenter = established(UserFactory(email="kommentar@example.org", display_name="Karl Kommentar"))
    moderator = established(world.personas["moderator"])
    ProjectMembershipFactory(project=world.public, user=moderator, role=ParticipantRole.MODERATOR)
    corpus = _corpus()
    assert len(corpus) >= 10

    # One idea through the real form: payloads in its title and text.
    tab: Browse = new_tab()
    page = tab.page
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:  # alert(), confirm() or prompt() from a payload that ran
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    tab.log_in(author.email, PASSWORD)
    tab.open(dialogue_path(module, "ideen/neu/"))
    # The sentinel works: markup that really runs is caught (axe ran before; the next page is a fresh load).
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("beforeend", '<img src=x onerror="window.__xss=99">')"""
    )
    page.wait_for_function("() => window.__xss === 99")
    page.get_by_label("Titel").fill(
        '"><img src=x onerror="window.__xss=0;alert(0)"> </script><script>alert(0)</script>'
    )
    page.get_by_label("Beschreibung").fill("<p>Vorschlag</p>\n" + "\n".join(corpus))
    page.get_by_label("Breite (z. B. 50.05)").fill("50.05")
    page.get_by_label("Länge (z. B. 7.60)").fill("7.6")
    tab.click(page.get_by_role("button", name="Idee veröffentlichen"))
    idea = Idea.objects.get()
    assert tab.path == idea_path(idea)

    # Comments through the real form (a top-level one and a reply), the rest of the corpus through the service.
    page.get_by_label("Ihr Kommentar").fill(corpus[1])
    tab.click(page.get_by_role("button", name="Kommentar veröffentlichen"))
    top = Comment.objects.get()
    page.locator("details.reply summary").first.click()
    page.get_by_label("Ihre Antwort").first.fill(corpus[5])
    tab.click(page.locator("details.reply[open]").get_by_role("button", name="Antwort veröffentlichen"))
    for payload in corpus:
        participation.comment_create(user=commenter, target=idea, text=payload)
        participation.comment_create(user=commenter, target=idea, text=payload, parent=top)
        services.idea_create(
            user=commenter, module=module, title=payload[:160], text=f"<p>Idee</p>{payload}", lon=7.61, lat=50.06
        )
    for comment in Comment.objects.filter(author=commenter)[:3]:
        participation.flag(user=author, target=comment, reason=corpus[2])
    participation.flag(user=commenter, target=idea, reason=corpus[1])  # nobody flags their own idea

    def visit(browse: Browse, path: str) -> None:
        browse.open(path)
        browse.page.wait_for_timeout(300)  # let failed images and autofocus handlers have their chance
        found = browse.page.evaluate(XSS_SENTINEL_CHECK)
        assert found == {"ran": None, "handlers": [], "scripts": 0, "jsLinks": 0, "frames": 0}, (path, found)

    visit(tab, idea_path(idea))
    assert page.get_by_text(corpus[1]).first.is_visible()  # comments show the markup as text, escaped
    visit(tab, module_path(module))
    visit(tab, module_path(module) + "?sort=comments&seite=1")
    visit(tab, dialogue_path(module, "ergebnisse/"))
    visit(tab, dialogue_path(module, f"ideen/{idea.pk}/bearbeiten/"))
    own = Comment.objects.get(author=author, parent=None)
    visit(tab, dialogue_path(module, f"kommentare/{own.pk}/bearbeiten/"))
    visit(tab, dialogue_path(module, f"melden/kommentar/{top.pk}/"))
    visit(tab, "/benachrichtigungen/")  # comment texts arrive in the author's notifications

    staff: Browse = new_tab()
    staff.page.on("dialog", on_dialog)
    staff.log_in(moderator.email, PASSWORD)
    visit(staff, idea_path(idea))
    visit(staff, dialogue_path(module, "moderation/"))
    visit(staff, module_path(module))
    # Titles also go into the map's HTML popups: open them and look again.
    markers = staff.page.locator("[data-points-map] path.leaflet-interactive")
    for index in range(min(5, markers.count())):
        markers.nth(index).click(force=True)
    staff.page.wait_for_timeout(300)
    found = staff.page.evaluate(XSS_SENTINEL_CHECK)
    assert found == {"ran": None, "handlers": [], "scripts": 0, "jsLinks": 0, "frames": 0}, found
    assert dialogs == []
