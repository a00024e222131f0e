"""Helpers to build formal procedures through the real services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from mitwirken.formal import services
from mitwirken.formal.models import Procedure

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_procedure(actor: Any, project: Any, *, first_day: date | None = None, last_day: date | None = None,
                   audience: str = "public", procedure_type: str = "rov", **options: Any) -> Procedure:  # fmt: skip
    procedure = services.procedure_create(
        actor=actor, project=project, procedure_type=procedure_type, name="Raumordnungsverfahren Ortsumgehung",
        reference_prefix="MK", **options,
    )  # fmt: skip
    round_ = services.round_add(actor=actor, procedure=procedure, kind="hearing")
    today = timezone.localdate()
    services.track_add(
        actor=actor, round=round_, audience=audience, first_day=first_day or today - timedelta(days=3),
        last_day=last_day or today + timedelta(days=40), override_reason="Test",
    )  # fmt: skip
    return procedure


def pdf_upload(name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")
