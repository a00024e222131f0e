"""SAML endpoints: metadata, login start, assertion consumer, logout, and the confirmation of a link."""

from __future__ import annotations

import base64
import logging
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.saml import name_id_from_string

from mitwirken.core.http import AuthenticatedRequest
from mitwirken.core.ids import parse_int
from mitwirken.core.middleware import content_security_policy

from ..models import ExternalIdentity, IdentityProvider
from . import authn, config, services
from .attributes import MAIL
from .metadata import own_metadata
from .response import MAX_RESPONSE_BYTES, LoginRefused, read

logger = logging.getLogger(__name__)

PENDING_REQUESTS_KEY = "mitwirken_saml_requests"
MAX_PENDING_REQUESTS = 5
REQUEST_VALID_SECONDS = 30 * 60
RESPONSE_HANDOVER_SECONDS = 300


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return reverse("home")


def _provider_label(provider: str) -> str:
    return str(dict(ExternalIdentity.Provider.choices).get(provider, provider))


def _refused(request: HttpRequest, message: str, *, cancelled: bool = False, status: int = 400,
             next_url: str = "") -> HttpResponse:  # fmt: skip
    return render(request, "accounts/saml/refused.html",
                  {"message": message, "cancelled": cancelled, "next_url": next_url}, status=status)  # fmt: skip


@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    if not config.configured():
        raise Http404
    return HttpResponse(own_metadata(request), content_type="application/samlmetadata+xml; charset=utf-8")


@require_GET
def login(request: HttpRequest, provider: str) -> HttpResponse:
    """Start a login at ``provider`` with the minimum trust level ``?level=`` and come back to ``?next=``."""
    if provider not in ExternalIdentity.Provider.values:
        raise Http404
    next_url = _safe_next(request, request.GET.get("next"))
    idp = config.providers().get(provider)
    if idp is None:
        message = _("Die Anmeldung mit %(provider)s ist auf diesem Portal noch nicht eingerichtet.")
        return _refused(request, message % {"provider": _provider_label(provider)}, status=404, next_url=next_url)
    # A level from a link; anything outside 1-4 asks for the lowest (the IdP then decides).
    level = parse_int(request.GET.get("level"), default=1, minimum=1, maximum=4) or 1
    prepared = authn.prepare(config.client(request), idp.entity_id, level, with_akdb=provider == "bundid")
    now = time.time()
    pending = {
        request_id: entry
        for request_id, entry in request.session.get(PENDING_REQUESTS_KEY, {}).items()
        if now - entry.get("at", 0) < REQUEST_VALID_SECONDS
    }
    pending[prepared.request_id] = {"provider": provider, "level": level, "next": next_url, "at": now}
    request.session[PENDING_REQUESTS_KEY] = dict(list(pending.items())[-MAX_PENDING_REQUESTS:])
    response = render(request, "accounts/saml/post.html", {
        "destination": prepared.destination, "provider_label": _provider_label(provider),
        "saml_request": base64.b64encode(prepared.xml.encode()).decode(),
    })  # fmt: skip
    # The form goes to the identity provider: this page's policy allows exactly that one origin.
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(prepared.destination))
    response["Content-Security-Policy"] = content_security_policy().replace(
        "form-action 'self'", f"form-action 'self' {origin}"
    )
    return response


