"""``collectstatic`` for the benchmark server, tolerating one known defect.

Run by ``bench/run.py`` as a subprocess with the production environment. It runs the ordinary
``collectstatic``. If that fails only because a JavaScript file names a source map that ``make static``
did not copy (``//# sourceMappingURL=leaflet.js.map``), it runs again with the reference left unhashed and
exits with status 3, so the harness can record the workaround. Any other failure is passed on.
The server itself runs with the unchanged settings and reads the manifest this command wrote.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitwirken.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from whitenoise.storage import CompressedManifestStaticFilesStorage, MissingFileError  # noqa: E402

TOLERATED_EXIT = 3


def main() -> int:
    try:
        call_command("collectstatic", "--no-input", "--clear", verbosity=0)
        return 0
    except MissingFileError as error:
        missing = str(error).splitlines()[0]
        if ".map'" not in missing:
            raise
        print(f"collectstatic failed: {missing}", file=sys.stderr)

    original = CompressedManifestStaticFilesStorage.hashed_name

    def hashed_name(self, name, content=None, filename=None):  # type: ignore[no-untyped-def]
        try:
            return original(self, name, content, filename)
        except ValueError:
            if name.endswith(".map"):
                return name
            raise

    CompressedManifestStaticFilesStorage.hashed_name = hashed_name  # type: ignore[method-assign]
    call_command("collectstatic", "--no-input", "--clear", verbosity=0)
    return TOLERATED_EXIT


if __name__ == "__main__":
    sys.exit(main())
