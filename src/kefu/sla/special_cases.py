"""Special-case detection (特殊情况): which rule fired on which words. Pure Python, no Django.

Seed 000 sends media threats, 12315 / regulator complaints, lawyers and lawsuits and safety
hazards straight to the customer-service department. A bare word is not such a case: 曝光 is
also a camera setting, a customer may work at a TV station or buy for a law firm, and an
order number may contain 12315. So a rule is data (``data/special_cases.v1.json``, seeded
into the admin-editable ``SpecialCaseRule`` rows):

- ``patterns``: regular expressions for the threat or hazard itself (找记者, 发到网上, 起诉,
  12315 as a number of its own, 冒烟 …), matched on folded text;
- ``context``: words of which at least one must stand in the same sentence (曝光 only counts
  beside 媒体 / 网上 / 记者 / a platform); empty means the pattern is enough;
- ``exclusions``: regular expressions that, where a match overlaps the pattern's words, show
  an innocent meaning (曝光补偿, 律师事务所, 订单尾号12315, 烟雾报警器);
- ``negatable``: whether a negation before the words in the same clause cancels them
  (我不会去曝光, 幸好没起火).

How a message is read, the way the service-language checker reads a reply
(``kefu/quality/language.py``):

1. Fold it (``kefu.text``: traditional → simplified, full-width → ASCII) and lower-case ASCII,
   keeping every position, so the words reported are the customer's own characters.
2. Words inside quotation marks (“…” "…" 「…」 『…』 ‘…’) are someone else's (a customer
   quoting a sign, a relative, an earlier message) and never fire a rule.
3. Negation: a negator (不会, 不想, 没有, 并没 …; 不 / 没 / 别 / 未 only right before the
   verb) earlier in the same clause, with no 就 / 才 / 但 / 否则 … between it and the words,
   cancels them. 别逼我 / 不排除 / 不然 / 不给退 are not negations, 要不要 / 敢不敢 are questions,
   and 以为我不敢 is a double negation.

Judgment calls (each also sits in the data as a rule's ``note``):
- 我要曝光你们 (exposure aimed at us) is a threat even without a platform named.
- 12345 (the city hotline) counts only with 打 / 投诉 / 举报 / 热线 near it.
- 律师 counts when the customer will find, hire or consult one; 我老公是律师 does not.
- 报警 counts as the customer calling the police, not as a device's alarm (冰箱报警).
- A worry about a hazard (插头很烫，怕会着火) counts: it is a safety report, not a threat.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from kefu.text import fold_table

CATEGORIES = ("media", "regulator", "legal", "safety")

_QUOTED = re.compile(r"“[^”]*”|「[^」]*」|『[^』]*』|\"[^\"\n]*\"|‘[^’]*’")
_CLAUSE_BREAK = re.compile(r"[，,、：:。！？!?；;\n\r…]")
_SENTENCE_BREAK = re.compile(r"[。！？!?；;\n\r]")
# Negators that may stand a few characters before the words (我不会再去找媒体曝光).
_STRONG_NEGATORS = (
    "不会|不想|不打算|没打算|不准备|无意|不至于|不是要|不用|不需要|不必|没有|没想|不愿|"
    "从没|从来没|从未|并没|并不|未曾|还没|不要|不敢|不可能"
)
_NEGATOR = re.compile(f"(?:{_STRONG_NEGATORS})|[不没别未]")
_STRONG = re.compile(f"(?:{_STRONG_NEGATORS})")
_STRONG_GAP, _WEAK_GAP = 8, 1
# Between the negator and the words: the negation stops at a turn or a consequence.
_RESET = re.compile(r"就|才|但|可是|否则|不然|还是|只能|只好|直接|马上|一定|必须|如果|要是")
# A negator followed by these is no negation of the threat: 别逼我 / 不排除 / 不给退我就….
_NOT_A_NEGATION = re.compile(
    r"(?:别|不要|不)(?:逼|让|等|怪|以为|排除|惜|怕|得不|然|管|解决|处理|给|赔|退|换|修|理|负责|回复|答复|满意|行)"
)
# "Don't think I won't…" cancels the negation it contains.
_DOUBLE_NEGATION = re.compile(r"(?:以为|觉得|认为|当)我?$")
_ASCII_LOWER = {cp: cp + 32 for cp in range(ord("A"), ord("Z") + 1)}


@dataclass(frozen=True)
class Hit:
    """One rule that fired: ``words == text[start:end]`` in the ORIGINAL text."""

    rule: str
    category: str
    words: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return {"rule": self.rule, "category": self.category, "words": self.words}


@dataclass(frozen=True)
class _Rule:
    code: str
    category: str
    pattern: re.Pattern
    context: tuple[str, ...]
    exclusions: re.Pattern | None
    negatable: bool


def _lines(value) -> list[str]:
    """A list from JSON, or from an admin text field with one item per line."""
    if isinstance(value, str):
        value = value.splitlines()
    return [v.strip() for v in value or () if v and v.strip()]


class Detector:
    """Compiles the rules once; :meth:`find` is then cheap and thread-safe.

    ``rules`` are dicts shaped like the entries of ``data/special_cases.v1.json`` (or the
    admin rows): code, category, patterns, context, exclusions, negatable. A pattern that is
    not a valid regular expression raises ValueError naming the rule."""

    def __init__(self, rules: list[dict]):
        self._table = {**fold_table(), **_ASCII_LOWER}
        self.rules: list[_Rule] = []
        for raw in rules:
            if not raw.get("enabled", True):
                continue
            code = raw["code"]
            patterns = [self.fold(p) for p in _lines(raw.get("patterns"))]
            if not patterns:
                continue
            exclusions = [self.fold(p) for p in _lines(raw.get("exclusions"))]
            try:
                pattern = re.compile("|".join(f"(?:{p})" for p in patterns))
                excl = re.compile("|".join(f"(?:{p})" for p in exclusions)) if exclusions else None
            except re.error as err:
                raise ValueError(f"{code}: not a valid pattern: {err}") from err
            self.rules.append(
                _Rule(
                    code,
                    raw.get("category", ""),
                    pattern,
                    tuple(self.fold(w) for w in _lines(raw.get("context"))),
                    excl,
                    bool(raw.get("negatable", True)),
                )
            )

    def fold(self, text: str) -> str:
        return text.translate(self._table)

    def find(self, text: str) -> list[Hit]:
        """Each rule that fires on ``text``, once, at its first firing occurrence, in text order."""
        if not text:
            return []
        folded = self.fold(text)
        quotes = [m.span() for m in _QUOTED.finditer(folded)] if _has_quote(folded) else []
        hits = []
        for rule in self.rules:
            for m in rule.pattern.finditer(folded):
                a, b = m.span()
                if a == b or _inside(a, b, quotes):
                    continue
                if self._fires(rule, folded, a, b):
                    hits.append(Hit(rule.code, rule.category, text[a:b], a, b))
                    break
        hits.sort(key=lambda h: (h.start, h.rule))
        return hits

    def _fires(self, rule: _Rule, folded: str, a: int, b: int) -> bool:
        s_start, s_end = _bounds(folded, a, b, _SENTENCE_BREAK)
        sentence = folded[s_start:s_end]
        if rule.exclusions is not None:
            for e in rule.exclusions.finditer(sentence):
                if e.start() + s_start < b and a < e.end() + s_start:
                    return False
        if rule.context and not any(w in sentence for w in rule.context):
            return False
        return not (rule.negatable and negated(folded, a, b))


def negated(folded: str, a: int, b: int) -> bool:
    """Whether the words at folded[a:b] are negated earlier in their clause."""
    c_start, _ = _bounds(folded, a, b, _CLAUSE_BREAK)
    before = folded[c_start:a]
    last = None
    for m in _NEGATOR.finditer(before):
        last = m
    if last is None:
        return False
    gap = before[last.end() :]
    limit = _STRONG_GAP if _STRONG.fullmatch(last.group()) else _WEAK_GAP
    if len(gap) > limit or _RESET.search(gap):
        return False
    if _NOT_A_NEGATION.match(before, last.start()):
        return False
    # 要不要 / 敢不敢 / 会不会 ask a question; they negate nothing.
    at = last.start()
    if 0 < at and at + 1 < len(before) and before[at - 1] == before[at + 1]:
        return False
    return not _DOUBLE_NEGATION.search(before[: last.start()])


def _bounds(text: str, a: int, b: int, breaks: re.Pattern) -> tuple[int, int]:
    start = 0
    for m in breaks.finditer(text, 0, a):
        start = m.end()
    m = breaks.search(text, b)
    return start, (m.start() if m else len(text))


def _has_quote(text: str) -> bool:
    return any(q in text for q in '“「『"‘')


def _inside(a: int, b: int, spans: list[tuple[int, int]]) -> bool:
    return any(sa <= a and b <= sb for sa, sb in spans)


# ---------------------------------------------------------------------------------------
# The shipped rules and the labelled corpus

RULES_PATH = Path(__file__).with_name("data") / "special_cases.v1.json"


def shipped_rules() -> list[dict]:
    """The rules of ``data/special_cases.v1.json`` (what the migration seeds)."""
    return json.loads(RULES_PATH.read_text(encoding="utf-8"))["rules"]


def evaluate_corpus(path: str | Path, detector: Detector | None = None) -> dict:
    """Precision and recall on a labelled corpus, scored per (message, category).

    ``path`` is JSON lines ``{"text", "expected": [categories], "note"?}``. A message routes
    when any category fires, so the routing confusion (per message) is reported too."""
    detector = detector or Detector(shipped_rules())
    tp = fp = fn = 0
    routing = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    mistakes = []
    rows = [json.loads(line) for line in Path(path).read_text("utf-8").splitlines() if line]
    for row in rows:
        hits = detector.find(row["text"])
        found = {h.category for h in hits}
        expected = set(row["expected"])
        tp += len(found & expected)
        fp += len(found - expected)
        fn += len(expected - found)
        key = ("t" if bool(found) == bool(expected) else "f") + ("p" if found else "n")
        routing[key] += 1
        if found != expected:
            mistakes.append(
                {
                    "text": row["text"],
                    "expected": sorted(expected),
                    "found": [h.to_dict() for h in hits],
                }
            )
    return {
        "n": len(rows),
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "confusion": {"tp": tp, "fp": fp, "fn": fn},
        "routing": routing,
        "mistakes": mistakes,
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m kefu.sla.special_cases --corpus FILE`` prints the figures as JSON;
    ``python -m kefu.sla.special_cases TEXT`` prints the hits on one message."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("text", nargs="?")
    parser.add_argument("--corpus")
    args = parser.parse_args(argv)
    if args.corpus:
        out = evaluate_corpus(args.corpus)
    else:
        out = [h.to_dict() for h in Detector(shipped_rules()).find(args.text or "")]
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
