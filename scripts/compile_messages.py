"""Compile every .po file under src/ into .mo with polib, so no GNU gettext is needed anywhere.

The .mo files are committed; run `make messages` after editing a .po file.
"""

from __future__ import annotations

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "src"

# locale_overrides/ holds formal-German overrides of third-party catalogues (see settings.LOCALE_PATHS).
PATTERNS = ("locale/*/LC_MESSAGES/*.po", "locale_overrides/*/LC_MESSAGES/*.po")

for po_path in sorted(path for pattern in PATTERNS for path in ROOT.rglob(pattern)):
    catalogue = polib.pofile(str(po_path))
    catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
    print(f"{po_path.relative_to(ROOT)}: {catalogue.percent_translated()}% translated")
