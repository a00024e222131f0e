"""API clients (issue #16, must-hold 4): keys for partner systems, scopes, the second factor on every API route."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mitwirken.api import scopes, services
from mitwirken.api.api import api
from mitwirken.api.auth import StaffSessionAuth
from mitwirken.api.models import ApiClient
from mitwirken.core import audit
from mitwirken.core.models import AuditEntry
from mitwirken.formal.api import EXPORT_SCOPE, IMPORT_SCOPE
from mitwirken.formal.models import Procedure
from mitwirken.organisations.models import OrganisationMembership, OrganisationRole

from .conftest import PERSONAS, login
from .formal_fixtures import make_procedure
from .test_abwaegung import submit_as

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "xbeteiligung"
BOTH = [IMPORT_SCOPE, EXPORT_SCOPE]


def new_client(world: Any, *, organisation: Any = None, scopes_: list[str] | None = None, name: str = "DiPlan Cockpit"):
    organisation = organisation or world.organisation
    admin = world.personas["org_admin" if organisation == world.organisation else "other_org_admin"]
    return services.client_create(actor=admin, organisation=organisation, name=name,
                                  scopes=BOTH if scopes_ is None else scopes_,
                                  expires_at=timezone.now() + timedelta(days=30))  # fmt: skip


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def message_0401() -> SimpleUploadedFile:
    return SimpleUploadedFile("0401.xml", (DATA / "kommunal-initiieren-0401.xml").read_bytes(), "application/xml")


@pytest.fixture(autouse=True)
def addressed(world):
    """The example 0401 is addressed to AGS 07111000: the world's organisation has it."""
    world.organisation.ags = "07111000"
    world.organisation.save()


@pytest.fixture
def statement(world):
    procedure = make_procedure(world.personas["case_worker"], world.public)
    return submit_as(world, "citizen", procedure.rounds.get().tracks.get())


def urls(world: Any, statement: Any) -> dict[str, str]:
    procedure = statement.procedure
    base = f"/api/v1/procedures/{world.organisation.slug}/{world.public.pk}"
    return {"import": f"{base}/import", "0701": f"{base}/{procedure.module.pk}/statements/{statement.reference}.xml"}


# --- Every authenticated route, found in the API itself -----------------------------------------------------------


def authenticated_operations() -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path template, OpenAPI operation) of every route that requires authentication.

    Read from the routers themselves, so a route left out of the schema is walked too; the schema adds what
    the request body looks like.
    """
    from ninja.utils import normalize_path

    schema = api.get_openapi_schema()["paths"]
    root = "/api/v1/"
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            template = re.sub(r"{\w+:(\w+)}", r"{\1}", normalize_path(root + prefix + path))
            for operation in path_view.operations:
                if not operation.auth_callbacks:
                    continue
                for method in operation.methods:
                    found.append((method, template, schema.get(template, {}).get(method.lower(), {})))
    return found


def fill(path: str, world: Any, statement: Any) -> str:
    """The path with real values of the world: a procedure of the organisation, a submitted statement and a
    message of its outbox (never a guessed id: on PostgreSQL, ids of earlier tests are not reused)."""
    from mitwirken.formal.models import ExchangeMessage

    message = ExchangeMessage.objects.filter(organisation=world.organisation).first() or ExchangeMessage.objects.create(
        organisation=world.organisation, direction=ExchangeMessage.Direction.OUT, message_type="test",
        status="sent", payload="<test/>",
    )  # fmt: skip
    known = {"org_slug": world.organisation.slug, "project_pk": world.public.pk, "message_pk": message.pk,
             "module_pk": statement.procedure.module.pk, "reference": statement.reference}  # fmt: skip
    # A parameter nobody named here gets a plausible value; the refusal must not depend on it.
    return re.sub(r"{(\w+)}", lambda match: str(known.get(match.group(1), 1)), path)


def body(operation: dict[str, Any]) -> dict[str, Any]:
    """Form data for an operation: every file field gets the 0401 message."""
    content = operation.get("requestBody", {}).get("content", {})
    schema = next(iter(content.values()), {}).get("schema", {}) if content else {}
    return {name: message_0401() for name, field in schema.get("properties", {}).items()
            if field.get("format") == "binary"}  # fmt: skip


def call(client: Client, method: str, url: str, operation: dict[str, Any], **extra: Any) -> Any:
    if method == "GET":
        return client.get(url, **extra)
    return client.generic(method, url, **extra) if method != "POST" else client.post(url, body(operation), **extra)


def test_the_walk_finds_the_xbeteiligung_routes():
    paths = {path for _method, path, _operation in authenticated_operations()}
    assert any(path.endswith("/import") for path in paths)
    assert any(path.endswith("/statements/{reference}.xml") for path in paths)


def test_every_authenticated_operation_uses_the_central_session_check():
    """A route that used ninja's django_auth directly would skip the second-factor refusal of StaffSessionAuth."""
    from ninja.security.session import SessionAuth

    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for callback in operation.auth_callbacks or []:
                    if isinstance(callback, SessionAuth):
                        assert isinstance(callback, StaffSessionAuth), path


