"""The one contract between the portal and its modules.

A module app (a participation module such as ``dialogue`` or ``formal``, or an organisation's service such as
the Mängelmelder) calls ``register(Plugin(...))`` in its ``AppConfig.ready()`` and nothing else: the URL
configuration, the back office, the API, the GDPR export and erasure, the demo data, the citizen's
"Mein Bereich", the staff's work overview, the portal search, the daily jobs and the statistics all read
this registry. Core apps never import a module app (``tests/test_module_contract.py`` checks both).

Everything a plugin names by dotted path is imported only when the portal needs it, so registering costs
nothing at start-up and the import order of apps does not matter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest, HttpResponse

    from mitwirken.organisations.models import Organisation
    from mitwirken.projects.models import Module, Project


@dataclass(frozen=True)
class PhaseType:
    key: str
    name: Any  # lazy translation string
    features: tuple[str, ...] = ()
    description: Any = ""


@dataclass(frozen=True)
class ModuleType:
    """A kind of module that staff can add to a project (a plugin may offer several, e.g. dialogue blueprints)."""

    key: str
    name: Any
    description: Any
    phase_types: tuple[PhaseType, ...]
    # Dotted path of ``render(request, project, module) -> HttpResponse``, the module's start page; it receives
    # an already permission-checked project and module.
    render: str
    # Types with their own set-up (a formal procedure) name back-office URLs taking org_slug + project_pk
    # (create) and + module_pk (manage); the generic module form skips them.
    backoffice_create: str = ""
    backoffice_manage: str = ""
    # Types whose phases are managed generically but have settings of their own (a dialogue's categories).
    backoffice_settings: str = ""
    # What a citizen does here, for the call to action on the project page ("Idee einreichen").
    call_to_action: Any = ""

    def phase_type(self, key: str) -> PhaseType | None:
        return next((phase for phase in self.phase_types if phase.key == key), None)

    def render_page(self, request: HttpRequest, project: Project, module: Module) -> HttpResponse:
        return resolve(self.render)(request, project, module)  # type: ignore[no-any-return]

    @cached_property
    def app_label(self) -> str:
        """The label of the app that renders this type's page (a plugin's key need not be its app's label)."""
        from django.apps import apps

        config = apps.get_containing_app_config(self.render)
        return config.label if config is not None else ""


@dataclass(frozen=True)
class AccountSection:
    """One block of "Mein Bereich" (/konto/): a paginated list of the person's own things."""

    key: str  # also the page parameter of this block, so each block pages on its own
    title: Any
    template: str  # renders ``page`` (a Paginator page of ``items``)
    items: Callable[[Any], QuerySet[Any] | Sequence[Any]]  # (user) -> rows, already select_related
    order: int = 50


@dataclass(frozen=True)
class ProjectSection:
    """One block on a project's page (e.g. the project's events), rendered under the project's modules."""

    key: str  # the block's HTML id
    title: Any
    template: str  # rendered with ``context`` plus ``project`` and ``organisation``
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WorkItem:
    """One line of the staff's work overview: a count of waiting work and the filtered list it opens."""

    label: Any
    count: int
    url: str
    urgent: bool = False


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    kind: Any
    excerpt: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class Statistic:
    label: Any
    value: int | str


@dataclass(frozen=True)
class PublishCheck:
    """One line of the checklist shown before a project is published.

    An unmet ``essential`` check blocks publishing; an unmet recommendation only warns.
    """

    label: Any
    ok: bool
    essential: bool = True
    explanation: Any = ""  # what is missing and where to fix it
    url: str = ""


@dataclass(frozen=True)
class DemoSeeder:
    order: int
    run: str  # dotted path of ``run(stdout, scale)``


