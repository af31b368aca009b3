"""Service-language checker (服务用语检查): forbidden phrases (服务禁语) and better-habit hints.

Pure Python, no Django: the desk, the API and the macro tests all call :func:`check`.

How a reply is read
-------------------
1. *Fold* the text character by character (length-preserving, so positions stay valid):
   full-width letters and digits → ASCII, traditional → simplified
   (``kefu/textdata/charmap.v1.json`` through :mod:`kefu.text`, shared with sla).
2. For phrase matching, also treat 您 as 你 and drop spaces and punctuation, remembering
   where each dropped run was and how strong a break it was (space/…/— soft, ，、： clause,
   。！？；newline sentence). A phrase may not cross a break stronger than its entry allows,
   so "谢谢你，应该明天到" is not "你应该".
3. Aho–Corasick finds each variant's literal anchor; the rest of the variant (small gaps of
   allowed filler words, then the key parts) is checked with a precompiled regex at that spot.
4. Per-entry exceptions (data, not code) look at the rest of the same clause: "我不知道您是否
   方便" is a polite question, "我们不会让您白跑一趟" is a promise in the customer's favour.
5. Anything inside quotation marks (“…” "…" 「…」 『…』) is the customer's words, not the
   agent's, and is not reported.

Judgment calls (each also sits in the pack as a ``note`` next to its rule):

- 你应该 commanding the customer is forbidden; 您应该 + 已经/会/能/是/收到… states a fact or
  an inference ("您应该已经收到短信了") and passes. "告诉您应该怎么做": 您 is an object.
- 我不知道 is forbidden, except the polite indirect question with the customer as subject
  ("我不知道您是否方便…", "…您明天方不方便") and the thanks idiom "不知道该怎么感谢您".
- 我们不会 / 我们从没 / 我们不可能 refuse or contradict the customer and are forbidden, except
  when what follows is in the customer's favour (让您白跑, 收取费用, 泄露信息, 再让类似情况发生,
  推卸责任…): "我们不会让您白跑一趟" passes.
- 绝对不会 is forbidden (block) as a denial ("绝对不会有问题", "绝对不会再降价"); as an apology
  promise ("绝对不会再发生", "绝对不会泄露您的信息") it becomes ``hint.over_promise`` (warn):
  well meant, but promises must leave room. 绝对不可能 is always forbidden.
- 这是…规定 is forbidden when the company's rule is the excuse; citing the national 三包 rule,
  "按照公司规定…可以为您…", and "这是规定的保修期" (describing the rule) pass.
- 不是您弄错了 / 以免您误会 / 让您误会了，抱歉 / 如果您不明白的地方 are reassurance, apology or
  help, not blame.
- Words inside quotation marks are the customer's (or a quoted taboo being apologised for)
  and are not reported; an agent could hide a taboo in quotes, which QA review still sees.
- 你们 and 迷你 do not get the 你→您 hint; a command hint needs a sentence-initial verb and
  no 请/麻烦/…吗 in the sentence, so it stays quiet rather than nag.
"""

from __future__ import annotations

import argparse
import bisect
import copy
import functools
import json
import re
import sys
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

import ahocorasick

from kefu.text import charmap_pack, fold_table_for

PACK_DIR = Path(__file__).with_name("phrasepacks")
SEVERITIES = ("block", "warn", "hint")

# Break strength of a dropped punctuation run; a phrase may span breaks up to its max_break.
SOFT, CLAUSE, SENTENCE = 1, 2, 3
_BREAK_LEVEL = {
    **dict.fromkeys("，,、：:", CLAUSE),
    **dict.fromkeys("。！？!?；;\n\r.．｡", SENTENCE),
}
_NON_WORD = re.compile(r"[\W_]+")
_NON_WORD_SPLIT = re.compile(r"([\W_]+)")
_QUOTED = re.compile(r"“[^”]*”|「[^」]*」|『[^』]*』|\"[^\"\n]*\"|‘[^’]*’")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._@/:+\-]*[A-Za-z0-9])?")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
# Commands are looked for only where a sentence starts, or right after a greeting such as
# "您好，" — mid-sentence "…，把结果告诉您" is usually the agent describing their own action.
_COMMAND_AT = re.compile(r"[。！？!?；;\n]|[好生士姐傅][，,]")


