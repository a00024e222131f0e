"""Trained states between tasks: pickled, compressed and signed with the portal's secret.

Pickle because scikit-learn's estimators and the near-duplicate index are Python objects that pickle faithfully;
the HMAC makes sure only what this portal wrote is ever unpickled (a row changed in the database is refused and
the state retrained, never loaded).
"""

from __future__ import annotations

import hmac
import pickle
import zlib
from typing import Any

from django.utils.crypto import salted_hmac

from .models import TrainedState

_SALT = "mitwirken.analysis.state"
_MAC_LENGTH = 32


def _mac(payload: bytes) -> bytes:
    return salted_hmac(_SALT, payload, algorithm="sha256").digest()


def save(key: str, value: Any, **meta: Any) -> None:
    payload = zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), level=1)
    TrainedState.objects.update_or_create(key=key, defaults={"data": _mac(payload) + payload, "meta": meta})


def load(key: str) -> tuple[Any, dict[str, Any]] | None:
    """The stored value and its meta, or None when there is none or it was not written by this portal."""
    row = TrainedState.objects.filter(key=key).values_list("data", "meta").first()
    if row is None:
        return None
    data = bytes(row[0])
    mac, payload = data[:_MAC_LENGTH], data[_MAC_LENGTH:]
    if not hmac.compare_digest(mac, _mac(payload)):
        return None
    return pickle.loads(zlib.decompress(payload)), row[1]  # noqa: S301 - authenticated above


def meta(key: str) -> dict[str, Any] | None:
    return TrainedState.objects.filter(key=key).values_list("meta", flat=True).first()


def forget(prefix: str) -> None:
    TrainedState.objects.filter(key__startswith=prefix).delete()
