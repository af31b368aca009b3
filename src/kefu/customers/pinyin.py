"""pypinyin with its dictionaries in memory-mapped tries (issue 14).

pypinyin reads its 47,000 phrases (the readings of a character in context: 重庆 chóng, 曾国藩
zēng) from JSON into Python lists, and copies the dict: ~50 MB in each process that converts a
name, loaded by the first ticket in each gunicorn worker; and its 41,923 characters' readings
into a dict of ~7 MB in every process that imports it (each gunicorn worker, its master and the
task consumer). Here both are kept in MARISA BytesTries (~0.8 MB and ~0.5 MB, one copy in the
page cache for every process) that stand in for pypinyin's PHRASES_DICT, its PINYIN_DICT and the
prefix set of its maximum-matching segmenter. The algorithms are pypinyin's own and the readings
identical (tests/customers/test_pinyin.py compares them).

    python -m kefu.customers.pinyin DIRECTORY     builds the trie (run by `load`)"""

import functools
import json
import os
import sys
import threading
import types
from pathlib import Path

FORMAT = 3
_lock = threading.Lock()
_module = None


def _classes():
    import marisa_trie

    values_of = marisa_trie.BytesTrie.get
    # The readings of the phrases met lately, decoded once (pypinyin deep-copies what it gets).
    decode = functools.lru_cache(maxsize=4096)(json.loads)

    class Phrases(marisa_trie.BytesTrie):
        """The read-only mapping pypinyin's converter and segmenter use as PHRASES_DICT:
        phrase -> [[reading], …] (`in` and len() are the trie's own, in C)."""

        def get(self, phrase, default=None):
            values = values_of(self, phrase)  # the base class's get: BytesTrie[...] calls get
            return default if values is None else decode(values[0])

        def __getitem__(self, phrase):
            value = self.get(phrase)
            if value is None:
                raise KeyError(phrase)
            return value

    class Characters(marisa_trie.BytesTrie):
        """The read-only mapping pypinyin's converter uses as PINYIN_DICT: a character's code
        point -> its readings, comma-separated ("zhòng,chóng")."""

        def __contains__(self, code):
            return marisa_trie.BytesTrie.__contains__(self, chr(code))

        def get(self, code, default=None):
            values = values_of(self, chr(code))
            return default if values is None else values[0].decode("utf-8")

        def __getitem__(self, code):
            value = self.get(code)
            if value is None:
                raise KeyError(code)
            return value

    return Phrases, Characters, marisa_trie.Trie


def _source(name: str = "phrases_dict.json") -> Path:
    import importlib.util

    spec = importlib.util.find_spec("pypinyin")
    return Path(spec.origin).with_name(name)


def build(directory: Path) -> None:
    import marisa_trie

    phrases = json.loads(_source().read_text(encoding="utf-8"))
    trie = marisa_trie.BytesTrie(
        (phrase, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        for phrase, value in phrases.items()
    )
    # pypinyin's mmseg PrefixSet: every prefix of every phrase.
    prefixes = marisa_trie.Trie({p[: i + 1] for p in phrases for i in range(len(p))})
    readings = json.loads(_source("pinyin_dict.json").read_text(encoding="utf-8"))
    characters = marisa_trie.BytesTrie(
        (chr(int(code)), value.encode("utf-8")) for code, value in readings.items()
    )
    directory.mkdir(parents=True)
    trie.save(str(directory / "phrases.marisa"))
    prefixes.save(str(directory / "prefixes.marisa"))
    characters.save(str(directory / "characters.marisa"))
    (directory / "meta.json").write_text(
        json.dumps({"phrases": len(phrases), "characters": len(readings)})
    )


def load(root: Path | None = None):
    """The pypinyin module, its phrases served from the trie under `root` (KEFU_VAR's
    dictionaries/ by default; built there if missing). Call it before anything else imports
    pypinyin: then pypinyin never reads its JSON."""
    global _module
    if _module is not None:
        return _module
    with _lock:
        if _module is not None:
            return _module
        from kefu.search.dictionary import ensure_built

        if root is None:
            from django.conf import settings

            root = Path(settings.VAR_DIR) / "dictionaries"

        stat = _source().stat()
        name = f"pypinyin-phrases-{stat.st_size}-{int(stat.st_mtime)}-v{FORMAT}"
        directory = ensure_built(root / name, "kefu.customers.pinyin")
        phrases_class, characters_class, trie_class = _classes()
        phrases, characters, prefixes = phrases_class(), characters_class(), trie_class()
        phrases.mmap(str(directory / "phrases.marisa"))
        characters.mmap(str(directory / "characters.marisa"))
        prefixes.mmap(str(directory / "prefixes.marisa"))
        # pypinyin's own pinyin_dict module would read its JSON into a dict on import: it is
        # replaced by one whose pinyin_dict is the trie (pypinyin.constants imports it from
        # there).
        readings = types.ModuleType("pypinyin.pinyin_dict")
        readings.pinyin_dict = characters
        sys.modules["pypinyin.pinyin_dict"] = readings
        saved = {k: os.environ.get(k) for k in ("PYPINYIN_NO_PHRASES", "PYPINYIN_NO_DICT_COPY")}
        os.environ.update(PYPINYIN_NO_PHRASES="1", PYPINYIN_NO_DICT_COPY="1")
        try:
            import pypinyin
            from pypinyin import constants, converter
            from pypinyin.seg import mmseg, simpleseg
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        for module in (constants, converter, mmseg, simpleseg):
            module.PHRASES_DICT = phrases
        mmseg.p_set = mmseg.seg._prefix_set = prefixes
        _module = pypinyin
        return _module


if __name__ == "__main__":  # pragma: no cover - run by load, through ensure_built
    build(Path(sys.argv[1]))
