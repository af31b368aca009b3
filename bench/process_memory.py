"""What one Kefu web process holds after gunicorn's preload (`import kefu.wsgi`, warm-up
included); prints JSON: its RSS and anonymous memory, or with --trace the Python allocations
tracemalloc sees, by package (the modules' code objects show as
`<frozen importlib._bootstrap_external>`; tracing roughly doubles the process, so its RSS is
not the figure then).

    KEFU_VAR=/tmp/kv PYTHONPATH=src .venv/bin/python bench/process_memory.py [--trace] [--top 15]"""

import argparse
import collections
import json
import os
import re
import tracemalloc
from pathlib import Path


def memory_mb() -> dict:
    fields = dict(
        re.findall(r"^(\w+):\s+(\d+) kB", Path("/proc/self/smaps_rollup").read_text(), re.M)
    )
    return {"rss_mb": int(fields["Rss"]) // 1024, "anonymous_mb": int(fields["Anonymous"]) // 1024}


def package(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0]
    if "/src/kefu/" in filename:
        return "kefu." + filename.split("/src/kefu/")[1].split("/")[0]
    return filename.split("python3.11/")[-1].split("/")[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trace", action="store_true")
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    if args.trace:
        tracemalloc.start(1)
    import kefu.wsgi  # noqa: F401 - what the master preloads

    out = {"load": Path("/proc/loadavg").read_text().split()[:3]}
    if args.trace:
        by = collections.Counter()
        for stat in tracemalloc.take_snapshot().statistics("filename"):
            by[package(stat.traceback[0].filename)] += stat.size
        out["traced_mb"] = round(sum(by.values()) / 1e6, 1)
        out["by_package_mb"] = {k: round(v / 1e6, 2) for k, v in by.most_common(args.top)}
    else:
        out.update(memory_mb())
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