@dataclass(frozen=True)
class Plugin:
    key: str  # also the URL namespace of its public pages
    name: Any
    module_types: tuple[ModuleType, ...] = ()
    # Dotted path of the plugin's URL module. It may define ``module_urlpatterns`` (mounted under a module of
    # one of its types: /<org>/projekte/<project>/<module-slug>/…), ``urlpatterns`` (at the portal root, e.g.
    # /maengelmelder/), ``backoffice_urlpatterns`` (under /verwaltung/, namespace "backoffice") and
    # ``legacy_prefix`` (the old module URL segment that now redirects, e.g. "dialog").
    urls: str = ""
    # Dotted path of a django-ninja ``Router`` mounted into /api/v1/.
    api: str = ""
    # Dotted path of the module that adds the plugin's ``rules`` permissions when imported.
    rules: str = ""
    # GDPR: dotted paths of ``export(user) -> JSON-able`` and ``erase(user) -> None``.
    gdpr_export: str = ""
    gdpr_erase: str = ""
    demo: DemoSeeder | None = None
    # Entries of the portal's main navigation: (label, URL name without arguments).
    main_nav: tuple[tuple[Any, str], ...] = ()
    # Entries of the back-office navigation: (label, URL name taking org_slug, section key for aria-current).
    backoffice_nav: tuple[tuple[Any, str, str], ...] = ()
    # Dotted paths of ``participation.targets.Target`` subclasses: the plugin's objects that get comments,
    # ratings, flags and follows from the shared participation app (e.g. a dialogue's ideas).
    participation_targets: tuple[str, ...] = ()
    # Dotted paths of callables:
    account_sections: str = ""  # () -> list[AccountSection]
    project_sections: str = ""  # (request, project) -> list[ProjectSection], only for viewers of the project
    staff_work: str = ""  # (user, organisation) -> list[WorkItem]
    search: str = ""  # (user, query, limit) -> list[SearchHit]
    statistics: str = ""  # (organisation) -> list[Statistic]
    daily: str = ""  # () -> None, run once a day by `manage.py daily`
    # (text) -> (lat, lon) or None where the text is unknown; a ValidationError where it is ambiguous. Read by
    # ``core.geo.locate`` for every "near a place" search.
    geocoder: str = ""
    # () -> {action: core.audit.AuditSentence}: how the plugin's audit entries read in the organisation's log.
    audit_sentences: str = ""
    # (project) -> list[PublishCheck]: what the plugin's modules need before a project goes public.
    publish_checks: str = ""
    # (module) -> list[str]: what people contributed to a module of the plugin ("12 Ideen"); while there is any,
    # staff can not delete the module or its phases.
    contributions: str = ""
    # ((west, south, east, north), limit) -> [{"name", "lat", "lon"}]: named places a map shows as labels where
    # no base map can be loaded (``core.maps.places``).
    map_places: str = ""
    # A Django system check (``(**kwargs) -> list[CheckMessage]``) for what the module needs at run time,
    # e.g. its standard's schema files: a missing part stops the start, not a request.
    system_check: str = ""
    # What API clients (partner systems' keys) may be allowed to do in this module: (name, German label).
    api_scopes: tuple[tuple[str, Any], ...] = ()
    # () -> iterable of (key, certified SHA-256, SHA-256 recomputed from the record or None): the receipts the
    # plugin issued, which a restored backup must reproduce exactly (``core.backup.verify``).
    receipts: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def load(self, attribute: str) -> Any:
        """The object a dotted-path attribute names, or None where the plugin has none."""
        return resolve(getattr(self, attribute))


def resolve(dotted: str) -> Any:
    if not dotted:
        return None
    module_path, _, name = dotted.rpartition(".")
    return getattr(import_module(module_path), name)


_plugins: dict[str, Plugin] = {}


def register(plugin: Plugin) -> None:
    existing = _plugins.get(plugin.key)
    if existing is not None and existing is not plugin:
        raise ValueError(f"Plugin {plugin.key!r} is registered twice.")
    taken = {
        module_type.key for other in _plugins.values() if other is not plugin for module_type in other.module_types
    }
    clash = taken & {module_type.key for module_type in plugin.module_types}
    if clash:
        raise ValueError(f"Module types {sorted(clash)} are registered by two plugins.")
    _plugins[plugin.key] = plugin
    if plugin.rules:
        import_module(plugin.rules)
    if plugin.system_check:
        from django.core import checks

        checks.register(resolve(plugin.system_check))
    if plugin.api_scopes:
        from mitwirken.api import scopes

        for name, label in plugin.api_scopes:
            scopes.register(name, label)


def all_plugins() -> list[Plugin]:
    return list(_plugins.values())


def get(key: str) -> Plugin | None:
    return _plugins.get(key)


def module_types() -> list[ModuleType]:
    return [module_type for plugin in _plugins.values() for module_type in plugin.module_types]


def plugin_of(module_type_key: str) -> Plugin | None:
    return next(
        (plugin for plugin in _plugins.values() if any(t.key == module_type_key for t in plugin.module_types)), None
    )


def collect(attribute: str, *args: Any) -> list[Any]:
    """Call every plugin's ``attribute`` callable with ``args`` and join the lists they return."""
    results: list[Any] = []
    for plugin in _plugins.values():
        function = plugin.load(attribute)
        if function is not None:
            results.extend(function(*args))
    return results


def organisation_statistics(organisation: Organisation) -> list[Statistic]:
    return collect("statistics", organisation)
