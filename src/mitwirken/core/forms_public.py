from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AccessibilityFeedback


class AccessibilityFeedbackForm(forms.ModelForm):
    # Bots fill every field; people never see this one.
    website = forms.CharField(required=False, widget=forms.HiddenInput, label="")

    class Meta:
        model = AccessibilityFeedback
        fields = ["page_url", "message", "email"]
        widgets = {"message": forms.Textarea(attrs={"rows": 6, "maxlength": 5000})}
        help_texts = {
            "page_url": _("Die Adresse oder der Name der Seite, auf der die Barriere auftritt."),
            "email": _("Nur wenn Sie eine Antwort wünschen."),
        }

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if cleaned.pop("website", ""):
            raise forms.ValidationError(_("Ihre Rückmeldung konnte nicht angenommen werden."))
        return cleaned
