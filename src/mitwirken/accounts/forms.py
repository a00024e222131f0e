from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "real_name", "street", "postal_code", "city", "language"]
        widgets = {
            "real_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "street": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }
        help_texts = {
            "street": _("Anschrift und Name brauchen Sie nur für förmliche Stellungnahmen: "
                        "Nur mit ihnen ist eine Stellungnahme rechtlich verwertbar. Sie werden nicht veröffentlicht."),
        }  # fmt: skip


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Ich möchte mein Konto endgültig löschen."),
        help_text=_("Förmliche Stellungnahmen bleiben als Akten der Behörde erhalten, aber ohne Bezug zu Ihrem Konto."),
    )
    password = forms.CharField(
        label=_("Ihr Passwort zur Bestätigung"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, user: User, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Das Passwort ist nicht richtig."))
        return password
