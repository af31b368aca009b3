"""jieba's segmentation over a compact, memory-mapped copy of its dictionary (issue 14).

Stock jieba keeps its dictionary as a Python dict of ~500,000 words and word prefixes
(`jieba.dt.FREQ`): 60-80 MB of objects in every process that segments, counted again in the
RSS of each forked worker. Here the same words live in a MARISA trie (~1.3 MB) and their
weights in a flat array of doubles (~2.8 MB), both files memory-mapped read-only, so every
process on the machine shares one copy from the page cache.

jieba's HMM for runs of unknown characters reads each character's emission probabilities from
four dicts of 35,224 entries in all (`jieba.finalseg.prob_emit`): importing that module cost 2.9
MB in every process (its code object and constants, then the dicts). Here the same
doubles sit in a memory-mapped array indexed by code point (`_Emission`), put in that module's
place before jieba is imported.

The algorithms stay jieba's own (`jieba.Tokenizer`: the DAG of dictionary words, the
maximum-probability route, the HMM for unknown runs, search mode's 2- and 3-grams); only the
two methods that read the dictionary word by word are replaced, by equivalents that ask the
trie for every word starting at a position in one call. The results are identical to stock
jieba's (tests/search/test_dictionary.py compares them over a corpus)."""

import importlib.util
import json
import mmap
import os
import shutil
import subprocess
import sys
import tempfile
import types
from array import array
from math import log, nan
from pathlib import Path

# Bump when the files' layout changes: a new layout is built beside the old one.
FORMAT = 2
# jieba's HMM states, in the order of the emission array's rows.
STATES = "BEMS"


class _Dag(dict):
    """jieba's DAG (start -> ends of the words starting there), with each word's weight."""

    __slots__ = ("weights",)


class _Frequencies:
    """The read-only part of jieba's FREQ mapping that its other methods use: every word and
    word prefix is `in` it, a word's value is its frequency, a bare prefix's is 0."""

    def __init__(self, trie, counts):
        self._trie, self._counts = trie, counts

    def get(self, word, default=None):
        key = self._trie.get(word)
        if key is not None:
            return self._counts[key]
        return 0 if word in self else default

    def __contains__(self, word):
        for _ in self._trie.iterkeys(word):  # a word, or a prefix of one
            return True
        return False

    def __getitem__(self, word):
        value = self.get(word)
        if value is None:
            raise KeyError(word)
        return value


class _Emission:
    """One HMM state's emission log-probabilities, read as jieba's viterbi reads its dict:
    `.get(character, default)`. A row per code point from `base`, one column per state; NaN
    where jieba's dict has no entry."""

    __slots__ = ("_values", "_column", "_base", "_size")

    def __init__(self, values, column, base, size):
        self._values, self._column, self._base, self._size = values, column, base, size

    def get(self, char, default=None):
        if len(char) == 1:
            row = ord(char) - self._base
            if 0 <= row < self._size:
                value = self._values[row * len(STATES) + self._column]
                if value == value:  # not NaN
                    return value
        return default


def _use_mapped_emission(directory: Path, meta: dict) -> None:
    """Put the mapped emission probabilities in place of `jieba.finalseg.prob_emit` for the
    jieba this process will import (nothing to do once jieba is imported: its dicts are made)."""
    if "jieba" in sys.modules:
        return
    values = _map(directory / "emission.f64", "d")
    module = types.ModuleType("jieba.finalseg.prob_emit")
    module.P = {
        state: _Emission(values, column, meta["emission_base"], meta["emission_rows"])
        for column, state in enumerate(STATES)
    }
    sys.modules[module.__name__] = module


def import_jieba():
    """`import jieba`, without the pkg_resources it imports only to open its own data files
    (it falls back to open()): ~12 MB and a scan of every installed distribution, in every
    process that segments."""
    if "jieba" not in sys.modules and "pkg_resources" not in sys.modules:
        sys.modules["pkg_resources"] = None  # makes `import pkg_resources` raise ImportError
        try:
            import jieba  # noqa: F401
        finally:
            if sys.modules.get("pkg_resources", 0) is None:
                del sys.modules["pkg_resources"]
    import jieba

    jieba.setLogLevel(60)
    return jieba


