"""Sign-language (DGS) pages: the portal's and each organisation's videos, and their management.

Uploaded videos and caption tracks are served through the portal (never straight from the storage), after the
upload checks (core/uploads.py: MP4/WebM by their bytes, size limit; WebVTT by its signature). A page without
videos says how to get help in DGS and whom to contact.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mitwirken.accounts.second_factor import refuse_unless
from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.uploads import serve_upload

from . import services
from .access import backoffice_view
from .models import Organisation, SignLanguageVideo


def portal_contact() -> dict[str, str]:
    return {
        "name": settings.SITE_NAME,
        "email": getattr(settings, "PORTAL_CONTACT_EMAIL", ""),
        "phone": getattr(settings, "PORTAL_CONTACT_PHONE", ""),
    }


def organisation_contact(organisation: Organisation) -> dict[str, str]:
    if organisation.contact_email or organisation.contact_phone:
        return {"name": organisation.name, "email": organisation.contact_email, "phone": organisation.contact_phone}
    return portal_contact()


def portal_page(request: HttpRequest) -> HttpResponse:
    videos = SignLanguageVideo.objects.of_portal()
    return render(request, "pages/gebaerdensprache.html", {"videos": videos, "contact": portal_contact()})


def organisation_page(request: HttpRequest, org_slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=org_slug)
    videos = SignLanguageVideo.objects.of_organisation(organisation)
    return render(request, "organisations/gebaerdensprache.html",
                  {"organisation": organisation, "videos": videos, "contact": organisation_contact(organisation),
                   "portal_has_videos": SignLanguageVideo.objects.of_portal().exists()})  # fmt: skip


def video_file(request: HttpRequest, video_pk: int) -> HttpResponseBase:
    item = get_object_or_404(SignLanguageVideo.objects.exclude(video=""), pk=video_pk)
    extension = item.video.name.rsplit(".", 1)[-1].lower()
    return serve_upload(item.video, item.video_type, download_name=f"dgs-{item.pk}.{extension}", inline=True)


def captions_file(request: HttpRequest, video_pk: int) -> HttpResponseBase:
    item = get_object_or_404(SignLanguageVideo.objects.exclude(captions=""), pk=video_pk)
    return serve_upload(item.captions, "text/vtt; charset=utf-8", download_name=f"dgs-{item.pk}.vtt", inline=True)


# Management


class SignLanguageVideoForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Titel"), max_length=200)
    video = forms.FileField(
        label=gettext_lazy("Videodatei"), required=False,
        help_text=gettext_lazy("MP4 oder WebM. Die Größe ist begrenzt (siehe Betriebshandbuch, Standard 300 MB)."),
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4,video/webm"}),
    )  # fmt: skip
    captions = forms.FileField(
        label=gettext_lazy("Untertitel (WebVTT)"), required=False,
        help_text=gettext_lazy("Pflicht zu jeder Videodatei: eine .vtt-Datei, deren erste Zeile „WEBVTT“ lautet."),
        widget=forms.ClearableFileInput(attrs={"accept": ".vtt,text/vtt"}),
    )  # fmt: skip
    external_url = forms.URLField(
        label=gettext_lazy("Oder: Link zum Video beim Videodienst des Landes"), required=False, assume_scheme="https",
        help_text=gettext_lazy("Statt einer Datei. Der Link muss mit https:// beginnen."),
    )  # fmt: skip
    text_version = forms.CharField(
        label=gettext_lazy("Textfassung"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Der Inhalt des Videos als Text, für Menschen, die das Video nicht sehen können."),
    )  # fmt: skip


class SignLanguageVideoEditForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Titel"), max_length=200)
    text_version = forms.CharField(
        label=gettext_lazy("Textfassung"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 8})
    )


def _manage(request: HttpRequest, organisation: Organisation | None) -> HttpResponse:
    form = SignLanguageVideoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_language_video_add(actor=request.user, organisation=organisation, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Das Video ist gespeichert und erscheint auf der Seite zur Gebärdensprache."))
            return redirect(request.path)
    videos = SignLanguageVideo.objects.filter(organisation=organisation)
    return render(request, "backoffice/sign_language.html",
                  {"organisation": organisation, "form": form, "videos": videos, "section": "sign_language",
                   "base_template": "backoffice/base.html" if organisation else "base.html"})  # fmt: skip


def _edit(request: HttpRequest, organisation: Organisation | None, video_pk: int) -> HttpResponse:
    item = get_object_or_404(SignLanguageVideo, organisation=organisation, pk=video_pk)
    back = (
        redirect("backoffice:sign_language", org_slug=organisation.slug)
        if organisation
        else redirect("backoffice:portal_sign_language")
    )
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.sign_language_video_delete(actor=request.user, item=item)
        messages.success(request, _("Das Video wurde gelöscht."))
        return back
    form = SignLanguageVideoEditForm(
        request.POST or None, initial={"title": item.title, "text_version": item.text_version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_language_video_update(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Änderungen sind gespeichert."))
            return back
    return render(request, "backoffice/sign_language_edit.html",
                  {"organisation": organisation, "form": form, "item": item, "section": "sign_language",
                   "base_template": "backoffice/base.html" if organisation else "base.html"})  # fmt: skip


@backoffice_view("organisations.manage_sign_language_videos")
def manage(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    return _manage(request, organisation)


@backoffice_view("organisations.manage_sign_language_videos")
def edit(request: HttpRequest, organisation: Organisation, video_pk: int) -> HttpResponse:
    return _edit(request, organisation, video_pk)


def _portal_admin_only(request: HttpRequest) -> HttpResponse | None:
    return refuse_unless(request, "organisations.manage_sign_language_videos")


def portal_manage(request: HttpRequest) -> HttpResponse:
    return _portal_admin_only(request) or _manage(request, None)


def portal_edit(request: HttpRequest, video_pk: int) -> HttpResponse:
    return _portal_admin_only(request) or _edit(request, None, video_pk)
