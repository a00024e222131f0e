"""What a project needs before it goes public: the checklist shown before publishing.

The portal checks what every project needs (legal texts, a module, phases, a contact); each plugin adds what
its own modules need through ``Plugin.publish_checks`` (a formal procedure's periods and documents), so this
module names no module app.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from mitwirken.core import plugins
from mitwirken.core.plugins import PublishCheck

from .models import Project


def publish_checks(project: Project) -> list[PublishCheck]:
    """Every line of the checklist, essentials first."""
    organisation = project.organisation
    missing = organisation.missing_legal_texts
    settings_url = reverse("backoffice:settings", kwargs={"org_slug": organisation.slug})
    modules_url = reverse(
        "backoffice:project_modules", kwargs={"org_slug": organisation.slug, "project_pk": project.pk}
    )
    edit_url = reverse("backoffice:project_edit", kwargs={"org_slug": organisation.slug, "project_pk": project.pk})
    modules = list(project.modules.prefetch_related("phases"))
    checks = [
        PublishCheck(
            _("Impressum, Datenschutzerklärung und Erklärung zur Barrierefreiheit sind erreichbar"),
            ok=not missing,
            explanation=_(
                "Es fehlen: %(missing)s. Eine Administratorin oder ein Administrator der Organisation "
                "ergänzt sie unter „Einstellungen und Rechtstexte“."
            )
            % {"missing": ", ".join(missing)},
            url=settings_url,
        ),
        PublishCheck(
            _("Das Projekt hat mindestens ein Modul"),
            ok=bool(modules),
            explanation=_("Legen Sie unter „Module und Phasen“ fest, wie sich Menschen beteiligen können."),
            url=modules_url,
        ),
    ]
    for module in modules:
        module_type = module.type
        if module_type is not None and module_type.backoffice_manage:
            continue  # modules with their own set-up (formal procedures) bring their own checks
        checks.append(PublishCheck(
            _("Modul „%(name)s“ hat Phasen mit Beginn und Ende") % {"name": module.name},
            ok=bool(module.phases.all()),
            explanation=_("Ohne Phase ist nicht klar, wann die Beteiligung läuft. Legen Sie mindestens eine an."),
            url=reverse("backoffice:phase_create", kwargs={"org_slug": organisation.slug, "project_pk": project.pk,
                                                           "module_pk": module.pk}),
        ))  # fmt: skip
    checks.extend(plugins.collect("publish_checks", project))
    checks.append(PublishCheck(
        _("Eine Ansprechperson ist angegeben"), ok=bool(project.contact_email or project.contact_phone),
        essential=False,
        explanation=_("Empfohlen: Wer Fragen hat, sollte wissen, an wen sie sich wenden können."), url=edit_url,
    ))  # fmt: skip
    checks.append(PublishCheck(
        _("Eine ausführliche Beschreibung ist vorhanden"), ok=bool((project.description or "").strip()),
        essential=False, explanation=_("Empfohlen: Beschreiben Sie Anlass, Ziel und was mit den Beiträgen geschieht."),
        url=edit_url,
    ))  # fmt: skip
    return sorted(checks, key=lambda check: not check.essential)


def blocking(checks: list[PublishCheck]) -> list[PublishCheck]:
    return [check for check in checks if check.essential and not check.ok]


def describe_blocking(checks: list[Any]) -> str:
    """The German explanation of why publishing is refused."""
    return _("Das Projekt kann nicht veröffentlicht werden, weil noch Wesentliches fehlt: %(items)s") % {
        "items": " ".join(f"{check.label}: {check.explanation}" for check in checks)
    }
