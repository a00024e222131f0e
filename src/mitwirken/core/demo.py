"""Demo-data seeders: the core apps' (registered here by their ``demo.py``) and the plugins' (named in their
registration). ``seed_demo`` runs them all in order.

The demo *content* lives in TOML files in the app's ``demo/`` folder (``<app>/demo/*.toml``) and is read with
``load_data``; the seeder in ``<app>/demo.py`` only turns it into records through the app's services.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

DEMO_PASSWORD = "mitwirken-demo"
# A fixed TOTP secret for demo staff accounts, so the README can explain how to log in.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@dataclass(frozen=True)
class Seeder:
    order: int
    name: str
    run: Callable[[Any, int], None]  # (stdout, scale)


_seeders: list[Seeder] = []


def register(order: int, name: str) -> Callable[[Callable[[Any, int], None]], Callable[[Any, int], None]]:
    def decorator(function: Callable[[Any, int], None]) -> Callable[[Any, int], None]:
        if not any(seeder.name == name for seeder in _seeders):
            _seeders.append(Seeder(order, name, function))
        return function

    return decorator


def seeders() -> list[Seeder]:
    from django.utils.module_loading import autodiscover_modules

    from . import plugins

    autodiscover_modules("demo")
    from_plugins = [
        Seeder(plugin.demo.order, plugin.key, plugins.resolve(plugin.demo.run))
        for plugin in plugins.all_plugins()
        if plugin.demo is not None
    ]
    return sorted([*_seeders, *from_plugins], key=lambda seeder: seeder.order)


def load_data(app_module_name: str, filename: str) -> dict[str, Any]:
    """The TOML file ``demo/<filename>`` of an app, e.g. ``load_data("mitwirken.dialogue", "people.toml")``.

    The files sit inside the package, so they are found wherever the package is imported from.
    """
    resource = resources.files(app_module_name) / "demo" / filename
    try:
        return tomllib.loads(resource.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:  # tomllib does not name the file
        raise tomllib.TOMLDecodeError(f"{app_module_name}/demo/{filename}: {error}") from error


def paragraphs(value: str) -> list[str]:
    """The paragraphs of a multi-line text: lines are joined with a space, a blank line starts a new paragraph.

    This lets the data files wrap long German text at any width without changing it.
    """
    blocks = re.split(r"\n[ \t]*\n\s*", value.strip())
    return [" ".join(line.strip() for line in block.splitlines()) for block in blocks]


def single_paragraph(value: str) -> str:
    """A text of one paragraph, wrapped over several lines in the data file."""
    parts = paragraphs(value)
    if len(parts) != 1:
        raise ValueError(f"Expected one paragraph, got {len(parts)}: {value[:60]!r}")
    return parts[0]


def html_paragraphs(value: str) -> str:
    """A text of one or more paragraphs as HTML, each paragraph in ``<p>``."""
    return "".join(f"<p>{part}</p>" for part in paragraphs(value))


@register(15, "addresses")
def seed_addresses(stdout: Any, scale: int) -> None:
    """The demo address register (``core/demo/addresses.csv``): house numbers along the gazetteer's streets of
    the demo municipalities, so "Hauptstraße 25, Beispielhausen" is found and suggested."""
    from .addresses import import_addresses
    from .models import Address

    with (resources.files("mitwirken.core") / "demo" / "addresses.csv").open(encoding="utf-8") as lines:
        import_addresses(lines)
    stdout.write(f"Adressregister: {Address.objects.count()} Adressen.\n")
