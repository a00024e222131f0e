"""Demo surveys: a public household survey on mobility and a staff survey with personal access codes.

The questionnaires, the people and the answer weights live in ``demo/*.toml`` (read with ``core.demo.load_data``);
this module builds them through the services, so they are exactly what staff could have built in the back office.
Each survey is created once (a project that already has a survey module is left alone), with a few dozen
synthetic responses so result pages are not empty. ``--scale N`` adds N responses to the household survey by bulk
insert (``add_responses``), drawn from the weights with a seeded random, with the conditions applied as for a real
respondent and ``response_count`` and the quotas kept in step.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from mitwirken.core.demo import load_data, paragraphs, single_paragraph
from mitwirken.organisations.demo import box
from mitwirken.organisations.models import Organisation
from mitwirken.projects import services as project_services
from mitwirken.projects.models import AccessMode, Project, ProjectStatus

from . import questions, results
from .blueprints import MODULE_TYPE, RESPOND
from .models import Answer, Quota, Response, Survey, Token
from .questionnaire import Questionnaire
from .services import building, tokens

APP = "mitwirken.surveys"
HOUSEHOLD_FILE = "mobilitaet-beispielhausen.toml"
STAFF_FILE = "mitarbeitendenbefragung.toml"
CHUNK = 1000  # responses per bulk insert; their answers go in batches of 5,000 rows
LOCATION_JITTER = 0.003  # degrees around a hotspot, about 300 m


def seed(stdout: Any, scale: int) -> None:
    household, household_data = _ensure(HOUSEHOLD_FILE)
    staff_survey, _staff_data = _ensure(STAFF_FILE)
    if scale:
        add_responses(household, scale, specs(household_data), random.Random(f"scale-{household.response_count}"))
        household.refresh_from_db(fields=["response_count"])
    stdout.write("Umfragen:")
    stdout.write(f"  {household.module.get_absolute_url():72} öffentlich, anonym: {household.response_count} Antworten")
    counts = Token.objects.filter(survey=staff_survey)
    letter = counts.filter(email="", used=False).order_by("pk").first()
    stdout.write(
        f"  {staff_survey.module.get_absolute_url():72} mit Zugangscode, anonym: {staff_survey.response_count} "
        f"Antworten, {counts.exclude(email='').count()} Codes per E-Mail "
        f"({counts.filter(invited=True).count()} eingeladen), {counts.filter(email='').count()} für Briefe"
    )
    stdout.write(f"  Zugangscodes in der Verwaltung: {_tokens_url(staff_survey)}"
                 + (f" – zum Ausprobieren: Code {letter.code}" if letter else ""))  # fmt: skip


def _ensure(filename: str) -> tuple[Survey, dict[str, Any]]:
    """The survey of a data file, created with its demo responses the first time."""
    data = load_data(APP, filename)
    project = _project(data)
    module = project.modules.filter(module_type=MODULE_TYPE).first()
    if module is None:
        survey = _create(data, project)
    else:
        module.project = project
        survey = Survey.objects.get(module=module)
        survey.module = module
    return survey, data


def _project(data: Mapping[str, Any]) -> Project:
    organisation = Organisation.objects.get(slug=data["organisation"])
    start = data["phase"]["start"]
    project, _created = Project.objects.get_or_create(
        organisation=organisation, slug=data["slug"],
        defaults={"title": data["title"], "summary": single_paragraph(data["summary"]),
                  "description": "".join(f"<p>{part}</p>" for part in paragraphs(data["description"])),
                  "topics": list(data["topics"]), "access": AccessMode.PUBLIC, "status": ProjectStatus.PUBLISHED,
                  "published_at": timezone.now() + timedelta(days=start - 1),
                  "location": box(*data["location_box"]) if "location_box" in data else None,
                  "location_label": data.get("location_label", ""), "contact_name": "Projektteam",
                  "contact_email": f"beteiligung@{organisation.slug}.example"},
    )  # fmt: skip
    return project


def _create(data: Mapping[str, Any], project: Project) -> Survey:
    staff = get_user_model().objects.get(email=data["staff"])
    module = project_services.module_add(actor=staff, project=project, module_type=MODULE_TYPE,
                                         name=data["module_name"], description=data["module_description"])  # fmt: skip
    now = timezone.now()
    phase = data["phase"]
    project_services.phase_add(actor=staff, module=module, phase_type=RESPOND.key, name=phase["name"],
                               start=now + timedelta(days=phase["start"]), end=now + timedelta(days=phase["end"]))  # fmt: skip
    survey = building.survey_for(module)
    building.settings_update(actor=staff, survey=survey, access=data["access"], anonymity=data["anonymity"],
                             intro=single_paragraph(data["intro"]),
                             completion_text=single_paragraph(data["completion_text"]))  # fmt: skip
    _build(staff, survey, data["pages"])
    for quota in data.get("quotas", ()):
        building.quota_set(actor=staff, survey=survey, limit=quota["limit"],
                           question=survey.questions.get(code=quota["question"]), option_code=quota["option"])  # fmt: skip
    if data["access"] == "token":
        _tokens(staff, survey, data)
    add_responses(survey, data["demo_responses"], specs(data), random.Random(data["slug"]))
    survey.refresh_from_db(fields=["response_count"])
    return survey


def _build(staff: Any, survey: Survey, pages: Iterable[Mapping[str, Any]]) -> None:
    for page_data in pages:
        page = building.page_add(actor=staff, survey=survey, title=page_data["title"],
                                 description=page_data.get("description", ""),
                                 condition=page_data.get("condition"))  # fmt: skip
        for question in page_data["questions"]:
            building.question_add(
                actor=staff, page=page, type=question["type"], code=question["code"], text=question["text"],
                required=question.get("required", False), help_text=question.get("help_text", ""),
                config=question.get("config"), options=[tuple(option) for option in question.get("options", ())],
                rows=[tuple(row) for row in question.get("rows", ())], condition=question.get("condition"),
            )  # fmt: skip


def _tokens(staff: Any, survey: Survey, data: Mapping[str, Any]) -> None:
    """The lists go through the same import as an uploaded file; the codes for letters through the generator."""
    for group in data["tokens"]:
        lines = ["E-Mail;Name;Fachbereich", *(f"{email};{name};{unit}" for name, email, unit in group["people"])]
        upload = SimpleUploadedFile("liste.csv", "\r\n".join(lines).encode("utf-8-sig"), content_type="text/csv")
        tokens.tokens_import(actor=staff, survey=survey, upload=upload)
        if group.get("invite", True):
            # As if the invitations went out days ago: seeding mails nobody, the demo addresses do not exist.
            Token.objects.filter(survey=survey).exclude(email="").update(invited=True)
    tokens.codes_generate(actor=staff, survey=survey, count=data["letters"])
    # The responses below were given with these codes; which code gave which answer is not recorded anywhere.
    used = Token.objects.filter(survey=survey, invited=True).order_by("pk")[: data["demo_responses"]]
    Token.objects.filter(pk__in=list(used.values_list("pk", flat=True))).update(used=True)


def _tokens_url(survey: Survey) -> str:
    module = survey.module
    return reverse("backoffice:survey_tokens", kwargs={"org_slug": module.project.organisation.slug,
                                                      "project_pk": module.project_id, "module_pk": module.pk})  # fmt: skip


# --- synthetic responses --------------------------------------------------------------------------------------


def specs(data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The data-file entry of every question by its code: its weights, samples, texts and answer rate."""
    return {question["code"]: question for page in data["pages"] for question in page["questions"]}


