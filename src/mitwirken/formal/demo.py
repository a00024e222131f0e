"""Demo: a running Raumordnungsverfahren in the Landkreis with documents, both tracks and statements."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from fpdf import FPDF

from mitwirken.core.demo import load_data, single_paragraph
from mitwirken.organisations.models import Organisation
from mitwirken.projects.models import AccessMode, Project, ProjectStatus

from . import evaluation, grouping, services
from .models import Procedure, Statement, StatementStatus

# The content is in demo/raumordnungsverfahren.toml (see core.demo.load_data); this module turns it into records.
_DATA = load_data("mitwirken.formal", "raumordnungsverfahren.toml")
OBJECTION = single_paragraph(_DATA["objection"]["text"])
ADDRESS = {key: _DATA["objection"][key] for key in ("street", "postal_code", "city")}


def demo_pdf(title: str) -> SimpleUploadedFile:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, _DATA["documents"]["pdf_note"])
    return SimpleUploadedFile(f"{title[:30]}.pdf", bytes(pdf.output()), content_type="application/pdf")


def seed(stdout: Any, scale: int) -> None:
    User = get_user_model()
    staff = User.objects.get(email=_DATA["staff"])
    content = _DATA["project"]
    organisation = Organisation.objects.get(slug=content["organisation"])
    project = Project.objects.filter(organisation=organisation, slug=content["slug"]).first()
    if project is None:
        project = Project.objects.create(
            organisation=organisation, slug=content["slug"], access=AccessMode.PUBLIC,
            title=content["title"], topics=content["topics"], summary=single_paragraph(content["summary"]),
            status=ProjectStatus.PUBLISHED, published_at=timezone.now(), contact_name=content["contact_name"],
            contact_email=content["contact_email"],
        )  # fmt: skip
    procedure = Procedure.objects.filter(module__project=project).first()
    if procedure is None:
        procedure = _create(staff, project)
    if scale:
        _scale(procedure, scale)
    count = Statement.objects.filter(procedure=procedure).count()
    stdout.write(
        f"Förmliches Verfahren: {project.get_absolute_url()}module/{procedure.module.pk}/ ({count} Stellungnahmen)"
    )


def _create(staff: Any, project: Project) -> Procedure:
    content = _DATA["procedure"]
    procedure = services.procedure_create(
        actor=staff, project=project, procedure_type=content["procedure_type"], name=content["name"],
        reference_prefix=content["reference_prefix"],
    )  # fmt: skip
    round_ = services.round_add(actor=staff, procedure=procedure, kind=content["round"])
    today = timezone.localdate()
    first_day, last_day = today + timedelta(days=content["first_day"]), today + timedelta(days=content["last_day"])
    public = services.track_add(actor=staff, round=round_, audience="public", first_day=first_day, last_day=last_day)
    services.track_add(actor=staff, round=round_, audience="agency", first_day=first_day, last_day=last_day)
    for document in _DATA["documents"]["items"]:
        services.document_add(actor=staff, procedure=procedure, track=public, kind=document["kind"],
                              title=document["title"], upload=demo_pdf(document["title"]),
                              sections=document.get("sections", ""),
                              text_alternative=single_paragraph(document.get("text_alternative", "")))  # fmt: skip
    objection = _DATA["objection"]
    citizens = list(get_user_model().objects.filter(email__in=objection["online"]))
    statements = []
    for user in citizens:
        services.draft_save(
            user=user, track=public, data={"text": OBJECTION, "author_name": user.display_name, **ADDRESS}
        )
        key = str(services.draft_for(user=user, track=public).submission_key)
        statements.append(services.statement_submit(user=user, track=public, submission_key=key))
    for index in range(objection["letters"]):  # a mass objection: the same text by letter, one with an own point
        author = objection["letter_author"].format(number=index + 1)
        own = f"\n\n{single_paragraph(objection['own_point'])}" if index == 1 else ""
        letter = f"Sehr geehrte Damen und Herren,\n\n{OBJECTION}{own}\n\nMit freundlichen Grüßen\n{author}"
        statements.append(services.statement_record(
            actor=staff, track=public, received_at=timezone.now() - timedelta(days=2, hours=index), channel="letter",
            text=letter, author_name=author, street=ADDRESS["street"], postal_code=ADDRESS["postal_code"],
            city=ADDRESS["city"],
        ))  # fmt: skip
    by_email = _DATA["email_statement"]
    services.statement_record(actor=staff, track=public, received_at=timezone.now() - timedelta(days=1), channel="email",
                              text=single_paragraph(by_email["text"]), author_name=by_email["author_name"])  # fmt: skip
    grouping.regroup.call(procedure.pk)  # the proposals at once; case workers confirm them in the back office
    abwaegung = _DATA["evaluation"]
    keyword = evaluation.keyword_add(actor=staff, procedure=procedure, topic=abwaegung["topic"],
                                     keyword=abwaegung["keyword"])  # fmt: skip
    evaluation.text_block_add(actor=staff, procedure=procedure, title=abwaegung["text_block_title"],
                              text=single_paragraph(abwaegung["text_block"]))  # fmt: skip
    lead = Statement.objects.get(pk=statements[0].pk)
    lead = lead.proposed_lead or lead  # the grouping proposes the earliest letter as the lead: answer it there
    for part in abwaegung["segments"]:
        segment = evaluation.segment_create(actor=staff, statement=lead, text=single_paragraph(part["text"]))
        if "response" in part:
            evaluation.segment_update(actor=staff, segment=segment, version=segment.version, keyword_ids=[keyword.pk],
                                      response=single_paragraph(part["response"]), result=part["result"],
                                      status=StatementStatus(part["status"]))  # fmt: skip
    return procedure


def _scale(procedure: Procedure, count: int) -> None:
    """Bulk-insert ``count`` statements into the public track (for benchmarks)."""
    track = procedure.rounds.get().tracks.get(audience="public")
    procedure.refresh_from_db(fields=["statement_counter"])  # the services raised it in the database
    now = timezone.now()
    start = procedure.statement_counter
    year = timezone.localtime(now).year
    batch = [
        Statement(procedure=procedure, track=track, reference=f"{procedure.reference_prefix}-{year}-ROV-{start + i + 1:06d}",
                  author_name=f"Person {start + i}", street="Weg 1", postal_code="55599", city="Beispielhausen",
                  text=f"Stellungnahme Nummer {start + i}: " + OBJECTION[: 60 + i % 90], received_at=now - timedelta(minutes=i),
                  content_sha256="0" * 64, status=[StatementStatus.NEW, StatementStatus.IN_PROGRESS][i % 2])
        for i in range(count)
    ]  # fmt: skip
    Statement.objects.bulk_create(batch, batch_size=2000)
    Procedure.objects.filter(pk=procedure.pk).update(statement_counter=start + count)
