"""The registers' rules as data (data/registers.v1.json); pure, no Django."""

import datetime
import functools
import json
from pathlib import Path

DATA = Path(__file__).parent / "data" / "registers.v1.json"


@functools.cache
def load() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def keep_until(found_on: datetime.date) -> datetime.date:
    """The last day a found item is kept for its owner."""
    return found_on + datetime.timedelta(days=load()["lost_found"]["keep_days"])


def etiquette_items() -> list[dict]:
    return load()["etiquette"]


def mask_id_number(raw: str) -> str:
    """An identity document's number as the register keeps it: first 3 and last 4 characters
    (身份证 110************1234); the whole number is never stored."""
    raw = "".join(raw.split()).upper()
    if len(raw) < 8:
        return "*" * len(raw)
    return raw[:3] + "*" * (len(raw) - 7) + raw[-4:]
