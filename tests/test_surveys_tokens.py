"""Personal access codes in the back office: list import, codes for letters, invitations, reminders, the list."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from mitwirken.surveys import contrib
from mitwirken.surveys import tasks as survey_tasks
from mitwirken.surveys.models import Survey, Token
from mitwirken.surveys.services import tokens as token_services

from .factories import ModuleFactory
from .survey_fixtures import make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(world):
    return make_survey(world.public, access="token")


def tokens_url(survey, suffix=""):
    module = survey.module
    return f"/verwaltung/{module.project.organisation.slug}/projekte/{module.project.pk}/umfrage/{module.pk}/zugangscodes/{suffix}"


def upload(client, survey, content: bytes, name="liste.csv"):
    data = {"action": "import", "import-file": SimpleUploadedFile(name, content, content_type="text/csv")}
    return client.post(tokens_url(survey), data, follow=True)


def page_text(response) -> str:
    return response.content.decode()


# --- import -------------------------------------------------------------------------------------------------


def test_import_of_a_good_list_creates_one_token_each(world, survey):
    content = "email,name,abteilung\nanna@example.org,Anna Arendt,Bauamt\nben@example.org,,Kämmerei\n".encode()
    response = upload(world.client("org_admin"), survey, content)
    assert "2 Zugangscodes wurden angelegt." in page_text(response)
    anna, ben = Token.objects.filter(survey=survey).order_by("email")
    assert (anna.email, anna.name, anna.attributes) == ("anna@example.org", "Anna Arendt", {"abteilung": "Bauamt"})
    assert ben.attributes == {"abteilung": "Kämmerei"} and not ben.invited and not ben.used
    assert anna.code != ben.code and len(anna.code) >= 30


def test_import_reads_excel_csv_with_bom_and_semicolons(world, survey):
    content = "\ufeffE-Mail;Name;Amt\r\njoerg@example.org;Jörg Weiß;Ordnungsamt\r\n;;\r\n".encode()
    response = upload(world.client("org_admin"), survey, content)
    assert "1 Zugangscode wurde angelegt." in page_text(response)
    token = Token.objects.get(survey=survey)
    assert (token.name, token.attributes) == ("Jörg Weiß", {"Amt": "Ordnungsamt"})


def test_import_reads_windows_1252_from_older_excel(world, survey):
    content = "E-Mail;Name\r\nm@example.org;Müller\r\n".encode("cp1252")
    upload(world.client("org_admin"), survey, content)
    assert Token.objects.get(survey=survey).name == "Müller"


def test_bad_lines_are_named_and_nothing_is_saved(world, survey):
    content = b"E-Mail;Name\nok@example.org;Ok\nkaputt;Kaputt\n;Ohne Adresse\nauch@ok.example;Auch\n"
    response = upload(world.client("org_admin"), survey, content)
    text = page_text(response)
    assert "Zeile 3: „kaputt“ ist keine gültige E-Mail-Adresse." in text
    assert "Zeile 4: Die E-Mail-Adresse fehlt." in text
    assert not Token.objects.exists()


def test_duplicates_are_skipped_and_reported(world, survey):
    Token.objects.create(survey=survey, email="schon@example.org")
    content = b"E-Mail\nneu@example.org\nSchon@example.org\nNEU@example.org\n"
    response = upload(world.client("org_admin"), survey, content)
    text = page_text(response)
    assert "1 Zugangscode wurde angelegt." in text
    assert "Zeile 3: Schon@example.org steht schon in der Liste." in text
    assert "Zeile 4: NEU@example.org steht schon in der Liste." in text
    assert sorted(Token.objects.values_list("email", flat=True)) == ["neu@example.org", "schon@example.org"]


def test_too_big_a_file_is_refused(world, survey, monkeypatch):
    monkeypatch.setattr(token_services, "MAX_CSV_BYTES", 100)
    content = b"E-Mail\n" + b"".join(f"p{n}@example.org\n".encode() for n in range(20))
    response = upload(world.client("org_admin"), survey, content)
    assert "Die Datei ist zu groß." in page_text(response)
    assert not Token.objects.exists()


def test_too_many_rows_are_refused(world, survey, monkeypatch):
    monkeypatch.setattr(token_services, "MAX_IMPORT_ROWS", 3)
    content = b"E-Mail\n" + b"".join(f"p{n}@example.org\n".encode() for n in range(4))
    assert "höchstens 3 Zeilen" in page_text(upload(world.client("org_admin"), survey, content))
    assert not Token.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "Die Datei ist keine CSV-Datei."),
        (b"PK\x03\x04" + b"\x00" * 64, "Die Datei ist keine CSV-Datei."),
        (b"Name;Ort\nAnna;Mainz\n", "eine Spalte „E-Mail“"),
        (b"", "Datei ist leer."),
        (b"E-Mail\n\n", "keine neuen E-Mail-Adressen"),
    ],
)
def test_files_that_are_no_list_are_refused_in_german(world, survey, content, message):
    response = upload(world.client("org_admin"), survey, content, name="liste.xlsx")
    assert message in page_text(response)
    assert not Token.objects.exists()


# --- codes for letters --------------------------------------------------------------------------------------


def test_codes_for_letters_and_their_csv(world, survey):
    client = world.client("org_admin")
    response = client.post(tokens_url(survey), {"action": "generate", "generate-count": "25"}, follow=True)
    assert "25 Codes für Briefe wurden erzeugt." in page_text(response)
    codes = set(Token.objects.filter(survey=survey, email="").values_list("code", flat=True))
    assert len(codes) == 25
    assert all(len(code) == 14 and code[4] == code[9] == "-" for code in codes)
    download = client.get(tokens_url(survey, "codes.csv"))
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Zugangscode", "Persönlicher Link"]
    assert {row[0] for row in rows[1:]} == codes
    assert all(row[1].endswith(f"/{survey.module.slug}/zugang/{row[0]}/") for row in rows[1:])


def pages(response) -> int:
    return response.content.count(b"/Type /Page") - response.content.count(b"/Type /Pages")


def test_letters_as_pdf_one_page_per_open_code(world, survey, monkeypatch):
    from mitwirken.surveys import backoffice_tokens

    client = world.client("org_admin")
    token_services.codes_generate(actor=world.personas["org_admin"], survey=survey, count=4)
    Token.objects.filter(pk=Token.objects.order_by("pk").first().pk).update(used=True)
    Token.objects.create(survey=survey, email="a@example.org")  # mailed, not printed
    monkeypatch.setattr(backoffice_tokens, "MAX_LETTERS", 2)
    response = client.get(tokens_url(survey, "briefe.pdf"))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert pages(response) == 2
    monkeypatch.setattr(backoffice_tokens, "MAX_LETTERS", 2_000)
    response = client.get(tokens_url(survey, "briefe.pdf"))
    assert pages(response) == 3  # the used code gets no letter


def test_at_most_ten_thousand_codes_at_once(world, survey):
    response = world.client("org_admin").post(tokens_url(survey), {"action": "generate", "generate-count": "10001"})
    assert response.status_code == 200 and not Token.objects.exists()
    assert token_services.codes_generate(actor=world.personas["org_admin"], survey=survey, count=10_000) == 10_000
    assert Token.objects.filter(survey=survey).count() == 10_000


# --- invitations and reminders ------------------------------------------------------------------------------


def make_tokens(survey, count=3):
    emailed = [Token.objects.create(survey=survey, email=f"p{n}@example.org", name=f"Person {n}") for n in range(count)]
    Token.objects.create(survey=survey)  # a letter: never mailed
    return emailed


def mails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_invitations_are_queued_once_per_token_in_batches(world, survey, tasks, monkeypatch):
    monkeypatch.setattr(survey_tasks, "BATCH", 2)
    emailed = make_tokens(survey)
    client = world.client("org_admin")
    mail.outbox.clear()
    with override_settings(EMAIL_BACKEND="mitwirken.core.mail.TaskQueueEmailBackend"):
        response = client.post(tokens_url(survey), {"action": "invite"}, follow=True)
        assert "3 Einladungen werden verschickt." in page_text(response)
        again = client.post(tokens_url(survey), {"action": "invite"}, follow=True)
    assert "Alle Zugangscodes mit E-Mail-Adresse sind bereits eingeladen." in page_text(again)
    assert len(mail.outbox) == 3
    names = [result.task.name for result in tasks["enqueued"]]
    assert names.count("deliver_email") == 3  # every mail is a task of its own
    assert names.count("send_invitations") == 2  # two batches of two
    for token in emailed:
        (message,) = mails_to(token.email)
        assert message.subject == "Einladung zur Umfrage „Haushaltsbefragung“"
        assert f"/{survey.module.slug}/zugang/{token.code}/" in message.body
        assert f"Guten Tag {token.name}," in message.body
        assert "Die Umfrage ist anonym" in message.body
    assert set(Token.objects.values_list("invited", flat=True)) == {True, False}
    assert Token.objects.filter(invited=True).count() == 3


def test_a_second_run_of_the_same_round_mails_nobody_twice(world, survey):
    make_tokens(survey)
    mail.outbox.clear()
    survey_tasks.send_invitations.call(survey.pk, survey_tasks.INVITATION)
    survey_tasks.send_invitations.call(survey.pk, survey_tasks.INVITATION)
    assert len(mail.outbox) == 3


def test_reminders_go_to_unused_tokens_only_and_at_most_twice(world, survey):
    first, second, third = make_tokens(survey)
    late = Token.objects.create(survey=survey, email="spaet@example.org")  # not invited yet: no reminder
    actor = world.personas["org_admin"]
    Token.objects.exclude(pk=late.pk).exclude(email="").update(invited=True)
    Token.objects.filter(pk=first.pk).update(used=True)
    client = world.client("org_admin")
    mail.outbox.clear()
    response = client.post(tokens_url(survey), {"action": "remind"}, follow=True)
    assert "2 Erinnerungen werden verschickt." in page_text(response)
    assert sorted(m.to[0] for m in mail.outbox) == [second.email, third.email]
    assert all(m.subject.startswith("Erinnerung: Umfrage") for m in mail.outbox)
    Token.objects.filter(pk=second.pk).update(used=True)
    token_services.reminders_send(actor=actor, survey=Survey.objects.get(pk=survey.pk))
    assert [m.to[0] for m in mail.outbox[2:]] == [third.email]
    third.refresh_from_db()
    assert third.reminders == 2
    response = client.post(tokens_url(survey), {"action": "remind"}, follow=True)
    assert "Es wurden bereits zwei Erinnerungen verschickt. Eine dritte ist nicht vorgesehen." in page_text(response)
    assert len(mail.outbox) == 3 and Survey.objects.get(pk=survey.pk).reminders_sent == 2
    assert not mails_to(late.email)


def test_no_reminder_round_is_spent_when_nobody_is_waiting(world, survey):
    response = world.client("org_admin").post(tokens_url(survey), {"action": "remind"}, follow=True)
    assert "Niemand ist zu erinnern" in page_text(response)
    assert Survey.objects.get(pk=survey.pk).reminders_sent == 0


def test_invitations_need_a_token_survey(world):
    public = make_survey(world.public, access="public")
    Token.objects.create(survey=public, email="a@example.org")
    response = world.client("org_admin").post(tokens_url(public), {"action": "invite"}, follow=True)
    assert "nur, wenn die Umfrage auf persönliche Zugangscodes eingestellt ist" in page_text(response)
    assert not mail.outbox


def test_the_personal_link_of_the_mail_opens_the_survey(world, survey):
    make_tokens(survey, 1)
    survey_tasks.send_invitations.call(survey.pk, survey_tasks.INVITATION)
    url = next(line for line in mail.outbox[0].body.splitlines() if "/zugang/" in line)
    path = url.split("://", 1)[1].split("/", 1)[1]
    client = Client()
    assert client.get(f"/{path}").status_code == 200
    response = client.post(f"/{path}")
    assert response.status_code == 302 and response["Location"].endswith("/seite/1/")


# --- the list -----------------------------------------------------------------------------------------------


def test_list_shows_status_and_filters(world, survey):
    emailed = make_tokens(survey)
    Token.objects.filter(pk=emailed[0].pk).update(invited=True, reminders=2, used=True)
    client = world.client("org_admin")
    text = page_text(client.get(tokens_url(survey)))
    assert "p0@example.org" in text and "2×" in text
    filtered = page_text(client.get(tokens_url(survey) + "?status=nicht-eingeladen"))
    assert "p1@example.org" in filtered and "p0@example.org" not in filtered


def test_revoke_deletes_only_unused_tokens(world, survey):
    unused, used, _third = make_tokens(survey)
    Token.objects.filter(pk=used.pk).update(used=True)
    client = world.client("org_admin")
    client.post(tokens_url(survey), {"action": "revoke", "token": unused.pk})
    assert not Token.objects.filter(pk=unused.pk).exists()
    response = client.post(tokens_url(survey), {"action": "revoke", "token": used.pk}, follow=True)
    assert "kann nicht gelöscht werden" in page_text(response)
    assert Token.objects.filter(pk=used.pk).exists()
    other = make_survey(world.semipublic, access="token")
    foreign = Token.objects.create(survey=other, email="x@example.org")
    assert client.post(tokens_url(survey), {"action": "revoke", "token": foreign.pk}).status_code == 404


def test_list_queries_do_not_grow_with_tokens(world, survey):
    client = world.client("org_admin")

    def queries(count):
        Token.objects.all().delete()
        Token.objects.bulk_create(
            Token(survey=survey, email=f"p{n}@example.org", invited=n % 2 == 0, used=n % 3 == 0) for n in range(count)
        )
        client.get(tokens_url(survey))  # warm the session and caches
        with CaptureQueriesContext(connection) as context:
            assert client.get(tokens_url(survey)).status_code == 200
        return len(context)

    assert queries(10) == queries(200)


@pytest.mark.parametrize(("persona", "status"), [
    ("org_admin", 200), ("case_worker", 200), ("portal_admin", 200), ("other_org_admin", 404), ("citizen", 404),
    ("moderator", 404), ("anonymous", 302),
])  # fmt: skip
def test_only_staff_of_the_organisation_enter(world, survey, persona, status):
    Token.objects.create(survey=survey, email="a@example.org")
    client = world.client(persona)
    assert client.get(tokens_url(survey)).status_code == status
    assert client.get(tokens_url(survey, "codes.csv")).status_code == status
    assert client.get(tokens_url(survey, "briefe.pdf")).status_code == status
    response = client.post(tokens_url(survey), {"action": "invite"})
    assert response.status_code == (302 if status == 200 else status)
    assert Token.objects.get().invited is (status == 200)


def test_another_module_type_or_organisation_is_404(world, survey):
    client = world.client("org_admin")
    dialogue = ModuleFactory(project=world.public)
    org, project = world.organisation.slug, world.public.pk
    assert client.get(f"/verwaltung/{org}/projekte/{project}/umfrage/{dialogue.pk}/zugangscodes/").status_code == 404
    other = world.client("other_org_admin")
    slug = world.other_organisation.slug
    url = f"/verwaltung/{slug}/projekte/{project}/umfrage/{survey.module.pk}/zugangscodes/"
    assert other.get(url).status_code == 404


def test_staff_overview_names_uninvited_people(world, survey):
    make_tokens(survey)
    (item,) = contrib.staff_work(world.personas["org_admin"], world.organisation)
    assert item.count == 3
    assert "3 Einladungen noch nicht verschickt" in str(item.label)
    assert item.url == tokens_url(survey) + "?status=nicht-eingeladen"
    Token.objects.update(invited=True)
    assert contrib.staff_work(world.personas["org_admin"], world.organisation) == []
