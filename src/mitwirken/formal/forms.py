from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from mitwirken.accounts.assurance import REQUIREMENT_CHOICES, REQUIREMENT_HELP
from mitwirken.core import forms as core_forms
from mitwirken.core.forms import DateTimeLocalInput, MultipleFileField
from mitwirken.core.forms_util import ListedModelChoiceField
from mitwirken.core.spam import SpamProtectedForm
from mitwirken.organisations.models import Organisation

from .law import Audience, ProcedureType, RoundKind
from .models import (
    Channel,
    Document,
    DocumentKind,
    DocumentSection,
    ExchangeStatus,
    Keyword,
    PartnerEndpoint,
    Procedure,
    Result,
    StatementStatus,
    Track,
)


class StatementForm(forms.Form):
    text = forms.CharField(label=_("Ihre Stellungnahme"), widget=forms.Textarea(attrs={"rows": 12}), required=False)
    section = forms.ModelChoiceField(
        label=_("Bezug auf einen Abschnitt der Unterlagen"), required=False, queryset=DocumentSection.objects.none()
    )
    location = forms.CharField(
        label=_("Ortsbezug (GeoJSON)"), required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "monospace"}),
        help_text=_("Optional: ein Punkt, eine Linie oder eine Fläche. Alternativ beschreiben Sie den Ort einfach im Text."),
    )  # fmt: skip
    attachments = MultipleFileField(label=_("Anlagen hinzufügen"), required=False)
    author_name = forms.CharField(label=_("Vor- und Nachname"), max_length=150, required=False,
                                  widget=forms.TextInput(attrs={"autocomplete": "name"}))  # fmt: skip
    organisation_name = forms.CharField(label=_("Für eine Organisation oder Behörde"), max_length=200, required=False)
    street = forms.CharField(label=_("Straße und Hausnummer"), max_length=150, required=False,
                             widget=forms.TextInput(attrs={"autocomplete": "street-address"}))  # fmt: skip
    postal_code = forms.CharField(label=_("Postleitzahl"), max_length=10, required=False,
                                  widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}))  # fmt: skip
    city = forms.CharField(
        label=_("Ort"), max_length=100, required=False, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    publish_name = forms.BooleanField(
        label=_("Mein Name darf bei der Veröffentlichung der Ergebnisse genannt werden."), required=False,
        help_text=_("Ohne Ihre Zustimmung erscheinen Sie in den Ergebnissen nur als „Einwender/in“ mit einer Nummer."),
    )  # fmt: skip

    def __init__(self, *args: Any, procedure: Any, max_attachment_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        section = self.fields["section"]
        section.queryset = DocumentSection.objects.filter(  # type: ignore[attr-defined]
            document__procedure=procedure, document__superseded_by__isnull=True, document__withdrawn_at__isnull=True
        ).select_related("document")
        section.label_from_instance = lambda obj: f"{obj.document.title}: {obj}"  # type: ignore[attr-defined]
        self.fields["text"].help_text = _("Höchstens %(max)s Zeichen.") % {"max": procedure.max_text_length}
        self.fields["text"].widget.attrs["maxlength"] = procedure.max_text_length
        self.fields["attachments"].help_text = _(
            "PDF, Bilder (JPEG, PNG) oder Office-Dokumente, je Datei höchstens %(size)s MB, bis zu 10 Dateien."
        ) % {"size": max_attachment_bytes // (1024 * 1024)}
        # Drafts may be incomplete, so these fields are not enforced here, but they are required for the
        # final submit: the form must not label them "optional".
        self.fields["text"].mandatory_on_submit = True  # type: ignore[attr-defined]
        if procedure.require_postal_address:
            for name in ("author_name", "street", "postal_code", "city"):
                self.fields[name].mandatory_on_submit = True  # type: ignore[attr-defined]
            for name in ("author_name", "street", "postal_code", "city"):
                self.fields[name].help_text = (
                    _(
                        "Pflichtangabe in diesem Verfahren: Nur mit Name und Anschrift ist Ihre Stellungnahme rechtlich verwertbar. Sie wird nicht veröffentlicht."
                    )
                    if name == "author_name"
                    else ""
                )


class ProcedureForm(forms.Form):
    name = forms.CharField(label=_("Bezeichnung"), max_length=200)
    procedure_type = forms.ChoiceField(label=_("Verfahrensart"), choices=ProcedureType.choices)
    reference_prefix = forms.CharField(label=_("Kürzel für Vorgangsnummern"), max_length=10, required=False,
                                       help_text=_("Z. B. MK; leer lassen für die ersten Buchstaben der Organisation."))  # fmt: skip
    require_postal_address = forms.BooleanField(
        label=_("Name und Anschrift sind Pflicht"), required=False, initial=True
    )


class ProcedureSettingsForm(forms.ModelForm):
    class Meta:
        model = Procedure
        fields = [
            "require_postal_address",
            "allow_unregistered",
            "max_text_length",
            "retention_days",
            "preclusion_notice",
        ]
        widgets = {"preclusion_notice": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"preclusion_notice": _("Leer lassen für den Standardhinweis der Verfahrensart.")}


class RoundForm(forms.Form):
    kind = forms.ChoiceField(label=_("Art des Durchgangs"), choices=RoundKind.choices)


class TrackForm(forms.Form):
    audience = forms.ChoiceField(label=_("Zielgruppe"), choices=Audience.choices, widget=forms.RadioSelect)
    first_day = core_forms.DateField(
        label=_("Erster Tag der Frist"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    last_day = core_forms.DateField(
        label=_("Letzter Tag der Frist"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Stellungnahmen werden bis 23:59:59 Uhr (deutsche Zeit) dieses Tages angenommen."),
    )  # fmt: skip
    announced_at = core_forms.DateTimeField(label=_("Bekannt gemacht am"), required=False, widget=DateTimeLocalInput,
                                       input_formats=["%Y-%m-%dT%H:%M"])  # fmt: skip
    override_reason = forms.CharField(
        label=_("Begründung für eine Abweichung von der gesetzlichen Frist"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Nur nötig, wenn die Frist kürzer oder länger als gesetzlich vorgesehen ist. Wird protokolliert."),
    )  # fmt: skip


class ProcedureChangeForm(forms.Form):
    name = forms.CharField(label=_("Bezeichnung"), max_length=200)
    procedure_type = forms.ChoiceField(
        label=_("Verfahrensart"), choices=ProcedureType.choices,
        help_text=_("Die Fristen werden nach der neuen Verfahrensart geprüft. Nach dem Eingang von Stellungnahmen "
                    "kann die Verfahrensart nicht mehr geändert werden."),
    )  # fmt: skip
    confirm = forms.BooleanField(
        label=_("Ich ändere die Verfahrensart trotz der genannten Fristprobleme."), required=False
    )
    reason = forms.CharField(
        label=_("Begründung der Abweichung"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Nur nötig, wenn bestehende Fristen nach der neuen Verfahrensart abweichen. Wird protokolliert."),
    )  # fmt: skip


class TrackChangeForm(forms.Form):
    """The period of an existing track; the audience stays (a different audience is a new period)."""

    first_day = TrackForm.base_fields["first_day"]
    last_day = TrackForm.base_fields["last_day"]
    announced_at = TrackForm.base_fields["announced_at"]
    override_reason = TrackForm.base_fields["override_reason"]
    change_reason = forms.CharField(
        label=_("Begründung der Änderung"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Pflicht, wenn Sie eine laufende Frist oder eine Frist mit Stellungnahmen oder Entwürfen verkürzen. "
                    "Wird protokolliert."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first_day", "last_day"):
            # <input type="date"> only understands ISO dates; the current values must show up in it.
            widget = self.fields[name].widget
            if isinstance(widget, forms.DateInput):
                widget.format = "%Y-%m-%d"


class TrackAssuranceForm(forms.Form):
    min_assurance_level = forms.TypedChoiceField(
        label=Track._meta.get_field("min_assurance_level").verbose_name, coerce=int,
        choices=REQUIREMENT_CHOICES, help_text=REQUIREMENT_HELP,
    )  # fmt: skip


class AnnounceForm(forms.Form):
    announced_at = core_forms.DateTimeField(label=_("Neu bekannt gemacht am"), widget=DateTimeLocalInput,
                                            input_formats=["%Y-%m-%dT%H:%M"])  # fmt: skip


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Begründung"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Wird protokolliert."))  # fmt: skip


class ReplaceDocumentForm(forms.Form):
    upload = forms.FileField(
        label=_("Neue Fassung (Datei)"), help_text=_("PDF, Bilder oder Office-Dokumente, bis 1 GB.")
    )
    title = forms.CharField(label=_("Titel"), max_length=250)
    change_note = forms.CharField(
        label=_("Was hat sich geändert?"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Wird mit der neuen Fassung veröffentlicht. Pflicht, wenn die bisherige Fassung öffentlich ist "
                    "und Stellungnahmen vorliegen."),
    )  # fmt: skip
    text_alternative = forms.CharField(
        label=_("Textfassung oder Beschreibung"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sections = forms.CharField(
        label=_("Inhaltsverzeichnis"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Eine Zeile je Abschnitt, z. B. „2.3 Siedlungsentwicklung“."),
    )  # fmt: skip


class PublishResultsForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Ich habe die freigegebenen Abschnitte geprüft. Das Ergebnis der Abwägung soll jetzt öffentlich "
                "erscheinen."),
        error_messages={"required": _("Bitte bestätigen Sie die Veröffentlichung.")},
    )  # fmt: skip


class DocumentForm(forms.Form):
    track = forms.ModelChoiceField(label=_("Veröffentlichen mit Beginn von"), queryset=Track.objects.none())
    kind = forms.ChoiceField(label=_("Art der Unterlage"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Titel"), max_length=250)
    upload = forms.FileField(label=_("Datei"), help_text=_("PDF, Bilder oder Office-Dokumente, bis 1 GB."))
    text_alternative = forms.CharField(
        label=_("Textfassung oder Beschreibung"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sections = forms.CharField(
        label=_("Inhaltsverzeichnis"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Eine Zeile je Abschnitt, z. B. „2.3 Siedlungsentwicklung“. Stellungnahmen können sich darauf beziehen."),
    )  # fmt: skip
    replaces = forms.ModelChoiceField(label=_("Ersetzt die Fassung"), required=False, queryset=Document.objects.none())
    change_note = forms.CharField(
        label=_("Was hat sich geändert?"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, procedure: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = Track.objects.with_phase().filter(round__procedure=procedure)  # type: ignore[attr-defined]
        self.fields["replaces"].queryset = Document.objects.current().filter(procedure=procedure)  # type: ignore[attr-defined]


class RecordStatementForm(forms.Form):
    track = forms.ModelChoiceField(label=_("Beteiligungsschritt"), queryset=Track.objects.none())
    channel = forms.ChoiceField(label=_("Eingangsweg"), choices=[c for c in Channel.choices if c[0] != Channel.PORTAL])
    received_at = core_forms.DateTimeField(label=_("Eingegangen am"), widget=DateTimeLocalInput, input_formats=["%Y-%m-%dT%H:%M"],
                                      help_text=_("Datum und Uhrzeit des Eingangs (Eingangsstempel), deutsche Zeit."))  # fmt: skip
    text = forms.CharField(label=_("Text der Stellungnahme"), widget=forms.Textarea(attrs={"rows": 8}))
    author_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    organisation_name = forms.CharField(label=_("Organisation / Behörde"), max_length=200, required=False)
    street = forms.CharField(label=_("Straße und Hausnummer"), max_length=150, required=False)
    postal_code = forms.CharField(label=_("Postleitzahl"), max_length=10, required=False)
    city = forms.CharField(label=_("Ort"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-Mail-Adresse"), required=False)
    publish_name = forms.BooleanField(label=_("Name darf veröffentlicht werden"), required=False)

    def __init__(self, *args: Any, procedure: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = Track.objects.with_phase().filter(round__procedure=procedure)  # type: ignore[attr-defined]


class InboxFilterForm(core_forms.RenderCachedForm):
    q = forms.CharField(label=_("Suche"), required=False, help_text=_("Vorgangsnummer, Name oder Text"))
    track = ListedModelChoiceField(label=_("Beteiligungsschritt"), required=False, queryset=Track.objects.none())
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Alle")), *StatementStatus.choices])
    late = forms.ChoiceField(label=_("Fristgerecht"), required=False,
                             choices=[("", _("Alle")), ("0", _("fristgerecht")), ("1", _("verspätet"))])  # fmt: skip
    attachments = forms.ChoiceField(label=_("Anlagen"), required=False,
                                    choices=[("", _("Alle")), ("1", _("mit Anlagen")), ("0", _("ohne Anlagen"))])  # fmt: skip
    keyword = ListedModelChoiceField(label=_("Schlagwort"), required=False, queryset=Keyword.objects.none())
    assignee = ListedModelChoiceField(label=_("Zuständig"), required=False, queryset=get_user_model().objects.none())
    unassigned = forms.BooleanField(label=_("Nur Stellungnahmen ohne Zuständigkeit"), required=False)
    own_response = forms.BooleanField(
        label=_("Nur Masseneinwendungen, die eine eigene Erwiderung brauchen"), required=False
    )
    section = ListedModelChoiceField(
        label=_("Abschnitt der Unterlagen"), required=False, queryset=DocumentSection.objects.none()
    )
    sort = forms.ChoiceField(label=_("Sortierung"), required=False, choices=[
        ("-received_at", _("neueste zuerst")), ("received_at", _("älteste zuerst")), ("reference", _("Vorgangsnummer"))])  # fmt: skip

    def __init__(self, *args: Any, procedure: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = Track.objects.with_phase().filter(round__procedure=procedure)  # type: ignore[attr-defined]
        cast(forms.ModelChoiceField, self.fields["keyword"]).queryset = Keyword.objects.filter(
            topic__procedure=procedure
        ).select_related("topic")
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = (
            get_user_model()
            .objects.filter(organisation_memberships__organisation=procedure.module.project.organisation)
            .filter(api_client__isnull=True)  # partner systems' technical accounts are no people to assign
            .only("id", "email", "display_name")
        )
        cast(forms.ModelChoiceField, self.fields["section"]).queryset = DocumentSection.objects.filter(
            document__procedure=procedure
        ).select_related("document")
        for name in ("track", "keyword", "assignee", "section"):  # a filter left empty means all, so say so
            cast(forms.ModelChoiceField, self.fields[name]).empty_label = _("Alle")


class SegmentCreateForm(forms.Form):
    text = forms.CharField(
        label=_("Neuer Abschnitt"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Markieren Sie den Text oben und übernehmen Sie ihn, oder kopieren Sie ihn hierher. Ein Abschnitt = ein Anliegen."),
    )  # fmt: skip


class SegmentForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    response = forms.CharField(
        label=_("Abwägung / Erwiderung"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    result = forms.ChoiceField(label=_("Ergebnis"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=StatementStatus.choices)
    keywords = core_forms.ModelMultipleChoiceField(
        label=_("Schlagworte"), required=False, queryset=Keyword.objects.none()
    )

    def __init__(self, *args: Any, procedure: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["result"]).choices = [("", "–"), *Result.choices]
        cast(forms.ModelMultipleChoiceField, self.fields["keywords"]).queryset = Keyword.objects.filter(
            topic__procedure=procedure
        ).select_related("topic")


class KeywordForm(forms.Form):
    topic = forms.CharField(label=_("Thema"), max_length=120)
    keyword = forms.CharField(label=_("Schlagwort"), max_length=120)


class TextBlockForm(forms.Form):
    title = forms.CharField(label=_("Titel des Textbausteins"), max_length=150)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))


class BulkForm(core_forms.RenderCachedForm):
    ACTIONS = [("assign", _("Zuweisen an")), ("status", _("Status setzen auf"))]
    bulk_action = forms.ChoiceField(label=_("Aktion für ausgewählte"), choices=ACTIONS)
    assignee = ListedModelChoiceField(label=_("Person"), required=False, queryset=get_user_model().objects.none())
    status = forms.ChoiceField(label=_("Status"), required=False, choices=StatementStatus.choices)

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = (
            get_user_model()
            .objects.filter(organisation_memberships__organisation=organisation)
            .filter(api_client__isnull=True)  # partner systems' technical accounts are no people to assign
            .only("id", "email", "display_name")
        )


class CoSignForm(forms.Form):
    name = forms.CharField(
        label=_("Vor- und Nachname"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    street = forms.CharField(label=_("Straße und Hausnummer"), max_length=150,
                             widget=forms.TextInput(attrs={"autocomplete": "street-address"}))  # fmt: skip
    postal_code = forms.CharField(
        label=_("Postleitzahl"), max_length=10, widget=forms.TextInput(attrs={"autocomplete": "postal-code"})
    )
    city = forms.CharField(
        label=_("Ort"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )


class ImportForm(forms.Form):
    message = forms.FileField(
        label=_("XBeteiligung-Nachricht (XML)"),
        help_text=_("Initiierung (0301, 0401) oder Aktualisierung (0302, 0402). Die Nachricht muss an Ihre Organisation gerichtet sein; was nicht übernommen werden kann, wird mit dem Grund abgelehnt."),
    )  # fmt: skip

    def clean_message(self) -> Any:
        from .exchange import MAX_MESSAGE_BYTES

        upload = self.cleaned_data["message"]
        if upload.size > MAX_MESSAGE_BYTES:
            raise forms.ValidationError(_("Die Nachricht ist zu groß (höchstens 20 MB)."))
        return upload


class UnregisteredStatementForm(SpamProtectedForm):
    """Without an account the confirmation link goes to a typed-in address: honeypot and proof of work guard it."""

    email = forms.EmailField(label=_("Ihre E-Mail-Adresse"), help_text=_("Sie erhalten einen Link. Erst mit der Bestätigung geht Ihre Stellungnahme ein."),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))  # fmt: skip
    text = forms.CharField(label=_("Ihre Stellungnahme"), widget=forms.Textarea(attrs={"rows": 10}))
    author_name = forms.CharField(label=_("Vor- und Nachname"), max_length=150, required=False)
    street = forms.CharField(label=_("Straße und Hausnummer"), max_length=150, required=False)
    postal_code = forms.CharField(label=_("Postleitzahl"), max_length=10, required=False)
    city = forms.CharField(label=_("Ort"), max_length=100, required=False)
    publish_name = forms.BooleanField(
        label=_("Mein Name darf bei der Veröffentlichung der Ergebnisse genannt werden."), required=False
    )

    def __init__(self, *args: Any, procedure: Procedure, **kwargs: Any) -> None:
        super().__init__(*args, user=None, **kwargs)  # nobody is signed in here: the proof of work is always asked
        self.order_fields(["email", "text", "author_name", "street", "postal_code", "city", "publish_name"])
        if procedure.require_postal_address:
            for name in ("author_name", "street", "postal_code", "city"):
                self.fields[name].mandatory_on_submit = True  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned.pop("website", None)  # the spam checks are done; the statement's data is the rest
        cleaned.pop("altcha", None)
        return cleaned


class ExchangeFilterForm(core_forms.RenderCachedForm):
    """The filter of an organisation's XBeteiligung inbox and outbox."""

    richtung = forms.ChoiceField(label=_("Richtung"), required=False, choices=[
        ("", _("Eingang und Ausgang")), ("in", _("Eingang")), ("out", _("Ausgang"))])  # fmt: skip
    status = forms.ChoiceField(label=_("Stand"), required=False, choices=[("", _("Alle")), *ExchangeStatus.choices])
    q = forms.CharField(label=_("Suche"), required=False, max_length=200,
                        help_text=_("Nachrichten-ID, Kennung oder Name von Autor oder Leser"))  # fmt: skip


class PartnerEndpointForm(forms.ModelForm):  # type: ignore[type-arg]
    """Where the organisation's 0701 statements are pushed. The stored token is never shown again."""

    remove_token = forms.BooleanField(label=_("Gespeicherten Zugangsschlüssel entfernen"), required=False)

    class Meta:
        model = PartnerEndpoint
        fields = ["url", "token", "active"]
        widgets = {"token": forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})}
        help_texts = {
            "url": _("HTTPS-Adresse, an die jede neue Stellungnahme als XBeteiligung-Nachricht 0701 gesendet wird."),
            "token": _("Wird als „Authorization: Bearer …“ mitgesendet. Leer lassen, um den gespeicherten "
                       "Schlüssel zu behalten."),
        }  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["token"].required = False
        self.stored_token = self.instance.token if self.instance.pk else ""

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        if not url.lower().startswith("https://"):
            raise forms.ValidationError(_("Bitte geben Sie eine Adresse mit „https://“ an: Stellungnahmen enthalten "
                                          "personenbezogene Daten und werden nur verschlüsselt übertragen."))  # fmt: skip
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("remove_token"):
            data["token"] = ""
        elif not data.get("token"):
            data["token"] = self.stored_token
        self.instance.token = data["token"]
        return data


class AssignParkedForm(forms.Form):
    """A portal administrator names the organisation a parked message is for."""

    message = forms.IntegerField(widget=forms.HiddenInput)
    organisation = ListedModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none(),
                                          empty_label=_("Bitte wählen"))  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = Organisation.objects.order_by("name").only(
            "id", "name", "slug", "ags"
        )
