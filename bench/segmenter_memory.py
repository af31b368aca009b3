"""Stock jieba against Kefu's compact dictionary (kefu.search.dictionary): identical tokens?
memory? speed? Prints JSON.

    .venv/bin/python bench/segmenter_memory.py [--repeat 3]

Each segmenter runs in a fresh process: its RSS is read before importing jieba and after the
dictionary is ready (stock: jieba.initialize(); compact: the memory-mapped trie, built first
if missing, under a temporary KEFU_VAR), then every line of bench/segmenter_compare.py's
corpus is segmented twice, as Kefu does: cut_for_search (the index form) and cut (the query
form), HMM on. The raw token lists (not normalised) of both must be identical. Speed is the
best of --repeat passes over the corpus, in µs per line, CPU time of the process."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
from pathlib import Path
sys.path[:0] = [sys.argv[3], sys.argv[4]]

def rss_mb():
    return int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) / 1024

from segmenter_compare import corpus
lines = corpus()
import re, logging, math  # what jieba imports anyway, outside the measure
before = rss_mb()
t0 = time.process_time()
if sys.argv[1] == "stock":
    import jieba
    jieba.setLogLevel(60)
    jieba.initialize()
    tok = jieba.dt
else:
    from kefu.search import dictionary
    tok = dictionary.load(Path(sys.argv[5]))
ready_s = time.process_time() - t0
ready_mb = rss_mb() - before
best = {"cut_for_search": None, "cut": None}
for _ in range(int(sys.argv[2])):
    for name in best:
        fn = getattr(tok, name)
        t0 = time.process_time()
        out = [list(fn(line)) for line in lines]
        took = time.process_time() - t0
        if best[name] is None or took < best[name]:
            best[name] = took
        if _ == 0:
            Path(sys.argv[6] + "." + name).write_text(json.dumps(out, ensure_ascii=False))
print(json.dumps({
    "lines": len(lines),
    "dictionary_ready_s": round(ready_s, 3),
    "rss_of_dictionary_mb": round(ready_mb, 1),
    "rss_after_mb": round(rss_mb(), 1),
    "us_per_line": {k: round(v / len(lines) * 1e6, 1) for k, v in best.items()},
}))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kefu-segmenter-") as tmp:
        results = {}
        for kind in ("stock", "compact"):
            if kind == "compact":  # build the files first: the measure is of loading them
                subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        "import sys; from pathlib import Path; sys.path[:0]=[sys.argv[1]];"
                        "from kefu.search import dictionary; dictionary.load(Path(sys.argv[2]))",
                        str(ROOT / "src"),
                        tmp,
                    ],
                    check=True,
                )
            out = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    CHILD,
                    kind,
                    str(args.repeat),
                    str(ROOT / "bench"),
                    str(ROOT / "src"),
                    tmp,
                    os.path.join(tmp, kind),
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[kind] = json.loads(out)
        identical = {}
        for name in ("cut_for_search", "cut"):
            a = json.loads(Path(tmp, "stock." + name).read_text())
            b = json.loads(Path(tmp, "compact." + name).read_text())
            identical[name] = {
                "lines_differing": sum(x != y for x, y in zip(a, b, strict=True)),
                "tokens": sum(map(len, a)),
            }
    print(
        json.dumps(
            {
                "bench": "segmenter_memory",
                "identical": identical,
                **results,
                "load": os.getloadavg(),
                "at": time.strftime("%Y-%m-%d %H:%M:%S"),
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
