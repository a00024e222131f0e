"""The inbox's rows are a Jinja2 partial (core/jinja.py) inside the Django page. Every part of a row shows what the
statement holds: late mark, channel, step, author and organisation, confirmed identity, excerpt or search match,
attachments, status, assignee, mass objection; times in Europe/Berlin, words in the reader's language, and
whatever a citizen typed escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from mitwirken.formal import evaluation, services
from mitwirken.formal.models import Statement, StatementAttachment

from .formal_fixtures import make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(world):  # type: ignore[no-untyped-def]
    procedure = make_procedure(world.personas["case_worker"], world.public)
    track = procedure.rounds.get().tracks.get()
    url = f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/verfahren/{procedure.module.pk}/eingang/"
    return procedure, track, url


def rows(html: str) -> list[str]:
    body = html.split('<tbody class="kern-table__body">', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr class=\"kern-table__row\">.*?</tr>", body, flags=re.S)


def record(world, track, **fields):  # type: ignore[no-untyped-def]
    values = {"received_at": timezone.now() - timedelta(hours=1), "channel": "letter", "text": "Text"} | fields
    return services.statement_record(actor=world.personas["case_worker"], track=track, **values)


def test_a_plain_row(world, inbox) -> None:  # type: ignore[no-untyped-def]
    _procedure, track, url = inbox
    received = datetime(2026, 7, 1, 6, 30, tzinfo=UTC)  # 08:30 in Berlin (summer time)
    statement = record(world, track, received_at=received, text="Die Ortsumgehung zerschneidet den Wald. " * 20,
                       author_name="Erika Muster", organisation_name="BUND Ortsgruppe")  # fmt: skip
    [row] = rows(world.client("case_worker").get(url).content.decode())
    assert f'value="{statement.pk}" id="sel-{statement.pk}"' in row
    assert f"{statement.reference} auswählen</label>" in row
    assert f'href="{url}{statement.pk}/">{statement.reference}</a>' in row
    assert "01.07.2026 08:30" in row and "Brief" in row and "verspätet" not in row
    assert "1. / Öffentlichkeit" in row
    assert "Erika Muster<br>" in row and "BUND Ortsgruppe" in row and "Identität bestätigt" not in row
    excerpt = re.search(r'<span class="excerpt">(.*?)</span>', row).group(1)  # type: ignore[union-attr]
    assert excerpt.startswith("Die Ortsumgehung zerschneidet den Wald.") and excerpt.endswith("…")
    assert len(excerpt) == 200
    assert "Anlagen" not in row and ">neu</td>" in row and "Masseneinwendung" not in row


def test_every_mark_a_row_can_carry(world, inbox) -> None:  # type: ignore[no-untyped-def]
    procedure, track, url = inbox
    lead = record(world, track, text="Sammeleinwendung gegen die Trasse")
    statement = record(world, track, text="Sammeleinwendung gegen die Trasse", author_name="")
    Statement.objects.filter(pk=statement.pk).update(late=True, assurance_level=3, identity_provider="bundid",
                                                     lead=lead)  # fmt: skip
    for name in ("a.pdf", "b.pdf"):
        StatementAttachment.objects.create(statement=statement, name=name, content_type="application/pdf", size=10,
                                           file=f"formal/statements/{name}", sha256="0" * 64)  # fmt: skip
    evaluation.statements_assign(actor=world.personas["case_worker"], procedure=procedure, statement_ids=[statement.pk],
                                 assignee=world.personas["case_worker"])  # fmt: skip
    html = world.client("case_worker").get(url).content.decode()
    [row] = [row for row in rows(html) if f"sel-{statement.pk}" in row]
    assert "verspätet</span>" in row
    assert '<td class="kern-table__cell">–' in row  # no name given
    assert "Identität bestätigt (Niveau 3)" in row and 'title="' in row
    assert "(2 Anlagen)" in row
    assert world.personas["case_worker"].email in row and "Masseneinwendung" in row


def test_a_search_marks_the_match(world, inbox) -> None:  # type: ignore[no-untyped-def]
    _procedure, track, url = inbox
    record(world, track, text="Wir fordern einen Radweg entlang der Landstraße.")
    [row] = rows(world.client("case_worker").get(url + "?q=Radweg").content.decode())
    assert "<mark>Radweg</mark>" in row


def test_what_a_citizen_typed_is_escaped(world, inbox) -> None:  # type: ignore[no-untyped-def]
    _procedure, track, url = inbox
    record(world, track, text="<script>alert(1)</script> & mehr", author_name="<b>Eve</b>",
           organisation_name='"><img src=x>')  # fmt: skip
    [row] = rows(world.client("case_worker").get(url).content.decode())
    assert "<script>" not in row and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; mehr" in row
    assert "&lt;b&gt;Eve&lt;/b&gt;" in row and "&gt;&lt;img src=x&gt;" in row and '"><img' not in row


def test_rows_speak_the_readers_language(world, inbox) -> None:  # type: ignore[no-untyped-def]
    _procedure, track, url = inbox
    statement = record(world, track)
    Statement.objects.filter(pk=statement.pk).update(late=True, assurance_level=4)
    client = world.client("case_worker")
    client.cookies["django_language"] = "en"
    [row] = rows(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "select</label>" in row and "late</span>" in row and "Identity confirmed (level 4)" in row
    assert "auswählen" not in row and "verspätet" not in row
