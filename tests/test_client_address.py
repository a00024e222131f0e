"""Behind nginx every request comes from 127.0.0.1: per-address limits must count visitors, not the proxy."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from mitwirken.core.http import client_address
from mitwirken.core.spam import typed_address_over_limit

PROXIED = {"MITWIRKEN_CLIENT_IP_META_KEY": "HTTP_X_REAL_IP",
           "RATELIMIT_IP_META_KEY": "mitwirken.core.http.client_address"}  # fmt: skip


def from_proxy(real_ip: str | None, **headers: str) -> Any:
    extra = {"HTTP_X_REAL_IP": real_ip} if real_ip is not None else {}
    return RequestFactory().post("/", REMOTE_ADDR="127.0.0.1", **extra, **headers)


@pytest.fixture
def proxied(settings: Any) -> None:
    for name, value in PROXIED.items():
        setattr(settings, name, value)
    settings.MITWIRKEN_TYPED_MAIL_LIMITS = {"address": "100/h", "ip": "2/h"}
    cache.clear()


@pytest.mark.usefixtures("proxied")
def test_behind_the_proxy_each_visitor_has_their_own_limit() -> None:
    assert not typed_address_over_limit(from_proxy("198.51.100.7"), "probe")
    assert not typed_address_over_limit(from_proxy("198.51.100.7"), "probe")
    assert typed_address_over_limit(from_proxy("198.51.100.7"), "probe")  # the third from this visitor
    assert not typed_address_over_limit(from_proxy("203.0.113.20"), "probe")  # another visitor is not held up


def test_without_the_setting_all_visitors_behind_one_proxy_would_share_one_limit(settings: Any) -> None:
    settings.MITWIRKEN_TYPED_MAIL_LIMITS = {"address": "100/h", "ip": "2/h"}
    cache.clear()
    for _ in range(2):
        typed_address_over_limit(from_proxy("198.51.100.7"), "probe")
    assert typed_address_over_limit(from_proxy("203.0.113.20"), "probe")  # why the setting exists


@pytest.mark.usefixtures("proxied")
def test_only_the_proxys_own_header_counts_and_a_missing_or_broken_one_falls_back_to_the_connection() -> None:
    assert client_address(from_proxy("2001:db8::5")) == "2001:db8::5"
    assert client_address(from_proxy(None, HTTP_X_FORWARDED_FOR="198.51.100.99")) == "127.0.0.1"
    assert client_address(from_proxy("nicht-eine-adresse")) == "127.0.0.1"


def test_without_a_proxy_the_connections_address_is_used() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.4", HTTP_X_REAL_IP="198.51.100.7")
    assert client_address(request) == "192.0.2.4"  # the header is not trusted unless configured
