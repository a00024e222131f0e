"""Forms of applying and of the conversation that follows. They only take the input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .services.applications import MAX_MESSAGE


def _area(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ApplyForm(forms.Form):
    message = forms.CharField(
        label=_("Ihre Nachricht an die Organisation"), max_length=MAX_MESSAGE, widget=_area(6),
        help_text=_("Warum interessiert Sie das Angebot, wann haben Sie Zeit, was bringen Sie mit?"),
        error_messages={"required": _("Bitte schreiben Sie der Organisation ein paar Sätze zu Ihrer Bewerbung.")},
    )  # fmt: skip
    share_email = forms.BooleanField(
        label=_("Meine E-Mail-Adresse an die Organisation weitergeben"), required=False,
        help_text=_("Ohne dieses Häkchen laufen alle Nachrichten über das Portal und die Organisation sieht Ihre "
                    "E-Mail-Adresse nicht."),
    )  # fmt: skip


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Ihre Nachricht"), max_length=MAX_MESSAGE, widget=_area(),
                           error_messages={"required": _("Bitte schreiben Sie eine Nachricht.")})  # fmt: skip


class OptionalMessageForm(forms.Form):
    """Accepting or declining: a message may go with it."""

    message = forms.CharField(label=_("Nachricht an die Person"), max_length=MAX_MESSAGE, required=False,
                              widget=_area(3))  # fmt: skip


class QuestionForm(forms.Form):
    message = forms.CharField(label=_("Ihre Frage"), max_length=MAX_MESSAGE, widget=_area(3),
                              error_messages={"required": _("Bitte schreiben Sie Ihre Frage.")})  # fmt: skip


class EndForm(forms.Form):
    ended_on = forms.DateField(
        label=_("Engagement beendet am"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Bitte geben Sie an, wann das Engagement geendet hat."),
                        "invalid": _("Bitte geben Sie ein gültiges Datum an, z. B. 31.05.2026.")},
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"ended_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ShareForm(forms.Form):
    share = forms.BooleanField(required=False)

    def __init__(self, *args: Any, label: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["share"].label = label


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Ja, ich ziehe meine Bewerbung zurück."),
        error_messages={"required": _("Bitte bestätigen Sie, dass Sie Ihre Bewerbung zurückziehen möchten.")},
    )  # fmt: skip