@dataclass(frozen=True)
class Finding:
    """One problem in a reply. ``text == reply[start:end]`` in the ORIGINAL reply."""

    code: str
    severity: str  # 'block' | 'warn' | 'hint'
    start: int
    end: int
    text: str
    explanation: str
    suggestion: str | None = None

    @property
    def span(self) -> tuple[int, int]:
        """(start, end) character offsets into the original reply."""
        return (self.start, self.end)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form used by the API and the desk."""
        return {
            "code": self.code,
            "severity": self.severity,
            "span": [self.start, self.end],
            "text": self.text,
            "explanation": self.explanation,
            "suggestion": self.suggestion,
        }


@dataclass
class Context:
    """What the checker knows about the conversation.

    ``honorific`` is how the customer should be addressed (e.g. "张先生"); ``overrides`` are
    admin-edited phrase entries (same shape as a pack entry) applied on top of the packs;
    ``extra_packs`` are whole packs (``{"entries": [...]}``) whose entries are added the same way.
    """

    customer_surname: str | None = None
    honorific: str | None = None
    is_complaint: bool = False
    overrides: list[dict] | None = None
    extra_packs: list[dict] | None = field(default=None)


# ---------------------------------------------------------------------------------------
# Packs


def _read_packs(pack_dir: Path = PACK_DIR) -> dict[str, dict]:
    """Read every ``*.json`` pack; when a pack exists in several versions the highest wins."""
    packs: dict[str, dict] = {}
    for path in sorted(pack_dir.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        name = data["pack"]
        if name not in packs or data.get("version", 0) > packs[name].get("version", 0):
            packs[name] = data
    # The character map moved down to kefu.text; it is still offered as the "charmap" pack.
    packs.setdefault("charmap", charmap_pack())
    return packs


@functools.lru_cache(maxsize=1)
def _shipped_packs() -> dict[str, dict]:
    return _read_packs()


def load_packs(overrides: list[dict] | None = None) -> dict[str, dict]:
    """Return the shipped phrase packs with admin ``overrides`` merged into the forbidden pack.

    An override is a dict shaped like a pack entry (code, phrase, variants, severity,
    explanation, suggestion, enabled, ...). When its ``code`` exists, the fields it gives
    replace the shipped ones (``variants`` is replaced, not extended); ``enabled: false``
    switches the rule off. A new code adds a rule and needs a ``phrase``.
    """
    packs = copy.deepcopy(_shipped_packs())
    if overrides:
        entries = packs["forbidden"]["entries"]
        by_code = {e["code"]: e for e in entries}
        for row in overrides:
            code = row.get("code")
            if not code:
                raise ValueError("覆盖规则缺少 code")
            given = {k: v for k, v in row.items() if v is not None}
            if code in by_code:
                by_code[code].update(given)
            else:
                if not given.get("phrase"):
                    raise ValueError(f"新规则 {code} 缺少 phrase")
                entry = {"variants": [], "severity": "block", "enabled": True, **given}
                entries.append(entry)
                by_code[code] = entry
    return packs


# ---------------------------------------------------------------------------------------
# Text folding


# The folding itself lives in kefu.text (the bottom layer), so sla folds text the same way.
_fold_table = fold_table_for


@functools.lru_cache(maxsize=512)
def _run_level(run: str) -> int:
    """Break strength of one dropped run (the same few runs recur: "，" "。" "……")."""
    return max(_BREAK_LEVEL.get(c, SOFT) for c in run)


class _Norm:
    """Reply with spaces and punctuation removed, plus the way back to original positions.

    Only the dropped runs are recorded (a 200-character reply has a dozen or two), and only
    when a candidate phrase needs them: most replies are clean and never pay for it.
    """

    def __init__(self, folded: str):
        self.folded = folded
        self.text = _NON_WORD.sub("", folded).lower()
        self._indexed = False

    def _index(self) -> None:
        # split() with a capturing group alternates kept text and dropped runs; building the
        # lists with accumulate() keeps this off the per-character Python path.
        parts = _NON_WORD_SPLIT.split(self.folded)
        runs = parts[1::2]
        levels = [_run_level(r) for r in runs]
        self.break_at = list(accumulate(map(len, parts[0:-1:2])))  # norm index after each run
        self.break_level = levels
        self.dropped = list(accumulate(map(len, runs)))  # characters dropped so far
        self.strong = [at for at, lvl in zip(self.break_at, levels, strict=True) if lvl >= CLAUSE]
        self._indexed = True

    def orig(self, i: int) -> int:
        """Original-text index of norm character ``i``."""
        if not self._indexed:
            self._index()
        k = bisect.bisect_right(self.break_at, i)
        return i + (self.dropped[k - 1] if k else 0)

    def max_break(self, start: int, end: int) -> int:
        """Strongest break strictly inside norm[start:end]."""
        if not self._indexed:
            self._index()
        i = bisect.bisect_right(self.break_at, start)
        level = 0
        while i < len(self.break_at) and self.break_at[i] < end:
            level = max(level, self.break_level[i])
            i += 1
        return level

    def sentence_end(self, end: int) -> int:
        """Norm index where the sentence containing norm[end-1] stops."""
        if not self._indexed:
            self._index()
        i = bisect.bisect_left(self.break_at, end)
        while i < len(self.break_at) and self.break_level[i] < SENTENCE:
            i += 1
        return self.break_at[i] if i < len(self.break_at) else len(self.text)

    def clause_bounds(self, start: int, end: int) -> tuple[int, int]:
        """The clause around norm[start:end] (clause and sentence breaks delimit it)."""
        if not self._indexed:
            self._index()
        i = bisect.bisect_right(self.strong, start)
        left = self.strong[i - 1] if i else 0
        j = bisect.bisect_left(self.strong, end)
        right = self.strong[j] if j < len(self.strong) else len(self.text)
        return left, right


# ---------------------------------------------------------------------------------------
# Compiled phrase rules


@dataclass
class _Variant:
    entry: dict
    anchor: str
    rest: re.Pattern | None


@dataclass
class _Exception:
    before: re.Pattern | None
    after: re.Pattern | None
    then: dict | None
    sentence: bool  # look past clause breaks (，) up to the end of the sentence


def _hint(rule: dict, text: str, a: int, b: int, suggestion: str | None = None) -> Finding:
    """A finding for a hint rule of the hints pack over text[a:b]."""
    return Finding(
        rule["code"],
        rule["severity"],
        a,
        b,
        text[a:b],
        rule["explanation"],
        suggestion if suggestion is not None else rule.get("suggestion"),
    )


def _inside(a: int, b: int, spans: list[tuple[int, int]]) -> bool:
    return any(sa <= a and b <= sb for sa, sb in spans)


def _overlaps(f: Finding, covered: list[tuple[int, int]], quotes: list[tuple[int, int]]) -> bool:
    return _inside(f.start, f.end, quotes) or any(sa < f.end and f.start < sb for sa, sb in covered)


def _fold_pattern(s: str, table: dict[int, str]) -> str:
    return s.translate(table).replace("您", "你")


class Checker:
    """Compiles the phrase packs once; :meth:`check` is then cheap and thread-safe."""

    def __init__(self, packs: dict[str, dict] | None = None):
        packs = packs if packs is not None else load_packs()
        self.hints = packs["hints"]
        self.words = packs["words"]
        self._table = _fold_table(packs["charmap"]["t2s"])
        self._needs_fold = re.compile("[" + re.escape("".join(map(chr, self._table))) + "]")
        self._automaton = ahocorasick.Automaton()
        self._compile_phrases(packs["forbidden"])
        self._compile_hints()

    # -- compilation ----------------------------------------------------------------
    def _compile_phrases(self, pack: dict) -> None:
        defs = pack.get("defs", {})
        anchors: dict[str, list[_Variant]] = {}
        for raw in pack["entries"]:
            if not raw.get("enabled", True):
                continue
            entry = self._compile_entry(raw, defs)
            for variant in entry["_variants"]:
                anchors.setdefault(variant.anchor, []).append(variant)
        for anchor, variants in anchors.items():
            # One combined regex says quickly whether ANY variant can continue here; most
            # occurrences of common anchors (你, 我们) are innocent and stop at this test.
            prefilter = None
            if all(v.rest is not None for v in variants):
                prefilter = re.compile("|".join(f"(?:{v.rest.pattern})" for v in variants))
            self._automaton.add_word(anchor, (len(anchor), prefilter, variants))
        if anchors:
            self._automaton.make_automaton()
        self._has_phrases = bool(anchors)

    def _compile_entry(self, raw: dict, defs: dict[str, str]) -> dict:
        code = raw.get("code", "?")
        severity = raw.get("severity", "block")
        if severity not in SEVERITIES:
            raise ValueError(f"{code}: severity 必须是 {SEVERITIES} 之一，而不是 {severity!r}")

        def expand(s: str) -> str:
            for name, value in defs.items():
                s = s.replace("{{" + name + "}}", value)
            return _fold_pattern(s, self._table)

        fillers = sorted(
            (_fold_pattern(f, self._table) for f in raw.get("fillers", [])), key=len, reverse=True
        )
        if fillers:
            gap = "(?:" + "|".join(map(re.escape, fillers)) + "){0,3}"
        else:
            gap = f".{{0,{int(raw.get('max_gap', 3))}}}?"
        entry = {
            "code": code,
            "severity": severity,
            "explanation": raw.get("explanation", ""),
            "suggestion": raw.get("suggestion"),
            "max_break": int(raw.get("max_break", SOFT)),
            "clause_start": bool(raw.get("clause_start")),
            "clause_end": bool(raw.get("clause_end")),
        }
        variants: list[_Variant] = []
        for text in raw.get("variants", []):
            parts = expand(text).split("*")
            anchor = _Norm(parts[0]).text
            if not anchor:
                raise ValueError(f"{code}: 变体 {text!r} 必须以文字开头（* 不能在最前面）")
            rest_src = "".join(gap + re.sub(r"\s+", "", p) for p in parts[1:])
            try:
                rest = re.compile(rest_src) if rest_src else None
            except re.error as exc:
                raise ValueError(f"{code}: 变体 {text!r} 不是合法的模式：{exc}") from exc
            variants.append(_Variant(entry, anchor, rest))
        # The phrase itself is literal text; match it too unless a variant already covers it
        # (matching it twice would only cost time).
        phrase = _Norm(_fold_pattern(raw.get("phrase", ""), self._table)).text
        if phrase and not any(
            phrase.startswith(v.anchor)
            and (v.rest is None or v.rest.fullmatch(phrase, len(v.anchor)))
            for v in variants
        ):
            variants.append(_Variant(entry, phrase, None))
        if not variants:
            raise ValueError(f"{code}: 没有可匹配的 phrase 或 variants")
        entry["_variants"] = variants
        exceptions = []
        for exc in raw.get("exceptions", []):
            try:
                exceptions.append(
                    _Exception(
                        re.compile(expand(exc["before"])) if exc.get("before") else None,
                        re.compile(expand(exc["after"])) if exc.get("after") else None,
                        exc.get("then"),
                        exc.get("scope") == "sentence",
                    )
                )
            except re.error as err:
                raise ValueError(f"{code}: 例外规则不是合法的正则：{err}") from err
        entry["_exceptions"] = exceptions
        return entry

    def _compile_hints(self) -> None:
        h = self.hints
        nq = h["no_qing"]
        self._command = re.compile(
            r"\s*(" + nq["lead"] + "(?:" + "|".join(nq["command_starts"]) + "))"
        )
        self._weishenme = re.compile("|".join(h["weishenme"]["patterns"]))
        self._jargon_words = self.words["jargon_words"]
        self._jargon_re = (
            re.compile("|".join(sorted(map(re.escape, self._jargon_words), key=len, reverse=True)))
            if self._jargon_words
            else None
        )
        self._english_allow = {w.lower() for w in self.words["english_allow"]}
        # (offset of 你 in the word, word) for words like 迷你 where 你 is not "you"
        self._ni_exempt = [(w.index("你"), w) for w in h["ni_to_nin"]["exempt_words"] if "你" in w]
        self._titles = tuple(h["no_name"]["titles"])
        self._acronyms = {k.lower(): v for k, v in self.words["jargon_acronyms"].items()}

    # -- checking -------------------------------------------------------------------
    def check(self, text: str, context: Context | None = None) -> list[Finding]:
        """Check one agent reply; return findings sorted by start (then end)."""
        if not text:
            return []
        folded = text.translate(self._table) if self._needs_fold.search(text) else text
        quotes = [m.span() for m in _QUOTED.finditer(folded)]
        phrases = self._phrase_findings(text, folded)
        if quotes:
            phrases = [f for f in phrases if not _inside(f.start, f.end, quotes)]
        hints = self._hint_findings(text, folded, context)
        # Hints inside quotes or inside a phrase finding add nothing: one mark per problem.
        covered = quotes + [(f.start, f.end) for f in phrases]
        if covered:
            hints = [f for f in hints if f.end == f.start or not _overlaps(f, covered, quotes)]
        findings = phrases + hints
        findings.sort(key=lambda f: (f.start, f.end, f.code))
        return findings

    def _phrase_findings(self, text: str, folded: str) -> list[Finding]:
        if not self._has_phrases:
            return []
        norm = _Norm(folded.replace("您", "你"))
        s_norm = norm.text
        hits: list[tuple[int, int, dict, dict | None]] = []
        for end_idx, (alen, prefilter, variants) in self._automaton.iter(s_norm):
            if prefilter is not None and not prefilter.match(s_norm, end_idx + 1):
                continue
            s = end_idx + 1 - alen
            for v in variants:
                e = end_idx + 1
                if v.rest is not None:
                    m = v.rest.match(s_norm, e)
                    if not m:
                        continue
                    e = m.end()
                hit = self._accept(v.entry, norm, s, e)
                if hit is not False:
                    hits.append((s, e, v.entry, hit))
        # Keep the longest hit per code where hits of the same code overlap.
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        kept: list[tuple[int, int, dict, dict | None]] = []
        for h in hits:
            if any(k[2]["code"] == h[2]["code"] and k[0] < h[1] and h[0] < k[1] for k in kept):
                continue
            kept.append(h)
        out = []
        for s, e, entry, then in kept:
            a, b = norm.orig(s), norm.orig(e - 1) + 1
            src = then or entry
            out.append(
                Finding(
                    src.get("code", entry["code"]),
                    src.get("severity", entry["severity"]),
                    a,
                    b,
                    text[a:b],
                    src.get("explanation", entry["explanation"]),
                    src.get("suggestion", entry["suggestion"]),
                )
            )
        return out

    @staticmethod
    def _accept(entry: dict, norm: _Norm, s: int, e: int) -> dict | None | bool:
        """False to drop the hit, None to report it as is, a dict to report it relabelled."""
        if norm.max_break(s, e) > entry["max_break"]:
            return False
        left, right = norm.clause_bounds(s, e)
        if entry["clause_start"] and left != s:
            return False
        if entry["clause_end"] and right != e:
            return False
        before, after = norm.text[left:s], norm.text[e:right]
        for exc in entry["_exceptions"]:
            if exc.before is not None and not exc.before.search(before):
                continue
            if exc.after is not None and not exc.after.match(
                norm.text[e : norm.sentence_end(e)] if exc.sentence else after
            ):
                continue
            return exc.then if exc.then else False
        return None

    def _hint_findings(self, text: str, folded: str, ctx: Context | None) -> list[Finding]:
        out: list[Finding] = []
        h = self.hints
        # 你 → 您
        rule = h["ni_to_nin"]
        i = folded.find("你")
        while i != -1:
            if not any(i >= k and folded.startswith(w, i - k) for k, w in self._ni_exempt):
                out.append(_hint(rule, text, i, i + 1))
            i = folded.find("你", i + 1)
        # A command to the customer without 请 (sentence-initial only, to stay conservative).
        rule = h["no_qing"]
        starts = [0] + [m.end() for m in _COMMAND_AT.finditer(folded)]
        for cm in filter(None, (self._command.match(folded, i) for i in starts)):
            a, b = cm.span(1)
            sent_start = max(folded.rfind(c, 0, a) for c in "。！？!?；;\n")
            end_m = _SENTENCE_END.search(folded, b)
            sentence = folded[sent_start + 1 : end_m.end() if end_m else len(folded)]
            if any(p in sentence for p in rule["polite_markers"]):
                continue
            out.append(_hint(rule, text, a, b, rule["suggestion_prefix"] + text[a:b] + "……"))
        # 可能 → a definite answer
        rule = h["keneng"]
        i = folded.find("可能")
        while i != -1:
            if not (
                any(folded.endswith(w, 0, i) for w in rule["exempt_before"])
                or any(folded.startswith(w, i + 2) for w in rule["exempt_after"])
            ):
                out.append(_hint(rule, text, i, i + 2))
            i = folded.find("可能", i + 2)
        # 为什么 → 是什么
        rule = h["weishenme"]
        for m in self._weishenme.finditer(folded):
            a = folded.find("为什么", m.start())
            out.append(_hint(rule, text, a, a + 3))
        out.extend(self._word_findings(text, folded))
        if ctx is not None and ctx.is_complaint:
            out.extend(self._name_finding(folded, ctx))
        return out

    def _word_findings(self, text: str, folded: str) -> list[Finding]:
        out: list[Finding] = []
        if not _CJK.search(folded):  # English mixed INTO Chinese is the problem, not English
            return out
        jargon, english = self.hints["jargon"], self.hints["english"]
        suggestions = self.words["english_suggestions"]
        for m in _ASCII_TOKEN.finditer(folded):
            token = m.group()
            low = token.lower()
            a, b = m.span()
            if low in self._acronyms:
                out.append(_hint(jargon, text, a, b, self._acronyms[low]))
            elif (
                any(c.isdigit() for c in token)  # model codes, order numbers, 220V
                or len(token) == 1
                or low in self._english_allow
                or "@" in token
                or "." in token
                or "://" in token
            ):
                continue
            elif any(c.isalpha() for c in token):
                out.append(
                    _hint(english, text, a, b, suggestions.get(low, english["default_suggestion"]))
                )
        if self._jargon_re is not None:
            for m in self._jargon_re.finditer(folded):
                a, b = m.span()
                out.append(_hint(jargon, text, a, b, self._jargon_words[m.group()]))
        return out

    def _name_finding(self, folded: str, ctx: Context) -> list[Finding]:
        rule = self.hints["no_name"]
        honorific = (ctx.honorific or "").strip()
        surname = (ctx.customer_surname or "").strip()
        if not honorific and not surname:
            return []  # nothing to suggest; recording the name is step 1 of the complaint flow
        if honorific and honorific.translate(self._table) in folded:
            return []
        if surname:
            s = surname.translate(self._table)
            i = folded.find(s)
            while i != -1:
                if folded.startswith(self._titles, i + len(s)):
                    return []
                i = folded.find(s, i + 1)
        address = honorific or f"{surname}先生/{surname}女士"
        # A reply-level hint: empty span at the start (the desk shows it above the reply).
        return [_hint(rule, "", 0, 0, rule["suggestion_template"].format(honorific=address))]


# ---------------------------------------------------------------------------------------
# Module-level API


@functools.lru_cache(maxsize=1)
def default_checker() -> Checker:
    """The shared checker compiled from the shipped packs (built on first use)."""
    return Checker()


@functools.lru_cache(maxsize=32)
def _checker_for(overrides_key: str) -> Checker:
    return Checker(load_packs(json.loads(overrides_key)))


def checker_for(overrides: list[dict] | None) -> Checker:
    """A checker with admin overrides applied; compiled once per distinct override set."""
    if not overrides:
        return default_checker()
    return _checker_for(json.dumps(overrides, sort_keys=True, ensure_ascii=False))


def check(text: str, context: Context | None = None) -> list[Finding]:
    """Check an agent reply against the service-language packs.

    Returns findings sorted by start offset; each ``finding.text == text[start:end]``.
    ``context`` adds the customer's name (for the complaint-opening hint) and any admin
    overrides of the phrase pack.
    """
    rows: list[dict] = []
    if context is not None:
        rows.extend(context.overrides or [])
        for pack in context.extra_packs or []:
            rows.extend(pack.get("entries", []))
    return checker_for(rows).check(text, context)


def is_forbidden(finding: Finding) -> bool:
    """True for a forbidden-phrase finding (what the corpus precision/recall measures)."""
    return finding.code.startswith("forbidden.")


def evaluate_corpus(path: str | Path, checker: Checker | None = None) -> dict[str, Any]:
    """Precision and recall of forbidden-phrase detection on a labelled JSONL corpus.

    Each line is ``{"text": ..., "expected": [codes], "note": ...}``; only ``forbidden.*``
    codes count. Scoring is per (reply, code): a code found and expected is a true positive.
    ``mistakes`` lists the replies that disagree, for whoever tunes the packs.
    """
    checker = checker or default_checker()
    tp = fp = fn = n = 0
    mistakes = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        n += 1
        want = {c for c in row.get("expected", []) if c.startswith("forbidden.")}
        got = {f.code for f in checker.check(row["text"]) if is_forbidden(f)}
        tp += len(want & got)
        fp += len(got - want)
        fn += len(want - got)
        if want != got:
            mistakes.append(
                {"text": row["text"], "missed": sorted(want - got), "extra": sorted(got - want)}
            )
    return {
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "n": n,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "mistakes": mistakes,
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m kefu.quality.language --corpus FILE`` or ``... "回复文本"``."""
    parser = argparse.ArgumentParser(description="服务用语检查")
    parser.add_argument("text", nargs="?", help="要检查的回复")
    parser.add_argument("--corpus", help="标注语料（JSONL），输出 precision/recall/n")
    parser.add_argument("--mistakes", action="store_true", help="同时列出不一致的语料行")
    args = parser.parse_args(argv)
    if args.corpus:
        result = evaluate_corpus(args.corpus)
        if not args.mistakes:
            result = {k: result[k] for k in ("precision", "recall", "n")}
        print(json.dumps(result, ensure_ascii=False, indent=None if not args.mistakes else 1))
        return 0
    if args.text is None:
        parser.error("给出要检查的文本，或 --corpus")
    print(json.dumps([f.to_dict() for f in check(args.text)], ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
