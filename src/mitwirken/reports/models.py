from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from mitwirken.organisations.models import Organisation


class CategoryTemplate(models.Model):
    """A portal-wide kind of defect; organisations decide which ones they handle."""

    code = models.SlugField(_("Kennung (Open311 service_code)"), max_length=40, unique=True)
    name = models.CharField(_("Name"), max_length=120)
    description = models.CharField(_("Beschreibung"), max_length=300, blank=True)
    group = models.CharField(_("Gruppe"), max_length=80, blank=True)
    keywords = models.CharField(_("Stichworte"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Kategorie (Vorlage)")
        verbose_name_plural = _("Kategorien (Vorlagen)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationCategory(models.Model):
    """An organisation handles a category, optionally with extra questions and a forwarding address."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="report_categories"
    )
    template = models.ForeignKey(
        CategoryTemplate, verbose_name=_("Kategorie"), on_delete=models.PROTECT, related_name="handlers"
    )
    # Open311 service attributes: [{"code": ..., "label": ..., "datatype": "string|number|singlevaluelist|...",
    # "required": bool, "values": [{"key": ..., "name": ...}]}]
    questions = models.JSONField(_("Zusatzfragen"), default=list, blank=True)
    forward_email = models.EmailField(_("Weiterleitung an"), blank=True)

    class Meta:
        verbose_name = _("Zuständigkeit für eine Kategorie")
        verbose_name_plural = _("Zuständigkeiten für Kategorien")
        constraints = [models.UniqueConstraint(fields=["organisation", "template"], name="one_handler_per_category")]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.template}"