@pytest.mark.parametrize("persona", ["case_worker", "org_admin", "portal_admin"])
def test_staff_session_without_second_factor_is_refused_on_every_authenticated_route(world, statement, persona,
                                                                                      settings):  # fmt: skip
    settings.MITWIRKEN_STAFF_MFA_REQUIRED = True
    client = Client()
    client.force_login(world.personas[persona])  # password only: the session was never confirmed with TOTP
    operations = authenticated_operations()
    assert operations
    for method, path, operation in operations:
        response = call(client, method, fill(path, world, statement), operation)
        assert response.status_code in (401, 403, 404), (method, path, response.status_code)
        # The one central check answers, with a German hint where to go.
        assert response.status_code == 403 and "zweiten Faktor" in response.json()["detail"], (method, path)
    assert Procedure.objects.count() == 1  # only the fixture's: the import created nothing


def test_staff_without_any_authenticator_is_refused_too(world, statement, settings):
    settings.MITWIRKEN_STAFF_MFA_REQUIRED = True
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=world.personas["case_worker"]).delete()
    client = Client()
    client.force_login(world.personas["case_worker"])
    assert client.get(urls(world, statement)["0701"]).status_code == 403


@pytest.mark.parametrize("persona", ["case_worker", "org_admin", "portal_admin"])
def test_confirmed_staff_session_passes_every_authenticated_route(world, statement, persona, settings):
    settings.MITWIRKEN_STAFF_MFA_REQUIRED = True
    client = login(Client(), world.personas[persona])
    for method, path, operation in authenticated_operations():
        response = call(client, method, fill(path, world, statement), operation)
        # Success, or a refusal of the input; never a refusal of the person.
        assert response.status_code < 300 or response.status_code == 400, (method, path, response.status_code)


def test_people_without_staff_rights_are_not_refused_by_the_second_factor_check(world, statement):
    """A citizen has no second factor to confirm: the route itself decides (404, the procedure is not theirs)."""
    response = world.client("citizen").get(urls(world, statement)["0701"])
    assert response.status_code == 404


def test_session_posts_still_need_the_csrf_token(world, statement):
    client = login(Client(enforce_csrf_checks=True), world.personas["case_worker"])
    response = client.post(urls(world, statement)["import"], {"message": message_0401()})
    assert response.status_code == 403 and Procedure.objects.count() == 1


# --- Keys: the permission matrix ------------------------------------------------------------------------------------


