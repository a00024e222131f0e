"""Fetch procedure objects for a viewer in one step; 404 for anyone who may not see them."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from mitwirken.projects.access import module_for_viewer

from .models import Document, Procedure, Statement, Track


def procedure_for_viewer(user: Any, org_slug: str, project_slug: str, module_slug: str) -> Procedure:
    _project, module = module_for_viewer(user, org_slug, project_slug, module_slug, plugin="formal")
    procedure = getattr(module, "procedure", None)
    if procedure is None:
        raise Http404
    procedure.module = module
    return procedure


def track_for_viewer(user: Any, procedure: Procedure, track_pk: int) -> Track:
    track = get_object_or_404(Track.objects.with_phase(), round__procedure=procedure, pk=track_pk)
    track.round.procedure = procedure
    if not user.has_perm("formal.view_track", track):
        raise Http404
    return track


def document_for_viewer(user: Any, procedure: Procedure, document_pk: int) -> Document:
    document = get_object_or_404(
        Document.objects.select_related("track__phase", "track__round"), procedure=procedure, pk=document_pk
    )
    document.track.round.procedure = procedure
    if not user.has_perm("formal.view_documents", document.track):
        raise Http404
    return document


def statement_for_viewer(user: Any, procedure: Procedure, reference: str) -> Statement:
    statement = get_object_or_404(Statement.objects.select_related("track__phase", "track__round", "section"),
                                  procedure=procedure, reference=reference)  # fmt: skip
    statement.procedure = statement.track.round.procedure = procedure
    if not user.has_perm("formal.view_statement", statement):
        raise Http404
    return statement
