"""Production collects static files with a manifest (``collectstatic`` with WhiteNoise); a stylesheet that names a
file the project does not ship (a source map left behind by ``make static``) stops the deployment there."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.test import override_settings


def test_every_static_file_collects_with_a_manifest(tmp_path: Path) -> None:
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--no-input", verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/geoman/leaflet-geoman.*.css"))
