"""What a Kefu web process holds after start-up (issue 14): the dictionaries are memory-mapped
tries, not Python objects, and libraries that only some requests use are not imported yet."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = r"""
import json, sys
import kefu.wsgi  # what gunicorn's master preloads, warm-up included
import jieba
from pypinyin import converter
from jieba import finalseg
maps = open("/proc/self/maps").read()
print(json.dumps({
    "modules": sorted(m for m in ("redis", "psycopg", "httpx", "xlsxwriter", "cryptography",
                                  "pkg_resources", "rich", "django.test", "unittest")
                      if m in sys.modules),
    "jieba_freq": len(jieba.dt.FREQ),  # stock jieba's dict: ~500,000 entries when loaded
    "pinyin_phrases": type(converter.PHRASES_DICT).__name__,
    "pinyin_characters": type(converter.PINYIN_DICT).__name__,
    "hmm_emission": type(finalseg.emit_P["B"]).__name__,  # a dict when jieba's module is loaded
    "emission_mapped": any(line.endswith("/emission.f64") for line in maps.splitlines()),
    "mapped": sorted({line.split("/")[-1] for line in maps.splitlines() if ".marisa" in line}),
}))
"""

LATER = r"""
import json, sys
import kefu.wsgi
import django.core.signals, django.test, django.test.signals
from django.test.utils import override_settings  # the real package and module, loaded now
print(json.dumps([django.test.signals.setting_changed is django.core.signals.setting_changed,
                  hasattr(django.test.signals, "template_rendered")]))
"""


def _run(probe: str, tmp_path) -> dict:
    env = {
        **os.environ,
        "KEFU_VAR": str(tmp_path),
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "kefu.settings",
        "KEFU_WARM_UP": "1",
    }
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    out = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_a_web_process_maps_its_dictionaries_and_imports_only_what_it_uses(tmp_path):
    seen = _run(PROBE, tmp_path)
    assert seen["modules"] == [], seen
    assert seen["jieba_freq"] == 0
    assert seen["pinyin_phrases"] == "Phrases"
    assert seen["pinyin_characters"] == "Characters"
    assert seen["hmm_emission"] == "_Emission" and seen["emission_mapped"]
    assert seen["mapped"] == [
        "characters.marisa",
        "phrases.marisa",
        "prefixes.marisa",
        "words.marisa",
    ]


def test_django_test_imported_later_in_a_web_process_is_the_real_package(tmp_path):
    # kefu.wsgi sets Django up without the package (django-ninja only wants one signal from it);
    # importing it afterwards gives Django's own module, with the same signal.
    assert _run(LATER, tmp_path) == [True, True]
