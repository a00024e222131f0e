"""An organisation's English names for report categories and English answer templates (Textbausteine)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from mitwirken.core.models import AuditEntry
from mitwirken.reports import services
from mitwirken.reports.forms import LocationForm, StatusForm
from mitwirken.reports.models import OrganisationCategory, Report, ResponseTemplate

from .conftest import login
from .conftest import with_second_factor as _activate
from .reports_fixtures import build_region, make_report

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def with_second_factor(user):
    """Staff need a second factor; some people here are used twice."""
    from allauth.mfa.models import Authenticator

    return user if Authenticator.objects.filter(user=user).exists() else _activate(user)


DE = {"HTTP_ACCEPT_LANGUAGE": "de"}


@pytest.fixture
def region():
    region = build_region()
    handler = OrganisationCategory.objects.get(organisation=region.kreis, template=region.road)
    services.category_translate(
        actor=with_second_factor(region.people["kreis_admin"]), handler=handler, name_en="Road damage",
        description_en="Potholes, cracks",
    )  # fmt: skip
    return region


def client_for(user):
    return login(Client(), with_second_factor(user))


def test_report_pages_show_the_organisations_english_name_in_english_only(region):
    report = make_report(region, category=region.road, organisation=region.kreis)
    other = make_report(region, category=region.road, organisation=region.lbm)  # the LBM wrote no English name
    client = Client()
    assert "Road damage" in client.get(f"/maengelmelder/{report.pk}/", **EN).content.decode()
    german = client.get(f"/maengelmelder/{report.pk}/", **DE).content.decode()
    assert "Road damage" not in german and "Straßenschaden" in german
    other_page = client.get(f"/maengelmelder/{other.pk}/", **EN).content.decode()
    assert "Road damage" not in other_page and "Straßenschaden" in other_page
    listing = client.get("/maengelmelder/liste/", **EN).content.decode()
    assert f"#{report.pk} Road damage" in listing and f"#{other.pk} Straßenschaden" in listing


def test_category_label_falls_back_to_german_and_reads_lists_without_extra_queries(region):
    report = make_report(region, category=region.light, organisation=region.vg)
    with translation.override("en"):
        assert report.category_label == "Straßenbeleuchtung"
    client = Client()
    make_report(region, category=region.road, organisation=region.kreis)
    client.get("/maengelmelder/liste/", **EN)
    with CaptureQueriesContext(connection) as few:
        client.get("/maengelmelder/liste/", **EN)
    for _index in range(15):
        make_report(region, category=region.road, organisation=region.kreis)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/maengelmelder/liste/", **EN)
    assert response.content.decode().count("Road damage") >= 10
    assert len(many) == len(few)


def test_the_report_form_offers_english_category_names_in_english():
    region = build_region()
    handler = OrganisationCategory.objects.get(organisation=region.vg, template=region.light)
    services.category_translate(actor=with_second_factor(region.people["portal_admin"]), handler=handler,
                                name_en="Street lighting")  # fmt: skip
    with translation.override("en"):
        labels = [str(label) for _value, label in LocationForm().fields["category"].choices]
    assert "Street lighting" in labels and "Straßenschaden" in labels
    with translation.override("de"):
        labels = [str(label) for _value, label in LocationForm().fields["category"].choices]
    assert "Street lighting" not in labels and "Straßenbeleuchtung" in labels


def test_answer_templates_in_english_when_set(region):
    staff = with_second_factor(region.people["kreis_staff"])
    template = services.response_template_add(
        actor=staff, organisation=region.kreis, title="Erledigt", text="Der Schaden ist behoben."
    )
    services.response_template_add(actor=staff, organisation=region.kreis, title="Nur Deutsch", text="Nur deutsch.")
    client = client_for(region.people["kreis_staff"])
    url = f"/verwaltung/{region.kreis.slug}/meldungen/vorlagen/"
    client.post(url, {"action": "translate", "template": template.pk, "title_en": "Done",
                      "text_en": "The damage has been repaired."})  # fmt: skip
    template.refresh_from_db()
    assert (template.title_en, template.text_en) == ("Done", "The damage has been repaired.")
    with translation.override("en"):
        choices = dict(StatusForm(choices=[], organisation=region.kreis).fields["template"].choices)
    assert choices["The damage has been repaired."] == "Done" and choices["Nur deutsch."] == "Nur Deutsch"
    with translation.override("de"):
        choices = dict(StatusForm(choices=[], organisation=region.kreis).fields["template"].choices)
    assert choices["Der Schaden ist behoben."] == "Erledigt"
    assert AuditEntry.objects.filter(action="report_template.translate").exists()


def test_categories_page_saves_the_english_name(region):
    handler = OrganisationCategory.objects.get(organisation=region.kreis, template=region.road)
    client = client_for(region.people["kreis_admin"])
    url = f"/verwaltung/{region.kreis.slug}/meldungen/kategorien/"
    assert 'value="Road damage"' in client.get(url).content.decode()
    client.post(url, {"action": "translate", "handler": handler.pk, "name_en": "Road damage (streets)"})
    handler.refresh_from_db()
    assert handler.name_en == "Road damage (streets)" and handler.description_en == ""


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("kreis_admin", True), ("portal_admin", True), ("kreis_staff", False), ("anderswo_admin", False),
     ("citizen", False)],
)  # fmt: skip
def test_who_may_translate_categories_and_templates(region, persona, allowed):
    handler = OrganisationCategory.objects.get(organisation=region.kreis, template=region.road)
    template = ResponseTemplate.objects.create(organisation=region.kreis, title="T", text="Text")
    client = client_for(region.people[persona])
    client.post(f"/verwaltung/{region.kreis.slug}/meldungen/kategorien/",
                {"action": "translate", "handler": handler.pk, "name_en": "Changed"})  # fmt: skip
    handler.refresh_from_db()
    assert (handler.name_en == "Changed") == allowed
    client.post(f"/verwaltung/{region.kreis.slug}/meldungen/vorlagen/",
                {"action": "translate", "template": template.pk, "title_en": "Changed", "text_en": "x"})  # fmt: skip
    template.refresh_from_db()
    # Answer templates belong to everybody who handles reports (case workers too).
    assert (template.title_en == "Changed") == (allowed or persona == "kreis_staff")


def test_report_str_unchanged(region):
    report = make_report(region)
    assert str(Report.objects.get(pk=report.pk)).startswith(f"#{report.pk} ")
