"""The trust level of the login (Vertrauensniveau) for event registrations.

A permission matrix over personas (anonymous, a citizen whose login has level 0, 2, 3 or 4, the organisation's
staff at level 0 and 3) x the event's requirement (0, 2, 3) x the phase (not yet published, open, closed), for
the rule ``events.register_event`` and for the registration endpoint (GET and POST); the waiting list; what the
registration records (level, provider, the organisation acted for with Mein Unternehmenskonto); the confirmation
page and e-mail; the staff pages and the participant list; setting the requirement in the back office (audited).
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from mitwirken.accounts.assurance import LoginAssurance
from mitwirken.core.audit import AuditEntry
from mitwirken.events.models import Event, Registration, RegistrationStatus, Status
from mitwirken.events.services import registration as service
from mitwirken.organisations.models import OrganisationRole

from .assurance_helpers import login_at as in_request_of
from .assurance_helpers import with_level as set_login_level
from .conftest import login, with_second_factor
from .dialogue_helpers import page_text, post_with_proof_of_work
from .event_fixtures import make_event
from .factories import MembershipFactory, OrganisationFactory, UserFactory
from .test_events_backoffice import form_data as event_form
from .test_events_backoffice import url

pytestmark = pytest.mark.django_db

REFUSED = "Ihre Anmeldung wurde nicht gespeichert"
SUBSTANTIELL = "Identität bestätigt über BundID, Vertrauensniveau substantiell"

# persona -> (is staff of the event's organisation, the login's trust level; None = not signed in)
PERSONAS = {
    "anonymous": (False, None), "citizen_0": (False, 0), "citizen_2": (False, 2), "citizen_3": (False, 3),
    "citizen_4": (False, 4), "staff_0": (True, 0), "staff_3": (True, 3),
}  # fmt: skip
PHASES = ["not_published", "open", "closed"]


def event_in(phase: str, required: int, **fields: Any) -> Event:
    organisation = OrganisationFactory()
    if phase == "not_published":
        fields["status"] = Status.DRAFT
    elif phase == "closed":
        fields["registration_deadline"] = timezone.now() - timedelta(hours=1)
    return make_event(organisation, min_assurance_level=required, **fields)


def persona_user(persona: str, event: Event) -> Any:
    staff, level = PERSONAS[persona]
    if level is None:
        return None
    if staff:
        return with_second_factor(MembershipFactory(organisation=event.organisation, role=OrganisationRole.STAFF).user)
    return UserFactory()


def client_for(user: Any, level: int | None) -> Client:
    client = Client()
    if user is None:
        return client
    login(client, user)
    return set_login_level(client, level or 0)


def register_url(event: Event) -> str:
    return reverse("events:register", kwargs={"org_slug": event.organisation.slug, "event_slug": event.slug})


def form_data() -> dict[str, str]:
    return {"name": "Erika Muster", "email": "erika@example.org"}


def expected(persona: str, required: int, phase: str) -> bool:
    _staff, level = PERSONAS[persona]
    return phase == "open" and (level or 0) >= required


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("required", [0, 2, 3])
@pytest.mark.parametrize("persona", list(PERSONAS))
def test_register_matrix_rule_and_endpoint(persona: str, required: int, phase: str) -> None:
    event = event_in(phase, required)
    staff, level = PERSONAS[persona]
    user = persona_user(persona, event)
    allowed = expected(persona, required, phase)
    with in_request_of(user or AnonymousUser(), level or 0):
        assert rules.has_perm("events.register_event", user or AnonymousUser(), event) is allowed

    client = client_for(user, level)
    url = register_url(event)
    if allowed:
        response = post_with_proof_of_work(client, url, form_data())
        assert response.status_code == 302, page_text(response)
        assert response["Location"].endswith("/angemeldet/")
        registration = Registration.objects.get(event=event)
        assert registration.assurance_level == (level or 0)
        assert registration.identity_provider == ("bundid" if level else "")
        return
    response = client.post(url, form_data())
    assert not Registration.objects.exists()
    if phase == "not_published" and not staff:
        assert response.status_code == 404  # a draft is nobody's but staff's
    elif phase != "open":
        assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    else:
        # Open, only the trust level is missing: the notice with the way to BundID, not a bare 403 page.
        assert response.status_code == 403
        text = page_text(response)
        assert REFUSED in text
        step_up = reverse("saml:login", args=["bundid"]) + f"?level={required}"
        assert step_up in text and "Mit BundID anmelden" in text
        get = client.get(url)
        assert get.status_code == 403 and step_up in page_text(get) and 'name="email"' not in page_text(get)


@pytest.mark.parametrize(("level", "shown"), [(2, False), (3, True)])
def test_event_page_shows_the_requirement_before_the_form(level: int, shown: bool) -> None:
    event = event_in("open", 3)
    user = persona_user("citizen_0", event)
    text = page_text(client_for(user, level).get(event.get_absolute_url()))
    assert "Vertrauensniveau „substantiell“" in text
    # The form is there only for a login that may register; otherwise the step-up button takes its place.
    assert ('name="email"' in text) is shown
    assert ("Mit BundID anmelden" in text) is not shown
    assert "Die Anmeldung ist geschlossen" not in text


def test_the_waiting_list_asks_the_same_level_and_capacity_stays_exact() -> None:
    event = event_in("open", 3, capacity=1)
    first = persona_user("citizen_0", event)
    assert post_with_proof_of_work(client_for(first, 3), register_url(event), form_data()).status_code == 302
    late, later = persona_user("citizen_0", event), persona_user("citizen_0", event)
    refused = client_for(late, 2).post(register_url(event), {"name": "Zu spät", "email": late.email})
    assert refused.status_code == 403
    waiting = post_with_proof_of_work(client_for(later, 4), register_url(event), form_data())
    assert waiting.status_code == 302
    statuses = dict(Registration.objects.values_list("user_id", "status"))
    assert statuses == {first.pk: RegistrationStatus.CONFIRMED, later.pk: RegistrationStatus.WAITING}
    assert event.capacities.get().taken == 1
    assert Registration.objects.get(user=later).assurance_level == 4


def test_the_service_refuses_without_a_login_of_that_level_and_records_the_one_it_gets() -> None:
    event = event_in("open", 2)
    with pytest.raises(ValidationError) as refusal:
        service.register(event=event, capacity=event.capacities.get(), name="Ohne", email="ohne@example.org")
    assert refusal.value.error_list[0].code == "assurance" and REFUSED in refusal.value.messages[0]
    assert not Registration.objects.exists() and event.capacities.get().taken == 0
    registration = service.register(
        event=event, capacity=event.capacities.get(), name="Firma", email="firma@example.org", user=UserFactory(),
        login=LoginAssurance(level=3, provider="muk", acting_for_name="Muster GmbH", acting_for_id="HRB 123"),
    )  # fmt: skip
    assert (registration.assurance_level, registration.identity_provider) == (3, "muk")
    assert (registration.on_behalf_of_name, registration.on_behalf_of_id) == ("Muster GmbH", "HRB 123")


def test_confirmation_page_mail_and_staff_pages_state_the_identity(django_capture_on_commit_callbacks: Any) -> None:
    event = event_in("open", 3, title="Einwohnerversammlung")
    user = persona_user("citizen_0", event)
    client = client_for(user, 0)
    set_login_level(client, 3, acting_for_name="Muster GmbH", acting_for_id="HRB 123")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_with_proof_of_work(client, register_url(event), form_data())
    page = page_text(client.get(response["Location"]))
    assert SUBSTANTIELL in page and "Angemeldet für: Muster GmbH" in page
    (message,) = [m for m in mail.outbox if m.to == [user.email]]
    assert SUBSTANTIELL in message.body and "Muster GmbH" in message.body
    registration = Registration.objects.get()
    assert registration.on_behalf_of_id == "HRB 123"
    assert SUBSTANTIELL in page_text(client.get(reverse("events:manage", args=[registration.manage_token])))

    staff = client_for(persona_user("staff_0", event), 0)
    kwargs = {"org_slug": event.organisation.slug, "event_pk": event.pk}
    listing = page_text(staff.get(reverse("backoffice:event_registrations", kwargs=kwargs)))
    assert SUBSTANTIELL in listing and "für Muster GmbH" in listing
    assert "HRB 123" not in listing  # the organisation's number is kept, not shown in the list
    detail = page_text(staff.get(reverse("backoffice:event_detail", kwargs=kwargs)))
    assert "Nötiges Vertrauensniveau" in detail and "substantiell" in detail
    sheet = load_workbook(BytesIO(b"".join(staff.get(
        reverse("backoffice:event_participants", kwargs={**kwargs, "file_format": "xlsx"})).streaming_content
    ))).active  # fmt: skip
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    identity = rows[0].index("Identität")
    assert rows[1][identity] == SUBSTANTIELL and rows[1][identity + 1] == "Muster GmbH"


def test_a_registration_without_bundid_says_nothing_about_an_identity() -> None:
    event = event_in("open", 0)
    user = persona_user("citizen_0", event)
    client = client_for(user, 0)
    response = post_with_proof_of_work(client, register_url(event), form_data())
    page = page_text(client.get(response["Location"]))
    assert "Identität bestätigt" not in page and "Vertrauensniveau" not in page
    assert Registration.objects.get().identity_text == "Identität nicht bestätigt"


def test_staff_set_the_requirement_in_the_event_form_and_the_change_is_audited(world: Any) -> None:
    event = make_event(world.organisation, title="Sprechstunde")
    client = world.client("org_admin")
    assert 'name="min_assurance_level"' in page_text(client.get(url("event_edit", event)))
    response = client.post(url("event_edit", event), event_form(title="Sprechstunde", min_assurance_level="3"))
    assert response.status_code == 302, page_text(response)
    event.refresh_from_db()
    assert event.min_assurance_level == 3
    entry = AuditEntry.objects.filter(object_id=str(event.pk)).latest("created_at")
    assert entry.changes["min_assurance_level"] == [0, 3]
    # Without the field (an older form) the requirement is none, as before.
    client.post(url("event_edit", event), event_form(title="Sprechstunde"))
    event.refresh_from_db()
    assert event.min_assurance_level == 0


def test_the_export_names_the_identity_and_anonymising_forgets_the_company_acted_for() -> None:
    from mitwirken.events import gdpr
    from mitwirken.events.services.setup import anonymise

    event = event_in("open", 3)
    user = UserFactory()
    service.register(
        event=event, capacity=event.capacities.get(), name="Firma", email=user.email, user=user,
        login=LoginAssurance(level=4, provider="muk", acting_for_name="Muster GmbH", acting_for_id="HRB 123"),
    )  # fmt: skip
    (row,) = gdpr.export(user)
    assert row["identitaet"] == "Identität bestätigt über Mein Unternehmenskonto, Vertrauensniveau hoch"
    assert row["angemeldet_fuer"] == "Muster GmbH"
    anonymise(Registration.objects.all())
    registration = Registration.objects.get()
    assert (registration.on_behalf_of_name, registration.on_behalf_of_id) == ("", "")
    assert registration.assurance_level == 4  # not personal: the counts of verified registrations stay
