"""Trust levels (BundID Vertrauensniveau) in formal procedures: requirement per track, checked for every action.

Matrix: personas (anonymous, citizen with a login at level 0, 2, 3, 4, staff) × requirement of the track (0, 2, 3)
× moment (before, during, after the period) for drafting, submitting and co-signing, on the rule and on the
endpoint. Then what a statement records, the receipt, the back office and a draft that survives the step-up.
"""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from mitwirken.core.models import AuditEntry
from mitwirken.formal import editing, services
from mitwirken.formal.models import CoSigner, Statement, StatementDraft, Track
from mitwirken.formal.receipts import receipt_rows

from .assurance_helpers import login_at, with_level
from .conftest import login
from .factories import UserFactory
from .formal_fixtures import make_procedure

pytestmark = pytest.mark.django_db

# persona → (account, level of the login); "staff" is the procedure's case worker with a password login.
PERSONAS = {
    "anonymous": (None, 0),
    "citizen_0": ("citizen", 0),
    "citizen_2": ("citizen", 2),
    "citizen_3": ("citizen", 3),
    "citizen_4": ("citizen", 4),
    "staff": ("case_worker", 0),
}
ADDRESS = {"author_name": "Erika Muster", "street": "Hauptstraße 1", "postal_code": "55555", "city": "Musterstadt"}


def _urls(procedure, track, statement=None):
    project = procedure.module.project
    base = f"/{project.organisation.slug}/projekte/{project.slug}/{procedure.module.slug}/"
    office = f"/verwaltung/{project.organisation.slug}/projekte/{project.pk}/verfahren/{procedure.module.pk}/"
    return {
        "page": base, "form": f"{base}frist/{track.pk}/stellungnahme/", "review": f"{base}frist/{track.pk}/pruefen/",
        "cosign": f"{base}mitzeichnen/{statement.cosign_token}/" if statement else "",
        "receipt": f"{base}stellungnahmen/{statement.reference}/" if statement else "",
        "inbox": f"{office}eingang/", "evaluate": f"{office}eingang/{statement.pk}/" if statement else "",
        "export": f"{office}abwaegungstabelle.xlsx", "track_edit": f"{office}fristen/{track.pk}/", "setup": office,
    }  # fmt: skip


def _fresh(track):
    return Track.objects.with_phase().select_related("round__procedure__module__project").get(pk=track.pk)


def _set_requirement(track, level):
    Track.objects.filter(pk=track.pk).update(min_assurance_level=level)


@pytest.fixture
def setup(world):
    """A period starting in two days, with one statement (by an invited person) to co-sign."""
    start_day = timezone.localdate() + timedelta(days=2)  # all moments stay within the session lifetime
    procedure = make_procedure(world.personas["case_worker"], world.public, first_day=start_day,
                               last_day=start_day + timedelta(days=3))  # fmt: skip
    track = procedure.rounds.get().tracks.get()
    with time_machine.travel(track.start + timedelta(hours=1)):
        author = world.personas["invited"]
        services.draft_save(user=author, track=track, data={"text": "Einwand zur Trasse", **ADDRESS})
        key = str(services.draft_for(user=author, track=track).submission_key)
        statement = services.statement_submit(user=author, track=track, submission_key=key)
    return procedure, track, statement


def _moment(track, moment):
    return {"before": track.start - timedelta(days=1), "during": track.start + timedelta(days=1),
            "after": track.end + timedelta(days=1)}[moment]  # fmt: skip


def _allowed(persona, requirement, moment):
    account, level = PERSONAS[persona]
    return account is not None and moment == "during" and level >= requirement


def _accounts(world):
    """One account per persona, so their drafts and signatures do not meet."""
    users = {"anonymous": None, "staff": world.personas["case_worker"]}
    for persona in ("citizen_0", "citizen_2", "citizen_3", "citizen_4"):
        users[persona] = UserFactory(email=f"{persona}@example.org")
    return users


def _client(world, user, persona):
    from django.test import Client

    if user is None:
        return Client()
    return with_level(login(Client(), user), PERSONAS[persona][1])


