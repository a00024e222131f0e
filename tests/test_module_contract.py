"""The module contract: a module is wired in one registration, core apps never import a module app,
and every module address from before modules had slugs redirects permanently to its new place."""

from __future__ import annotations

import ast
import re
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from mitwirken.core import plugins
from mitwirken.projects.models import Module

from .test_protected_mode import protected_urls  # noqa: F401  (the fixture: every URL of a project, filled)

SRC = Path(__file__).resolve().parent.parent / "src" / "mitwirken"
# The portal's own layer; everything else under mitwirken is a module that plugs in through core.plugins.
# analysis is shared engines (no module imports), used by modules and by participation alike.
CORE_APPS = {"core", "accounts", "organisations", "projects", "api", "participation", "analysis"}
ROOT_MODULES = ("urls.py", "backoffice_urls.py", "wsgi.py", "settings.py", "settings_test.py")


def module_apps() -> set[str]:
    names = {config.name.split(".")[1] for config in apps.get_app_configs() if config.name.startswith("mitwirken.")}
    return names - CORE_APPS


def imported_names(path: Path) -> list[str]:
    """Every module a file imports, at the top or inside functions, plus dotted paths in strings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("mitwirken."):
            names.append(node.value)
    return names


def core_files() -> list[Path]:
    files = [SRC / name for name in ROOT_MODULES if (SRC / name).exists()]
    for app in CORE_APPS:
        if (SRC / app).exists():
            files += [path for path in (SRC / app).rglob("*.py") if "migrations" not in path.parts]
    return files


def test_the_module_apps_are_known():
    assert {"formal", "dialogue", "reports", "information"} <= module_apps()


def test_core_apps_never_import_a_module_app():
    modules = module_apps()
    offences = []
    for path in core_files():
        for name in imported_names(path):
            parts = name.split(".")
            if len(parts) > 1 and parts[0] == "mitwirken" and parts[1] in modules:
                if path.name.startswith("settings") and name == f"mitwirken.{parts[1]}":
                    continue  # INSTALLED_APPS is checked on its own below
                offences.append(f"{path.relative_to(SRC)} imports {name}")
    assert offences == []


def test_settings_name_module_apps_only_in_installed_apps():
    for module in module_apps():
        assert f"mitwirken.{module}" in settings.INSTALLED_APPS
    source = (SRC / "settings.py").read_text(encoding="utf-8")
    for module in module_apps():
        assert source.count(f'"mitwirken.{module}"') == 1, module


def test_core_templates_never_link_into_a_module():
    """Shared templates get module links from the registry (e.g. the navigation), not by name; every module's
    templates (and e-mail templates) live inside its app."""
    modules = sorted(module_apps())
    pattern = re.compile(r"\{%\s*url\s+['\"](" + "|".join(modules) + r"):")
    template_dirs = [SRC / "templates", *(SRC / app / "templates" for app in CORE_APPS)]
    shared = [path for directory in template_dirs if directory.exists() for path in directory.rglob("*.*")]
    assert len(shared) > 50
    assert [str(path.relative_to(SRC)) for path in shared if pattern.search(path.read_text(encoding="utf-8"))] == []
    assert not [name for name in modules if (SRC / "templates" / name).exists()]


@pytest.mark.parametrize("app", sorted({"formal", "dialogue", "reports", "information"}))
def test_a_module_is_wired_only_in_its_registration(app):
    """``ready()`` holds imports and exactly one ``plugins.register(...)``: nothing else wires a module in."""
    tree = ast.parse((SRC / app / "apps.py").read_text(encoding="utf-8"))
    ready = next(node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name == "ready")
    calls = [statement for statement in ready.body if not isinstance(statement, ast.Import | ast.ImportFrom)]
    assert len(calls) == 1, ast.dump(ready)
    call = calls[0].value  # type: ignore[attr-defined]
    assert isinstance(call, ast.Call) and ast.unparse(call.func) == "plugins.register"


def test_every_dotted_path_of_every_registration_resolves():
    fields = ("urls", "api", "rules", "gdpr_export", "gdpr_erase", "account_sections", "project_sections", "staff_work", "search",
              "statistics", "daily")  # fmt: skip
    for plugin in plugins.all_plugins():
        for field in fields:
            dotted = getattr(plugin, field)
            if dotted and field in ("urls", "rules"):
                import_module(dotted)
            elif dotted:
                assert callable(plugins.resolve(dotted)) or field == "api", (plugin.key, field)
        if plugin.demo is not None:
            assert callable(plugins.resolve(plugin.demo.run))
        for module_type in plugin.module_types:
            assert callable(plugins.resolve(module_type.render)), module_type.key


def test_two_plugins_cannot_register_one_module_type():
    existing = plugins.module_types()[0]
    with pytest.raises(ValueError, match="registered by two plugins"):
        plugins.register(plugins.Plugin(key="copycat", name="Copycat", module_types=(existing,)))
    assert plugins.get("copycat") is None


def _legacy_url(url: str) -> str | None:
    """The address a module page had before modules had slugs, or None for URLs that are not module pages."""
    match = re.match(r"^/(?P<org>[^/]+)/projekte/(?P<project>[^/]+)/(?P<slug>[^/]+)/(?P<rest>.*)$", url)
    if match is None or match["slug"] in ("bild", "anhaenge", "module", "dialog", "verfahren"):
        return None
    module = Module.objects.filter(project__slug=match["project"], slug=match["slug"]).first()
    if module is None:
        return None
    rest = match["rest"]
    if not rest:
        return f"/{match['org']}/projekte/{match['project']}/module/{module.pk}/"
    plugin = plugins.plugin_of(module.module_type)
    urls = import_module(plugin.urls) if plugin and plugin.urls else None
    prefix = getattr(urls, "legacy_prefix", "dialog")  # the shared parts (comments, flags) came from the dialogue
    for old, new in getattr(urls, "legacy_renames", {}).items():
        if rest.startswith(new):
            rest = old + rest[len(new) :]
    return f"/{match['org']}/projekte/{match['project']}/{prefix}/{module.pk}/{rest}"


@pytest.mark.django_db
def test_every_old_module_address_redirects_permanently_to_its_new_place(world, protected_urls):  # noqa: F811
    client = world.client("invited")
    checked = 0
    for url in protected_urls:
        old = _legacy_url(url)
        if old is None:
            continue
        response = client.get(old)
        assert response.status_code == 301, (old, response.status_code)
        assert response["Location"] == url, (old, response["Location"])
        checked += 1
    assert checked >= 20


@pytest.mark.django_db
def test_old_addresses_keep_the_query_and_post_keeps_its_method(world, protected_urls):  # noqa: F811
    client = world.client("invited")
    module_page, old = next(
        (url, old) for url in protected_urls if (old := _legacy_url(url)) and re.search(r"/module/\d+/$", old)
    )
    assert client.get(old + "?sort=comments")["Location"] == module_page + "?sort=comments"
    assert client.post(old).status_code == 308


@pytest.mark.django_db
def test_old_addresses_of_protected_projects_stay_404_for_outsiders(world, protected_urls):  # noqa: F811
    client = world.client("citizen")
    olds = [old for old in map(_legacy_url, protected_urls) if old]
    assert olds and all(client.get(old).status_code == 404 for old in olds)


def _imports_of(path: Path, package: str) -> set[str]:
    """The mitwirken modules a file imports anywhere, except imports made only for the type checker."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found |= {f"{base}.{alias.name}" for alias in node.names} | {base}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def test_no_import_cycles_in_the_portal():
    """Not even through imports inside functions: a cycle is a layering mistake waiting to bite."""
    modules: dict[str, Path] = {}
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(("mitwirken", *path.relative_to(SRC).with_suffix("").parts)).removesuffix(".__init__")
        modules[name] = path
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        graph[name] = {other for other in _imports_of(path, package) if other in modules and other != name}

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            current = todo.pop()
            if current == goal:
                return True
            if current not in seen:
                seen.add(current)
                todo.extend(graph[current])
        return False

    cycles = sorted({tuple(sorted((a, b))) for a in graph for b in graph[a] if reaches(b, a)})
    assert cycles == []
