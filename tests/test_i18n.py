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


def test_every_template_string_is_in_the_catalogue_as_django_looks_it_up():
    """{% trans "…" %} looks a literal up with each % doubled: a catalogue entry written with a
    single % is never found, and the page shows English (the reports' help text did)."""
    import re

    po = polib.pofile(str(LOCALE / "django.po"))
    known = {e.msgid for e in po.translated_entries() if not e.msgctxt}
    templates = Path(__file__).resolve().parent.parent / "src" / "kefu"
    tag = re.compile(r"""{%\s*trans\s+(["'])(.*?)\1\s*%}""")
    missing = [
        (path.name, literal)
        for path in templates.glob("**/templates/**/*.html")
        for _quote, literal in tag.findall(path.read_text())
        if literal.replace("%", "%%") not in known
    ]
    assert missing == []