def _key(world: Any, case: str) -> str | None:
    if case == "no key":
        return None
    if case == "malformed":
        return "kein-schluessel"
    if case == "unknown":
        return "x" * 43
    if case == "other organisation":
        return new_client(world, organisation=world.other_organisation)[1]
    if case == "import only":
        return new_client(world, scopes_=[IMPORT_SCOPE])[1]
    if case == "export only":
        return new_client(world, scopes_=[EXPORT_SCOPE])[1]
    client, key = new_client(world)
    if case == "revoked":
        services.client_revoke(actor=world.personas["org_admin"], client=client)
    elif case == "expired":
        ApiClient.objects.filter(pk=client.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif case == "known prefix, wrong rest":
        return key[:8] + "A" * (len(key) - 8)
    return key


MATRIX = [
    # case,                      import, 0701
    ("both scopes", 201, 200),
    ("import only", 201, 403),
    ("export only", 403, 200),
    ("other organisation", 404, 404),
    ("revoked", 401, 401),
    ("expired", 401, 401),
    ("malformed", 401, 401),
    ("unknown", 401, 401),
    ("known prefix, wrong rest", 401, 401),
    ("no key", 401, 401),
]


@pytest.mark.parametrize(("case", "import_status", "export_status"), MATRIX)
def test_key_permission_matrix(world, statement, case, import_status, export_status):
    key = _key(world, case)
    headers = bearer(key) if key is not None else {}
    # enforce_csrf_checks: a partner system sends no cookie and no CSRF token, and needs none.
    client = Client(enforce_csrf_checks=True)
    route = urls(world, statement)
    exported = client.get(route["0701"], headers=headers)
    assert exported.status_code == export_status, exported.content[:300]
    imported = client.post(route["import"], {"message": message_0401()}, headers=headers)
    assert imported.status_code == import_status, imported.content[:300]
    if import_status >= 400:
        assert imported.json()["detail"]
        assert Procedure.objects.count() == 1
    if case in ("revoked", "expired", "malformed", "unknown"):
        assert "API-Schlüssel" in imported.json()["detail"]


def test_a_key_fetches_the_0701_and_imports_as_its_technical_account(world, statement):
    from mitwirken.formal import xbeteiligung

    api_client, key = new_client(world, name="DiPlan Cockpit Bauleitplanung")
    client = Client(enforce_csrf_checks=True)
    route = urls(world, statement)
    exported = client.get(route["0701"], headers=bearer(key))
    assert exported.status_code == 200 and exported["Content-Type"].startswith("application/xml")
    xbeteiligung.validate(exported.content)
    assert statement.reference.encode() in exported.content
    imported = client.post(route["import"], {"message": message_0401()}, headers=bearer(key))
    assert imported.status_code == 201, imported.content
    assert Procedure.objects.count() == 2
    # The audit log names the client: its technical account is the actor.
    entries = AuditEntry.objects.filter(actor=api_client.user)
    assert entries.filter(action="xbeteiligung.export").exists()
    assert entries.exclude(action="xbeteiligung.export").exists()
    assert audit.person_name(api_client.user) == "API-Client: DiPlan Cockpit Bauleitplanung"


def test_a_session_of_a_person_is_not_limited_by_scopes(world, statement):
    response = world.client("case_worker").get(urls(world, statement)["0701"])
    assert response.status_code == 200


def test_a_key_wins_over_a_session_cookie_sent_along(world, statement):
    """The request acts as the key's client, never as the person whose cookie happens to be there."""
    _api_client, key = new_client(world, scopes_=[IMPORT_SCOPE])
    client = world.client("case_worker")
    assert client.get(urls(world, statement)["0701"], headers=bearer(key)).status_code == 403


def test_last_use_is_recorded_at_most_once_a_minute(world, statement):
    api_client, key = new_client(world)
    url = urls(world, statement)["0701"]
    assert Client().get(url, headers=bearer(key)).status_code == 200
    api_client.refresh_from_db()
    first = api_client.last_used_at
    assert first is not None
    assert Client().get(url, headers=bearer(key)).status_code == 200
    api_client.refresh_from_db()
    assert api_client.last_used_at == first
    ApiClient.objects.filter(pk=api_client.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    assert Client().get(url, headers=bearer(key)).status_code == 200
    api_client.refresh_from_db()
    assert api_client.last_used_at > first


def test_rate_limit_per_client_answers_429_with_retry_after(world, statement, settings, clock_stands_still):
    settings.MITWIRKEN_API_CLIENT_RATE = "3/m"
    _api_client, key = new_client(world)
    _other, other_key = new_client(world, name="Zweites Verfahren")
    url = urls(world, statement)["0701"]
    for _ in range(3):
        assert Client().get(url, headers=bearer(key)).status_code == 200
    limited = Client().get(url, headers=bearer(key))
    assert limited.status_code == 429
    assert "Zu viele Anfragen" in limited.json()["detail"]
    assert 1 <= int(limited["Retry-After"]) <= 60
    # Per client: another key of the same organisation is not held back.
    assert Client().get(url, headers=bearer(other_key)).status_code == 200


# --- The key and its account ----------------------------------------------------------------------------------------


def test_create_stores_only_the_hash_and_makes_a_technical_case_worker(world):
    api_client, key = new_client(world)
    assert len(key) >= 43
    assert api_client.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert api_client.key_prefix == key[:8]
    stored = ApiClient.objects.filter(pk=api_client.pk).values().get()
    assert not any(key in str(value) for value in stored.values())
    assert not AuditEntry.objects.filter(changes__icontains=key).exists()
    user = api_client.user
    assert user.email.startswith("api-client-") and user.email.endswith("@clients.invalid")
    assert user.display_name == "API-Client: DiPlan Cockpit"
    assert not user.has_usable_password()
    membership = OrganisationMembership.objects.get(user=user)
    assert membership.organisation == world.organisation and membership.role == OrganisationRole.STAFF
    assert AuditEntry.objects.filter(action="api.client_create", object_id=str(api_client.pk)).exists()


def test_revoke_deactivates_the_account_and_ends_the_membership(world):
    api_client, _key = new_client(world)
    services.client_revoke(actor=world.personas["org_admin"], client=api_client)
    services.client_revoke(actor=world.personas["org_admin"], client=api_client)  # twice: no second entry
    api_client.refresh_from_db()
    assert api_client.revoked_at is not None and api_client.revoked_by == world.personas["org_admin"]
    assert not api_client.user.is_active
    assert not OrganisationMembership.objects.filter(user=api_client.user).exists()
    assert AuditEntry.objects.filter(action="api.client_revoke").count() == 1
    sentence = audit.describe(AuditEntry.objects.get(action="api.client_revoke")).sentence
    assert "Schnittstellen-Zugang" in sentence and "widerrufen" in sentence


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"name": " "}, "name"), ({"scopes": []}, "scopes"), ({"scopes": ["alles"]}, "scopes"),
     ({"expires_at": None}, "expires_at"), ({"expires_at": "past"}, "expires_at"),
     ({"expires_at": "three years"}, "expires_at")],
)  # fmt: skip
def test_create_refuses_bad_input_in_german(world, changes, field):
    data: dict[str, Any] = {"name": "Cockpit", "scopes": BOTH, "expires_at": timezone.now() + timedelta(days=1)}
    data.update(changes)
    if data["expires_at"] == "past":
        data["expires_at"] = timezone.now() - timedelta(days=1)
    elif data["expires_at"] == "three years":
        data["expires_at"] = timezone.now() + timedelta(days=3 * 365)
    with pytest.raises(ValidationError) as error:
        services.client_create(actor=world.personas["org_admin"], organisation=world.organisation, **data)
    assert field in error.value.message_dict
    assert not ApiClient.objects.exists()