def add_responses(survey: Survey, count: int, spec: Mapping[str, Mapping[str, Any]], rng: random.Random) -> int:
    """Insert ``count`` plausible responses; quotas that are full are avoided, never exceeded."""
    questionnaire = Questionnaire(survey)
    by_question = Quota.objects.filter(survey=survey, question__isnull=False).select_related("question")
    quotas = {(quota.question.code, quota.option_code): quota for quota in by_question if quota.question}
    filled = {key: quota.filled for key, quota in quotas.items()}
    days = _days(survey)
    fields = {question.code: questionnaire.item(question).field for question in questionnaire.questions}
    remaining = count
    while remaining:
        size = min(remaining, CHUNK)
        drawn = [_draw(questionnaire, fields, spec, rng, quotas, filled) for _index in range(size)]
        responses = Response.objects.bulk_create(Response(survey=survey, submitted_on=rng.choice(days))
                                                 for _answers in drawn)  # fmt: skip
        Answer.objects.bulk_create(
            (Answer(response=response, question=questionnaire.by_code[code], **row)
             for response, answers in zip(responses, drawn, strict=True) for code, value in answers.items()
             for row in questions.answer_rows(questionnaire.by_code[code].type, value)),
            batch_size=5000,
        )  # fmt: skip
        remaining -= size
    for key, quota in quotas.items():
        Quota.objects.filter(pk=quota.pk).update(filled=filled[key])
    results.changed(survey)
    Survey.objects.filter(pk=survey.pk).update(response_count=F("response_count") + count)
    return count


def _days(survey: Survey) -> list[date]:
    """The days responses can carry: from the start of the answering phase (at most 60 days back) to today."""
    today = timezone.localdate()
    phase = survey.module.phases.filter(phase_type=RESPOND.key).order_by("start").first()
    first = max(timezone.localdate(phase.start), today - timedelta(days=60)) if phase else today
    first = min(first, today)
    return [first + timedelta(days=offset) for offset in range((today - first).days + 1)]


