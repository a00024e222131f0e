"""How an object of some module takes part: the small protocol between ``participation`` and the modules.

A module describes each kind of object that can be commented on, rated, flagged or followed with a ``Target``
subclass and names it in its plugin registration (``core.plugins.Plugin.participation_targets``)::

    plugins.register(plugins.Plugin(key="dialogue", ..., participation_targets=("mitwirken.dialogue.targets.IdeaTarget",)))

The participation app then never names a module's model: it asks the target for the object's module (for
permissions and scoping), whether it accepts comments or ratings now (and why not), which counter fields it
keeps, its title and its address. Core apps may register targets too (``Comment`` itself is one: comments can be
flagged, hidden and approved like ideas).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _lazy

from mitwirken.projects.models import Module


class Target:
    """Defaults suit a plain object with a ``module`` foreign key; override what differs."""

    model: ClassVar[type[models.Model]]
    kind: ClassVar[str]  # URL segment, e.g. "idee" in …/melden/idee/5/
    name: ClassVar[Any] = _lazy("Beitrag")
    yours: ClassVar[Any] = _lazy("Ihr Beitrag")  # "Ihre Idee wurde von der Moderation ausgeblendet"
    # The follow form's words for a ``followable`` object, also when htmx swaps the form in place.
    follow_label: ClassVar[Any] = _lazy("Diesem Beitrag folgen")
    following_label: ClassVar[Any] = _lazy("Sie folgen diesem Beitrag.")
    module_path: ClassVar[str] = "module"  # ORM path from the object to its module
    # The object has ``approved``, ``hidden``, ``hidden_reason`` (and ``author``): it appears in moderation queues.
    moderated: ClassVar[bool] = False
    # People follow it; commenters follow it automatically and its followers hear of new comments.
    followable: ClassVar[bool] = False
    comment_counter: ClassVar[str] = ""  # e.g. "comment_count"
    rating_counters: ClassVar[tuple[str, str, str] | tuple[()]] = ()  # (positive, negative, score)

    def module(self, obj: Any) -> Module:
        value = obj
        for part in self.module_path.split("__"):
            value = getattr(value, part)
        return value  # type: ignore[no-any-return]

    def attach(self, obj: Any, module: Module) -> None:
        """Give a fetched object its already loaded module, so permission checks and addresses cost no query."""
        holder, parts = obj, self.module_path.split("__")
        for part in parts[:-1]:
            holder = getattr(holder, part)
        setattr(holder, parts[-1], module)

    def queryset(self, user: Any, module: Module) -> models.QuerySet[Any]:
        """The module's objects of this kind that ``user`` may see (the flag page fetches through this)."""
        return self.model._default_manager.filter(**{self.module_path: module})

    def pending_all(self) -> models.QuerySet[Any]:
        """Contributions waiting for approval (only for ``moderated`` targets)."""
        return self.model._default_manager.filter(approved=False, hidden=False)

    def pending(self, module: Module) -> models.QuerySet[Any]:
        return self.pending_all().filter(**{self.module_path: module})

    def accepts_comments(self, obj: Any) -> tuple[bool, str]:
        return bool(self.comment_counter), ""

    def accepts_ratings(self, obj: Any) -> tuple[bool, str]:
        return bool(self.rating_counters), ""

    def premoderation(self, module: Module) -> bool:
        """Whether comments on this module's objects wait for approval."""
        return False

    def author_id(self, obj: Any) -> Any:
        return getattr(obj, "author_id", None)

    def title(self, obj: Any) -> str:
        return str(obj)

    def url(self, obj: Any, module: Module) -> str:
        """The object's page; ``module`` comes with project and organisation loaded, so this costs no query."""
        return obj.get_absolute_url()  # type: ignore[no-any-return]

    def prefetch_queryset(self) -> models.QuerySet[Any]:
        """What a generic prefetch loads of this kind: with its module, project and organisation (for ``url``)."""
        return self.model._default_manager.select_related(f"{self.module_path}__project__organisation")

    # --- counters, kept in the writer's transaction -------------------------------------------------------

    def count_comment(self, obj_pk: Any, delta: int) -> None:
        if self.comment_counter:
            field = self.comment_counter
            self.model._default_manager.filter(pk=obj_pk).update(**{field: F(field) + delta})

    def count_rating(self, obj_pk: Any, positive: int, negative: int) -> None:
        if self.rating_counters:
            up, down, score = self.rating_counters
            self.model._default_manager.filter(pk=obj_pk).update(
                **{up: F(up) + positive, down: F(down) + negative, score: F(score) + positive - negative}
            )


_by_model: dict[type[models.Model], Target] = {}
_by_kind: dict[str, Target] = {}
_loaded: set[str] = set()


def _load() -> None:
    """Import the targets the plugins name, once, when participation first needs them."""
    from mitwirken.core import plugins

    for plugin in plugins.all_plugins():
        for dotted in plugin.participation_targets:
            if dotted not in _loaded:
                _loaded.add(dotted)
                register(plugins.resolve(dotted)())


def register(target: Target) -> None:
    """Add a target directly (the plugins' targets come through ``_load``; tests add throwaway ones here)."""
    existing = _by_kind.get(target.kind)
    if existing is not None and existing.model is not target.model:
        raise ValueError(f"Participation target kind {target.kind!r} is registered twice.")
    _by_model[target.model] = target
    _by_kind[target.kind] = target


def unregister(target: Target) -> None:
    """For tests that attach the parts to a throwaway target."""
    _by_model.pop(target.model, None)
    _by_kind.pop(target.kind, None)


def all_targets() -> list[Target]:
    _load()
    return list(_by_kind.values())


def of(obj: Any) -> Target:
    """The target description of ``obj``; a model nobody registered cannot take part."""
    _load()
    target = _by_model.get(type(obj)._meta.concrete_model) if hasattr(type(obj), "_meta") else None
    if target is None:
        raise LookupError(f"{type(obj).__name__} is not a participation target.")
    return target


def by_kind(kind: str) -> Target | None:
    _load()
    return _by_kind.get(kind)


def for_content_type(content_type_id: int) -> Target | None:
    _load()
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    return _by_model.get(model) if model is not None else None  # type: ignore[arg-type]


def prefetch() -> Any:
    """Load the ``content_object`` of comments, flags or follows in one query per kind, ready for ``url``."""
    from django.contrib.contenttypes.prefetch import GenericPrefetch

    return GenericPrefetch("content_object", [target.prefetch_queryset() for target in all_targets()])


def title_and_url(obj: Any, module: Module | None = None) -> tuple[str, str]:
    """Title and address of a target; without ``module`` the target's own (prefetched) module is used."""
    if obj is None:
        return "", ""
    target = of(obj)
    return target.title(obj), target.url(obj, module if module is not None else target.module(obj))


def moderated() -> list[Target]:
    return [target for target in all_targets() if target.moderated]


def module_of(obj: Any) -> Module | None:
    """The module a permission is checked against: a module itself, or the module of a target or a part."""
    if obj is None or isinstance(obj, Module):
        return obj
    try:
        return of(obj).module(obj)
    except LookupError:  # not a participation target: the portal's one mapping (``module_path`` on the model)
        from mitwirken.projects.models import module_of as portal_module_of

        try:
            return portal_module_of(obj)
        except AttributeError:
            return None
