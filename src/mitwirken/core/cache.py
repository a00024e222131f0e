"""Redis as a cache the portal can lose: when Redis is down, reads miss and writes are dropped.

Everything the portal keeps in the cache can be rebuilt or is a convenience: page fragments and shared public
lists (rendered again), map cells, debounce markers of background tasks (the task runs once more), the one-time
use of an anti-spam challenge (it can be replayed while Redis is away). Sessions, quotas, deadlines and
submission keys live in the database, so a Redis outage costs speed and nothing else. Django's own Redis backend
raises on a refused connection instead, which would turn every page into an error page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
Result = TypeVar("Result")
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
WARN_EVERY = 60.0  # seconds: an outage is logged once a minute per process, not once per request
_last_warning = 0.0


def _unavailable(operation: str, error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARN_EVERY:
        _last_warning = now
        logger.warning("Redis unavailable (%s: %s); the cache answers with misses", operation, error)


def _tolerant(fallback: Callable[..., Any]) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    def decorate(method: Callable[..., Result]) -> Callable[..., Result]:
        @wraps(method)
        def wrapper(self: RedisCacheClient, *args: Any, **kwargs: Any) -> Result:
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as error:
                _unavailable(method.__name__, error)
                return fallback(*args, **kwargs)  # type: ignore[no-any-return]

        return wrapper

    return decorate


class ResilientRedisCacheClient(RedisCacheClient):
    # ``add`` claims success: the only callers that rely on it (a challenge used once, a task debounced) are safer
    # letting a citizen through, or a task run twice, than refusing everyone while Redis is away.
    add = _tolerant(lambda key, value, timeout: True)(RedisCacheClient.add)
    get = _tolerant(lambda key, default: default)(RedisCacheClient.get)
    set = _tolerant(lambda key, value, timeout: None)(RedisCacheClient.set)
    touch = _tolerant(lambda key, timeout: False)(RedisCacheClient.touch)
    delete = _tolerant(lambda key: False)(RedisCacheClient.delete)
    get_many = _tolerant(lambda keys: {})(RedisCacheClient.get_many)
    has_key = _tolerant(lambda key: False)(RedisCacheClient.has_key)
    incr = _tolerant(lambda key, delta: delta)(RedisCacheClient.incr)
    set_many = _tolerant(lambda data, timeout: None)(RedisCacheClient.set_many)
    delete_many = _tolerant(lambda keys: None)(RedisCacheClient.delete_many)
    clear = _tolerant(lambda: False)(RedisCacheClient.clear)


class ResilientRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that degrades to no cache instead of failing requests."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient
