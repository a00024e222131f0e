"""Reading the registrations of events: counts and attendance (one aggregated query for any number of events),
the summary of interpreting requests, and the participant lists as PDF (to sign in on paper) and XLSX."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mitwirken.core.exports import safe_cell, xlsx_file
from mitwirken.core.text import strip_control_characters

from .models import HOLDING, Event, Question, Registration, RegistrationStatus

logging.getLogger("fontTools").setLevel(logging.ERROR)

CANCELLED = (RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED, RegistrationStatus.EXPIRED)


@dataclass
class Attendance:
    confirmed: int = 0  # confirmed registrations
    places: int = 0  # places of confirmed registrations (with companions)
    pending: int = 0  # waiting for approval or for the e-mail link, or offered from the waiting list
    waiting: int = 0
    cancelled: int = 0  # cancelled, declined or expired
    checked_in: int = 0
    sign_language: int = 0  # requests among registrations holding a place
    captioning: int = 0
    no_shows: int | None = None  # confirmed but not checked in, once the event is over

    def add(self, other: Attendance) -> None:
        for item in fields(self):
            mine, theirs = getattr(self, item.name), getattr(other, item.name)
            if theirs is not None:
                setattr(self, item.name, (mine or 0) + theirs)

    @property
    def interpreting(self) -> str:
        return interpreting_summary(self.sign_language, self.captioning)

    @property
    def pending_text(self) -> str:
        """ "3 offen" for the back office's event list (its Jinja2 rows take plurals from Python)."""
        return ngettext("%(counter)s offen", "%(counter)s offen", self.pending) % {"counter": self.pending}


def interpreting_summary(sign_language: int, captioning: int) -> str:
    """ "2 × DGS, 1 × Schriftdolmetschung" – or "" without requests."""
    parts = []
    if sign_language:
        parts.append(_("%(count)d × DGS") % {"count": sign_language})
    if captioning:
        parts.append(_("%(count)d × Schriftdolmetschung") % {"count": captioning})
    return ", ".join(parts)


def attendance(events: Iterable[Event], now: datetime | None = None) -> dict[int, Attendance]:
    """Counts per event from one GROUP BY query; no-shows only for events that are over."""
    now = now or timezone.now()
    events = list(events)
    holding = Q(status__in=HOLDING)
    rows = (
        Registration.objects.filter(event__in=[event.pk for event in events])
        .values("event_id")
        .annotate(
            confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
            people=Sum(F("companions") + 1, filter=Q(status=RegistrationStatus.CONFIRMED), default=0),
            pending=Count("pk", filter=Q(status__in=(RegistrationStatus.PENDING, RegistrationStatus.UNCONFIRMED,
                                                     RegistrationStatus.OFFERED))),
            waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITING)),
            cancelled=Count("pk", filter=Q(status__in=CANCELLED)),
            checked_in=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=False)),
            dgs=Count("pk", filter=holding & Q(sign_language=True)),
            captions=Count("pk", filter=holding & Q(captioning=True)),
        )
        .order_by()
    )  # fmt: skip
    found = {}
    for row in rows:
        key = row.pop("event_id")
        row["places"], row["sign_language"], row["captioning"] = row.pop("people"), row.pop("dgs"), row.pop("captions")
        found[key] = Attendance(**row)
    result = {}
    for event in events:
        counts = found.get(event.pk, Attendance())
        if event.end < now:
            counts.no_shows = counts.confirmed - counts.checked_in
        result[event.pk] = counts
    return result


def total(counts: Iterable[Attendance]) -> Attendance:
    result = Attendance()
    for item in counts:
        result.add(item)
    return result


# --- answers --------------------------------------------------------------------------------------------------


def answer_text(question: Question, value: Any) -> str:
    """An answer as text: the labels of chosen codes. The registration form stores choices as the survey question
    engine reads them (``{"choice": code, "other": …}``, ``{"choices": [codes], "other": …}``)."""
    labels = {str(option[0]): option[1] for option in question.options or [] if len(option) == 2}
    if isinstance(value, dict):
        codes = value.get("choices") if "choices" in value else [value.get("choice")]
        parts = [str(labels.get(str(code), code)) for code in codes or [] if code not in (None, "", "_other")]
        if value.get("other"):
            parts.append(str(value["other"]))
        return ", ".join(parts)
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if question.type == "yes_no" and value in ("yes", "no", "ja", "nein"):
        return _("ja") if value in ("yes", "ja") else _("nein")
    if isinstance(value, list):
        return ", ".join(str(labels.get(item, item)) for item in value)
    return str(labels.get(value, value))


def answers_text(questions: list[Question], answers: dict[str, Any], separator: str = "\n") -> str:
    return separator.join(
        f"{question.text}: {answer_text(question, answers.get(question.code))}"
        for question in questions
        if answer_text(question, answers.get(question.code))
    )


def requests_text(registration: Registration) -> str:
    wishes = []
    if registration.sign_language:
        wishes.append(_("DGS"))
    if registration.captioning:
        wishes.append(_("Schriftdolmetschung"))
    return ", ".join(wishes)


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M") if moment else ""


