"""Back office of a procedure, tab "Analyse": topic proposals with summaries, and the acceptance of suggestions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation

from . import topics
from .backoffice import _procedure, _render

DONE = {
    "recompute": _lazy("Die Themenvorschläge werden neu berechnet. Laden Sie die Seite in einigen Minuten neu."),
    "rename": _lazy("Der Vorschlag ist umbenannt."),
    "merge": _lazy("Die Vorschläge sind zusammengeführt."),
    "discard": _lazy("Der Vorschlag ist verworfen."),
    "adopt": _lazy("Das Thema ist mit seinen Schlagworten angelegt."),
}


def _act(request: HttpRequest, procedure: Any, action: str) -> None:
    post, actor, key = request.POST, request.user, request.POST.get("proposal", "")
    if action == "recompute":
        topics.topics_recompute(actor=actor, procedure=procedure)
    elif action == "rename":
        topics.proposal_rename(actor=actor, procedure=procedure, key=key, name=post.get("name", ""))
    elif action == "merge":
        topics.proposals_merge(actor=actor, procedure=procedure, key=key, other=post.get("other", ""))
    elif action == "discard":
        topics.proposal_discard(actor=actor, procedure=procedure, key=key)
    elif action == "adopt":
        topics.proposal_adopt(actor=actor, procedure=procedure, key=key, name=post.get("name", ""),
                              keywords=post.get("keywords", ""))  # fmt: skip
    else:
        raise ValidationError(_("Unbekannte Aktion."))


@backoffice_view()
def analysis(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    """Topic proposals of the last run, each with its summary and what staff can make of it."""
    procedure = _procedure(organisation, project_pk, module_pk)
    failed: dict[str, Any] | None = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            _act(request, procedure, action)
        except ValidationError as error:
            failed = {"key": request.POST.get("proposal", ""), "action": action, "messages": error.messages,
                      "name": request.POST.get("name", ""), "keywords": request.POST.get("keywords", "")}  # fmt: skip
        else:
            messages.success(request, DONE[action])
            return redirect(request.path)
    shown = topics.page(procedure, organisation)
    if failed is not None:  # an error about no proposal on the page is shown above them all
        failed["general"] = failed["key"] not in {item.entry.key for item in shown["proposals"]}
    response = _render(request, "analysis", organisation, procedure, ftab="analysis", failed=failed, **shown)
    if failed:
        response.status_code = 400
    return response


@backoffice_view()
def acceptance(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    """How many of the analysis's suggestions staff took, adjusted or rejected in this procedure."""
    procedure = _procedure(organisation, project_pk, module_pk)
    return _render(request, "analysis_acceptance", organisation, procedure, ftab="analysis",
                   rates=topics.acceptance(procedure))  # fmt: skip
