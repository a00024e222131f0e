"""The access-code letter fits a DL window envelope (DIN 5008 Form B) and says everything once."""

from __future__ import annotations

import re
import zlib
from collections import Counter

import pytest

from mitwirken.projects import letters, services
from mitwirken.projects.models import AccessCode

pytestmark = pytest.mark.django_db

PT = 25.4 / 72  # millimetres per PDF point
PAGE_HEIGHT = 297.0
TEXT_RUN = re.compile(rb"BT ([\d.]+) ([\d.]+) Td (?:[\d.]+ Tw )?\((.*?)\) Tj ET")


def text_runs(pdf: bytes) -> list[list[tuple[float, float, str]]]:
    """Per page: (x from the left, baseline from the top, text), in millimetres, from the content streams."""
    pages = []
    # The data may itself end in a carriage return, so only the line feed before "endstream" is the separator, and
    # the decompressor ignores what follows the compressed data.
    for stream in re.finditer(rb"stream\r?\n(.*?)\nendstream", pdf, re.S):
        try:
            content = zlib.decompressobj().decompress(stream.group(1))
        except zlib.error:
            continue  # fonts and other binary streams
        runs = [
            (float(x) * PT, PAGE_HEIGHT - float(y) * PT, text.decode("latin-1").replace("\\(", "(").replace("\\)", ")"))
            for x, y, text in TEXT_RUN.findall(content)
        ]
        if runs:
            pages.append(runs)
    return pages


@pytest.fixture
def letter_world(world):
    organisation = world.organisation
    organisation.address = "Landkreis Musterkreis\nMusterstraße 1\n55555 Musterstadt"  # starts with the name
    organisation.contact_email = "beteiligung@musterkreis.example"
    organisation.save()
    addresses = services.parse_postal_addresses(
        "Frau Erika Mustermann\nHauptstraße 25\n55555 Beispielhausen\n\n"
        "Gemeinde Nordheim\nBauamt\nRathausplatz 1\n55556 Nordheim"
    )
    codes = services.access_codes_for_addresses(
        actor=world.personas["case_worker"], project=world.protected, addresses=addresses
    )
    world.protected.organisation = organisation
    return world, codes


def test_address_field_sits_in_the_window_of_a_dl_envelope(letter_world):
    world, codes = letter_world
    pages = text_runs(letters.access_code_letters(world.protected, codes))
    assert len(pages) == 2
    for page, code in zip(pages, codes, strict=True):
        recipient = code.recipient.splitlines()
        lines = {text: (x, y) for x, y, text in page}
        # The recipient's lines stand in the Anschriftzone (62.7–90 mm from the top), 25 mm from the left.
        for line in recipient:
            x, y = lines[line]
            assert letters.ADDRESS_LEFT + letters.ADDRESS_INSET <= x < letters.ADDRESS_LEFT + 10
            assert letters.ADDRESS_ZONE_TOP < y <= letters.ADDRESS_ZONE_TOP + letters.ADDRESS_ZONE_HEIGHT
        # The return line closes the Zusatz- und Vermerkzone directly above the recipient.
        return_line = next(text for _x, _y, text in page if "Musterstraße 1" in text)
        x, y = lines[return_line]
        assert letters.ADDRESS_TOP < y <= letters.ADDRESS_ZONE_TOP
        assert y < lines[recipient[0]][1]
        assert return_line == "Landkreis Musterkreis · Musterstraße 1 · 55555 Musterstadt"
        # The information block at 125 mm, the text below the address field.
        assert lines["Datum"][0] >= letters.INFO_LEFT and lines["Datum"][1] >= letters.INFO_TOP
        subject_y = lines[f"Ihr Zugang zur Beteiligung: {world.protected.title}"][1]
        assert subject_y >= letters.TEXT_TOP > letters.ADDRESS_TOP + 45


def test_every_text_appears_once(letter_world):
    world, codes = letter_world
    pdf = letters.access_code_letters(world.protected, codes)
    for page, code in zip(text_runs(pdf), codes, strict=True):
        text = "\n".join(run for _x, _y, run in page)
        counts = Counter(run for _x, _y, run in page)
        assert [run for run, count in counts.items() if count > 1] == []
        assert text.count(code.code) == 1
        assert text.count(world.protected.title) == 1
        assert text.count("Musterstraße 1") == 1  # the address only in the return line
        assert text.count("/zugangscode/") == 1
        assert text.count("beteiligung@musterkreis.example") == 1
        # The name stands in the letterhead and, as the post requires, in the return line; nowhere else.
        assert text.count(world.organisation.name) == 2
        assert counts[world.organisation.name] == 1  # the letterhead; the address did not repeat it


def test_codes_without_address_leave_the_window_empty_and_fold_marks_are_drawn(world):
    code = services.access_codes_create(actor=world.personas["case_worker"], project=world.protected, count=1)[0]
    pdf = letters.access_code_letters(world.protected, [code])
    (page,) = text_runs(pdf)
    in_zone = [
        text for x, y, text in page
        if letters.ADDRESS_ZONE_TOP < y <= letters.ADDRESS_ZONE_TOP + letters.ADDRESS_ZONE_HEIGHT and x < 105
    ]  # fmt: skip
    assert in_zone == []
    content = b"".join(
        zlib.decompress(m.group(1))
        for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
        if m.group(1)[:2] == b"x\x9c"
    )
    marks = [PAGE_HEIGHT - float(y) * PT for y in re.findall(rb"[\d.]+ ([\d.]+) m [\d.]+ [\d.]+ l S", content)]
    for mark in (*letters.FOLD_MARKS, letters.PUNCH_MARK):
        assert any(abs(found - mark) < 0.1 for found in marks), (mark, marks)


def test_postal_addresses_are_checked_by_number(world):
    with pytest.raises(Exception) as refused:
        services.parse_postal_addresses("Nur eine Zeile\n\nA\nB\nC\nD\nE\nF\nG\n\nHerr X\n" + "y" * 50)
    messages = " ".join(refused.value.messages)
    assert "Anschrift 1 hat nur eine Zeile" in messages
    assert "Anschrift 2 hat mehr als 6 Zeilen" in messages
    assert "Anschrift 3: die Zeile" in messages
    client = world.client("case_worker")
    url = f"/verwaltung/{world.organisation.slug}/projekte/{world.protected.pk}/teilnehmende/"
    response = client.post(url, {"action": "letters", "letters-addresses": "Nur eine Zeile"})
    assert "Anschrift 1 hat nur eine Zeile" in response.content.decode()
    assert not AccessCode.objects.exists()  # nothing half-saved
    client.post(url, {"action": "letters", "letters-addresses": "Herr X\nWeg 1\n55555 Ort"})
    assert AccessCode.objects.get().recipient == "Herr X\nWeg 1\n55555 Ort"