def _draw(questionnaire: Questionnaire, fields: Mapping[str, questions.Field], spec: Mapping[str, Mapping[str, Any]],
          rng: random.Random, quotas: Mapping[tuple[str, str], Quota],
          filled: dict[tuple[str, str], int]) -> dict[str, Any]:  # fmt: skip
    """One respondent's answers: drawn for every question, then only those a respondent with them is shown."""
    answers = {}
    for question in questionnaire.questions:
        entry = spec.get(question.code, {})
        rate = entry.get("answer_rate", 1.0 if question.required else 0.85)
        if not questions.has_answer(question.type) or rng.random() >= rate:
            continue
        full = {option for (code, option), quota in quotas.items()
                if code == question.code and filled[(code, option)] >= quota.limit}  # fmt: skip
        value = _value(questionnaire, question, fields[question.code], entry, rng, full)
        if value is not None:
            answers[question.code] = value
    kept = questionnaire.kept(answers)
    for code, option in quotas:
        if code in kept and str(questions.comparable(questionnaire.by_code[code].type, kept[code])) == option:
            filled[(code, option)] += 1
    return kept


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    codes = list(weights)
    return rng.choices(codes, weights=[weights[code] for code in codes])[0]


def _weights(codes: Iterable[str], entry: Mapping[str, Any], exclude: Iterable[str] = ()) -> dict[str, float]:
    """The weight of each code; without weights in the data file all codes are equally likely."""
    given, excluded = entry.get("weights", {}), set(exclude)
    return {code: float(given.get(code, 1 if not given else 0)) for code in codes if code not in excluded}


def _value(questionnaire: Questionnaire, question: Any, field: questions.Field, entry: Mapping[str, Any],
           rng: random.Random, full: set[str]) -> Any:  # fmt: skip
    codes = [choice.code for choice in field.choices]
    if question.config.get("other") and "_other" in entry.get("weights", {}):
        codes.append(questions.OTHER)
    kind = question.type
    if kind == "single":
        weights = _weights(codes, entry, full)
        if not any(weights.values()):
            return None
        choice = _weighted(rng, weights)
        return {"choice": choice, "other": _other_text(rng, entry) if choice == questions.OTHER else ""}
    if kind == "multiple":
        return _multiple(codes, entry, question.config, rng)
    if kind in ("scale", "yes_no"):
        choice = _weighted(rng, _weights(codes, entry))
        return int(choice) if kind == "scale" else choice
    if kind == "number":
        sample = entry.get("sample", [[1, 1]])
        return str(rng.choices([value for value, _weight in sample], weights=[weight for _value, weight in sample])[0])
    if kind == "matrix":
        return {row.code: _weighted(rng, _weights(codes, entry)) for row in field.rows}
    if kind == "ranking":
        return _ranking(codes, entry, rng)
    if kind == "location":
        return _location(questionnaire, entry, rng)
    if kind in ("short_text", "long_text") and entry.get("texts"):
        return rng.choice(entry["texts"])
    return None


def _other_text(rng: random.Random, entry: Mapping[str, Any]) -> str:
    return rng.choice(entry.get("other_texts") or ["Sonstiges"])


def _multiple(codes: list[str], entry: Mapping[str, Any], config: Mapping[str, Any], rng: random.Random) -> Any:
    """Each option with its weight as a chance in percent; at least one, at most the question's maximum."""
    weights = _weights(codes, entry)
    chosen = [code for code in codes if rng.random() * 100 < weights[code]]
    if not chosen:
        chosen = [_weighted(rng, weights)]
    if config.get("max") and len(chosen) > int(config["max"]):
        kept = set(rng.sample(chosen, int(config["max"])))
        chosen = [code for code in chosen if code in kept]
    return {"choices": chosen, "other": _other_text(rng, entry) if questions.OTHER in chosen else ""}


def _ranking(codes: list[str], entry: Mapping[str, Any], rng: random.Random) -> list[str]:
    """An order drawn without replacement: a heavier item tends to come first."""
    weights = _weights(codes, entry)
    order = []
    while weights:
        code = _weighted(rng, weights) if any(weights.values()) else next(iter(weights))
        order.append(code)
        del weights[code]
    return order


def _location(questionnaire: Questionnaire, entry: Mapping[str, Any], rng: random.Random) -> dict[str, float] | None:
    hotspots = entry.get("hotspots")
    bounds = questionnaire.area_bounds
    if not hotspots or not bounds:
        return None
    lon, lat = rng.choice(hotspots)
    west, south, east, north = bounds
    return {"lat": round(min(max(rng.gauss(lat, LOCATION_JITTER), south), north), 6),
            "lon": round(min(max(rng.gauss(lon, LOCATION_JITTER), west), east), 6)}  # fmt: skip
