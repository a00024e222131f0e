"""Backup and restore of the whole portal: the database, the media storage, and a manifest to check a restore.

A backup is a folder:

* ``database.dump`` – PostgreSQL: ``pg_dump --format=custom`` of a snapshot exported by the transaction that also
  counts the rows, so dump and manifest describe the same moment while the portal keeps writing; SQLite: a copy
  through SQLite's online backup API.
* ``files/`` – every object of the media storage (local folder or S3 bucket, read through Django's storage API,
  so both work alike), under its own name.
* ``manifest.json`` – the rows per table, the SHA-256 of every stored file, and every receipt's certified
  SHA-256 (``Plugin.receipts``: a statement's Eingangsbestätigung certifies its text, sender and attachments).

A restore goes into an *empty* database and storage only (it never merges into a running portal), and
``verify`` then compares the restored portal with the manifest: the same rows, the same bytes, and every receipt
still certifying what it certified (recomputed from the restored records, not only copied).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.db import connection, transaction
from django.utils import timezone

from . import plugins

FORMAT = 1
DUMP = "database.dump"
MANIFEST = "manifest.json"
FILES = "files"


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why, for the operator."""


def _storage_names(storage: Storage, folder: str = "") -> Iterator[str]:
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:  # a local media folder that nothing was uploaded to yet
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for directory in sorted(directories):
        yield from _storage_names(storage, f"{folder}/{directory}" if folder else directory)


def _sha256(handle: Any) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _row_counts() -> dict[str, int]:
    return {
        model._meta.db_table: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def _receipts() -> dict[str, str]:
    """Every receipt's certified SHA-256, by the plugin's key for it."""
    certified: dict[str, str] = {}
    for plugin in plugins.all_plugins():
        source = plugin.load("receipts")
        if source is not None:
            for key, sha256, _recomputed in source():
                certified[key] = sha256
    return certified


def _connection_env() -> tuple[list[str], dict[str, str]]:
    """libpq arguments for the default database (also the test database while tests run)."""
    settings = connection.settings_dict
    arguments = ["--dbname", settings["NAME"]]
    if settings.get("HOST"):
        arguments += ["--host", settings["HOST"]]
    if settings.get("PORT"):
        arguments += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        arguments += ["--username", settings["USER"]]
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return arguments, env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} fehlt; bitte das Paket postgresql-client in der Version des Servers installieren.")
    return path


def backup(target: Path) -> dict[str, Any]:
    """Write a backup of the database and the media storage into ``target`` (a new or empty folder)."""
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise BackupError(f"{target} ist nicht leer.")
    if connection.vendor == "sqlite":
        # Outside a transaction: the portal's SQLite transactions begin IMMEDIATE (a write lock), and the online
        # backup waits for the lock forever. SQLite is the one-process development set-up; nothing writes here.
        connection.ensure_connection()
        with sqlite3.connect(target / DUMP) as copy:
            connection.connection.backup(copy)
    elif connection.vendor != "postgresql":
        raise BackupError(f"Datenbank {connection.vendor} wird nicht unterstützt.")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            arguments, env = _connection_env()
            subprocess.run(  # noqa: S603  # fixed arguments and the portal's own connection settings
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl", f"--snapshot={snapshot}",
                 f"--file={target / DUMP}", *arguments],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
        rows, receipts = _row_counts(), _receipts()
    files = {}
    for name in _storage_names(default_storage):
        path = target / FILES / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, path.open("wb") as copy:
            shutil.copyfileobj(source, copy, 1 << 20)
        with path.open("rb") as copy:
            files[name] = _sha256(copy)
    manifest = {
        "format": FORMAT, "created_at": timezone.now().isoformat(), "database": connection.vendor,
        "rows": rows, "files": files, "receipts": receipts,
    }  # fmt: skip
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{source / MANIFEST} fehlt oder ist beschädigt: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unbekanntes Format der Sicherung: {manifest.get('format')}")
    return manifest


def restore(source: Path) -> None:
    """Restore a backup into the configured database and media storage, which must both be empty."""
    manifest = read_manifest(source)
    if manifest["database"] != connection.vendor:
        raise BackupError(f"Die Sicherung ist von {manifest['database']}, das Ziel ist {connection.vendor}.")
    if connection.introspection.table_names():
        raise BackupError("Die Zieldatenbank ist nicht leer; wiederhergestellt wird nur in eine leere Datenbank.")
    if next(_storage_names(default_storage), None) is not None:
        raise BackupError("Der Zielspeicher für Dateien ist nicht leer.")
    if connection.vendor == "postgresql":
        arguments, env = _connection_env()
        completed = subprocess.run(  # noqa: S603  # fixed arguments and the portal's own connection settings
            [_pg_tool("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction", *arguments,
             str(source / DUMP)],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        if completed.returncode:
            raise BackupError(f"pg_restore: {completed.stderr.strip()}")
    else:
        connection.close()
        shutil.copyfile(source / DUMP, connection.settings_dict["NAME"])
    for name in manifest["files"]:
        with (source / FILES / name).open("rb") as handle:
            saved = default_storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(f"Datei {name} wurde als {saved} gespeichert.")


@dataclass
class Verification:
    problems: list[str]
    rows: int
    files: int
    receipts: int

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(source: Path) -> Verification:
    """Compare the running portal (a restore) with a backup's manifest."""
    manifest = read_manifest(source)
    problems = []
    rows = _row_counts()
    for table, count in sorted(manifest["rows"].items()):
        if rows.get(table) != count:
            problems.append(f"Tabelle {table}: {rows.get(table)} Zeilen statt {count}")
    stored = set(_storage_names(default_storage))
    for name, sha256 in sorted(manifest["files"].items()):
        if name not in stored:
            problems.append(f"Datei {name} fehlt")
            continue
        with default_storage.open(name, "rb") as handle:
            if _sha256(handle) != sha256:
                problems.append(f"Datei {name}: anderer Inhalt (SHA-256)")
    receipts = 0
    for plugin in plugins.all_plugins():
        source_of_receipts = plugin.load("receipts")
        if source_of_receipts is None:
            continue
        for key, certified, recomputed in source_of_receipts():
            receipts += 1
            if manifest["receipts"].get(key) != certified:
                problems.append(f"Eingangsbestätigung {key}: anderer SHA-256 als in der Sicherung")
            elif recomputed is not None and recomputed != certified:
                problems.append(f"Eingangsbestätigung {key}: der Inhalt passt nicht mehr zum bestätigten SHA-256")
    if receipts != len(manifest["receipts"]):
        problems.append(f"{receipts} Eingangsbestätigungen statt {len(manifest['receipts'])}")
    return Verification(problems, sum(rows.values()), len(stored), receipts)