@pytest.mark.parametrize("moment", ["before", "during", "after"])
@pytest.mark.parametrize("requirement", [0, 2, 3])
def test_rules_match_persona_level_requirement_and_period(world, setup, requirement, moment):
    _procedure, track, statement = setup
    _set_requirement(track, requirement)
    users = _accounts(world)
    with time_machine.travel(_moment(track, moment)):
        for persona, user in users.items():
            level = PERSONAS[persona][1]
            subject = user or AnonymousUser()
            with login_at(subject, level):
                fresh = _fresh(track)
                cosigned = Statement.objects.select_related("track__phase", "track__round").get(pk=statement.pk)
                cosigned.track.round.procedure = fresh.round.procedure
                expected = _allowed(persona, requirement, moment)
                assert subject.has_perm("formal.submit_statement", fresh) is expected, persona
                assert subject.has_perm("formal.cosign_statement", cosigned) is expected, persona
                # Only the trust level differs: the "any login" permission ignores it.
                assert subject.has_perm("formal.submit_statement_any_login", fresh) is (
                    user is not None and moment == "during"
                ), persona


@pytest.mark.parametrize("moment", ["before", "during", "after"])
@pytest.mark.parametrize("requirement", [0, 2, 3])
def test_endpoints_match_persona_level_requirement_and_period(world, setup, requirement, moment):
    procedure, track, statement = setup
    _set_requirement(track, requirement)
    urls = _urls(procedure, track, statement)
    users = _accounts(world)
    clients = {persona: _client(world, user, persona) for persona, user in users.items()}
    for user in users.values():
        if user is not None:  # a draft from earlier (e.g. before the requirement was raised)
            StatementDraft.objects.create(track=track, author=user, data={"text": "Früher Entwurf", **ADDRESS})
    with time_machine.travel(_moment(track, moment)):
        for persona, user in users.items():
            client, allowed = clients[persona], _allowed(persona, requirement, moment)
            level = PERSONAS[persona][1]
            # Drafting needs no particular login (it has no effect yet): only the period and the account count.
            saved = client.post(urls["form"], {"action": "save", "text": f"Neu von {persona}", **ADDRESS})
            draft = StatementDraft.objects.filter(track=track, author=user).first() if user else None
            if user is None:
                assert saved.status_code == 302 and "/login/" in saved["Location"], persona
            elif moment == "during":
                assert saved.status_code == 302 and draft.data["text"] == f"Neu von {persona}", persona
                page = client.get(urls["form"]).content.decode()
                # The form says beforehand which login the submit needs, and offers it.
                assert ("Mit BundID anmelden" in page) is (not allowed), persona
            else:
                assert saved.status_code == 403 and draft.data["text"] == "Früher Entwurf", persona
            # Submitting
            key = str(draft.submission_key) if draft else "00000000-0000-0000-0000-000000000000"
            submitted = client.post(urls["review"], {"submission_key": key})
            mine = Statement.objects.filter(author=user).first() if user else None
            if user is None:
                assert submitted.status_code == 302 and "/login/" in submitted["Location"], persona
            elif allowed:
                assert submitted.status_code == 302 and mine is not None, persona
                assert mine.assurance_level == level, persona
                assert mine.identity_provider == ("bundid" if level else ""), persona
            else:
                assert submitted.status_code == 403 and mine is None, persona
                assert StatementDraft.objects.filter(pk=draft.pk).exists(), persona
            # Co-signing
            signed = client.post(urls["cosign"], {"name": "Max Mit", "street": "Weg 2", "postal_code": "55555",
                                                  "city": "Musterstadt"})  # fmt: skip
            exists = CoSigner.objects.filter(statement=statement, user=user).exists() if user else False
            if user is None:
                assert signed.status_code == 302 and "/login/" in signed["Location"], persona
            elif allowed:
                assert signed.status_code == 302 and exists, persona
            else:
                assert not exists, persona
                # After the period the form says so (200); during it, a too-weak login is refused (403).
                assert signed.status_code == (403 if moment == "during" else 200), persona