def _tokenizer_class():
    jieba = import_jieba()
    from jieba import finalseg

    class CompactTokenizer(jieba.Tokenizer):
        """jieba.Tokenizer reading its dictionary from a trie and an array (see the module)."""

        def __init__(self, trie, weights, counts, total, longest):
            super().__init__()
            self.FREQ = _Frequencies(trie, counts)
            self.total = total
            self.initialized = True  # never load jieba's own dictionary
            self._trie, self._weights, self._longest = trie, weights, longest
            self._unknown = log(1) - log(total)  # jieba's weight of a character not in it

        def initialize(self, dictionary=None):
            pass

        def add_word(self, word, freq=None, tag=None):  # pragma: no cover - read-only
            raise NotImplementedError("the compact dictionary is read-only")

        def get_DAG(self, sentence):
            # jieba walks sentence[k:i+1] while the fragment is a word or a prefix of one and
            # keeps the ends of the words; the trie lists the same words, shortest first.
            prefixes = self._trie.iter_prefixes_with_ids
            weights, longest, unknown = self._weights, self._longest, self._unknown
            unknown_only = [unknown]
            dag = _Dag()
            dag.weights = found = {}
            for k in range(len(sentence)):
                words = list(prefixes(sentence[k : k + longest]))
                if words:
                    dag[k] = [k + len(word) - 1 for word, _ in words]
                    found[k] = [weights[key] for _, key in words]
                else:
                    dag[k] = [k]
                    found[k] = unknown_only
            return dag

        def calc(self, sentence, DAG, route):
            found = getattr(DAG, "weights", None)
            if found is None:  # a DAG built elsewhere: jieba's own computation
                return super().calc(sentence, DAG, route)
            # jieba: max((log(FREQ.get(word) or 1) - logtotal + route[x + 1][0], x) ...), with
            # log(freq) - logtotal read from the array: the same doubles, added in the same order.
            N = len(sentence)
            route[N] = (0, 0)
            for idx in range(N - 1, -1, -1):
                best = None
                for x, weight in zip(DAG[idx], found[idx], strict=True):
                    candidate = (weight + route[x + 1][0], x)
                    if best is None or candidate > best:
                        best = candidate
                route[idx] = best

        def _route(self, sentence):
            """get_DAG and calc in one backward pass, without building the DAG: the route
            of the most probable segmentation, route[i] = (log probability, end of the word
            starting at i) as jieba's calc makes it."""
            prefixes = self._trie.iter_prefixes_with_ids
            weights, longest, unknown = self._weights, self._longest, self._unknown
            N = len(sentence)
            route = [None] * N + [(0, 0)]
            for idx in range(N - 1, -1, -1):
                best = None
                # Candidates come shortest first (ascending ends), so `>=` picks what jieba's
                # max() over (score, end) tuples picks.
                for word, key in prefixes(sentence[idx : idx + longest]):
                    end = idx + len(word)
                    score = weights[key] + route[end][0]
                    if best is None or score >= best:
                        best, best_end = score, end
                if best is None:
                    route[idx] = (unknown + route[idx + 1][0], idx)
                else:
                    route[idx] = (best, best_end - 1)
            return route

        def _Tokenizer__cut_DAG(self, sentence):
            # jieba.Tokenizer.__cut_DAG (cut with the HMM) over _route; otherwise unchanged.
            route = self._route(sentence)
            has = self._trie.__contains__
            x = 0
            buf = ""
            N = len(sentence)
            while x < N:
                y = route[x][1] + 1
                l_word = sentence[x:y]
                if y - x == 1:
                    buf += l_word
                else:
                    if buf:
                        if len(buf) == 1:
                            yield buf
                            buf = ""
                        else:
                            if not has(buf):
                                yield from finalseg.cut(buf)
                            else:
                                yield from buf
                            buf = ""
                    yield l_word
                x = y
            if buf:
                if len(buf) == 1:
                    yield buf
                elif not has(buf):
                    yield from finalseg.cut(buf)
                else:
                    yield from buf

        def cut_for_search(self, sentence, HMM=True):
            # jieba's, with `gram in trie` for `FREQ.get(gram)` (the trie holds exactly the
            # words of a positive frequency).
            has = self._trie.__contains__
            for w in self.cut(sentence, HMM=HMM):
                n = len(w)
                if n > 2:
                    for i in range(n - 1):
                        gram2 = w[i : i + 2]
                        if has(gram2):
                            yield gram2
                if n > 3:
                    for i in range(n - 2):
                        gram3 = w[i : i + 3]
                        if has(gram3):
                            yield gram3
                yield w

    return CompactTokenizer


