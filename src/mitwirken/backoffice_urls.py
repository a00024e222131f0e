"""The back office under /verwaltung/<org_slug>/: the organisation's and projects' pages, then every plugin's."""

from importlib import import_module

from django.urls import path

from mitwirken.accounts.saml import backoffice as identity_provider_admin
from mitwirken.api import backoffice as api_clients
from mitwirken.core import plugins
from mitwirken.core.replica import replica_tolerant
from mitwirken.organisations import backoffice as org
from mitwirken.organisations import sign_language
from mitwirken.participation import backoffice as participation
from mitwirken.projects import backoffice as projects

app_name = "backoffice"

P = "<slug:org_slug>/projekte/<int:project_pk>/"

urlpatterns = [
    path("", org.index, name="index"),
    # "einladung" is a reserved slug, so this cannot be an organisation's back office.
    path("einladung/<str:token>/", org.member_invitation, name="member_invitation"),
    # "gebaerdensprache" is a reserved slug too: the portal's own sign-language videos, for portal administrators.
    path("gebaerdensprache/", sign_language.portal_manage, name="portal_sign_language"),
    # "anmeldedienste" too: BundID and Mein Unternehmenskonto metadata, for portal administrators.
    path("anmeldedienste/", identity_provider_admin.identity_providers, name="identity_providers"),
    path("gebaerdensprache/<int:video_pk>/", sign_language.portal_edit, name="portal_sign_language_edit"),
    path("<slug:org_slug>/", org.overview, name="dashboard"),
    path("<slug:org_slug>/gebaerdensprache/", sign_language.manage, name="sign_language"),
    path("<slug:org_slug>/gebaerdensprache/<int:video_pk>/", sign_language.edit, name="sign_language_edit"),
    path("<slug:org_slug>/projekte/", projects.project_list, name="projects"),
    # Every plugin counts everything here: from the replica (core/replica.py).
    path("<slug:org_slug>/zahlen/", replica_tolerant(org.statistics), name="statistics"),
    path("<slug:org_slug>/einstellungen/", org.settings, name="settings"),
    path("<slug:org_slug>/mitglieder/", org.members, name="members"),
    path("<slug:org_slug>/mitglieder/<int:membership_pk>/", org.member_change, name="member_change"),
    path(
        "<slug:org_slug>/mitglieder/einladungen/<int:invitation_pk>/widerrufen/",
        org.member_invitation_revoke,
        name="member_invitation_revoke",
    ),
    path("<slug:org_slug>/einstellungen/schnittstellen/", api_clients.client_list, name="api_clients"),
    path(
        "<slug:org_slug>/einstellungen/schnittstellen/<int:client_pk>/widerrufen/",
        api_clients.client_revoke,
        name="api_client_revoke",
    ),
    path("<slug:org_slug>/protokoll/", org.audit_log, name="audit_log"),
    path("<slug:org_slug>/protokoll/export.csv", org.audit_log_export, name="audit_log_export"),
    path("<slug:org_slug>/rueckmeldungen/", org.accessibility_feedback, name="feedback"),
    path("<slug:org_slug>/moderation/", participation.moderation_overview, name="moderation"),
    path("<slug:org_slug>/projekte/neu/", projects.project_create, name="project_create"),
    path(P, projects.project_edit, name="project_edit"),
    path(P + "status/", projects.project_status, name="project_status"),
    path(P + "veroeffentlichen/", projects.project_publish, name="project_publish"),
    path(P + "module/", projects.project_modules, name="project_modules"),
    path(P + "module/<int:module_pk>/phasen/neu/", projects.phase_create, name="phase_create"),
    path(P + "phasen/<int:phase_pk>/", projects.phase_edit, name="phase_edit"),
    path(P + "module/<int:module_pk>/", projects.module_edit, name="module_edit"),
    path(P + "anhaenge/", projects.project_attachments, name="project_attachments"),
    path(P + "teilnehmende/", projects.project_participants, name="project_participants"),
    path(P + "zugangscodes.pdf", projects.access_code_pdf, name="access_code_pdf"),
    path(P + "teilnehmende/mehrere/", projects.project_invite_bulk, name="project_invite_bulk"),
    path("<slug:org_slug>/adressbuch/", projects.agency_book, name="agency_book"),
    path("<slug:org_slug>/adressbuch/<int:contact_pk>/", projects.agency_contact_edit, name="agency_contact_edit"),
    path("<slug:org_slug>/adressbuch/gruppen/<int:group_pk>/", projects.agency_group_edit, name="agency_group_edit"),
]

for _plugin in plugins.all_plugins():
    if _plugin.urls:
        urlpatterns += getattr(import_module(_plugin.urls), "backoffice_urlpatterns", [])
