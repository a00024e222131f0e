"""The portal keeps serving when Redis is gone: the cache misses instead of failing (core/cache.py)."""

from __future__ import annotations

import socket

import pytest

from mitwirken.core.cache import ResilientRedisCache

OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block ends: nobody listens there


def test_without_redis_reads_miss_and_writes_are_dropped_without_an_error() -> None:
    cache = ResilientRedisCache(f"redis://127.0.0.1:{closed_port()}/0", {"OPTIONS": OPTIONS})
    cache.set("page", "html")
    assert cache.get("page") is None
    assert cache.get("page", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("challenge-used", 1) is True  # a challenge may be replayed while Redis is away
    assert cache.get_or_set("list", lambda: "rendered") == "rendered"
    assert cache.has_key("page") is False
    assert cache.delete("page") is False
    cache.set_many({"a": 1})
    cache.delete_many(["a"])
    assert cache.touch("a") is False


def redis_available() -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379")
def test_with_redis_it_is_an_ordinary_cache() -> None:
    cache = ResilientRedisCache("redis://127.0.0.1:6379/15", {"OPTIONS": OPTIONS, "KEY_PREFIX": "resilience-test"})
    cache.set("page", "html", 30)
    assert cache.get("page") == "html"
    assert cache.add("page", "other") is False  # add keeps its meaning while Redis answers
    cache.set("counter", 1, 30)
    assert cache.incr("counter") == 2
    cache.delete_many(["page", "counter"])
    assert cache.get("page") is None
