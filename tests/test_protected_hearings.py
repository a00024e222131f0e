"""Protected hearings: invitations in bulk (list and CSV), the address book of public agencies (TöB) with groups,
invitations bound to the invited address with re-sending, and who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mitwirken.core.models import AuditEntry
from mitwirken.projects import services
from mitwirken.projects.invitations import parse_csv, parse_lines
from mitwirken.projects.models import AgencyContact, AgencyGroup, Invitation, ProjectMembership

from .conftest import PERSONAS
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def bulk_url(world):
    return f"/verwaltung/{world.organisation.slug}/projekte/{world.protected.pk}/teilnehmende/mehrere/"


def participants_url(world):
    return f"/verwaltung/{world.organisation.slug}/projekte/{world.protected.pk}/teilnehmende/"


def book_url(world):
    return f"/verwaltung/{world.organisation.slug}/adressbuch/"


# --- parsing --------------------------------------------------------------------------------------------------


def test_lines_accept_plain_named_and_separated_forms_and_name_refused_lines():
    parsed = parse_lines(
        "anna@example.org\n\n"
        "Bernd Beispiel <Bernd@Example.org>\n"
        "nabu@example.org; NABU Kreisgruppe; TöB\n"
        "kein-at-zeichen\n"
        "x@example.org; X; Bürgermeister\n",
        default_role="participant",
    )
    assert [(row.line, row.email, row.name, row.role) for row in parsed.rows] == [
        (1, "anna@example.org", "", "participant"),
        (3, "bernd@example.org", "Bernd Beispiel", "participant"),
        (4, "nabu@example.org", "NABU Kreisgruppe", "agency"),
    ]
    assert [refusal.line for refusal in parsed.refused] == [5, 6]
    assert "keine gültige E-Mail-Adresse" in str(parsed.refused[0]) and "Zeile 5" in str(parsed.refused[0])
    assert "Die Rolle „Bürgermeister“ gibt es nicht" in str(parsed.refused[1])


def test_csv_with_header_in_any_order_and_windows_encoding():
    data = "Name;Rolle;E-Mail\nGemeinde Süd;TöB;sued@example.org\nOhne Adresse;TöB;\n".encode("cp1252")
    parsed = parse_csv(SimpleUploadedFile("liste.csv", data, content_type="text/csv"), default_role="participant")
    assert [(row.line, row.email, row.name, row.role) for row in parsed.rows] == [
        (2, "sued@example.org", "Gemeinde Süd", "agency")
    ]
    assert parsed.refused[0].line == 3 and "Es fehlt die E-Mail-Adresse" in parsed.refused[0].reason


def test_csv_without_header_and_binary_file_refused():
    parsed = parse_csv(SimpleUploadedFile("a.csv", b"a@example.org,A,moderation\n"), default_role="participant")
    assert parsed.rows[0].role == "moderator"
    with pytest.raises(Exception, match="keine CSV-Datei"):
        parse_csv(SimpleUploadedFile("a.csv", b"PK\x03\x04\x00\x00"), default_role="participant")


# --- the service ------------------------------------------------------------------------------------------------


def test_bulk_invites_valid_rows_and_skips_duplicates_pending_and_members(world):
    actor = world.personas["case_worker"]
    services.invitation_create(actor=actor, project=world.protected, email="offen@example.org")
    mail.outbox.clear()
    parsed = parse_lines(
        "neu1@example.org\nNEU1@example.org\noffen@example.org\ninvited@example.org\nneu2@example.org; Amt; TöB\n"
    )
    result = services.invitations_bulk_create(actor=actor, project=world.protected, rows=parsed.rows)
    assert sorted(i.email for i in result.invited) == ["neu1@example.org", "neu2@example.org"]
    reasons = {refusal.line: refusal.reason for refusal in result.skipped}
    assert "weiter oben" in reasons[2] and "offene Einladung" in reasons[3] and "bereits Zugang" in reasons[4]
    assert sorted(message.to[0] for message in mail.outbox) == ["neu1@example.org", "neu2@example.org"]
    assert Invitation.objects.get(email="neu2@example.org").name == "Amt"
    entry = AuditEntry.objects.get(action="invitation.bulk_create")
    assert entry.changes["skipped"] == 3


def test_bulk_page_shows_invited_and_refused_rows_with_line_numbers(world):
    client = world.client("case_worker")
    response = client.post(
        bulk_url(world), {"addresses": "eins@example.org\nfalsch\nzwei@example.org\neins@example.org", "role": "agency"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 Einladungen verschickt." in html and "2 Zeilen nicht übernommen." in html
    assert "Zeile 2 (falsch)" in html and "Zeile 4 (eins@example.org)" in html
    assert set(Invitation.objects.filter(project=world.protected).values_list("role", flat=True)) == {"agency"}


def test_bulk_page_csv_upload_and_empty_form(world):
    client = world.client("org_admin")
    csv_file = SimpleUploadedFile("toeb.csv", b"E-Mail,Name,Rolle\nwwa@example.org,Wasserwirtschaftsamt,TOEB\n")
    client.post(bulk_url(world), {"csv_file": csv_file, "role": "participant"})
    assert Invitation.objects.get(email="wwa@example.org").role == "agency"
    empty = client.post(bulk_url(world), {"addresses": "  ", "role": "participant"})
    assert "Bitte geben Sie Adressen ein oder wählen Sie eine CSV-Datei." in empty.content.decode()


def test_bulk_is_all_or_nothing(world, monkeypatch):
    """A failure while inviting leaves no invitation behind (no half-saved batch)."""

    def broken(*args, **kwargs):
        raise RuntimeError("mail server down")

    monkeypatch.setattr(services, "log_action", broken)
    with pytest.raises(RuntimeError):
        services.invitations_bulk_create(
            actor=world.personas["case_worker"], project=world.protected,
            rows=parse_lines("a@example.org\nb@example.org").rows,
        )  # fmt: skip
    assert not Invitation.objects.filter(project=world.protected).exists()


# --- address book and groups ------------------------------------------------------------------------------------


def make_book(world, count=3):
    actor = world.personas["case_worker"]
    group = services.agency_group_save(actor=actor, organisation=world.organisation, name="Naturschutzverbände")
    neighbours = services.agency_group_save(actor=actor, organisation=world.organisation, name="Nachbargemeinden")
    contacts = []
    for i in range(count):
        contacts.append(
            services.agency_contact_save(
                actor=actor,
                organisation=world.organisation,
                name=f"Verband {i}",
                email=f"verband{i}@example.org",
                role="agency",
                groups=[group] if i % 2 == 0 else [group, neighbours],
            )
        )
    return group, neighbours, contacts


def test_group_invited_in_one_step_and_reused_across_procedures(world):
    group, _neighbours, contacts = make_book(world)
    for project in (world.protected, world.semipublic):
        result = services.invitations_for_group(actor=world.personas["case_worker"], project=project, group=group)
        assert len(result.invited) == len(contacts)
        assert {i.role for i in result.invited} == {"agency"}
        assert {i.name for i in result.invited} == {c.name for c in contacts}
    # a second run skips everyone who is already invited
    again = services.invitations_for_group(actor=world.personas["case_worker"], project=world.protected, group=group)
    assert again.invited == [] and len(again.skipped) == len(contacts)


def test_group_invite_from_participants_page(world):
    group, _n, contacts = make_book(world)
    client = world.client("case_worker")
    page = client.get(participants_url(world)).content.decode()
    assert "Naturschutzverbände (3)" in page
    response = client.post(participants_url(world), {"action": "invite_group", "group-group": group.pk}, follow=True)
    assert "3 Einladungen wurden verschickt." in response.content.decode()
    assert Invitation.objects.filter(project=world.protected).count() == len(contacts)


def test_another_organisations_group_cannot_be_invited(world):
    other_group = AgencyGroup.objects.create(organisation=world.other_organisation, name="Fremd")
    with pytest.raises(PermissionDenied):
        services.invitations_for_group(actor=world.personas["portal_admin"], project=world.protected, group=other_group)
    response = world.client("case_worker").post(
        participants_url(world), {"action": "invite_group", "group-group": other_group.pk}
    )
    assert "Wählen Sie eine gültige Auswahl" in response.content.decode() or response.status_code == 200
    assert not Invitation.objects.exists()


def test_address_book_pages_add_edit_delete(world):
    client = world.client("case_worker")
    client.post(book_url(world), {"action": "add_group", "group-name": "Nachbargemeinden"})
    group = AgencyGroup.objects.get(organisation=world.organisation)
    client.post(
        book_url(world),
        {"action": "add_contact", "name": "Gemeinde Nord", "email": "Nord@Example.org", "role": "agency",
         "groups": [group.pk]},
    )  # fmt: skip
    contact = AgencyContact.objects.get(organisation=world.organisation)
    assert contact.email == "nord@example.org" and list(contact.groups.all()) == [group]
    duplicate = client.post(
        book_url(world), {"action": "add_contact", "name": "Doppelt", "email": "nord@example.org", "role": "agency"}
    )
    assert "Diese Adresse steht bereits im Adressbuch." in duplicate.content.decode()
    edit = f"{book_url(world)}{contact.pk}/"
    client.post(edit, {"name": "Gemeinde Nordheim", "email": "nord@example.org", "role": "agency", "groups": []})
    contact.refresh_from_db()
    assert contact.name == "Gemeinde Nordheim" and not contact.groups.exists()
    client.post(f"{book_url(world)}gruppen/{group.pk}/", {"name": "Nachbarn"})
    assert AgencyGroup.objects.get(pk=group.pk).name == "Nachbarn"
    client.post(f"{book_url(world)}gruppen/{group.pk}/", {"action": "delete"})
    assert not AgencyGroup.objects.exists() and AgencyContact.objects.exists()
    client.post(edit, {"action": "delete"})
    assert not AgencyContact.objects.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"agency_group.create", "agency_contact.create", "agency_contact.update", "agency_contact.delete",
            "agency_group.delete"} <= actions  # fmt: skip


def test_address_book_list_queries_do_not_grow(world):
    make_book(world, count=2)
    client = world.client("case_worker")
    client.get(book_url(world))
    with CaptureQueriesContext(connection) as few:
        client.get(book_url(world))
    make_book_more = [
        AgencyContact(organisation=world.organisation, name=f"Stelle {i}", email=f"s{i}@example.org") for i in range(40)
    ]
    created = AgencyContact.objects.bulk_create(make_book_more)
    group = AgencyGroup.objects.first()
    for contact in created:
        contact.groups.add(group)
    with CaptureQueriesContext(connection) as many:
        response = client.get(book_url(world))
    assert response.status_code == 200 and "Stelle 39" in response.content.decode()
    assert len(many) == len(few)


# --- the invitation is bound to its address; staff re-send ----------------------------------------------------


def test_wrong_account_is_told_to_switch_and_staff_resend(world):
    actor = world.personas["case_worker"]
    invitation = services.invitation_create(actor=actor, project=world.protected, email="gemeinde@example.org")
    page = world.client("citizen").get(f"/einladung/{invitation.token}/")
    html = page.content.decode()
    assert page.status_code == 410
    assert "g…@example.org" in html and "gemeinde@example.org" not in html
    assert "Abmelden und mit der eingeladenen Adresse anmelden" in html
    assert "die Einladung erneut an Ihre Adresse zu senden" in html
    old_token = invitation.token
    mail.outbox.clear()
    response = world.client("case_worker").post(
        participants_url(world), {"action": "resend", "invitation": invitation.pk}, follow=True
    )
    assert "wurde erneut gesendet" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.token != old_token and invitation.sent_count == 2
    assert mail.outbox[0].to == ["gemeinde@example.org"] and invitation.token in mail.outbox[0].body
    assert world.client("citizen").get(f"/einladung/{old_token}/").status_code == 404
    invited = UserFactory(email="gemeinde@example.org")
    services.invitation_accept(user=invited, token=invitation.token)
    assert ProjectMembership.objects.filter(project=world.protected, user=invited).exists()


def test_expired_invitation_can_be_resent_accepted_cannot(world):
    actor = world.personas["case_worker"]
    invitation = services.invitation_create(actor=actor, project=world.protected, email="spaet@example.org")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    invitation.refresh_from_db()
    invitation = services.invitation_resend(actor=actor, invitation=invitation)
    assert Invitation.objects.pending().filter(pk=invitation.pk).exists()
    services.invitation_accept(user=UserFactory(email="spaet@example.org"), token=invitation.token)
    with pytest.raises(Exception, match="nicht erneut gesendet"):
        services.invitation_resend(actor=actor, invitation=Invitation.objects.get(pk=invitation.pk))


# --- permission matrix: personas × states ----------------------------------------------------------------------

STAFF = {"case_worker", "org_admin", "portal_admin"}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("status", ["draft", "published", "archived"])
def test_bulk_invite_matrix(world, persona, status):
    world.protected.status = status
    world.protected.save(update_fields=["status"])
    response = world.client(persona).post(bulk_url(world), {"addresses": "m@example.org", "role": "participant"})
    allowed = persona in STAFF
    assert Invitation.objects.filter(email="m@example.org").exists() == allowed
    if not allowed:
        assert response.status_code in (302, 404)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", ["book", "contact", "group"])
def test_address_book_matrix(world, persona, page):
    group, _n, contacts = make_book(world, count=1)
    url = {
        "book": book_url(world),
        "contact": f"{book_url(world)}{contacts[0].pk}/",
        "group": f"{book_url(world)}gruppen/{group.pk}/",
    }[page]
    response = world.client(persona).get(url)
    if persona in STAFF:
        assert response.status_code == 200
    else:
        assert response.status_code in (302, 404)
        delete = world.client(persona).post(url, {"action": "delete"})
        assert delete.status_code in (302, 404) and AgencyGroup.objects.filter(pk=group.pk).exists()
        assert AgencyContact.objects.filter(pk=contacts[0].pk).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_address_book_service_rule(world, persona):
    user = world.personas[persona]
    if user is None:
        return
    allowed = user.has_perm("projects.manage_agency_contacts", world.organisation)
    assert allowed == (persona in STAFF)
    assert not user.has_perm("projects.manage_agency_contacts", world.other_organisation) or persona in {
        "portal_admin",
        "other_org_admin",
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("access", ["public", "semipublic", "protected"])
def test_group_invite_and_resend_matrix(world, persona, access):
    """Staff of the project's organisation (and portal admins) invite groups and re-send, in every access mode."""
    project = getattr(world, access)
    group, _n, _contacts = make_book(world, count=1)
    invitation = services.invitation_create(actor=world.personas["case_worker"], project=project, email="x@example.org")
    user = world.personas[persona]
    allowed = persona in STAFF
    if user is None:
        assert (
            world.client(persona)
            .post(
                f"/verwaltung/{world.organisation.slug}/projekte/{project.pk}/teilnehmende/",
                {"action": "resend", "invitation": invitation.pk},
            )
            .status_code
            == 302
        )  # to the login
        return
    if allowed:
        assert len(services.invitations_for_group(actor=user, project=project, group=group).invited) == 1
        assert services.invitation_resend(actor=user, invitation=invitation).sent_count == 2
    else:
        with pytest.raises(PermissionDenied):
            services.invitations_for_group(actor=user, project=project, group=group)
        with pytest.raises(PermissionDenied):
            services.invitation_resend(actor=user, invitation=invitation)
        assert Invitation.objects.get(pk=invitation.pk).sent_count == 1