@pytest.mark.parametrize("persona", ["case_worker", "citizen", "other_org_admin"])
def test_only_admins_may_create_or_revoke_in_the_service(world, persona):
    api_client, _key = new_client(world)
    with pytest.raises(PermissionDenied):
        services.client_create(actor=world.personas[persona], organisation=world.organisation, name="x",
                               scopes=BOTH, expires_at=timezone.now() + timedelta(days=1))  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.client_revoke(actor=world.personas[persona], client=api_client)


def test_the_technical_account_cannot_sign_in(world):
    """Even with a password set behind the portal's back and a verified address, allauth turns it away."""
    api_client, _key = new_client(world)
    user = api_client.user
    user.set_password("ein-sehr-geheimes-passwort-123")
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client()
    client.post(_login_url(), {"login": user.email, "password": "ein-sehr-geheimes-passwort-123"})
    assert "_auth_user_id" not in client.session


def _login_url() -> str:
    from django.urls import reverse

    return reverse("account_login")


def test_the_openapi_schema_describes_the_bearer_scheme():
    schema = api.get_openapi_schema()
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["ApiKeyAuth"].items()
    operation = next(op for _m, path, op in authenticated_operations() if path.endswith("/import"))
    assert {"ApiKeyAuth": []} in operation["security"]


