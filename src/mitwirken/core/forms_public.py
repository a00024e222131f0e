from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AccessibilityFeedback
from .spam import SpamProtectedForm


class AccessibilityFeedbackForm(SpamProtectedForm, forms.ModelForm):  # type: ignore[misc]
    """Open to anyone and mailed to people: honeypot and, without an established account, a proof of work."""

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
        cleaned.pop("website", None)
        cleaned.pop("altcha", None)
        return cleaned