@csrf_exempt  # the signed response and its InResponseTo, bound to this session, are the protection
@require_http_methods(["GET", "POST"])
def assertion_consumer(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        # The IdP's POST is cross-site, so the browser leaves the SameSite=Lax session cookie out. Hand the
        # response over to a GET of this address (top-level navigation: the cookie comes along) and read it there.
        token = secrets.token_urlsafe(24)
        cache.set(f"saml-response:{token}", request.POST.get("SAMLResponse", "")[: MAX_RESPONSE_BYTES + 1],
                  RESPONSE_HANDOVER_SECONDS)  # fmt: skip
        response = HttpResponseRedirect(reverse("saml:acs") + f"?weiter={token}")
        response.status_code = 303
        return response
    token = request.GET.get("weiter", "")
    saml_response = cache.get(f"saml-response:{token}") if token else None
    cache.delete(f"saml-response:{token}")
    if not saml_response:
        return _refused(request, _("Diese Anmeldung ist abgelaufen oder wurde bereits verwendet. Bitte melden Sie "
                                   "sich erneut an."))  # fmt: skip
    outstanding = request.session.get(PENDING_REQUESTS_KEY, {})
    try:
        login = read(config.client(request), saml_response, outstanding)
        outcome = services.complete(request, login)
    except LoginRefused as refusal:
        # Back to where the person started (the newest login they began here), e.g. their statement form.
        started: dict[str, Any] = max(outstanding.values(), key=lambda entry: entry.get("at", 0), default={})
        return _refused(request, refusal.message, cancelled=refusal.cancelled,
                        status=200 if refusal.cancelled else 400, next_url=started.get("next", ""))  # fmt: skip
    pending = request.session.get(PENDING_REQUESTS_KEY, {})
    next_url = pending.pop(login.request_id, {}).get("next") or reverse("home")
    request.session[PENDING_REQUESTS_KEY] = pending
    label = _provider_label(login.provider)
    if outcome == "confirm_link":
        return redirect("saml:link")
    texts = {
        "created": _("Willkommen! Ihr Konto wurde mit %(provider)s angelegt."),
        "linked": _("%(provider)s ist jetzt mit Ihrem Konto verknüpft."),
        "signed_in": _("Sie sind mit %(provider)s angemeldet."),
    }
    messages.success(request, texts[outcome] % {"provider": label})
    return redirect(next_url)


@require_POST
def logout(request: HttpRequest, provider: str) -> HttpResponse:
    """The portal's logout for a SAML login: the local session ends first, then the IdP is asked to follow."""
    info = request.session.get(services.LOGIN_KEY) or {}
    auth_logout(request)
    messages.success(request, _("Sie sind abgemeldet."))
    idp = IdentityProvider.objects.filter(provider=provider, enabled=True).first()
    if idp is None or info.get("provider") != provider or not info.get("name_id"):
        return redirect("home")
    try:
        client = config.client(request)
        destination = client.metadata.single_logout_service(idp.entity_id, BINDING_HTTP_REDIRECT, "idpsso")[0]
        _request_id, logout_request = client.create_logout_request(
            destination["location"], idp.entity_id, name_id=name_id_from_string(info["name_id"]),
            session_indexes=[info["session_index"]] if info.get("session_index") else None,
        )  # fmt: skip
        http = client.apply_binding(BINDING_HTTP_REDIRECT, str(logout_request), destination["location"],
                                    sign=True, sigalg=client.config.getattr("signing_algorithm", "sp"))  # fmt: skip
    except Exception:  # an IdP without single logout, or unreachable metadata: the local logout stands
        logger.warning("SAML single logout not started for %s", provider, exc_info=True)
        return redirect("home")
    location = dict(http["headers"]).get("Location", "")
    return HttpResponseRedirect(location) if location else redirect("home")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def single_logout(request: HttpRequest) -> HttpResponse:
    """The IdP's answer to our logout. The local session already ended before we asked the IdP, so this
    only reads the answer; it never logs anybody out (a link from elsewhere must not end a session).
    Logout requests started by the IdP are not taken (docs/identity.md)."""
    data = request.POST if request.method == "POST" else request.GET
    binding = BINDING_HTTP_POST if request.method == "POST" else BINDING_HTTP_REDIRECT
    if "SAMLResponse" in data:
        try:
            config.client(request).parse_logout_request_response(data["SAMLResponse"], binding)
        except Exception:  # the session is gone either way; a broken answer is only worth a log line
            logger.warning("SAML logout response not verified", exc_info=True)
    return redirect("home")


@require_http_methods(["GET", "POST"])
def link(request: HttpRequest) -> HttpResponse:
    """A first identity-provider login whose e-mail address has an account: link after the password login."""
    pending = services.pending_link(request)
    if pending is None:
        return redirect("accounts:identities" if request.user.is_authenticated else "home")
    context: dict[str, Any] = {"pending": pending, "provider_label": _provider_label(pending.provider),
                               "email": pending.value(MAIL)}  # fmt: skip
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            request.session.pop(services.PENDING_LINK_KEY, None)
            messages.info(request, _("Die Identität wurde nicht verknüpft."))
            return redirect("home")
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={reverse('saml:link')}")
        try:
            services.confirm_pending_link(request)
        except (LoginRefused, ValidationError) as error:
            return _refused(request, getattr(error, "message", str(error)))
        messages.success(request, _("%(provider)s ist jetzt mit Ihrem Konto verknüpft.") % {
            "provider": context["provider_label"]})  # fmt: skip
        return redirect("accounts:identities")
    return render(request, "accounts/saml/link.html", context)


@login_required
@require_POST
def unlink(request: AuthenticatedRequest, identity_pk: int) -> HttpResponse:
    identity = ExternalIdentity.objects.filter(pk=identity_pk, user=request.user).first()
    if identity is None:
        raise Http404
    try:
        services.unlink(request.user, identity)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Die Verknüpfung wurde gelöst."))
    return redirect("accounts:identities")
