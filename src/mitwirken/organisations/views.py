"""Public pages of an organisation: its projects and its legal texts."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render

from mitwirken.core import pagecache
from mitwirken.core.uploads import image_content_type, serve_upload
from mitwirken.core.views import accessibility_feedback_page
from mitwirken.projects.models import Project

from .models import Organisation, field_label

LEGAL_PAGES = {
    "imprint": "Impressum",
    "privacy_notice": "Datenschutzerklärung",
}


@pagecache.shared("app:projects", "app:organisations")
def detail(request: HttpRequest, org_slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=org_slug)
    projects = Project.objects.listed().filter(organisation=organisation).for_cards()
    page = Paginator(projects, 12).get_page(request.GET.get("seite"))
    return render(request, "organisations/detail.html", {"organisation": organisation, "page": page})


def logo(request: HttpRequest, org_slug: str) -> HttpResponseBase:
    """The organisation's logo (public, like its name): re-encoded on upload, streamed with safe headers."""
    organisation = get_object_or_404(Organisation, slug=org_slug)
    if not organisation.logo:
        raise Http404
    extension = organisation.logo.name.rsplit(".", 1)[-1].lower()
    return serve_upload(organisation.logo, image_content_type(organisation.logo.name),
                        download_name=f"{organisation.slug}-logo.{extension}", inline=True)  # fmt: skip


def legal_text(request: HttpRequest, org_slug: str, field: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=org_slug)
    return render(
        request,
        "organisations/legal_text.html",
        {"organisation": organisation, "field": field, "text": getattr(organisation, field),
         "heading": field_label(Organisation, field)},
    )  # fmt: skip


def accessibility(request: HttpRequest, org_slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=org_slug)
    return accessibility_feedback_page(
        request,
        organisation=organisation,
        template="organisations/accessibility.html",
        context={"organisation": organisation},
    )
