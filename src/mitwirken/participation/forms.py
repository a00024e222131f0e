from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mitwirken.core.spam import SpamProtectedForm

from .models import Frequency
from .services import MAX_COMMENT


class CommentForm(SpamProtectedForm):
    text = forms.CharField(label=_("Ihr Kommentar"), widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_COMMENT,
                           error_messages={"required": _("Bitte schreiben Sie einen Kommentar."),
                                           "max_length": _("Der Kommentar darf höchstens %(limit_value)d Zeichen lang sein (jetzt: %(show_value)d).")})  # fmt: skip
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CommentEditForm(forms.Form):
    text = forms.CharField(
        label=_("Kommentar bearbeiten"), widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_COMMENT
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Grund"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Bitte nennen Sie einen Grund.")})  # fmt: skip


class FollowForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Benachrichtigungen"), choices=Frequency.choices, widget=forms.RadioSelect,
                                  initial=Frequency.IMMEDIATE)  # fmt: skip


DURATIONS = [("", _("unbefristet")), ("7", _("7 Tage")), ("30", _("30 Tage")), ("90", _("90 Tage"))]


class BlockForm(forms.Form):
    reason = forms.CharField(label=_("Grund der Sperre"), max_length=300)
    scope = forms.ChoiceField(label=_("Gilt für"), choices=[("project", _("dieses Projekt")), ("organisation", _("alle Projekte der Organisation"))],
                              widget=forms.RadioSelect, initial="project")  # fmt: skip
    duration = forms.ChoiceField(label=_("Dauer"), choices=DURATIONS, required=False, initial="",
                                 help_text=_("Eine befristete Sperre endet von selbst."))  # fmt: skip
    until = forms.DateField(
        label=_("Oder gesperrt bis einschließlich"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Ein Tag Ihrer Wahl; die Sperre endet am Ende dieses Tages. Er geht der Dauer vor."),
    )  # fmt: skip
