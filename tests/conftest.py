"""Personas and helpers shared by the suite.

Personas follow the guide: anonymous, citizen, invited participant, agency member,
moderator, case worker, organisation admin, another organisation's admin and
portal admin. Staff personas get a TOTP authenticator, because the back office requires one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django_tasks.base import TaskResultStatus
from django_tasks.signals import task_enqueued, task_finished

from mitwirken.core.demo import DEMO_TOTP_SECRET
from mitwirken.organisations.models import OrganisationRole
from mitwirken.projects.models import ParticipantRole

from .factories import (
    MembershipFactory,
    ModuleFactory,
    OrganisationFactory,
    PhaseFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # allauth keeps rate limits and used TOTP codes in the cache; tests must not inherit them.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def page_cache_off(settings: Any) -> None:
    """For tests that count what rendering a page costs: they bulk-create rows between two requests, which sends
    no signal, so a shared page (core/pagecache.py) would be served instead of rendered."""
    settings.MITWIRKEN_PAGE_CACHE = False


@pytest.fixture
def clock_stands_still() -> Any:
    """Stop the clock for a test that counts requests against a rate limit.

    Rate limits count per window of the clock (django-ratelimit); a test whose requests straddle the end of a
    window would see the count start again and fail now and then.
    """
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now(), tick=False):
        yield


def with_second_factor(user: Any) -> Any:
    TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


def login(client: Client, user: Any) -> Client:
    """Log in as allauth would after password + TOTP, so the back office sees a confirmed session."""
    client.force_login(user)
    session = client.session
    now = time.time()
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [{"method": "password", "at": now}, {"method": "mfa", "at": now}]
    session.save()
    return client


@dataclass
class World:
    """One organisation with a project per access mode, and one person per role."""

    organisation: Any
    other_organisation: Any
    agency_organisation: Any
    public: Any
    semipublic: Any
    protected: Any
    personas: dict[str, Any]

    def client(self, persona: str) -> Client:
        client = Client()
        user = self.personas.get(persona)
        return login(client, user) if user is not None else client


PERSONAS = [
    "anonymous", "citizen", "invited", "agency", "moderator", "case_worker", "org_admin", "other_org_admin", "portal_admin",
]  # fmt: skip


@pytest.fixture
def world(db: Any) -> World:
    organisation = OrganisationFactory(slug="musterkreis", name="Landkreis Musterkreis")
    other = OrganisationFactory(slug="anderswo", name="Stadt Anderswo")
    agency_org = OrganisationFactory(slug="lbm", name="Landesbetrieb Mobilität")
    projects = {}
    for access in ("public", "semipublic", "protected"):
        project = ProjectFactory(
            organisation=organisation, slug=f"p-{access}", title=f"Projekt {access}", access=access
        )
        PhaseFactory(module=ModuleFactory(project=project))
        projects[access] = project
    personas: dict[str, Any] = {"anonymous": None}
    personas["citizen"] = UserFactory(email="citizen@example.org")
    personas["invited"] = UserFactory(email="invited@example.org")
    personas["agency"] = UserFactory(email="agency@example.org")
    personas["moderator"] = UserFactory(email="moderator@example.org")
    for project in projects.values():
        if project.access != "public":
            ProjectMembershipFactory(project=project, user=personas["invited"])
            ProjectMembershipFactory(
                project=project, user=personas["agency"], role=ParticipantRole.AGENCY, agency=agency_org
            )
            ProjectMembershipFactory(project=project, user=personas["moderator"], role=ParticipantRole.MODERATOR)
    personas["case_worker"] = with_second_factor(
        MembershipFactory(organisation=organisation, role=OrganisationRole.STAFF, user__email="staff@example.org").user
    )
    personas["org_admin"] = with_second_factor(
        MembershipFactory(organisation=organisation, role=OrganisationRole.ADMIN, user__email="admin@example.org").user
    )
    personas["other_org_admin"] = with_second_factor(
        MembershipFactory(organisation=other, role=OrganisationRole.ADMIN, user__email="other@example.org").user
    )
    personas["portal_admin"] = with_second_factor(
        UserFactory(email="portal@example.org", is_superuser=True, is_staff=True)
    )
    return World(
        organisation, other, agency_org, projects["public"], projects["semipublic"], projects["protected"], personas
    )


# The immediate task backend records a failing task and carries on; without this check a broken
# mail or alert task would look like "nothing sent".
@pytest.fixture
def tasks() -> Any:
    """Every task enqueued and finished during the test (the immediate backend runs them at once)."""
    log: dict[str, list[Any]] = {"enqueued": [], "finished": []}

    def on_enqueued(sender: Any, task_result: Any, **kwargs: Any) -> None:
        log["enqueued"].append(task_result)

    def on_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
        log["finished"].append(task_result)

    task_enqueued.connect(on_enqueued, dispatch_uid="tests_enqueued")
    task_finished.connect(on_finished, dispatch_uid="tests_finished")
    yield log
    task_enqueued.disconnect(dispatch_uid="tests_enqueued")
    task_finished.disconnect(dispatch_uid="tests_finished")


@pytest.fixture(autouse=True)
def _tasks_must_not_fail(tasks: Any) -> Any:
    yield
    failed = [result for result in tasks["finished"] if result.status == TaskResultStatus.FAILED]
    if failed:
        details = "\n".join(f"{r.task.name}{tuple(r.args)}:\n{r.errors[-1].traceback}" for r in failed)
        pytest.fail(f"{len(failed)} task(s) failed silently in the immediate backend:\n{details}")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Tests marked ``xmlsec`` need Debian's xmlsec1 (pysaml2 calls it). Without it they are skipped, as the
    browser tests are without Chromium, unless CI demands everything (MITWIRKEN_REQUIRE_BROWSER=1)."""
    import os
    import shutil

    if shutil.which("xmlsec1") or os.environ.get("MITWIRKEN_REQUIRE_BROWSER") == "1":
        return
    skip = pytest.mark.skip(reason="xmlsec1 is not installed (apt-get install xmlsec1)")
    for item in items:
        if item.get_closest_marker("xmlsec"):
            item.add_marker(skip)
