"""kefu.heap gives freed memory back to the OS after slow work only (issue 14)."""

import re
from pathlib import Path

import pytest

from kefu import heap


def rss_kb() -> int:
    return int(re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))


def test_fast_work_is_not_trimmed():
    assert heap.trim_after(0.01) is False


@pytest.mark.skipif(heap._malloc_trim is None, reason="not glibc")
def test_slow_work_gives_the_freed_heap_back():
    # Many small blocks (below glibc's mmap threshold: they live in the heap), every tenth one
    # kept, so the freed memory is not at the heap's top where free() alone would return it.
    blocks = [bytearray(4000) for _ in range(20_000)]
    kept = blocks[::10]
    del blocks
    before = rss_kb()
    assert heap.trim_after(heap.SLOW) is True
    assert before - rss_kb() > 40_000  # most of the ~72 MB freed came back
    assert len(kept) == 2_000
