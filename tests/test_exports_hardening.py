"""Control characters (issue 10): one hostile contribution must not break the staff's exports.

Vertical tab, form feed and the other C0 controls make openpyxl raise IllegalCharacterError and make XML
invalid. They are removed on the way in (``core.text.clean_text`` in the services' checks) and again on
the way out (``core.exports.safe_cell`` / ``xml_text``) for what was stored before.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from lxml import etree
from openpyxl import load_workbook

from mitwirken.core.exports import safe_cell, xlsx_file, xml_text
from mitwirken.core.text import CONTROL_CHARACTERS, clean_text, strip_control_characters
from mitwirken.dialogue import services as dialogue_services
from mitwirken.dialogue.models import Blueprint, Idea, Paragraph
from mitwirken.formal.models import Statement
from mitwirken.participation import services as participation_services
from mitwirken.participation.models import Comment
from mitwirken.reports.models import Report

from .dialogue_fixtures import make_dialogue
from .dialogue_helpers import durl, established
from .formal_fixtures import make_procedure
from .test_abwaegung import backoffice, submit_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure(world: Any) -> Any:
    return make_procedure(world.personas["case_worker"], world.public)


@pytest.fixture
def track(procedure: Any) -> Any:
    return procedure.rounds.get().tracks.get()


CONTROLS = "".join(chr(code) for code in [*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x85])
HOSTILE = f"Einwand\vmit\fSteuer{CONTROLS}zeichen\tund\nZeilen"


def streamed(response: Any) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


def xlsx_rows(data: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))


def ods_content(data: bytes) -> Any:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("content.xml"))  # raises on invalid XML


def test_cleaning_keeps_tab_and_line_breaks_only() -> None:
    assert clean_text(HOSTILE) == "EinwandmitSteuerzeichen\tund\nZeilen"
    assert strip_control_characters("a\r\nb\u2028c\u00e4\U0001f600") == "a\r\nb\u2028c\u00e4\U0001f600"
    assert all(CONTROL_CHARACTERS.match(ch) for ch in CONTROLS + "\x00\ufffe\uffff")
    assert safe_cell("\v=HYPERLINK(1)") == "'=HYPERLINK(1)"  # cleaned first, then guarded against formulas
    assert xml_text("<a>\f&") == "&lt;a&gt;&amp;"
    xlsx_rows(xlsx_file("T", ["h"], [[HOSTILE]]).read())  # openpyxl takes what safe_cell gives it


def test_statement_text_is_cleaned_on_the_way_in(world: Any, track: Any) -> None:
    statement = submit_as(world, "citizen", track, text=HOSTILE, author_name="Erika\x0bMustermann")
    assert statement.text == clean_text(HOSTILE) and statement.author_name == "ErikaMustermann"


def test_abwaegungstabelle_survives_stored_control_characters(world: Any, procedure: Any, track: Any) -> None:
    # Stored before the input was cleaned (or by a path that forgot): the exports must clean on the way out.
    statement = submit_as(world, "citizen", track)
    Statement.objects.filter(pk=statement.pk).update(text=HOSTILE, author_name="Name\x0cmit Seitenvorschub")
    client = world.client("case_worker")
    for query in ("", "?q=Einwand", "?status=new"):
        rows = xlsx_rows(streamed(client.get(backoffice(world, procedure, "abwaegungstabelle.xlsx") + query)))
        assert len(rows) == 2, query
        assert clean_text(HOSTILE) in rows[1] and "Namemit Seitenvorschub" in rows[1]
        ods = ods_content(streamed(client.get(backoffice(world, procedure, "abwaegungstabelle.ods") + query)))
        assert clean_text(HOSTILE) in "".join(ods.itertext())
    assert client.get(backoffice(world, procedure, "abwaegungstabelle.pdf")).status_code == 200
    from mitwirken.formal import xbeteiligung

    element = xbeteiligung._sub(etree.Element("root"), "text", HOSTILE)  # lxml would refuse the raw text
    assert element.text == clean_text(HOSTILE)


@pytest.mark.parametrize("blueprint", [Blueprint.BRAINSTORMING, Blueprint.TEXT_REVIEW])
def test_dialogue_exports_survive_control_characters(world: Any, blueprint: str) -> None:
    established(*[user for user in world.personas.values() if user is not None])
    module = make_dialogue(world.public, blueprint)
    citizen = world.personas["citizen"]
    if blueprint == Blueprint.TEXT_REVIEW:
        paragraph = Paragraph.objects.filter(chapter__module=module).first()
        comment = participation_services.comment_create(user=citizen, target=paragraph, text=HOSTILE)
    else:
        idea = dialogue_services.idea_create(user=citizen, module=module, title=f"Titel\v{CONTROLS}", text=HOSTILE)
        assert "\v" not in idea.title and "\f" not in idea.text  # cleaned on the way in
        comment = participation_services.comment_create(user=citizen, target=idea, text=HOSTILE)
        Idea.objects.filter(pk=idea.pk).update(title="Alt\x0bTitel", text=f"<p>{HOSTILE}</p>")
    assert comment.text == clean_text(HOSTILE)
    Comment.objects.filter(pk=comment.pk).update(text=HOSTILE)  # as if stored before the fix
    client = world.client("case_worker")
    rows = xlsx_rows(streamed(client.get(durl(module, "export", file_format="xlsx"))))
    assert len(rows) >= 2
    assert not any(isinstance(cell, str) and CONTROL_CHARACTERS.search(cell) for row in rows for cell in row)
    csv = streamed(client.get(durl(module, "export", file_format="csv"))).decode()
    assert "\v" not in csv and "\f" not in csv


def test_report_description_is_cleaned(world: Any) -> None:
    from mitwirken.reports.services import check_description, check_text

    assert check_description(f"Schlagloch\v{CONTROLS}tief") == "Schlaglochtief"
    assert check_text("Haupt\fstraße 1", "address", 300) == "Hauptstraße 1"
    assert Report._meta.get_field("description")  # the field the check feeds