# --- Back office -----------------------------------------------------------------------------------------------------


def key_check(world: Any, key: str) -> int:
    """The import route's status for ``key`` and a message that is not XBeteiligung: 400 if the key works."""
    url = f"/api/v1/procedures/{world.organisation.slug}/{world.public.pk}/import"
    return Client().post(url, {"message": SimpleUploadedFile("x.xml", b"<x/>")}, headers=bearer(key)).status_code


def page_url(world: Any) -> str:
    return f"/verwaltung/{world.organisation.slug}/einstellungen/schnittstellen/"


def create_form(**changes: Any) -> dict[str, Any]:
    day = (timezone.localdate() + timedelta(days=100)).isoformat()
    return {"name": "DiPlan Cockpit", "scopes": BOTH, "expires_on": day, **changes}


EXPECTED = {"anonymous": 302, "citizen": 404, "invited": 404, "agency": 404, "moderator": 404, "case_worker": 404,
            "org_admin": 200, "other_org_admin": 404, "portal_admin": 200}  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
def test_backoffice_matrix(world, persona):
    api_client, _key = new_client(world)
    client = world.client(persona)
    allowed = EXPECTED[persona] == 200
    assert client.get(page_url(world)).status_code == EXPECTED[persona]
    created = client.post(page_url(world), create_form(name=f"Neu {persona}"))
    assert created.status_code == EXPECTED[persona]
    assert ApiClient.objects.filter(name=f"Neu {persona}").exists() == allowed
    revoke = f"{page_url(world)}{api_client.pk}/widerrufen/"
    assert client.get(revoke).status_code == EXPECTED[persona]
    response = client.post(revoke)
    assert response.status_code == (302 if allowed or persona == "anonymous" else 404)
    api_client.refresh_from_db()
    assert (api_client.revoked_at is not None) == allowed


def test_backoffice_shows_the_key_once(world):
    client = world.client("org_admin")
    response = client.post(page_url(world), create_form())
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    key = re.search(r'id="new-api-key" type="text" value="([^"]+)"', html).group(1)
    assert "nur dieses eine Mal" in html and 'for="new-api-key"' in html
    api_client = ApiClient.objects.get()
    assert api_client.key_hash == hashlib.sha256(key.encode()).hexdigest()
    listed = client.get(page_url(world)).content.decode()
    assert key not in listed and f"{api_client.key_prefix}…" in listed and "DiPlan Cockpit" in listed
    # The shown key works: the import route gets past the key and refuses only the message.
    assert key_check(world, key) == 400


