"""The backup and restore drill (issue 19), on the database the suite runs on.

A portal with statements (with attachments and receipts) is backed up, restored by ``scripts/restore`` in another
process into an empty database and an empty media folder, and checked there: the same rows, the same bytes, and
every receipt still certifying what it certified. Then the drill shows that the check would catch a loss.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from mitwirken.core.backup import BackupError, backup, read_manifest
from mitwirken.formal.models import Statement

from .formal_fixtures import make_procedure, pdf_upload
from .test_formal import submit

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def empty_target(tmp_path):
    """Environment for a second portal process on an empty database and media folder."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "MEDIA_ROOT"}}
    # The test settings keep media under the var folder (MEDIA_ROOT is not read there).
    env |= {"MITWIRKEN_ENV": "test", "MITWIRKEN_VAR_DIR": str(tmp_path / "restored"), "PYTHONPATH": str(ROOT / "src")}
    env["MEDIA_ROOT"] = str(tmp_path / "restored" / "test-media")
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        name = f"restore_{uuid.uuid4().hex[:12]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        env["DATABASE_URL"] = (
            f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"
        )
        yield env
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        yield env


def restore(env, folder, *extra):
    return subprocess.run(
        [str(ROOT / "scripts" / "restore"), str(folder), *extra], env=env, capture_output=True, text=True, timeout=300
    )


def test_a_restored_portal_has_every_row_file_and_receipt(world, tmp_path, empty_target):
    procedure = make_procedure(world.personas["case_worker"], world.public)
    track = procedure.rounds.get().tracks.get()
    client = world.client("citizen")
    for number in range(3):
        submit(client, procedure, track, text=f"Einwendung Nummer {number} gegen die Trasse.",
               attachments=pdf_upload(f"anlage-{number}.pdf"))  # fmt: skip
    assert Statement.objects.count() == 3

    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    manifest = read_manifest(folder)
    assert manifest["rows"]["formal_statement"] == 3
    assert len(manifest["receipts"]) == 3
    attachments = [name for name in manifest["files"] if name.startswith("formal/statements/")]
    assert len(attachments) == 3

    restored = restore(empty_target, folder)
    assert restored.returncode == 0, restored.stderr
    assert "3 Eingangsbestätigungen stimmen mit der Sicherung überein" in restored.stdout

    # The check is not a formality: a lost attachment in the restored storage is found.
    Path(empty_target["MEDIA_ROOT"], attachments[0]).unlink()
    checked = restore(empty_target, folder, "--verify-only")
    assert checked.returncode != 0
    assert f"Datei {attachments[0]} fehlt" in checked.stderr


def test_restore_refuses_a_database_that_is_not_empty(world, tmp_path, empty_target):
    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    assert restore(empty_target, folder).returncode == 0
    again = restore(empty_target, folder)
    assert again.returncode != 0
    assert "nicht leer" in again.stderr


def test_backup_refuses_a_folder_that_is_not_empty(world, tmp_path):
    (tmp_path / "old.txt").write_text("alt")
    with pytest.raises(BackupError, match="nicht leer"):
        backup(tmp_path)
