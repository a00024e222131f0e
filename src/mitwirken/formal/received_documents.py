"""Documents an XBeteiligung message brings: hashes checked, and linked files fetched in the background."""

from __future__ import annotations

import base64
import binascii
import hashlib
import tempfile
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django_tasks import task

from . import services
from .models import LinkedDocument

FETCH_TIMEOUT = 30  # seconds without a byte; large plans stream for longer
CHUNK = 1024 * 1024


def hash_matches(expected: str, content: bytes) -> bool:
    """XBau's hashValue: hex or base64 of SHA-256 (or SHA-512, by its length)."""
    expected = expected.strip()
    for algorithm in (hashlib.sha256, hashlib.sha512):
        digest = algorithm(content).digest()
        if expected.lower() == digest.hex():
            return True
        try:
            if base64.b64decode(expected, validate=True) == digest:
                return True
        except (binascii.Error, ValueError):
            continue
    return False


def host_allowed(url: str) -> bool:
    """Only hosts the operator lists (``XBETEILIGUNG_DOCUMENT_HOSTS``) are fetched from, and only over HTTPS
    (plain HTTP only where the operator lists the host with its scheme, for a test system)."""
    parts = urlsplit(url)
    allowed = set(getattr(settings, "XBETEILIGUNG_DOCUMENT_HOSTS", []) or [])
    host = (parts.hostname or "").lower()
    return bool(host) and (
        (parts.scheme == "https" and host in allowed) or f"{parts.scheme}://{parts.netloc}".lower() in allowed
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect could lead to a host the operator never allowed: refused, the link stays a link."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@task()
def fetch_linked_document(link_pk: int, actor_pk: int) -> str:
    """Download a linked document from an allowed host, check it, and publish it with its period."""
    link = LinkedDocument.objects.select_related("procedure__module__project__organisation", "track").get(pk=link_pk)
    if link.state != LinkedDocument.State.LINKED or link.track is None or not host_allowed(link.url):
        return link.state
    actor = get_user_model().objects.get(pk=actor_pk)
    opener = urllib.request.build_opener(_NoRedirect)
    digest = hashlib.sha256()
    with tempfile.TemporaryFile() as target:
        try:
            with opener.open(link.url, timeout=FETCH_TIMEOUT) as response:
                size = 0
                while chunk := response.read(CHUNK):
                    size += len(chunk)
                    if size > services.MAX_DOCUMENT_BYTES:
                        return _failed(link, "Die Datei ist größer als erlaubt.")
                    digest.update(chunk)
                    target.write(chunk)
                content_type = response.headers.get_content_type()
        except urllib.error.HTTPError as error:
            return _failed(link, f"Abruf fehlgeschlagen: HTTP {error.code} {error.reason}")
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            return _failed(link, f"Abruf fehlgeschlagen: {getattr(error, 'reason', error)}")
        target.seek(0)
        if link.sha256 and not hash_matches(link.sha256, target.read()):
            return _failed(link, "Die Prüfsumme der abgerufenen Datei stimmt nicht mit der Nachricht überein.")
        target.seek(0)
        upload = UploadedFile(target, name=link.title[:100] or "Anlage", content_type=content_type, size=size)
        try:
            with transaction.atomic():
                document = services.document_add(actor=actor, procedure=link.procedure, track=link.track,
                                                 title=link.title[:250], upload=upload)  # fmt: skip
                link.document, link.state, link.problem = document, LinkedDocument.State.FETCHED, ""
                link.sha256 = digest.hexdigest()
                link.save(update_fields=["document", "state", "problem", "sha256"])
        except ValidationError as error:
            return _failed(link, " ".join(error.messages))
    return link.state


def _failed(link: LinkedDocument, problem: str) -> str:
    link.state, link.problem = LinkedDocument.State.FAILED, problem
    link.save(update_fields=["state", "problem"])
    return link.state
