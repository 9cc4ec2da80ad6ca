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
NUMBERING = re.compile(r"^\s*(?:#{1,6}\s*)?(?:\*\*)?\s*(?:\(?\d{1,2}[.)]|[-*•])(?=\s)|(?<=\n)#{1,6}\s+\d{1,2}[.)]", re.MULTILINE)
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
    sections: dict          # kind -> heading phrase pattern anchored at the line start (after lead words)
    anywhere: dict          # kind -> the same phrases anywhere in a heading (a line may open several kinds)
    patterns: dict
    completed: re.Pattern
    future: re.Pattern
    specifics: re.Pattern
    generic: re.Pattern
    masked: re.Pattern
    max_per_rule: int


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
        lead = data["heading_lead"]
        phrases = {k: "|".join(f"(?:{p})" for p in v) for k, v in data["headings"].items()}
        sections = {k: re.compile(rf"^{lead}(?:{v})\b", re.IGNORECASE) for k, v in phrases.items()}
        anywhere = {k: re.compile(rf"\b(?:{v})\b", re.IGNORECASE) for k, v in phrases.items()}
        return _Policy(
            rules=data["rules"], weights=data["scoring"]["weights"], fail_below=data["scoring"]["fail_below"],
            warn_below=data["scoring"]["warn_below"], budget=data["budget"], sections=sections, anywhere=anywhere,
            patterns=patterns, completed=re.compile(data["tense"]["completed"], re.IGNORECASE),
            future=re.compile(data["tense"]["future"], re.IGNORECASE),
            specifics=re.compile("|".join(f"(?:{p})" for p in data["specifics"])),
            generic=re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in data["generic_lexicon"]) + r")\b",
                               re.IGNORECASE),
            masked=re.compile(data["masked_tokens"], re.IGNORECASE),
            max_per_rule=int(data["scoring"].get("max_per_rule") or 0))
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

    A label is a line that starts (after numbering, '#', '**' and a few lead words such as "My" or "Here are
    the") with one of the heading phrases of lint_rules.yaml: a short line standing alone, with or without a
    trailing ':' or '.' ("What went wrong:", "My actions to prevent this from happening again."), or words
    followed by ':' and the text ("Root cause: 31 of 44 ..."). One line may open several kinds.
    """
    pol = pol or policy()
    labels = []
    for pos, line in _lines(text):
        prefix = LABEL_PREFIX.match(line)
        rest = line[prefix.end():] if prefix else line
        first = [(m.end(), kind) for kind, pattern in pol.sections.items() if (m := pattern.match(rest))]
        if not first:
            continue
        head_end = min(e for e, _ in first)
        colon = INLINE_END.match(rest[head_end:])
        words = len(WORD.findall(rest))
        marked = line.lstrip().startswith(("#", "**"))
        if colon and rest[head_end:head_end + colon.end()].rstrip().endswith(":"):
            label = rest[: head_end + colon.end()]
            body = pos + prefix.end() + head_end + colon.end()
            if not rest[head_end + colon.end():].strip():
                body = pos + len(line)
        elif marked or (len(line) <= 90 and words <= 14):
            label = rest
            # A long sentence that opens with the words is itself the section's first content.
            body = pos + len(line) if words <= 10 or marked else pos
        else:
            continue
        kinds = [k for k in pol.sections if pol.anywhere[k].search(label)]
        for kind in kinds or [k for _, k in sorted(first)][:1]:
            labels.append((kind, pos, body))
    out = []
    starts = sorted({start for _, start, _ in labels})
    for kind, start, body in labels:
        nxt = next((s for s in starts if s > start), len(text))
        heading = HEADING_LINE.search(text, max(body, start + 1), nxt)
        end = heading.start() if heading and heading.start() > body else nxt
        out.append((kind, start, body, max(end, body)))
    return out


def _pattern_rules(text: str, pol: _Policy) -> list[Finding]:
    masked = [(m.start(), m.end()) for m in pol.masked.finditer(text)]
    found = []
    for rule, patterns in pol.patterns.items():
        for pattern in patterns:
            for m in pattern.finditer(text):
                if m.end() <= m.start():
                    continue
                if rule == "placeholder" and any(a <= m.start() and m.end() <= b for a, b in masked):
                    continue  # "[phone]" in a quoted review is masked personal data, not a slot to fill
                found.append(_finding(pol, rule, text, m.start(), m.end()))
    return found


def _line_span(text: str, start: int) -> tuple[int, int]:
    end = text.find("\n", start)
    return start, len(text) if end < 0 else end


def _first_paragraph(text: str) -> tuple[int, int]:
    """The first paragraph after the greeting (where a missing section is most usefully reported)."""
    paragraphs = [m for m in re.finditer(r"[^\n](?:.|\n(?!\s*\n))*", text)]
    for m in paragraphs:
        words = WORD.findall(m.group())
        if len(words) > 4 and not re.match(r"\s*(?:date\b|dear\b|to\b|hello\b|hi\b|subject\b|re:)", m.group(),
                                            re.IGNORECASE):
            return m.start(), m.end()
    return (0, len(text)) if text else (0, 0)


def specific_facts(text: str, pol: _Policy | None = None) -> list[re.Match]:
    """Counts, percentages, dates, order ids, SKUs/ASINs, carriers and places in `text` (list numbering is
    not a number)."""
    pol = pol or policy()
    cleaned = NUMBERING.sub(lambda m: " " * len(m.group()), text)
    return list(pol.specifics.finditer(cleaned))


def _section_rules(text: str, sections, pol: _Policy) -> list[Finding]:
    found = []
    kinds = {s[0] for s in sections}
    order = list(SECTION_RULES)
    for kind, rule in SECTION_RULES.items():
        if kind in kinds:
            continue
        # Point where the section belongs: the label of the section it should follow, else the letter's
        # first paragraph.
        before = [s for s in sections if order.index(s[0]) < order.index(kind)]
        start, end = _line_span(text, before[-1][1]) if before else _first_paragraph(text)
        found.append(_finding(pol, rule, text, start, end))
    roots = [(b, e, s) for k, s, b, e in sections if k == "root_cause"]
    for body, end, start in roots:
        if not specific_facts(text[body:end], pol):
            found.append(_finding(pol, "root_cause_no_numbers", text, start, end))
    spans = [(b, e) for b, e, _ in roots] or [(0, len(text))]
    specific = any(specific_facts(text[b:e], pol) for b, e in spans)
    if not specific:
        hits = [m for b, e in spans for m in pol.generic.finditer(text, b, e)]
        if hits:
            found.append(_finding(pol, "generic_root_cause", text, hits[0].start(), hits[0].end()))
    return found


MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                      "dec"), 1)}
DATE_WITH_YEAR = re.compile(
    r"\b(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m1>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(?P<y1>\d{4})\b"
    r"|\b(?P<m2>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{4})\b"
    r"|\b(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2})\b", re.IGNORECASE)
LETTER_DATE = re.compile(r"^\W{0,4}date\W{0,4}:\W{0,4}(.+)$", re.IGNORECASE | re.MULTILINE)


def parse_date(m: re.Match):
    """The date of a DATE_WITH_YEAR match (None when it is not a real day)."""
    import datetime as dt
    try:
        if m.group("y1"):
            return dt.date(int(m.group("y1")), MONTHS[m.group("m1")[:3].lower()], int(m.group("d1")))
        if m.group("y2"):
            return dt.date(int(m.group("y2")), MONTHS[m.group("m2")[:3].lower()], int(m.group("d2")))
        return dt.date(int(m.group("y3")), int(m.group("m3")), int(m.group("d3")))
    except ValueError:
        return None


def letter_date(text: str):
    """The letter's own date: a "Date: ..." line near its top (None when it has none)."""
    for m in LETTER_DATE.finditer(text[:600]):
        d = DATE_WITH_YEAR.search(m.group(1))
        if d:
            return parse_date(d)
    return None


def _date_rules(text: str, sections, pol: _Policy, when) -> list[Finding]:
    import datetime as dt
    when = when if isinstance(when, dt.date) or when is None else dt.date.fromisoformat(str(when)[:10])
    when = letter_date(text) or when
    if when is None:
        return []
    found = []
    for kind, start, body, end in sections:
        if kind != "corrective" or any(k == "preventive" and s == start for k, s, _, _ in sections):
            continue  # a heading that opens both kinds may hold planned dates
        for m in DATE_WITH_YEAR.finditer(text, body, end):
            day = parse_date(m)
            if day and day > when:
                found.append(_finding(pol, "action_after_letter_date", text, m.start(), m.end()))
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


def lint(text: str, *, budget: dict | None = None, rules_file: str | Path | None = None,
         date=None) -> LintResult:
    """Check a Plan of Action the way a Seller Performance reviewer reads it.

    budget      overrides of {"words", "chars", "field_chars"} (None keeps the rule file's value)
    date        the letter's date when it has no "Date: ..." line (actions "taken" must not be later)
    Returns a LintResult: verdict "pass" (no warnings or errors), "warn" (warnings only) or "fail" (an error,
    or a score under the fail threshold), a score from 0 to 100, and findings ordered by position.
    """
    pol = policy(str(rules_file or RULES_FILE))
    limits = {**pol.budget, **{k: v for k, v in (budget or {}).items() if v is not None}}
    sections = find_sections(text, pol)
    length, fields = _length_rules(text, sections, limits, pol)
    findings = (_pattern_rules(text, pol) + _section_rules(text, sections, pol) + _tense_rules(text, sections, pol)
                + _repeats(text, pol) + _date_rules(text, sections, pol, date) + length)
    unique = sorted({(f.start, f.end, f.rule): f for f in findings}.values(), key=lambda f: (f.start, f.end, f.rule))
    counted: dict[str, int] = {}
    for f in unique:  # one problem in many places costs at most max_per_rule findings
        counted[f.rule] = min(counted.get(f.rule, 0) + 1, pol.max_per_rule or 10**9)
    score = max(0.0, 100.0 - sum(pol.weights[pol.rules[r]["severity"]] * n for r, n in counted.items()))
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