def test_refused_submit_keeps_the_draft_and_the_step_up_leads_back_to_it(world, setup):
    procedure, track, _statement = setup
    urls = _urls(procedure, track)
    citizen = world.personas["citizen"]
    _set_requirement(track, 2)
    with time_machine.travel(track.start + timedelta(days=1)):
        client = with_level(world.client("citizen"), 2)
        text = "Die Ortsumgehung zerschneidet den Auwald.\nBitte prüfen Sie die Variante Nord."
        assert client.post(urls["form"], {"action": "save", "text": text, **ADDRESS}).status_code == 302
        # Staff raise the requirement while the citizen is writing; the change is audited.
        editing.track_assurance_change(actor=world.personas["case_worker"], track=_fresh(track), min_assurance_level=3)
        assert AuditEntry.objects.filter(action="track.assurance").exists()
        draft = StatementDraft.objects.get(track=track, author=citizen)
        refused = client.post(urls["review"], {"submission_key": str(draft.submission_key)})
        assert refused.status_code == 403
        page = refused.content.decode()
        assert "Vertrauensniveau „substantiell“" in page and "nichts gespeichert oder abgegeben" in page
        assert not Statement.objects.filter(author=citizen).exists()
        assert StatementDraft.objects.get(pk=draft.pk).data["text"] == text
        # The button goes to BundID with the level and comes back to the statement form.
        step_up = _step_up_link(page)
        query = parse_qs(urlsplit(step_up).query)
        assert urlsplit(step_up).path == reverse("saml:login", args=["bundid"])
        assert query["level"] == ["3"] and query["next"] == [urls["form"]]
        # Back from BundID at level 3: the form shows the draft, and submitting it works.
        with_level(client, 3)
        form = client.get(urls["form"])
        assert form.status_code == 200 and "Die Ortsumgehung zerschneidet den Auwald." in form.content.decode()
        done = client.post(urls["review"], {"submission_key": str(draft.submission_key)})
        assert done.status_code == 302
    statement = Statement.objects.get(author=citizen)
    assert statement.text == text and statement.assurance_level == 3 and statement.identity_provider == "bundid"


def _step_up_link(html_text):
    hrefs = [html.unescape(href) for href in re.findall(r'href="([^"]+)"', html_text)]
    links = [href for href in hrefs if href.startswith(reverse("saml:login", args=["bundid"]))]
    assert len(links) == 1, links
    return links[0]


def test_form_at_too_low_level_offers_the_step_up_and_the_track_page_names_the_requirement(world, setup):
    procedure, track, _statement = setup
    urls = _urls(procedure, track)
    _set_requirement(track, 3)
    with time_machine.travel(track.start + timedelta(days=1)):
        client = with_level(world.client("citizen"), 2)
        form = client.get(urls["form"])
        assert form.status_code == 200
        html_text = form.content.decode()
        assert "Mit BundID anmelden" in html_text
        assert parse_qs(urlsplit(_step_up_link(html_text)).query) == {"level": ["3"], "next": [urls["form"]]}
        # Writing may start at once (the draft is kept through the BundID login); handing in needs the level.
        assert 'name="text"' in html_text
        review = client.get(urls["review"])
        assert review.status_code == 200 and "Mit BundID anmelden" in review.content.decode()
        assert 'name="submission_key"' not in review.content.decode()
        page = client.get(urls["page"]).content.decode()
        assert "Online-Ausweis" in page and "Stellungnahme abgeben" in page
        ok = with_level(world.client("citizen"), 4).get(urls["form"]).content.decode()
        assert 'name="text"' in ok and "Sie sind mit dem Vertrauensniveau „hoch“ angemeldet." in ok


def test_requirement_rules_out_statements_without_an_account(world):
    procedure = make_procedure(world.personas["case_worker"], world.public, allow_unregistered=True)
    track = procedure.rounds.get().tracks.get()
    assert services.unregistered_allowed(_fresh(track))
    _set_requirement(track, 2)
    assert not services.unregistered_allowed(_fresh(track))
    base = _urls(procedure, track)["page"]
    assert world.client("anonymous").get(f"{base}frist/{track.pk}/ohne-konto/").status_code == 404


