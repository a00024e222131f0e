"""The moderators' own dialogue pages: feedback on an idea and the export of all contributions.

The moderation queue, hiding, approving and blocking are shared by all modules (``mitwirken.participation``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action
from mitwirken.core.exports import XLSX_TYPE, csv_lines, xlsx_file
from mitwirken.core.forms_util import add_service_errors

from . import exports, services
from .forms import FeedbackForm
from .models import Idea
from .views import Dialogue


def _moderator(request: HttpRequest, dialogue: Dialogue) -> None:
    if not request.user.has_perm("participation.moderate", dialogue.module):
        raise Http404


def feedback(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, idea_pk: int) -> HttpResponse:
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    if not request.user.has_perm("dialogue.give_feedback", dialogue.module):
        raise Http404
    idea = dialogue.idea(idea_pk)
    form = FeedbackForm(request.POST or None, initial={"status": idea.feedback, "text": idea.feedback_text})
    if request.method == "POST" and form.is_valid():
        try:
            services.give_feedback(
                actor=request.user, idea=idea, status=form.cleaned_data["status"], text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Rückmeldung ist veröffentlicht; wer der Idee folgt, wird benachrichtigt."))
            return redirect(dialogue.url("idea", idea_pk=idea.pk))
    return render(request, "dialogue/feedback.html", dialogue.context(form=form, idea=idea))


def export(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, file_format: str) -> Any:
    """Everything contributed, for moderators; names of accounts' e-mail addresses only for the organisation's staff."""
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    _moderator(request, dialogue)
    if file_format not in ("xlsx", "csv"):
        raise Http404
    personal = request.user.has_perm("dialogue.export_personal_data", dialogue.module)
    log_action(actor=request.user, action="dialogue.export", obj=dialogue.module, organisation=dialogue.project.organisation,
               changes={"format": file_format, "personal_data": personal})  # fmt: skip
    if dialogue.settings.blueprint == "text_review":
        rows = exports.paragraph_rows(dialogue.module, with_personal_data=personal)
    else:
        rows = exports.rows(Idea.objects.filter(module=dialogue.module), with_personal_data=personal)
    name = f"beitraege-{dialogue.module.pk}"
    if file_format == "xlsx":
        return FileResponse(xlsx_file("Beiträge", exports.header(personal), rows), as_attachment=True,
                            filename=f"{name}.xlsx", content_type=XLSX_TYPE)  # fmt: skip
    response = StreamingHttpResponse(csv_lines(exports.header(personal), rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
