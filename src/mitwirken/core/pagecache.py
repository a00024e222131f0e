"""Whole public pages for anonymous visitors, shared by all of them until the data behind them changes.

A press article can send ten thousand people to one idea list, calendar or search within an hour. Nearly all of
them are anonymous and see the same bytes, so the portal renders such a page once and serves it from the cache
(Redis in production) until something it shows changes.

- **What is shared:** a GET answer with status 200 to a visitor who is not logged in and has no session and no
  pending messages, when the answer sets no cookie. Anything personal therefore renders fresh.
- **CSRF tokens are cut out:** every page has a form with a token (the language switch in the header). The token
  is the visitor's own, so the stored page is kept without it and each visitor gets their own token filled in.
  A page that shows its token anywhere but in the form field is not shared at all.
- **Keyed by the data's last change:** a page names its *scopes* (``module:12``, ``app:events``), each with a
  version in the cache. Every save and delete of a model bumps the version of its app and, when the row belongs
  to a module, of that module (signal receivers below), once when it happens and again after the transaction
  commits: a page rendered in between from data not yet committed is never reused.
- **Bounded:** writes that send no signal (``QuerySet.update()``) and time passing (a phase that ends) are
  caught by the timeout: a shared page is at most ``TIMEOUT`` seconds old.
"""

from __future__ import annotations

import functools
import hashlib
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.utils.translation import get_language

TIMEOUT = 60
_PREFIX = "page:"
# The headers a view sets that belong to the page itself; the middleware adds the rest on every answer.
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Cache-Control", "ETag", "Last-Modified")
# Rows that change all the time and show on no shared page.
_UNWATCHED_APPS = frozenset({"sessions", "admin", "contenttypes", "django_tasks_database", "account", "mfa"})
# How {% csrf_token %} writes the token (a masked token: letters and digits).
_TOKEN_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def enabled() -> bool:
    """Operators can switch sharing off (``MITWIRKEN_PAGE_CACHE=0``); the benchmark does, to time pages cold."""
    return bool(getattr(settings, "MITWIRKEN_PAGE_CACHE", True))


View = Callable[..., HttpResponseBase]


def shared(*scopes: str) -> Callable[[View], View]:
    """For a view whose page depends on nothing but its address and the data of these scopes."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            return serve(request, scopes, lambda: view(request, *args, **kwargs))

        return wrapper

    return decorate


def serve(request: HttpRequest, scopes: Iterable[str], render: Callable[[], HttpResponseBase]) -> HttpResponseBase:
    """The shared copy of the page if there is one, else ``render()``, shared when it may be."""
    if not enabled() or not _may_share_request(request):
        return render()
    key = _page_key(request, list(scopes))
    stored = cache.get(key)
    if stored is not None:
        return _rebuilt(request, *stored)
    response = render()
    if _may_share_response(request, response):
        _store(key, response)
    return response


def _store(key: str, response: HttpResponseBase) -> None:
    if response.status_code != 200 or not isinstance(response, HttpResponse):  # a streamed answer is not kept
        return
    pieces = _cut_tokens(response.content)
    if pieces is not None:
        headers = [(name, response[name]) for name in _KEPT_HEADERS if response.has_header(name)]
        cache.set(key, (pieces, headers), TIMEOUT)


def _cut_tokens(content: bytes) -> list[bytes] | None:
    """The page in pieces between its CSRF token fields; None if a token also shows outside them."""
    tokens = _TOKEN_FIELD.findall(content)
    if any(content.count(token) != tokens.count(token) for token in set(tokens)):
        return None
    return _TOKEN_FIELD.split(content)[::2]


def _rebuilt(request: HttpRequest, pieces: list[bytes], headers: list[tuple[str, str]]) -> HttpResponse:
    content = pieces[0]
    if len(pieces) > 1:  # the visitor's own token (and, through the CSRF middleware, their cookie)
        field = b'name="csrfmiddlewaretoken" value="%s"' % get_token(request).encode()
        content = field.join(pieces)
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response


def keyed(request: HttpRequest, key: str, render: Callable[[], HttpResponseBase]) -> HttpResponseBase:
    """An answer whose ``key`` already names everything it shows (an ETag computed from the data, the address
    and the language): shared with whoever asks for the same, logged in or not, as long as the key stays."""
    if not enabled():
        return render()
    key = f"{_PREFIX}k:{key}"
    stored = cache.get(key)
    if stored is not None:
        return _rebuilt(request, *stored)
    response = render()
    _store(key, response)
    return response


def changed(*scopes: str) -> None:
    """The pages of these scopes are out of date: now, and once more when the transaction commits."""
    _bump(scopes)
    transaction.on_commit(lambda: _bump(scopes))


def _bump(scopes: Iterable[str]) -> None:
    cache.set_many({_version_key(scope): uuid.uuid4().hex for scope in scopes}, None)


def _version_key(scope: str) -> str:
    return f"{_PREFIX}v:{scope}"


def _versions(scopes: list[str]) -> list[str]:
    keys = [_version_key(scope) for scope in scopes]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            # Never bumped, or evicted: a new version, so nothing stored under an older one can come back.
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key)
    return [str(found[key]) for key in keys]


def _page_key(request: HttpRequest, scopes: list[str]) -> str:
    parts = [request.get_host(), request.get_full_path(), get_language() or "", *scopes, *_versions(scopes)]
    return _PREFIX + hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _may_share_request(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not len(get_messages(request))
    )


def _may_share_response(request: HttpRequest, response: HttpResponseBase) -> bool:
    # A session written now is about to become a cookie: the page may show what was written.
    return not response.cookies and not getattr(getattr(request, "session", None), "modified", False)


def _scopes_of(instance: Any) -> list[str]:
    meta = instance._meta
    scopes = [f"app:{meta.app_label}"]
    if meta.label_lower == "projects.module":
        scopes.append(f"module:{instance.pk}")
    # Read from the row as loaded: a deferred field would cost a query on every save.
    elif instance.__dict__.get("module_id") is not None:
        scopes.append(f"module:{instance.__dict__['module_id']}")
    return scopes


def _on_change(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    if instance is None or kwargs.get("raw") or instance._meta.app_label in _UNWATCHED_APPS:
        return
    if "action" in kwargs and not kwargs["action"].startswith("post_"):
        return  # m2m_changed: count each change once, after it
    changed(*_scopes_of(instance))


def connect() -> None:
    """Called once from the core app's ``ready()``: every model's saves and deletes bump its scopes."""
    post_save.connect(_on_change, dispatch_uid="pagecache.post_save")
    post_delete.connect(_on_change, dispatch_uid="pagecache.post_delete")
    m2m_changed.connect(_on_change, dispatch_uid="pagecache.m2m_changed")
