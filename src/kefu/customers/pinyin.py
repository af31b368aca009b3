"""pypinyin with its phrase dictionary in a memory-mapped trie (issue 14).

pypinyin reads its 47,000 phrases (the readings of a character in context: 重庆 chóng, 曾国藩
zēng) from JSON into Python lists, and copies the dict: ~50 MB in each process that converts a
name, loaded by the first ticket in each gunicorn worker. Here the phrases are kept in a MARISA
BytesTrie (~0.8 MB, one copy in the page cache for every process) that stands in for pypinyin's
PHRASES_DICT and for the prefix set of its maximum-matching segmenter. The algorithms are
pypinyin's own and the readings identical (tests/customers/test_pinyin.py compares them).

    python -m kefu.customers.pinyin DIRECTORY     builds the trie (run by `load`)"""

import functools
import json
import os
import sys
import threading
from pathlib import Path

FORMAT = 2
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

    return Phrases, marisa_trie.Trie


def _source() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("pypinyin")
    return Path(spec.origin).with_name("phrases_dict.json")


def build(directory: Path) -> None:
    import marisa_trie

    phrases = json.loads(_source().read_text(encoding="utf-8"))
    trie = marisa_trie.BytesTrie(
        (phrase, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        for phrase, value in phrases.items()
    )
    # pypinyin's mmseg PrefixSet: every prefix of every phrase.
    prefixes = marisa_trie.Trie({p[: i + 1] for p in phrases for i in range(len(p))})
    directory.mkdir(parents=True)
    trie.save(str(directory / "phrases.marisa"))
    prefixes.save(str(directory / "prefixes.marisa"))
    (directory / "meta.json").write_text(json.dumps({"phrases": len(phrases)}))


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
        phrases_class, trie_class = _classes()
        phrases, prefixes = phrases_class(), trie_class()
        phrases.mmap(str(directory / "phrases.marisa"))
        prefixes.mmap(str(directory / "prefixes.marisa"))
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
