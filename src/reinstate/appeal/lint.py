"""Letter linter: reviewer-style findings on a Plan of Action, with character spans, a score and a verdict.

Rules, severities, hints, patterns and the length budget are data (lint_rules.yaml next to this file).
Works on plain text and on the Markdown the templates produce.

    >>> result = lint("Dear team, I beg you to reinstate my account.")
    >>> result.verdict, sorted({f.rule for f in result.findings})[:2]
    ('fail', ['begging', 'missing_corrective_actions'])
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import ConfigError

RULES_FILE = Path(__file__).with_name("lint_rules.yaml")
SECTION_RULES = {"root_cause": "missing_root_cause", "corrective": "missing_corrective_actions",
                 "preventive": "missing_preventive_measures"}
LABEL_PREFIX = re.compile(r"^\s*(?:#{1,6}\s*)?(?:\*\*)?\s*(?:[-*•–—]\s*|\(?\d{1,2}[.)]\s*|[a-z][.)]\s+)?(?:\*\*)?\s*")
# A section also ends at the next heading: Markdown '#', or in plain text a short unpunctuated line
# standing alone between blank lines ("Supporting evidence").
HEADING_LINE = re.compile(r"^#{1,6}\s.*$|(?<=\n\n)[^\n]{1,60}(?<![.,;:!?])(?=\n\n)", re.MULTILINE)
# After the section words, an inline label ends with ':' within a few words, or with '**' / '.**'.
INLINE_END = re.compile(r"[^:.\n]{0,40}:|\s*\.?\*\*")
SENTENCE = re.compile(r"[^.!?\n]+[.!?]")
WORD = re.compile(r"\b\w[\w'’-]*\b")


@dataclass(frozen=True)
class Finding:
    """One problem: rule id, severity (error|warning|info), [start, end) offsets into the text, excerpt, hint."""
    rule: str
    severity: str
    start: int
    end: int
    excerpt: str
    hint: str


@dataclass
class LintResult:
    """Findings plus a 0-100 score, a pass/warn/fail verdict and word/character counts per section."""
    verdict: str
    score: float
    findings: list[Finding]
    words: int = 0
    chars: int = 0
    fields: dict[str, int] = field(default_factory=dict)   # section -> characters (the form's field counter)

    def to_dict(self) -> dict:
        """The JSON contract: {"verdict", "score", "findings": [{rule, severity, start, end, excerpt, hint}]}."""
        return {"verdict": self.verdict, "score": self.score, "findings": [asdict(f) for f in self.findings]}

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)


@dataclass(frozen=True)
class _Policy:
    rules: dict
    weights: dict
    fail_below: float
    warn_below: float
    budget: dict
    sections: dict
    patterns: dict
    completed: re.Pattern
    future: re.Pattern


@lru_cache(maxsize=4)
def policy(path: str = str(RULES_FILE)) -> _Policy:
    """The rule set from lint_rules.yaml, patterns compiled once."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        patterns = {}
        for rule, spec in data["rules"].items():
            flags = 0 if spec.get("case") else re.IGNORECASE
            # One alternation per rule: one pass over the text instead of one per pattern.
            parts = [f"(?i:{p[4:]})" if p.startswith("(?i)") else f"(?:{p})" for p in spec.get("patterns", [])]
            patterns[rule] = [re.compile("|".join(parts), flags | re.MULTILINE)] if parts else []
        sections = {k: re.compile(v, re.IGNORECASE) for k, v in data["sections"].items()}
        return _Policy(
            rules=data["rules"], weights=data["scoring"]["weights"], fail_below=data["scoring"]["fail_below"],
            warn_below=data["scoring"]["warn_below"], budget=data["budget"], sections=sections, patterns=patterns,
            completed=re.compile(data["tense"]["completed"], re.IGNORECASE),
            future=re.compile(data["tense"]["future"], re.IGNORECASE))
    except (OSError, KeyError, TypeError, yaml.YAMLError, re.error) as exc:
        raise ConfigError(f"{path}: invalid lint rules ({exc})") from None


def _finding(pol: _Policy, rule: str, text: str, start: int, end: int) -> Finding:
    spec = pol.rules[rule]
    excerpt = " ".join(text[start:end].split())
    if len(excerpt) > 80:
        excerpt = excerpt[:77] + "..."
    return Finding(rule, spec["severity"], start, end, excerpt, spec["hint"])


def _lines(text: str):
    pos = 0
    for line in text.splitlines(keepends=True):
        yield pos, line.rstrip("\r\n")
        pos += len(line)


