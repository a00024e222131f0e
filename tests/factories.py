from __future__ import annotations

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from mitwirken.accounts.models import User
from mitwirken.organisations.models import Organisation, OrganisationKind, OrganisationMembership, OrganisationRole
from mitwirken.projects.models import (
    AccessMode,
    Module,
    ParticipantRole,
    Phase,
    Project,
    ProjectAttachment,
    ProjectMembership,
    ProjectStatus,
)
from mitwirken.projects.services import refresh_phase_span

PASSWORD = "Testpasswort-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Gemeinde {n}")
    slug = factory.Sequence(lambda n: f"gemeinde-{n}")
    kind = OrganisationKind.ORTSGEMEINDE
    imprint = "<p>Impressum</p>"
    privacy_notice = "<p>Datenschutz</p>"
    accessibility_statement = "<p>Barrierefreiheit</p>"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationMembership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = OrganisationRole.STAFF


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Projekt {n}")
    slug = factory.Sequence(lambda n: f"projekt-{n}")
    summary = "Eine kurze Beschreibung."
    status = ProjectStatus.PUBLISHED
    access = AccessMode.PUBLIC
    published_at = factory.LazyFunction(timezone.now)


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    project = factory.SubFactory(ProjectFactory)
    module_type = "information"
    name = "Information"


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase
        skip_postgeneration_save = True

    module = factory.SubFactory(ModuleFactory)
    phase_type = "information"
    name = "Information"
    features = ["view"]
    start = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    end = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))

    @factory.post_generation
    def refresh_project_span(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        # The services keep this denormalised span; factories must too.
        if create:
            refresh_phase_span(self.module.project)


class ProjectMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectMembership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = ParticipantRole.PARTICIPANT


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectAttachment

    project = factory.SubFactory(ProjectFactory)
    title = "Unterlage"
    file = factory.django.FileField(filename="unterlage.pdf", data=b"%PDF-1.4\n%test\n")
    content_type = "application/pdf"
    size = 16