def _submit_at(world, track, level, **login):
    user = world.personas["citizen"]
    services.draft_save(user=user, track=track, data={"text": "Einwand", **ADDRESS})
    key = str(services.draft_for(user=user, track=track).submission_key)
    with login_at(user, level, **login):
        return services.statement_submit(user=user, track=_fresh(track), submission_key=key)


def test_mein_unternehmenskonto_records_whom_the_person_acted_for(world, setup):
    procedure, track, _statement = setup
    with time_machine.travel(track.start + timedelta(days=1)):
        mail.outbox.clear()
        statement = _submit_at(world, track, 3, provider="muk", acting_for_name="Kieswerk Muster GmbH",
                               acting_for_id="DE-123456")  # fmt: skip
    assert (statement.assurance_level, statement.identity_provider) == (3, "muk")
    assert (statement.on_behalf_of_name, statement.on_behalf_of_id) == ("Kieswerk Muster GmbH", "DE-123456")
    assert statement.organisation_name == "Kieswerk Muster GmbH"  # the person left it empty
    rows = dict(receipt_rows(statement))
    assert rows["Anmeldung"] == "Identität bestätigt über Mein Unternehmenskonto, Vertrauensniveau substantiell"
    assert rows["Handelnd für"] == "Kieswerk Muster GmbH"
    assert "Vertrauensniveau substantiell" in mail.outbox[-1].body and "Kieswerk Muster GmbH" in mail.outbox[-1].body
    urls = _urls(procedure, track, statement)
    receipt = world.client("citizen").get(urls["receipt"]).content.decode()
    assert "Identität bestätigt über Mein Unternehmenskonto, Vertrauensniveau substantiell" in receipt
    assert "Kieswerk Muster GmbH" in receipt
    pdf = world.client("citizen").get(urls["receipt"] + "eingangsbestaetigung.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # The Abwägungstabelle names the organisation acted for, and the identity.
    xlsx = world.client("case_worker").get(urls["export"])
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True).active
    header, *rows_ = list(sheet.iter_rows(values_only=True))
    mine = next(row for row in rows_ if row[0] == statement.reference)
    assert mine[header.index("Handelnd für (Unternehmenskonto)")] == "Kieswerk Muster GmbH"
    assert mine[header.index("Identität")].startswith("Identität bestätigt über Mein Unternehmenskonto")


def test_own_organisation_name_is_kept_when_acting_for_another(world, setup):
    _procedure, track, _statement = setup
    user = world.personas["citizen"]
    with time_machine.travel(track.start + timedelta(days=1)):
        services.draft_save(user=user, track=track, data={"text": "Einwand", "organisation_name": "BUND OG", **ADDRESS})
        key = str(services.draft_for(user=user, track=track).submission_key)
        with login_at(user, 3, provider="muk", acting_for_name="Kieswerk Muster GmbH"):
            statement = services.statement_submit(user=user, track=_fresh(track), submission_key=key)
    assert statement.organisation_name == "BUND OG" and statement.on_behalf_of_name == "Kieswerk Muster GmbH"


def test_receipt_says_not_verified_for_a_password_login(world, setup):
    procedure, track, _statement = setup
    with time_machine.travel(track.start + timedelta(days=1)):
        statement = _submit_at(world, track, 0)
    assert (statement.assurance_level, statement.identity_provider) == (0, "")
    assert dict(receipt_rows(statement))["Anmeldung"] == "Identität nicht bestätigt"
    assert "Handelnd für" not in dict(receipt_rows(statement))
    html = world.client("citizen").get(_urls(procedure, track, statement)["receipt"]).content.decode()
    assert "Identität nicht bestätigt" in html