def event_when(event: Event) -> str:
    start, end = timezone.localtime(event.start), timezone.localtime(event.end)
    if start.date() == end.date():
        return f"{start:%d.%m.%Y}, {start:%H:%M}–{end:%H:%M} Uhr"
    return f"{start:%d.%m.%Y %H:%M} Uhr – {end:%d.%m.%Y %H:%M} Uhr"


def event_where(event: Event) -> str:
    return ", ".join(part for part in (event.venue_name, event.room, event.address) if part) or _("online")


# --- XLSX ------------------------------------------------------------------------------------------------------


def participants_xlsx(event: Event) -> IO[bytes]:
    """Every registration with status, category, requests and answers (formula-safe through core.exports)."""
    questions = list(event.questions.all())
    header = [_("Name"), _("E-Mail-Adresse"), _("Status"), _("Kontingent"), _("Begleitpersonen"),
              _("DGS gewünscht"), _("Schriftdolmetschung gewünscht"), _("Angemeldet am"), _("Eingecheckt um"),
              _("Identität"), _("Angemeldet für"), *[question.text for question in questions]]  # fmt: skip
    registrations = event.registrations.select_related("capacity").order_by("status", "name", "pk")

    def rows() -> Iterable[list[Any]]:
        for registration in registrations.iterator(chunk_size=500):
            yield [
                registration.name, registration.email, registration.get_status_display(),
                registration.capacity.name, registration.companions, _("ja") if registration.sign_language else "",
                _("ja") if registration.captioning else "", _local(registration.created_at),
                _local(registration.checked_in_at), registration.identity_text, registration.on_behalf_of_name,
                *[answer_text(question, registration.answers.get(question.code)) for question in questions],
            ]  # fmt: skip

    return xlsx_file(_("Teilnehmende"), [safe_cell(cell) for cell in header], rows())


# --- PDF -------------------------------------------------------------------------------------------------------

MAX_PDF_ROWS = 2000


@cache
def _font(style: str) -> str:
    """KERN's Fira Sans as TTF (fpdf2 cannot read woff2), converted once into var/fonts (as for receipts)."""
    from fontTools.ttLib import TTFont

    name = {"": "FiraSans-Regular", "B": "FiraSans-Bold"}[style]
    target = Path(settings.VAR_DIR) / "fonts" / f"{name}.ttf"
    if not target.exists():
        source = finders.find(f"vendor/kern/fonts/fira-sans/{name}.woff2")
        if not source:
            raise RuntimeError("KERN fonts are missing; run `make static`.")
        target.parent.mkdir(parents=True, exist_ok=True)
        font = TTFont(source)
        font.flavor = None
        font.save(str(target))
    return str(target)


def participants_pdf(event: Event) -> bytes:
    """A4 landscape sign-in list of the confirmed registrations, by name, with a column to sign."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    questions = list(event.questions.all())
    registrations = list(
        event.registrations.filter(status=RegistrationStatus.CONFIRMED)
        .select_related("capacity")
        .order_by("name", "pk")[:MAX_PDF_ROWS]
    )
    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("Fira", fname=_font(""))
    pdf.add_font("Fira", style="B", fname=_font("B"))
    title = _("Teilnahmeliste – %(title)s") % {"title": event.title}
    pdf.set_title(strip_control_characters(title))
    pdf.set_author(event.organisation.name)
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_page()
    pdf.set_font("Fira", style="B", size=14)
    pdf.multi_cell(0, 7, strip_control_characters(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Fira", size=10)
    places = sum(registration.places for registration in registrations)
    summary = interpreting_summary(
        sum(r.sign_language for r in registrations), sum(r.captioning for r in registrations)
    )
    lines = [
        f"{event.organisation.name} · {event_when(event)} · {event_where(event)}",
        ngettext("%(count)d Anmeldung", "%(count)d Anmeldungen", len(registrations)) % {"count": len(registrations)}
        + " · " + ngettext("%(count)d Person", "%(count)d Personen", places) % {"count": places}
        + (f" · {_('Angefragt')}: {summary}" if summary else ""),
        _("Stand: %(now)s Uhr") % {"now": timezone.localtime().strftime("%d.%m.%Y %H:%M")},
    ]  # fmt: skip
    for line in lines:
        pdf.multi_cell(0, 5.5, strip_control_characters(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Fira", size=9)
    with_answers = bool(questions)
    widths = (8, 62, 22, 34, 34, 60, 53) if with_answers else (8, 80, 24, 44, 44, 73)
    heading = [_("Nr."), _("Name"), _("Begleitung"), _("Kontingent"), _("Wünsche"),
               *([_("Antworten")] if with_answers else []), _("Unterschrift")]  # fmt: skip
    with pdf.table(col_widths=widths, line_height=6, headings_style=FontFace(emphasis="BOLD"),
                   repeat_headings=1, padding=2) as table:  # fmt: skip
        row = table.row()
        for label in heading:
            row.cell(label)
        for number, registration in enumerate(registrations, start=1):
            row = table.row()
            cells = [str(number), registration.name, str(registration.companions or "–"), registration.capacity.name,
                     requests_text(registration) or "–"]  # fmt: skip
            if with_answers:
                cells.append(answers_text(questions, registration.answers))
            cells.append("")
            for value in cells:
                row.cell(strip_control_characters(value))
    return bytes(pdf.output())
