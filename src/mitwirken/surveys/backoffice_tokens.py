"""Back office of a survey's personal access codes: import a list, codes for letters, invitations, reminders."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mitwirken.core.exports import csv_lines
from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.ids import posted_id
from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation

from .access import staff_survey
from .models import Access, Survey, Token
from .services import tokens
from .tasks import MAX_REMINDERS, anonymity_notice, personal_url

PER_PAGE = 50
MAX_LETTERS = 2_000  # a PDF is built in memory; larger print runs use the CSV and a mail merge
# ?status=… of the list; the staff overview links to "nicht-eingeladen".
FILTERS = {
    "nicht-eingeladen": Q(invited=False) & ~Q(email=""),
    "offen": Q(used=False),
    "verwendet": Q(used=True),
    "brief": Q(email=""),
}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Liste (CSV-Datei)"),
        help_text=gettext_lazy("Erste Zeile mit Spaltennamen: „E-Mail“, optional „Name“ und weitere Merkmale. "
                               "Getrennt durch Semikolon oder Komma, wie Excel und LibreOffice speichern."),
    )  # fmt: skip


class GenerateForm(forms.Form):
    count = forms.IntegerField(
        label=gettext_lazy("Anzahl neuer Codes für Briefe"), min_value=1, max_value=tokens.MAX_CODES, initial=100,
        help_text=gettext_lazy("Codes ohne E-Mail-Adresse, zum Drucken. Jeder Code gilt für eine Antwort."),
    )  # fmt: skip


def _survey(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> Survey:
    return staff_survey(request.user, organisation, project_pk, module_pk)


def _figures(survey: Survey) -> dict[str, int]:
    return Token.objects.filter(survey=survey).aggregate(
        total=Count("pk"), with_email=Count("pk", filter=~Q(email="")), invited_count=Count("pk", filter=Q(invited=True)),
        not_invited=Count("pk", filter=FILTERS["nicht-eingeladen"]), used_count=Count("pk", filter=Q(used=True)),
        letters=Count("pk", filter=FILTERS["brief"] & Q(used=False)),
    )  # fmt: skip


def _act(request: HttpRequest, survey: Survey, action: str, form: forms.Form | None) -> str:
    """Run one posted action through the services; answers the success message."""
    actor = request.user
    if action == "import" and form is not None:
        result = tokens.tokens_import(actor=actor, survey=survey, upload=form.cleaned_data["file"])
        for duplicate in result.duplicates:
            messages.warning(request, _("Übersprungen – %(reason)s") % {"reason": duplicate})
        return ngettext("%(count)d Zugangscode wurde angelegt.", "%(count)d Zugangscodes wurden angelegt.",
                        result.created) % {"count": result.created}  # fmt: skip
    if action == "generate" and form is not None:
        count = tokens.codes_generate(actor=actor, survey=survey, count=form.cleaned_data["count"])
        return ngettext("%(count)d Code für Briefe wurde erzeugt.", "%(count)d Codes für Briefe wurden erzeugt.",
                        count) % {"count": count}  # fmt: skip
    if action == "invite":
        count = tokens.invitations_send(actor=actor, survey=survey)
        return ngettext("%(count)d Einladung wird verschickt.", "%(count)d Einladungen werden verschickt.",
                        count) % {"count": count}  # fmt: skip
    if action == "remind":
        count = tokens.reminders_send(actor=actor, survey=survey)
        return ngettext("%(count)d Erinnerung wird verschickt.", "%(count)d Erinnerungen werden verschickt.",
                        count) % {"count": count}  # fmt: skip
    if action == "revoke":
        token = get_object_or_404(Token, survey=survey, pk=posted_id(request.POST, "token"))
        token.survey = survey
        tokens.token_revoke(actor=actor, token=token)
        return _("Der Zugangscode wurde gelöscht.")
    raise Http404


@backoffice_view()
def token_list(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    survey = _survey(request, organisation, project_pk, module_pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    import_form = ImportForm(request.POST if action == "import" else None,
                             request.FILES if action == "import" else None, prefix="import")  # fmt: skip
    generate_form = GenerateForm(request.POST if action == "generate" else None, prefix="generate")
    form = {"import": import_form, "generate": generate_form}.get(action)
    if action and (form is None or form.is_valid()):
        try:
            messages.success(request, _act(request, survey, action, form))
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return redirect(request.get_full_path())
            add_service_errors(form, error)
        else:
            return redirect(request.get_full_path())
    return _render_list(request, organisation, survey, import_form, generate_form)


def _render_list(request: HttpRequest, organisation: Organisation, survey: Survey, import_form: forms.Form,
                 generate_form: forms.Form) -> HttpResponse:  # fmt: skip
    status = request.GET.get("status", "")
    listed = Token.objects.filter(survey=survey).order_by("pk")
    if status in FILTERS:
        listed = listed.filter(FILTERS[status])
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("seite"))
    module = survey.module
    return render(request, "surveys/backoffice/tokens.html", {
        "organisation": organisation, "project": module.project, "module": module, "survey": survey,
        "page": page, "status": status, "query": f"status={status}" if status in FILTERS else "",
        "figures": _figures(survey), "import_form": import_form, "generate_form": generate_form,
        "is_token_survey": survey.access == Access.TOKEN, "reminders_left": MAX_REMINDERS - survey.reminders_sent,
        "max_reminders": MAX_REMINDERS, "max_letters": f"{MAX_LETTERS:,}".replace(",", "."), "section": "projects", "tab": "modules",
    })  # fmt: skip


def _letter_rows(survey: Survey) -> Iterator[list[str]]:
    letters = Token.objects.filter(FILTERS["brief"], survey=survey, used=False).order_by("pk")
    for token in letters.iterator(chunk_size=2000):
        yield [token.code, personal_url(survey, token)]


@backoffice_view()
def token_csv(
    request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int
) -> StreamingHttpResponse:
    """The unused codes without address with their personal links, for a mail merge of letters."""
    survey = _survey(request, organisation, project_pk, module_pk)
    header = [_("Zugangscode"), _("Persönlicher Link")]
    response = StreamingHttpResponse(csv_lines(header, _letter_rows(survey)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="zugangscodes-{survey.module.slug}.csv"'
    return response


# fpdf's built-in fonts cover Latin-1 only: German typography is written plainly, anything else becomes "?",
# because one unknown character would abort the whole batch.
PLAIN = str.maketrans({"„": '"', "“": '"', "”": '"', "‚": "'", "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...",
                       "€": "EUR"})  # fmt: skip


def _latin1(text: str) -> str:
    return text.translate(PLAIN).encode("latin-1", "replace").decode("latin-1")


def letters_pdf(survey: Survey, codes: list[Token]) -> bytes:
    """One letter per code: the code to type on the survey's page and the personal link (as ``projects.letters``)."""
    from fpdf import FPDF

    module, organisation = survey.module, survey.module.project.organisation
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"Zugangscodes – {module.name}"))
    pdf.set_author(_latin1(organisation.name))
    pdf.set_margins(25, 25, 20)
    texts = {
        "sender": f"{organisation.name}\n{organisation.address}".strip(),
        "today": timezone.localdate().strftime("%d.%m.%Y"),
        "heading": _("Einladung zur Umfrage: %(name)s") % {"name": module.name},
        "intro": _("Guten Tag,\n\n%(organisation)s lädt Sie zur Umfrage „%(name)s“ ein. So nehmen Sie teil: Öffnen "
                   "Sie %(url)s und geben Sie diesen Zugangscode ein:")
                 % {"organisation": organisation.name, "name": module.name,
                    "url": settings.SITE_URL + module.get_absolute_url()},
        "link": _("Oder öffnen Sie direkt Ihren persönlichen Link:"),
        "closing": _("Der Code gilt für eine Antwort. Bitte geben Sie ihn nicht weiter.") + "\n\n"
                   + anonymity_notice(survey),
    }  # fmt: skip
    for token in codes:
        _letter(pdf, texts, token.code, personal_url(survey, token))
    return bytes(pdf.output())


def _letter(pdf: Any, texts: dict[str, str], code: str, url: str) -> None:
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(0, 5, _latin1(texts["sender"]))
    pdf.ln(30)
    pdf.cell(0, 5, texts["today"], align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("Helvetica", style="B", size=14)
    pdf.multi_cell(0, 7, _latin1(texts["heading"]))
    pdf.ln(5)
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, _latin1(texts["intro"]))
    pdf.ln(6)
    pdf.set_font("Courier", style="B", size=24)
    pdf.cell(0, 14, code, border=1, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, _latin1(f"{texts['link']}\n{url}\n\n{texts['closing']}"))


@backoffice_view()
def token_pdf(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    """Letters for the unused codes without address, the oldest first, at most ``MAX_LETTERS`` per file."""
    survey = _survey(request, organisation, project_pk, module_pk)
    codes = list(Token.objects.filter(FILTERS["brief"], survey=survey, used=False).order_by("pk")[:MAX_LETTERS])
    response = HttpResponse(letters_pdf(survey, codes), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="briefe-{survey.module.slug}.pdf"'
    return response
