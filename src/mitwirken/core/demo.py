"""Demo-data seeders: the core apps' (registered here by their ``demo.py``) and the plugins' (named in their
registration). ``seed_demo`` runs them all in order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