def test_backoffice_form_has_labels_and_german_errors(world):
    client = world.client("org_admin")
    html = client.get(page_url(world)).content.decode()
    assert 'for="id_name"' in html and "Name des Fachverfahrens" in html
    assert "<legend" in html and "Berechtigungen" in html
    for label in scopes.SCOPES.values():
        assert str(label) in html
    assert 'type="date"' in html and "Gültig bis einschließlich" in html
    too_late = (timezone.localdate() + timedelta(days=3 * 365)).isoformat()
    response = client.post(page_url(world), {"name": "", "expires_on": too_late})
    html = response.content.decode()
    assert response.status_code == 200 and "Bitte korrigieren Sie die markierten Angaben." in html
    assert "Bitte geben Sie an, welches Fachverfahren den Zugang benutzt." in html
    assert "Bitte wählen Sie mindestens eine Berechtigung." in html
    assert "höchstens zwei Jahre" in html
    assert not ApiClient.objects.exists()


def test_backoffice_list_queries_do_not_grow_with_the_number_of_clients(world):
    client = world.client("org_admin")
    new_client(world)
    client.get(page_url(world))  # warm up (session, caches)
    with CaptureQueriesContext(connection) as one:
        assert client.get(page_url(world)).status_code == 200
    for number in range(5):
        api_client, _key = new_client(world, name=f"Verfahren {number}")
        if number % 2:
            services.client_revoke(actor=world.personas["org_admin"], client=api_client)
    with CaptureQueriesContext(connection) as six:
        assert client.get(page_url(world)).status_code == 200
    assert len(six) == len(one)


def test_backoffice_revoke_asks_first_and_lists_the_status(world):
    api_client, key = new_client(world)
    client = world.client("org_admin")
    confirm = client.get(f"{page_url(world)}{api_client.pk}/widerrufen/").content.decode()
    assert "widerrufen?" in confirm and api_client.key_prefix in confirm and "Endgültig widerrufen" in confirm
    assert client.post(f"{page_url(world)}{api_client.pk}/widerrufen/").status_code == 302
    listed = client.get(page_url(world)).content.decode()
    assert "widerrufen" in listed
    assert key_check(world, key) == 401


def test_another_organisations_client_is_404_in_the_back_office(world):
    api_client, _key = new_client(world, organisation=world.other_organisation)
    response = world.client("org_admin").post(f"{page_url(world)}{api_client.pk}/widerrufen/")
    assert response.status_code == 404
    api_client.refresh_from_db()
    assert api_client.revoked_at is None


def test_technical_accounts_are_not_listed_as_members(world):
    api_client, _key = new_client(world)
    html = world.client("org_admin").get(f"/verwaltung/{world.organisation.slug}/mitglieder/").content.decode()
    assert "admin@example.org" in html
    assert api_client.user.email not in html and "API-Client" not in html


def test_the_navigation_links_the_page_for_admins_only(world):
    admin = world.client("org_admin").get(f"/verwaltung/{world.organisation.slug}/").content.decode()
    assert page_url(world) in admin and "Schnittstellen-Zugänge" in admin
    staff = world.client("case_worker").get(f"/verwaltung/{world.organisation.slug}/").content.decode()
    assert page_url(world) not in staff


def test_technical_accounts_are_not_offered_as_assignees(world, statement):
    from mitwirken.formal.forms import BulkForm, InboxFilterForm
    from mitwirken.reports.backoffice import _staff

    api_client, _key = new_client(world)
    procedure = statement.procedure
    inbox = InboxFilterForm(procedure=procedure)
    bulk = BulkForm(organisation=world.organisation)
    for form in (inbox, bulk):
        offered = list(form.fields["assignee"].queryset)
        assert world.personas["case_worker"] in offered and api_client.user not in offered
    assert api_client.user not in _staff(world.organisation)


def test_the_technical_account_cannot_be_promoted_or_removed_as_a_member(world):
    api_client, _key = new_client(world)
    membership = OrganisationMembership.objects.get(user=api_client.user)
    url = f"/verwaltung/{world.organisation.slug}/mitglieder/{membership.pk}/"
    client = world.client("org_admin")
    assert client.post(url, {"action": "role", "role": OrganisationRole.ADMIN}).status_code == 404
    assert client.post(url, {"action": "remove"}).status_code == 404
    membership.refresh_from_db()
    assert membership.role == OrganisationRole.STAFF
