"""Compile every locale/*/LC_MESSAGES/django.po into its .mo with polib (no gettext needed)."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "src" / "kefu" / "locale"

for po_path in ROOT.glob("*/LC_MESSAGES/*.po"):
    po = polib.pofile(str(po_path))
    po.save_as_mofile(str(po_path.with_suffix(".mo")))
    print(f"{po_path.relative_to(ROOT)}: {po.percent_translated()}% translated")
