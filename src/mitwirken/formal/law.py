"""Procedure types with their legal basis, minimum periods and XBeteiligung step codes.

Sources: ../shared/DOMAIN.md §2 (ROG 2023, LPlG RLP, BauGB, VwVfG). Periods are
*defaults that the portal enforces*: staff may go below a minimum only with a
written reason, which is audit-logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcedureType(models.TextChoices):
    LANDESPLANUNG = "landesplanung", _("Landesplanung (Landesentwicklungsprogramm, Regionaler Raumordnungsplan)")
    RAUMORDNUNGSVERFAHREN = "rov", _("Raumordnungsverfahren / Raumverträglichkeitsprüfung")
    RECHTSVERORDNUNG = "rvo", _("Rechtsverordnungsverfahren")
    ZIELABWEICHUNG = "zav", _("Zielabweichungsverfahren")
    BAULEITPLANUNG = "blp", _("Bauleitplanung")
    PLANFESTSTELLUNG = "pfv", _("Planfeststellung")


class RoundKind(models.TextChoices):
    EARLY = "early", _("Frühzeitige Beteiligung")
    HEARING = "hearing", _("Anhörung / Auslegung")
    RENEWED = "renewed", _("Erneute Beteiligung nach Änderungen")


class Audience(models.TextChoices):
    PUBLIC = "public", _("Öffentlichkeit")
    AGENCY = "agency", _("Träger öffentlicher Belange")


@dataclass(frozen=True)
class Rules:
    legal_basis: str
    abbreviation: str  # appears in reference numbers, e.g. MK-2026-ROV-000123
    min_months: int  # minimum length of a comment period, in calendar months
    max_months: int | None  # upper bound of the comment period, if the law sets one
    announcement_days: int  # the period must be announced at least this many days before its start
    preclusion_notice: str
    # XBeteiligung procedure-step codes per (round kind, audience): DOMAIN.md §2.
    step_codes: dict[tuple[str, str], int]


PRECLUSION = (
    "Stellungnahmen, die nach Ablauf der Frist eingehen, können bei der Entscheidung unberücksichtigt "
    "bleiben (Präklusion)."
)
# Raumordnung (demosplan's mapping, DOMAIN.md §2): 4000/5000 are the configuration step, 4400/5400 the
# Erörterungstermin; participation steps are early 4100/5100, hearing 4200/5200, renewed hearing 4500/5500.
RAUMORDNUNG_CODES = {
    ("early", "agency"): 4100, ("hearing", "agency"): 4200, ("renewed", "agency"): 4500,
    ("early", "public"): 5100, ("hearing", "public"): 5200, ("renewed", "public"): 5500,
}  # fmt: skip
# Bauleitplanung (the XSD's code documentation): public early 4000 / publication 6000, agencies early 2000 /
# hearing 5000. A renewed hearing repeats the hearing step; XBeteiligung tells them apart by the Durchgang.
BAULEITPLANUNG_CODES = {
    ("early", "public"): 4000, ("early", "agency"): 2000,
    ("hearing", "public"): 6000, ("hearing", "agency"): 5000,
    ("renewed", "public"): 6000, ("renewed", "agency"): 5000,
}  # fmt: skip


@dataclass(frozen=True)
class Step:
    """One code of an XBeteiligung step list (Verfahrensschritt) and what it means for the portal.

    ``kind`` is the round kind of a comment period the step opens; steps without one (configuration,
    Erörterung, evaluation, decision) describe where the plan stands and open no period. ``audience`` is
    fixed where the code names one (Raumordnung's 4xxx agencies, 5xxx public); else the block decides.
    """

    code: str
    label: str
    kind: str | None = None
    audience: str | None = None
    renewed: bool = False  # the code itself says "erneut"; otherwise the Durchgang tells a renewed round apart


# The step lists are external code lists (XÖV "Typ 3"): the XSD fixes only their URNs, not their values.
# Values as published with XBeteiligung 1.2 (verfahrensschrittkommunal, verfahrensschrittraumordnung), in
# the reading of DiPlan Cockpit and demosplan (DOMAIN.md §2). docs/formal.md shows this table.
KOMMUNAL_STEPS = {step.code: step for step in (
    Step("0000", "Vorplanung"),
    Step("1000", "Einleitungsphase (Konfiguration)"),
    Step("2000", "Frühzeitige Behördenbeteiligung (§ 4 Abs. 1 BauGB)", RoundKind.EARLY, Audience.AGENCY),
    Step("3000", "Aufstellungsbeschluss"),
    Step("4000", "Frühzeitige Öffentlichkeitsbeteiligung (§ 3 Abs. 1 BauGB)", RoundKind.EARLY, Audience.PUBLIC),
    Step("5000", "Beteiligung der Träger öffentlicher Belange (§ 4 Abs. 2 BauGB)", RoundKind.HEARING, Audience.AGENCY),
    Step("5010", "Behörden- und Öffentlichkeitsbeteiligung", RoundKind.HEARING),
    Step("6000", "Veröffentlichung / Öffentlichkeitsbeteiligung (§ 3 Abs. 2 BauGB)", RoundKind.HEARING, Audience.PUBLIC),
    Step("6010", "Einwendungen und Stellungnahmen", RoundKind.HEARING),
    Step("6050", "Planänderungen"),
    Step("6100", "Erörterung"),
    Step("7000", "Auswertung und Beschluss"),
    Step("7010", "Planfeststellungsbeschluss"),
    Step("7050", "Überwachung"),
    Step("8000", "Schlussphase"),
    Step("9000", "Vor-Einleitungsphase"),
    Step("9998", "kein Verfahrensschritt"),
)}  # fmt: skip
RAUMORDNUNG_STEPS = {step.code: step for step in (
    Step("4000", "Konfiguration Träger öffentlicher Belange", None, Audience.AGENCY),
    Step("4100", "Frühzeitige Beteiligung Träger öffentlicher Belange", RoundKind.EARLY, Audience.AGENCY),
    Step("4200", "Anhörung Träger öffentlicher Belange", RoundKind.HEARING, Audience.AGENCY),
    Step("4400", "Erörterungstermin Träger öffentlicher Belange", None, Audience.AGENCY),
    Step("4500", "Erneute Anhörung Träger öffentlicher Belange", RoundKind.RENEWED, Audience.AGENCY, renewed=True),
    Step("4600", "Auswertung Träger öffentlicher Belange", None, Audience.AGENCY),
    Step("4700", "Beschlussfassung Träger öffentlicher Belange", None, Audience.AGENCY),
    Step("5000", "Konfiguration betroffene Öffentlichkeit", None, Audience.PUBLIC),
    Step("5100", "Ermittlung und Information Betroffener (durch Gemeinden)", RoundKind.EARLY, Audience.PUBLIC),
    Step("5200", "Anhörung Betroffener (Öffentlichkeit)", RoundKind.HEARING, Audience.PUBLIC),
    Step("5400", "Erörterungstermin betroffene Öffentlichkeit", None, Audience.PUBLIC),
    Step("5500", "Erneute Anhörung Betroffener (Öffentlichkeit)", RoundKind.RENEWED, Audience.PUBLIC, renewed=True),
    Step("5600", "Auswertung betroffene Öffentlichkeit", None, Audience.PUBLIC),
    Step("5700", "Beschlussfassung betroffene Öffentlichkeit", None, Audience.PUBLIC),
)}  # fmt: skip
STEP_LIST_NAMES = {"kommunal": "verfahrensschrittkommunal", "raumordnung": "verfahrensschrittraumordnung"}


RULES: dict[str, Rules] = {
    ProcedureType.LANDESPLANUNG: Rules("§ 9 ROG, § 6 Abs. 4 LPlG RLP", "LP", 1, 3, 7, PRECLUSION, RAUMORDNUNG_CODES),
    ProcedureType.RAUMORDNUNGSVERFAHREN: Rules("§ 15 ROG, § 17 LPlG RLP", "ROV", 1, None, 7, PRECLUSION, RAUMORDNUNG_CODES),
    ProcedureType.RECHTSVERORDNUNG: Rules("Landesrecht (Anhörung zum Verordnungsentwurf)", "RVO", 0, None, 0, PRECLUSION, RAUMORDNUNG_CODES),
    ProcedureType.ZIELABWEICHUNG: Rules("§ 6 Abs. 2 ROG, § 10 LPlG RLP", "ZAV", 1, None, 0, PRECLUSION, RAUMORDNUNG_CODES),
    ProcedureType.BAULEITPLANUNG: Rules("§§ 3, 4 BauGB", "BLP", 1, None, 7, PRECLUSION, BAULEITPLANUNG_CODES),
    ProcedureType.PLANFESTSTELLUNG: Rules("§ 73 VwVfG", "PFV", 1, None, 7, PRECLUSION, RAUMORDNUNG_CODES),
}  # fmt: skip


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def period_problems(procedure_type: str, start: datetime, end: datetime, announced_at: datetime | None) -> list[str]:
    """The legal minimums/maximums a period violates, as German sentences (empty if none)."""
    rules = RULES[procedure_type]
    problems: list[str] = []
    start_day, end_day = start.date(), end.date()
    if rules.min_months and end_day < add_months(start_day, rules.min_months) - timedelta(days=1):
        problems.append(
            str(_("Die Frist ist kürzer als die gesetzliche Mindestdauer von %(months)s Monat(en) (%(basis)s)."))
            % {"months": rules.min_months, "basis": rules.legal_basis}
        )
    if rules.max_months and end_day > add_months(start_day, rules.max_months):
        problems.append(
            str(_("Die Frist ist länger als die Höchstdauer von %(months)s Monaten (%(basis)s)."))
            % {"months": rules.max_months, "basis": rules.legal_basis}
        )
    if (
        rules.announcement_days
        and announced_at is not None
        and start - announced_at < timedelta(days=rules.announcement_days)
    ):
        problems.append(
            str(_("Die Frist muss mindestens %(days)s Tage vor Beginn bekannt gemacht werden (%(basis)s)."))
            % {"days": rules.announcement_days, "basis": rules.legal_basis}
        )
    return problems
