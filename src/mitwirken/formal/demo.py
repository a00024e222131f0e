"""Demo: a running Raumordnungsverfahren in the Landkreis with documents, both tracks and statements."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from fpdf import FPDF

from mitwirken.organisations.models import Organisation
from mitwirken.projects.models import AccessMode, Project, ProjectStatus

from . import evaluation, services
from .models import Procedure, Statement, StatementStatus

OBJECTION = (
    "Ich lehne die geplante Ortsumgehung ab. Die Trasse zerschneidet das Naherholungsgebiet am Mühlbach. "
    "Außerdem fehlt ein Lärmgutachten für die Wohngebiete am Ortsrand."
)
ADDRESS = {"street": "Hauptstraße 12", "postal_code": "55599", "city": "Beispielhausen"}


def demo_pdf(title: str) -> SimpleUploadedFile:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Demo-Unterlage des Beteiligungsportals mitwirken.")
    return SimpleUploadedFile(f"{title[:30]}.pdf", bytes(pdf.output()), content_type="application/pdf")


def seed(stdout: Any, scale: int) -> None:
    User = get_user_model()
    staff = User.objects.get(email="sachbearbeitung@musterkreis.example")
    organisation = Organisation.objects.get(slug="musterkreis")
    project = Project.objects.filter(organisation=organisation, slug="ortsumgehung-beispielhausen").first()
    if project is None:
        project = Project.objects.create(
            organisation=organisation, slug="ortsumgehung-beispielhausen", access=AccessMode.PUBLIC,
            title="Raumordnungsverfahren Ortsumgehung Beispielhausen (B 999)", topics=["mobilitaet", "planung"],
            summary="Der Landkreis prüft die Raumverträglichkeit der geplanten Ortsumgehung. Unterlagen und Stellungnahmen hier.",
            status=ProjectStatus.PUBLISHED, published_at=timezone.now(), contact_name="Referat Raumordnung",
            contact_email="raumordnung@musterkreis.example",
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
    procedure = services.procedure_create(actor=staff, project=project, procedure_type="rov",
                                          name="Raumordnungsverfahren B 999", reference_prefix="MK")  # fmt: skip
    round_ = services.round_add(actor=staff, procedure=procedure, kind="hearing")
    today = timezone.localdate()
    public = services.track_add(actor=staff, round=round_, audience="public", first_day=today - timedelta(days=10),
                                last_day=today + timedelta(days=25))  # fmt: skip
    services.track_add(actor=staff, round=round_, audience="agency", first_day=today - timedelta(days=10),
                       last_day=today + timedelta(days=25))  # fmt: skip
    for kind, title, sections in [
        ("plan", "Antragsunterlage Raumverträglichkeit", "1 Vorhaben\n2 Trassenvarianten\n2.1 Variante Nord\n2.2 Variante Süd"),
        ("map", "Übersichtskarte Trassenvarianten", ""),
        ("environmental_report", "Umweltbericht", "1 Schutzgut Mensch\n2 Schutzgut Wasser"),
    ]:  # fmt: skip
        services.document_add(actor=staff, procedure=procedure, track=public, kind=kind, title=title,
                              upload=demo_pdf(title), sections=sections,
                              text_alternative="Die Karte zeigt zwei Trassen nördlich und südlich des Ortes." if kind == "map" else "")  # fmt: skip
    citizens = list(get_user_model().objects.filter(email__in=["buerger@mitwirken.example", "gast@mitwirken.example"]))
    statements = []
    for user in citizens:
        services.draft_save(
            user=user, track=public, data={"text": OBJECTION, "author_name": user.display_name, **ADDRESS}
        )
        key = str(services.draft_for(user=user, track=public).submission_key)
        statements.append(services.statement_submit(user=user, track=public, submission_key=key))
    for index in range(5):  # a mass objection: the same text by letter
        statements.append(services.statement_record(
            actor=staff, track=public, received_at=timezone.now() - timedelta(days=2, hours=index), channel="letter",
            text=OBJECTION, author_name=f"Einwender Brief {index + 1}", street=ADDRESS["street"],
            postal_code=ADDRESS["postal_code"], city=ADDRESS["city"],
        ))  # fmt: skip
    services.statement_record(actor=staff, track=public, received_at=timezone.now() - timedelta(days=1), channel="email",
                              text="Bitte prüfen Sie die Variante Süd genauer, sie schont den Mühlbach.",
                              author_name="Naturschutzverband Musterkreis e. V.")  # fmt: skip
    evaluation.group_identical(actor=staff, procedure=procedure)
    keyword = evaluation.keyword_add(actor=staff, procedure=procedure, topic="Umwelt", keyword="Lärm")
    evaluation.text_block_add(actor=staff, procedure=procedure, title="Lärmgutachten",
                              text="Ein Lärmgutachten wird im weiteren Verfahren erstellt und öffentlich ausgelegt.")  # fmt: skip
    lead = Statement.objects.get(pk=statements[0].pk)
    lead = lead.lead or lead  # grouping made the earliest letter the lead: answer the group there
    segment = evaluation.segment_create(
        actor=staff, statement=lead, text="Außerdem fehlt ein Lärmgutachten für die Wohngebiete am Ortsrand."
    )
    evaluation.segment_update(actor=staff, segment=segment, version=segment.version, keyword_ids=[keyword.pk],
                              response="Ein Lärmgutachten wird im weiteren Verfahren erstellt.", result="considered",
                              status=StatementStatus.RELEASED)  # fmt: skip
    evaluation.segment_create(
        actor=staff, statement=lead, text="Die Trasse zerschneidet das Naherholungsgebiet am Mühlbach."
    )
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