def find_sections(text: str, pol: _Policy | None = None) -> list[tuple[str, int, int, int]]:
    """(kind, label_start, body_start, body_end) for each root-cause/corrective/preventive label.

    A label is either a heading-like line (short, a Markdown heading, or ending with ':') containing the
    section words, or a line that starts with them followed by ':' ("Root cause: 31 of 44 ...").
    """
    pol = pol or policy()
    labels = []
    for pos, line in _lines(text):
        prefix = LABEL_PREFIX.match(line)
        rest = line[prefix.end():] if prefix else line
        heading_like = len(line) <= 80 and (line.lstrip().startswith(("#", "**")) or line.rstrip().endswith(":")
                                             or not line.rstrip().endswith((".", ",", ";")))
        for kind, pattern in pol.sections.items():
            m = pattern.search(rest)
            if not m:
                continue
            inline = m.start() == 0 and INLINE_END.match(rest[m.end():])
            if heading_like or inline:
                body = pos + prefix.end() + m.end() + inline.end() if inline and not heading_like else pos + len(line)
                labels.append((kind, pos, body))
                break
    out = []
    for i, (kind, start, body) in enumerate(labels):
        nxt = labels[i + 1][1] if i + 1 < len(labels) else len(text)
        heading = HEADING_LINE.search(text, body, nxt)
        end = heading.start() if heading else nxt
        out.append((kind, start, body, end))
    return out


def _pattern_rules(text: str, pol: _Policy) -> list[Finding]:
    found = []
    for rule, patterns in pol.patterns.items():
        for pattern in patterns:
            found += [_finding(pol, rule, text, m.start(), m.end()) for m in pattern.finditer(text) if m.end() > m.start()]
    return found


def _section_rules(text: str, sections, pol: _Policy) -> list[Finding]:
    found = []
    kinds = {s[0] for s in sections}
    for kind, rule in SECTION_RULES.items():
        if kind not in kinds:
            found.append(_finding(pol, rule, text, 0, min(len(text), 1)))
    for kind, start, body, end in sections:
        if kind == "root_cause" and not re.search(r"\d", text[body:end]):
            found.append(_finding(pol, "root_cause_no_numbers", text, start, end))
    return found


def _tense_rules(text: str, sections, pol: _Policy) -> list[Finding]:
    spans = [(b, e) for k, _, b, e in sections if k == "corrective"] or [(0, len(text))]
    done = [m for b, e in spans for m in pol.completed.finditer(text, b, e)]
    promised = [m for b, e in spans for m in pol.future.finditer(text, b, e)]
    if promised and not done:
        m = promised[0]
        return [_finding(pol, "only_future_promises", text, m.start(), m.end())]
    if len(promised) >= 3 and len(promised) > len(done):
        m = promised[0]
        return [_finding(pol, "promises_outweigh_actions", text, m.start(), m.end())]
    return []


def _repeats(text: str, pol: _Policy) -> list[Finding]:
    seen, found = set(), []
    for m in SENTENCE.finditer(text):
        words = [w.lower() for w in WORD.findall(m.group())]
        if len(words) < 5:
            continue
        key = " ".join(words)
        if key in seen:
            start = m.start() + len(m.group()) - len(m.group().lstrip())
            found.append(_finding(pol, "repeated_sentence", text, start, m.end()))
        seen.add(key)
    return found


def _length_rules(text: str, sections, budget: dict, pol: _Policy) -> tuple[list[Finding], dict]:
    found = []
    words = list(WORD.finditer(text))
    if budget.get("words") and len(words) > budget["words"]:
        found.append(_finding(pol, "too_long_words", text, words[budget["words"]].start(), len(text)))
    if budget.get("chars") and len(text) > budget["chars"]:
        found.append(_finding(pol, "too_long_chars", text, budget["chars"], len(text)))
    fields: dict[str, int] = {}
    for kind, start, body, end in sections:
        fields[kind] = fields.get(kind, 0) + len(text[body:end].strip())
    limit = budget.get("field_chars")
    if limit:
        for kind, start, body, end in sections:
            if len(text[body:end].strip()) > limit:
                found.append(_finding(pol, "field_too_long", text, start, end))
    return found, fields


def lint(text: str, *, budget: dict | None = None, rules_file: str | Path | None = None) -> LintResult:
    """Check a Plan of Action the way a Seller Performance reviewer reads it.

    budget      overrides of {"words", "chars", "field_chars"} (None keeps the rule file's value)
    Returns a LintResult: verdict "pass" (no warnings or errors), "warn" (warnings only) or "fail" (an error,
    or a score under the fail threshold), a score from 0 to 100, and findings ordered by position.
    """
    pol = policy(str(rules_file or RULES_FILE))
    limits = {**pol.budget, **{k: v for k, v in (budget or {}).items() if v is not None}}
    sections = find_sections(text, pol)
    length, fields = _length_rules(text, sections, limits, pol)
    findings = (_pattern_rules(text, pol) + _section_rules(text, sections, pol) + _tense_rules(text, sections, pol)
                + _repeats(text, pol) + length)
    unique = sorted({(f.start, f.end, f.rule): f for f in findings}.values(), key=lambda f: (f.start, f.end, f.rule))
    score = max(0.0, 100.0 - sum(pol.weights[f.severity] for f in unique))
    severities = {f.severity for f in unique}
    if "error" in severities or score < pol.fail_below:
        verdict = "fail"
    elif "warning" in severities or score < pol.warn_below:
        verdict = "warn"
    else:
        verdict = "pass"
    return LintResult(verdict, score, unique, words=len(WORD.findall(text)), chars=len(text), fields=fields)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset, for messages."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
