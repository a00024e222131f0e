"""The portal's URLs. Core apps are listed here; every module's URLs come from its plugin registration."""

from importlib import import_module
from typing import Any

from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.urls import include, path
from django.urls.resolvers import URLPattern, URLResolver

from mitwirken.api.api import api
from mitwirken.core import plugins
from mitwirken.core import views as core_views
from mitwirken.core.urls import page_urlpatterns
from mitwirken.participation import urls as participation_urls
from mitwirken.projects.urls import legacy_urlpatterns
from mitwirken.projects.views import home

# A module's pages live under its address in a project (the participation parts' pages too).
MODULE_PREFIX = participation_urls.MODULE_PREFIX


def _first_segment(pattern: URLPattern | URLResolver) -> str:
    return str(pattern.pattern).lstrip("^").split("/", 1)[0]


def plugin_urlpatterns() -> list[Any]:
    """Each plugin's URL module, mounted once under its namespace; overlapping module paths are refused."""
    patterns: list[Any] = []
    # The shared participation pages (comments, flags, moderation …) own their segments under every module.
    owners = {_first_segment(pattern): "participation" for pattern in participation_urls.module_urlpatterns}
    for plugin in plugins.all_plugins():
        if not plugin.urls:
            continue
        urls = import_module(plugin.urls)
        module_patterns = list(getattr(urls, "module_urlpatterns", []))
        for pattern in module_patterns:
            segment = _first_segment(pattern)
            if owners.setdefault(segment, plugin.key) != plugin.key:
                raise ImproperlyConfigured(
                    f"Plugins {owners[segment]!r} and {plugin.key!r} both claim '{segment}' under a module."
                )
        own = [*getattr(urls, "urlpatterns", [])]
        if module_patterns:
            own.append(path(MODULE_PREFIX, include(module_patterns)))
        patterns.append(path("", include((own, urls.app_name))))
        if getattr(urls, "legacy_prefix", ""):
            patterns += legacy_urlpatterns(urls.legacy_prefix, getattr(urls, "legacy_renames", None))
    return patterns


urlpatterns = [
    path("", home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("konto/", include("mitwirken.accounts.urls")),
    path("konto/saml/", include("mitwirken.accounts.saml.urls")),
    path("konto/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("verwaltung/", include("mitwirken.backoffice_urls")),
    path("", include((page_urlpatterns, "pages"))),
    path("", include("mitwirken.core.urls")),
    path("", include("mitwirken.participation.urls")),
    *plugin_urlpatterns(),
    path("", include("mitwirken.projects.urls")),
    # Organisation pages take the remaining first path segments; their slugs cannot collide (validators.reserved_slugs).
    path("", include("mitwirken.organisations.urls")),
]

handler404 = "mitwirken.core.views.error_404"
handler500 = "mitwirken.core.views.error_500"
