from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mitwirken.core import plugins
from mitwirken.core.http import AuthenticatedRequest
from mitwirken.core.pagination import CountedPaginator, counts_of

from . import gdpr
from .forms import DeleteAccountForm, ProfileForm
from .models import ExternalIdentity


@login_required
def profile(request: AuthenticatedRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Ihr Profil ist gespeichert."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def identities(request: AuthenticatedRequest) -> HttpResponse:
    from . import assurance
    from .saml.services import can_unlink

    identities = list(request.user.identities.all())
    for identity in identities:
        identity.can_unlink = can_unlink(request.user, identity)  # type: ignore[attr-defined]
    linked = {identity.provider for identity in identities}
    return render(request, "accounts/identities.html", {
        "identities": identities, "login": assurance.of_request(request),
        "unlinked_providers": [provider for provider in ExternalIdentity.Provider.values if provider not in linked],
    })  # fmt: skip


SECTION_PAGE_SIZE = 10


@login_required
def overview(request: AuthenticatedRequest) -> HttpResponse:
    """Mein Bereich: everything the person has done or been given, across organisations and modules.

    Each plugin contributes its blocks; each block pages on its own (``?stellungnahmen=2``), so the page
    costs the same number of queries however much a person has done: one for all the counts, then each
    filled block's page.
    """
    sections = sorted(plugins.collect("account_sections"), key=lambda section: section.order)
    rows = {section.key: section.items(request.user) for section in sections}
    counts = counts_of(rows)  # one query for all blocks, not one per block
    blocks = []
    for section in sections:
        paginator = CountedPaginator(rows[section.key], SECTION_PAGE_SIZE, count=counts[section.key])
        others = request.GET.copy()
        others.pop(section.key, None)
        blocks.append({"section": section, "page": paginator.get_page(request.GET.get(section.key)),
                       "query": others.urlencode()})  # fmt: skip
    filled = [block for block in blocks if block["page"].paginator.count]
    empty = [block for block in blocks if not block["page"].paginator.count]
    return render(request, "accounts/overview.html", {"filled": filled, "empty": empty})


@login_required
def my_projects(request: AuthenticatedRequest) -> HttpResponse:
    memberships = request.user.project_memberships.select_related("project__organisation").order_by("-created_at")
    return render(request, "accounts/projects.html", {"memberships": memberships})


@login_required
def data(request: AuthenticatedRequest) -> HttpResponse:
    form = DeleteAccountForm(user=request.user)
    return render(request, "accounts/data.html", {"delete_form": form})


@login_required
@require_POST
def data_export(request: AuthenticatedRequest) -> HttpResponse:
    response = HttpResponse(gdpr.export_zip(request.user), content_type="application/zip")
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="mitwirken-daten-{stamp}.zip"'
    return response


@login_required
@require_POST
def delete(request: AuthenticatedRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "accounts/data.html", {"delete_form": form}, status=400)
    user = request.user
    logout(request)
    gdpr.delete_account(user)
    messages.success(request, _("Ihr Konto wurde gelöscht."))
    return redirect("home")


@login_required
@require_POST
def keyboard_shortcuts(request: AuthenticatedRequest) -> HttpResponse:
    """Switch the single-key shortcuts of the back office on or off (WCAG 2.1.4), then go back where the person was."""
    from django.utils.http import url_has_allowed_host_and_scheme

    enabled = request.POST.get("enabled") == "1"
    request.user.keyboard_shortcuts = enabled
    request.user.save(update_fields=["keyboard_shortcuts"])
    messages.success(
        request, _("Die Tastaturkürzel sind eingeschaltet.") if enabled else _("Die Tastaturkürzel sind ausgeschaltet.")
    )
    target = request.POST.get("next", "")
    # Only a path of this portal: anything else (another site, a bare word) goes to the start page.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return HttpResponseRedirect(target)
