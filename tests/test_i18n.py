"""Every message has its zh-hans translation, and the compiled catalogue is up to date."""

from pathlib import Path

import polib

LOCALE = (
    Path(__file__).resolve().parent.parent / "src" / "kefu" / "locale" / "zh_Hans" / "LC_MESSAGES"
)


def test_every_message_is_translated():
    po = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()] + [
        e.msgid for e in po.fuzzy_entries()
    ]
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    po = polib.pofile(str(LOCALE / "django.po"))
    mo = polib.mofile(str(LOCALE / "django.mo"))
    compiled = {e.msgid: e.msgstr for e in mo}
    source = {e.msgid: e.msgstr for e in po.translated_entries()}
    assert compiled == source, (
        "run `make messages` (or scripts/compile_messages.py) to recompile the .mo"
    )
