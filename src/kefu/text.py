"""Text folding shared by every app that reads Chinese free text (quality, sla). Pure Python.

Folding is character by character and length-preserving, so a position found in the folded
text is the same position in the original: full-width letters and digits become ASCII, the
full-width double quote becomes ``"``, and traditional characters become simplified
(``textdata/charmap.v1.json``, a single-character map, not a full converter: add missing
characters there). It sits in the bottom layer so that apps of one layer (quality and sla)
fold text the same way without importing each other.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

CHARMAP_PATH = Path(__file__).with_name("textdata") / "charmap.v1.json"


@functools.lru_cache(maxsize=1)
def charmap_pack() -> dict:
    """The shipped character map pack (``{"pack": "charmap", "version": …, "t2s": {…}}``)."""
    return json.loads(CHARMAP_PATH.read_text(encoding="utf-8"))


def fold_table_for(t2s: dict[str, str]) -> dict[int, str]:
    """A ``str.translate`` table: full-width letters/digits/quote → ASCII, then ``t2s``."""
    # Full-width punctuation and spaces need no folding: callers' break tables and \s already
    # know them, and leaving them alone lets most text skip translate() entirely.
    table = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F) if chr(cp - 0xFEE0).isalnum()}
    table[0xFF02] = '"'
    table.update({ord(k): v for k, v in t2s.items()})
    return table


@functools.lru_cache(maxsize=1)
def fold_table() -> dict[int, str]:
    """The table of the shipped character map."""
    return fold_table_for(charmap_pack()["t2s"])


def fold(text: str) -> str:
    """``text`` folded (same length): 報社 → 报社, ＡＢＣ１２３ → ABC123."""
    return text.translate(fold_table())
