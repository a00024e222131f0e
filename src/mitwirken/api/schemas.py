from datetime import datetime
from typing import Any

from django.urls import reverse
from ninja import Schema


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: str
    ags: str
    parent: str | None
    url: str

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        return obj.parent.slug if obj.parent_id else None

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return str(obj.get_absolute_url())


class PhaseOut(Schema):
    name: str
    phase_type: str
    start: datetime
    end: datetime
    features: list[str]


class ModuleOut(Schema):
    id: int
    module_type: str
    name: str
    phases: list[PhaseOut]

    @staticmethod
    def resolve_phases(obj: Any) -> list[Any]:
        return list(obj.phases.all())


class ProjectOut(Schema):
    organisation: str
    slug: str
    title: str
    summary: str
    access: str
    status: str
    timing: str | None
    topics: list[str]
    published_at: datetime | None
    first_phase_start: datetime | None
    last_phase_end: datetime | None
    url: str

    @staticmethod
    def resolve_organisation(obj: Any) -> str:
        return str(obj.organisation.slug)

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return str(obj.get_absolute_url())


class AttachmentOut(Schema):
    id: int
    title: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return reverse("projects:attachment", kwargs={**obj.project.url_kwargs(), "attachment_pk": obj.pk})


class ProjectDetailOut(ProjectOut):
    description: str
    location: dict[str, Any] | None
    location_label: str
    modules: list[ModuleOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_modules(obj: Any) -> list[Any]:
        return list(obj.modules.all())

    @staticmethod
    def resolve_attachments(obj: Any) -> list[Any]:
        return list(obj.attachments.all())


class ErrorOut(Schema):
    detail: str


class BadRequestOut(Schema):
    """400: a message, or the list of parameters that did not validate (``loc``, ``msg``, ``type``)."""

    detail: str | list[dict[str, Any]]


class ExchangeOut(Schema):
    """What became of an XBeteiligung message, with the standard's reply (0411/0421, 0412/0422 …) as XML."""

    status: str
    summary: str
    message_id: str
    errors: list[str]
    repeated: bool
    procedure: int | None
    procedure_type: str | None
    rounds: int | None
    reply_type: str | None
    reply: str | None