def _source():
    # Found without importing jieba (which would load the HMM's dicts in this process).
    return Path(importlib.util.find_spec("jieba").origin).with_name("dict.txt")


def _cache_name() -> str:
    source = _source()
    stat = source.stat()
    emission = (source.parent / "finalseg" / "prob_emit.py").stat()
    # (MARISA's file format is versioned by the library itself and has not changed since 0.2.)
    return (
        f"jieba-{stat.st_size}-{int(stat.st_mtime)}-{emission.st_size}-{int(emission.st_mtime)}"
        f"-v{FORMAT}"
    )


def build(directory: Path) -> None:
    """Write the trie, the weights and the counts of jieba's dictionary into `directory`."""
    import marisa_trie

    jieba = import_jieba()

    # jieba's own reading of dict.txt (a later duplicate line wins, the total counts both).
    with open(_source(), "rb") as f:
        freq, total = jieba.Tokenizer.gen_pfdict(f)
    words = [word for word, count in freq.items() if count]
    trie = marisa_trie.Trie(words)
    logtotal = log(total)
    weights = array("d", bytes(8 * len(trie)))
    counts = array("q", bytes(8 * len(trie)))
    for word in words:
        key = trie[word]
        counts[key] = freq[word]
        weights[key] = log(freq[word]) - logtotal
    from jieba.finalseg.prob_emit import P as emission

    codes = [ord(char) for row in emission.values() for char in row]
    base, rows = min(codes), max(codes) - min(codes) + 1
    table = array("d", [nan]) * (rows * len(STATES))
    for column, state in enumerate(STATES):
        for char, value in emission[state].items():
            table[(ord(char) - base) * len(STATES) + column] = value
    directory.mkdir(parents=True)
    trie.save(str(directory / "words.marisa"))
    (directory / "weights.f64").write_bytes(weights.tobytes())
    (directory / "counts.i64").write_bytes(counts.tobytes())
    (directory / "emission.f64").write_bytes(table.tobytes())
    meta = {
        "total": total,
        "longest": max(map(len, words)),
        "byteorder": sys.byteorder,
        "emission_base": base,
        "emission_rows": rows,
    }
    (directory / "meta.json").write_text(json.dumps(meta))


def ensure_built(directory: Path, module: str) -> Path:
    """`directory`, built first if missing by `python -m module DIRECTORY` in a child process
    (so that the Python objects a build reads, ~40-80 MB, never sit in this process's heap: a
    gunicorn master's, say), atomically: a concurrent build by another process is harmless."""
    if (directory / "meta.json").exists():
        return directory
    directory.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=directory.parent))
    try:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        subprocess.run([sys.executable, "-m", module, str(scratch / "d")], env=env, check=True)
        try:
            os.rename(scratch / "d", directory)
        except OSError:
            if not (directory / "meta.json").exists():  # not another process's build
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return directory


def _ensure_built(root: Path) -> Path:
    return ensure_built(root / _cache_name(), "kefu.search.dictionary")


def _map(path: Path, fmt: str):
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return memoryview(b"").cast(fmt)
        return memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)).cast(fmt)


def load(root: Path):
    """A jieba tokenizer over the compact dictionary kept (built the first time) under `root`."""
    import marisa_trie

    directory = _ensure_built(root)
    meta = json.loads((directory / "meta.json").read_text())
    if meta["byteorder"] != sys.byteorder:  # pragma: no cover - a copied cache directory
        shutil.rmtree(directory, ignore_errors=True)
        directory = _ensure_built(root)
        meta = json.loads((directory / "meta.json").read_text())
    _use_mapped_emission(directory, meta)
    trie = marisa_trie.Trie()
    trie.mmap(str(directory / "words.marisa"))
    return _tokenizer_class()(
        trie,
        _map(directory / "weights.f64", "d"),
        _map(directory / "counts.i64", "q"),
        meta["total"],
        meta["longest"],
    )


if __name__ == "__main__":  # pragma: no cover - run by _ensure_built
    build(Path(sys.argv[1]))