def test_staff_recorded_statements_keep_level_zero_and_the_back_office_shows_levels(world, setup):
    procedure, track, invited_statement = setup
    with time_machine.travel(track.start + timedelta(days=1)):
        verified = _submit_at(world, track, 4)
        with login_at(world.personas["case_worker"], 4):  # even a staff member with BundID records as staff
            recorded = services.statement_record(actor=world.personas["case_worker"], track=_fresh(track),
                                                 received_at=timezone.now(), channel="letter", text="Brief")  # fmt: skip
    assert (recorded.assurance_level, recorded.identity_provider) == (0, "")
    client = world.client("case_worker")
    inbox = client.get(_urls(procedure, track)["inbox"]).content.decode()
    assert inbox.count("Identität bestätigt (Niveau 4)") == 1
    detail = client.get(_urls(procedure, track, verified)["evaluate"]).content.decode()
    assert "Identität bestätigt über BundID, Vertrauensniveau hoch" in detail
    assert "von der Verwaltung erfasst" in client.get(_urls(procedure, track, recorded)["evaluate"]).content.decode()
    unverified = client.get(_urls(procedure, track, invited_statement)["evaluate"]).content.decode()
    assert "Identität nicht bestätigt" in unverified


def test_staff_set_the_requirement_in_the_back_office_and_it_is_audited(world, setup):
    procedure, track, _statement = setup
    urls = _urls(procedure, track)
    client = world.client("case_worker")
    page = client.get(urls["track_edit"])
    assert page.status_code == 200 and "Nötige Anmeldung" in page.content.decode()
    response = client.post(urls["track_edit"], {"action": "assurance", "min_assurance_level": "3"})
    assert response.status_code == 302
    assert Track.objects.get(pk=track.pk).min_assurance_level == 3
    entry = AuditEntry.objects.get(action="track.assurance")
    assert entry.changes == {"min_assurance_level": [0, 3]}
    assert "BundID ab „substantiell“" in client.get(urls["setup"]).content.decode()
    # Others may not change it.
    refused = world.client("citizen").post(urls["track_edit"], {"action": "assurance", "min_assurance_level": "0"})
    assert refused.status_code in (302, 403, 404)
    assert Track.objects.get(pk=track.pk).min_assurance_level == 3


def test_agency_release_checks_and_records_the_coordinators_login(world):
    """The coordinator's release is the act of submitting: their login must reach the level and is recorded."""
    from .factories import MembershipFactory, ProjectMembershipFactory

    procedure = make_procedure(world.personas["case_worker"], world.semipublic, audience="agency")
    track = procedure.rounds.get().tracks.get()
    _set_requirement(track, 3)
    worker = world.personas["agency"]
    coordinator = MembershipFactory(organisation=world.agency_organisation, role="admin",
                                    user__email="koordination@example.org").user  # fmt: skip
    ProjectMembershipFactory(project=world.semipublic, user=coordinator, role="agency",
                             agency=world.agency_organisation)  # fmt: skip
    with login_at(worker, 3):
        services.draft_save(user=worker, track=_fresh(track), data={"text": "Stellungnahme des LBM", **ADDRESS})
        draft = services.draft_hand_over(user=worker, track=_fresh(track),
                                         submission_key=str(services.draft_for(user=worker, track=track).submission_key))  # fmt: skip
    with login_at(coordinator, 2), pytest.raises(services.LoginTooWeak):
        services.statement_release(coordinator=coordinator, track=_fresh(track), draft_pk=draft.pk)
    # Through the page: refused with the step-up back to the release list, nothing released.
    from django.test import Client

    release_url = _urls(procedure, track)["form"].replace("/stellungnahme/", "/freigabe/")
    refused = with_level(login(Client(), coordinator), 2).post(release_url, {"draft": draft.pk})
    assert refused.status_code == 403
    assert parse_qs(urlsplit(_step_up_link(refused.content.decode())).query)["next"] == [release_url]
    assert not Statement.objects.filter(submission_key=draft.submission_key).exists()
    with login_at(coordinator, 4):
        statement = services.statement_release(coordinator=coordinator, track=_fresh(track), draft_pk=draft.pk)
    assert statement.assurance_level == 4 and statement.released_by == coordinator
