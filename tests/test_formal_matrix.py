"""Permission matrix for every formal URL: personas × before / during / after the track (frozen time)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from mitwirken.formal import services

from .conftest import PERSONAS
from .formal_fixtures import make_procedure, pdf_upload

pytestmark = pytest.mark.django_db
STAFF = {"case_worker", "org_admin", "portal_admin"}
AUTHENTICATED = set(PERSONAS) - {"anonymous"}


@pytest.fixture
def setup(world):
    start_day = timezone.localdate() + timedelta(days=2)  # all moments stay within the session lifetime
    procedure = make_procedure(world.personas["case_worker"], world.public, first_day=start_day,
                               last_day=start_day + timedelta(days=3))  # fmt: skip
    track = procedure.rounds.get().tracks.get()
    document = services.document_add(actor=world.personas["case_worker"], procedure=procedure, track=track,
                                      title="Plan", upload=pdf_upload())  # fmt: skip
    with time_machine.travel(track.start + timedelta(days=1)):
        services.draft_save(user=world.personas["citizen"], track=track, data={
            "text": "Einwand", "author_name": "A", "street": "S 1", "postal_code": "55555", "city": "X"})  # fmt: skip
        key = str(services.draft_for(user=world.personas["citizen"], track=track).submission_key)
        statement = services.statement_submit(user=world.personas["citizen"], track=track, submission_key=key)
    project = world.public
    base = f"/{project.organisation.slug}/projekte/{project.slug}/{procedure.module.slug}/"
    office = f"/verwaltung/{project.organisation.slug}/projekte/{project.pk}/verfahren/{procedure.module.pk}/"
    urls = {
        "page": f"/{project.organisation.slug}/projekte/{project.slug}/{procedure.module.slug}/",
        "document": f"{base}unterlagen/{document.pk}/",
        "form": f"{base}frist/{track.pk}/stellungnahme/",
        "review": f"{base}frist/{track.pk}/pruefen/",
        "receipt": f"{base}stellungnahmen/{statement.reference}/",
        "receipt_pdf": f"{base}stellungnahmen/{statement.reference}/eingangsbestaetigung.pdf",
        "results": f"{base}abwaegung/",
        "release": f"{base}frist/{track.pk}/freigabe/",
        "cosign": f"{base}mitzeichnen/{statement.cosign_token}/",
        "unregistered": f"{base}frist/{track.pk}/ohne-konto/",  # not allowed by this procedure
        "inbox": f"{office}eingang/",
        "evaluate": f"{office}eingang/{statement.pk}/",
        "export": f"{office}abwaegungstabelle.xlsx",
        "xml": f"{office}eingang/{statement.pk}/xbeteiligung.xml",
        "setup": f"{office}",
    }
    return track, urls


def expected(route: str, persona: str, moment: str) -> int:
    anonymous = persona == "anonymous"
    if route in ("inbox", "evaluate", "export", "xml", "setup"):
        return 200 if persona in STAFF else (302 if anonymous else 404)
    if route in ("page", "results"):
        return 200
    if route == "document":
        return 200 if moment != "before" or persona in STAFF else 404
    if route in ("form", "review"):
        if anonymous:
            return 302  # to the login
        return 200 if moment == "during" else 403  # closed, with a notice
    if route in ("receipt", "receipt_pdf"):
        return 200 if persona in {"citizen", *STAFF} else 404
    if route in ("release", "unregistered"):
        return 404  # no persona coordinates an agency here; this procedure requires an account
    if route == "cosign":
        return 302 if anonymous else 200
    raise AssertionError(route)


@pytest.mark.parametrize("moment", ["before", "during", "after"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_formal_url_matrix(world, setup, persona, moment):
    track, urls = setup
    at = {"before": track.start - timedelta(days=1), "during": track.start + timedelta(days=2),
          "after": track.end + timedelta(days=1)}[moment]  # fmt: skip
    client = world.client(persona)
    with time_machine.travel(at):
        for route, url in urls.items():
            status = client.get(url).status_code
            assert status == expected(route, persona, moment), (route, url, status)


def test_other_organisations_admin_sees_no_personal_data(world, setup):
    _track, urls = setup
    client = world.client("other_org_admin")
    for route in ("receipt", "evaluate", "export", "xml"):
        assert client.get(urls[route]).status_code == 404
    html = client.get(urls["results"]).content.decode() + client.get(urls["page"]).content.decode()
    assert "S 1" not in html and "citizen@example.org" not in html


def expected_agency_track(route: str, persona: str, moment: str) -> int:
    """On an agency (TöB) track only invited agency members take part; everyone else does not even see it."""
    anonymous = persona == "anonymous"
    agency = persona == "agency"
    if route in ("inbox", "evaluate", "export", "xml", "setup"):
        return 200 if persona in STAFF else (302 if anonymous else 404)
    if route in ("page", "results"):
        return 200
    if route == "document":
        return 200 if persona in STAFF or (agency and moment != "before") else 404
    if route in ("form", "review"):
        if agency or persona == "portal_admin":  # superusers pass every permission check
            return 200 if moment == "during" else 403
        if persona in STAFF:  # staff see the track: outside the period they get the deadline notice
            return 404 if moment == "during" else 403
        return 404
    if route in ("receipt", "receipt_pdf"):
        return 200 if persona in {"agency", *STAFF} else 404
    if route in ("release", "unregistered"):
        return 404
    if route == "cosign":
        return 302 if anonymous else (200 if persona in {"agency", *STAFF} else 404)
    raise AssertionError(route)


@pytest.fixture
def agency_setup(world):
    from .factories import MembershipFactory

    # An agency member who was NOT invited to this project: staff of the agency's own organisation only.
    world.personas["agency_uninvited"] = MembershipFactory(organisation=world.agency_organisation, role="staff").user
    start_day = timezone.localdate() + timedelta(days=2)
    project = world.semipublic  # agency members are invited here
    procedure = make_procedure(world.personas["case_worker"], project, first_day=start_day,
                               last_day=start_day + timedelta(days=3), audience="agency")  # fmt: skip
    track = procedure.rounds.get().tracks.get()
    document = services.document_add(actor=world.personas["case_worker"], procedure=procedure, track=track,
                                      title="Plan", upload=pdf_upload())  # fmt: skip
    agency = world.personas["agency"]
    from mitwirken.organisations.models import OrganisationMembership

    OrganisationMembership.objects.create(
        organisation=world.agency_organisation, user=agency, role="admin"
    )  # coordinator
    with time_machine.travel(track.start + timedelta(days=1)):
        services.draft_save(user=agency, track=track, data={
            "text": "Stellungnahme der Behörde", "author_name": "A", "street": "S 1", "postal_code": "55555", "city": "X"})  # fmt: skip
        key = str(services.draft_for(user=agency, track=track).submission_key)
        statement = services.statement_submit(user=agency, track=track, submission_key=key)
    base = f"/{project.organisation.slug}/projekte/{project.slug}/{procedure.module.slug}/"
    office = f"/verwaltung/{project.organisation.slug}/projekte/{project.pk}/verfahren/{procedure.module.pk}/"
    urls = {
        "page": f"/{project.organisation.slug}/projekte/{project.slug}/{procedure.module.slug}/",
        "document": f"{base}unterlagen/{document.pk}/", "form": f"{base}frist/{track.pk}/stellungnahme/",
        "review": f"{base}frist/{track.pk}/pruefen/", "receipt": f"{base}stellungnahmen/{statement.reference}/",
        "receipt_pdf": f"{base}stellungnahmen/{statement.reference}/eingangsbestaetigung.pdf",
        "results": f"{base}abwaegung/", "cosign": f"{base}mitzeichnen/{statement.cosign_token}/",
        "unregistered": f"{base}frist/{track.pk}/ohne-konto/", "inbox": f"{office}eingang/",
        "evaluate": f"{office}eingang/{statement.pk}/", "export": f"{office}abwaegungstabelle.xlsx",
        "xml": f"{office}eingang/{statement.pk}/xbeteiligung.xml", "setup": office,
    }  # fmt: skip
    return track, urls


@pytest.mark.parametrize("moment", ["before", "during", "after"])
@pytest.mark.parametrize("persona", [*PERSONAS, "agency_uninvited"])
def test_agency_track_url_matrix(world, agency_setup, persona, moment):
    track, urls = agency_setup
    at = {"before": track.start - timedelta(days=1), "during": track.start + timedelta(days=2),
          "after": track.end + timedelta(days=1)}[moment]  # fmt: skip
    client = world.client(persona) if persona != "agency_uninvited" else _client_for(world.personas[persona])
    with time_machine.travel(at):
        for route, url in urls.items():
            status = client.get(url).status_code
            if persona == "agency_uninvited":
                # Staff of the agency's own organisation, but not invited: the semi-public project is readable,
                # the agency track is not.
                wanted = 200 if route in ("page", "results") else 404
            else:
                wanted = expected_agency_track(route, persona, moment)
            assert status == wanted, (route, url, status)


def _client_for(user):
    from django.test import Client

    from .conftest import login

    return login(Client(), user)
