"""Reads that may come from the PostgreSQL streaming replica (issue 19), and read-your-writes.

Active only when ``DATABASE_REPLICA_URL`` is set: settings.py then adds the alias ``"replica"``, the router and the
middleware below. Without it nothing here runs but the decorator, which then only sets a context variable.

- **Where reads go:** to the replica only inside a view marked ``@replica_tolerant`` (GET and HEAD: read-only,
  a few seconds behind is fine) or inside ``with reading():`` (a task's export or statistics). Everything else
  reads from the primary: other views, every POST, tasks and management commands unless they ask, any read
  inside a transaction on the primary (a service's read-check-write must see what it is about to change), and
  sessions.
- **Writes** always go to the primary, as do migrations.
- **Read-your-writes:** after a POST, PUT, PATCH or DELETE the middleware sets a short-lived cookie (``mw_primary``);
  while a client has it, its requests read from the primary, so whoever just changed something sees the change
  although the replica may not have it yet. Clients that keep no cookies (Open311 apps) get no such promise, which
  is why the token look-up after an Open311 POST is not marked.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.conf import settings
from django.db import connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase

DEFAULT = "default"
REPLICA = "replica"
ROUTER = "mitwirken.core.replica.ReplicaRouter"
MIDDLEWARE = "mitwirken.core.replica.PinPrimaryMiddleware"
PIN_COOKIE = "mw_primary"
PIN_SECONDS = 30  # when settings.MITWIRKEN_REPLICA_PIN_SECONDS is missing

# Only these requests may read from the replica; any other method may be about to write.
READ_METHODS = frozenset({"GET", "HEAD"})
# Requests after which the client reads from the primary for a while.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Sessions are read on every request and written on GETs too (a new session, a message for the next page): a
# session the replica has not got yet would log the visitor out for one request.
PRIMARY_ONLY_APPS = frozenset({"sessions"})

# Per request (each thread and each async task has its own value): may reads go to the replica now?
_replica_allowed: ContextVar[bool] = ContextVar("mitwirken_replica_allowed", default=False)


class ReplicaRouter:
    """Reads to the replica while allowed (see the module's docstring), everything else to the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if (
            _replica_allowed.get()
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and not connections[DEFAULT].in_atomic_block
        ):
            return REPLICA
        return DEFAULT

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # Both aliases hold the same data: a row read from the replica may be linked to one on the primary.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT  # the replica follows the primary's schema through streaming replication


@contextmanager
def reading() -> Iterator[None]:
    """Reads in this block may come from the replica: for tasks (exports, statistics) that tolerate a few
    seconds of delay. Writes still go to the primary, and so do reads inside a transaction."""
    token = _replica_allowed.set(True)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


def replica_tolerant(view: Callable[Concatenate[HttpRequest, P], R]) -> Callable[Concatenate[HttpRequest, P], R]:
    """Mark a view as read-only and content with data a few seconds old. Only its GET and HEAD requests read
    from the replica, and only for clients that have not written recently (no pin cookie)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R:
        if request.method not in READ_METHODS or PIN_COOKIE in request.COOKIES:
            return view(request, *args, **kwargs)
        with reading():
            return view(request, *args, **kwargs)

    return wrapper


class PinPrimaryMiddleware:
    """After a write request, the client reads from the primary for ``MITWIRKEN_REPLICA_PIN_SECONDS``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.max_age = int(getattr(settings, "MITWIRKEN_REPLICA_PIN_SECONDS", PIN_SECONDS))

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # Also after a refused request (4xx), which may have written something before refusing: a cookie costs
        # less than telling them apart. Not after a server error: services write in one transaction,
        # which the error rolled back, so there is nothing to read back.
        if request.method in WRITE_METHODS and response.status_code < 500:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=self.max_age,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
