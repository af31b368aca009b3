"""jieba against rjieba (jieba-rs): the same search tokens? how fast? how much memory? Prints JSON.

    pip install --target /tmp/rj rjieba==0.2.2      # not a Kefu dependency
    PYTHONPATH=/tmp/rj .venv/bin/python bench/segmenter_compare.py

The corpus is every line with a Chinese character in the shared seed texts, Kefu's rule data
(json), its translations (.po), its code and its docs. Each line is segmented for search by
both (cut_for_search, HMM on, as kefu.search.segment does) and then normalised the way Kefu
indexes tokens (lowercased, blanks and punctuation dropped, duplicates removed). Kefu may switch
only if every line gives the same tokens: search results must stay identical (issue 14)."""

import glob
import json
import re
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORD = re.compile(r"\w", re.UNICODE)


def normalise(tokens) -> str:
    seen: dict[str, None] = {}
    for token in tokens:
        token = token.strip().lower()
        if token and WORD.search(token):
            seen.setdefault(token, None)
    return " ".join(seen)


def corpus() -> list[str]:
    patterns = [
        "/work/shared/seeds/*",
        "src/kefu/**/*.json",
        "src/kefu/**/*.po",
        "src/kefu/**/*.py",
        "docs/*.md",
    ]
    lines = []
    for pattern in patterns:
        for name in sorted(
            glob.glob(
                str(ROOT / pattern) if not pattern.startswith("/") else pattern, recursive=True
            )
        ):
            try:
                text = Path(name).read_text(encoding="utf-8")
            except (UnicodeDecodeError, IsADirectoryError):
                continue
            lines += [line for line in text.splitlines() if re.search(r"[\u4e00-\u9fff]", line)]
    return lines


def rss_mb() -> float:
    return int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) / 1024


def main():
    lines = corpus()
    before = rss_mb()
    import rjieba

    rjieba.cut_for_search("预热")
    rjieba_mb = rss_mb() - before
    before = rss_mb()
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    jieba_mb = rss_mb() - before
    t0 = time.perf_counter()
    ours = [normalise(jieba.cut_for_search(line)) for line in lines]
    jieba_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    theirs = [normalise(rjieba.cut_for_search(line)) for line in lines]
    rjieba_s = time.perf_counter() - t0
    differ = [(line, a, b) for line, a, b in zip(lines, ours, theirs, strict=True) if a != b]
    print(
        json.dumps(
            {
                "bench": "segmenter_compare",
                "lines": len(lines),
                "lines_with_other_tokens": len(differ),
                "identical": not differ,
                "jieba_us_per_line": round(jieba_s / len(lines) * 1e6, 1),
                "rjieba_us_per_line": round(rjieba_s / len(lines) * 1e6, 1),
                "jieba_dictionary_mb": round(jieba_mb, 1),
                "rjieba_dictionary_mb": round(rjieba_mb, 1),
                "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "examples": [
                    {"text": line[:60], "jieba": a[:120], "rjieba": b[:120]}
                    for line, a, b in differ[:3]
                ],
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
