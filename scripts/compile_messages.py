"""Compile every .po file under src/ into .mo with polib, so no GNU gettext is needed anywhere.

The .mo files are committed; run `make messages` after editing a .po file.
"""

from __future__ import annotations

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "src"

for po_path in sorted(ROOT.rglob("locale/*/LC_MESSAGES/*.po")):
    catalogue = polib.pofile(str(po_path))
    catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
    print(f"{po_path.relative_to(ROOT)}: {catalogue.percent_translated()}% translated")
