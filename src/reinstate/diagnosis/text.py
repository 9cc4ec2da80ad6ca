"""Text cause classifier: per-language lexicons (YAML data files) compiled to one regex per cause.

A lexicon file ``<lang>.yaml`` holds, per cause, literal ``phrases`` and regex ``patterns``, plus the
language's negation cues (``before`` a phrase for most languages, ``after`` it for Japanese) and a window;
``defines`` names regex fragments that the file's patterns share (``{{name}}`` in a pattern). A cause's
``never_negated`` patterns are hits no negation cue cancels ("sem nota fiscal" is the complaint itself).
The packaged lexicons live in ``reinstate/diagnosis/lexicons/``. An analyst extends them without code by
putting files of the same shape in a directory and passing it as ``lexicon_dirs`` (CLI: ``--lexicon DIR``):
a file for a known language adds its phrases, patterns and cues to the packaged ones; a new language code
adds a language.

Matching is vectorised: for every cause, one alternation over all phrases of the selected languages is
counted in each text, and so is the alternation of "negation cue + phrase". The lexicon verdict for a cause
is "more phrase hits than negated hits" ("not damaged" cancels its own hit, "not damaged but broken" keeps
one). Text and phrases are lower-cased and stripped of accents first, so "nao recebi" and "não recebi" are
one phrase. The counting runs in RE2 (pyarrow's compute kernels) wherever that gives Python's answer, see
``_count``.

Who decides: the statistical model (``model.py``: hashed character/word n-grams + the lexicon verdicts as
inputs, one logistic regression per cause, thresholds chosen by cross-validation on development data) when
it is packaged; the lexicons alone with ``model=False``. ``other`` (a generic complaint) is only kept when no
specific cause is tagged. ``classify_detail`` reports per tag whether the lexicon verdicts were needed.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .model import TextModel, load_model, star_columns
from .policy import HERE, read_yaml

LEXICON_DIR = HERE / "lexicons"
TEXT_CAUSES = ("transit_damage", "product_defect", "not_as_described", "wrong_item", "used_sold_as_new",
               "item_not_received", "late_delivery", "unresponsive_service", "other")
# Clause punctuation stops a negation window ("no problem, never arrived" keeps "never arrived").
_SEP = r"[^\w.,;:!?。、！？]+"
# Contrast words end a negation's reach like punctuation: "nao e ruim, mas veio quebrado", "no issue but broken".
CONTRAST = ("mas", "porem", "but", "however", "aber", "jedoch", "pero", "sino", "mais", "ma", "pero", "pourtant")
_WORD = r"(?!(?:%s)\b)\w+" % "|".join(sorted(set(CONTRAST)))
_ACCENTS = re.compile(r"[\u0300-\u036f]")


def normalize(texts: pd.Series) -> pd.Series:
    """Lower-case, NFKD, drop combining accents, unify apostrophes (vectorised)."""
    s = texts.astype("string").str.lower().str.normalize("NFKD")
    s = s.str.replace(_ACCENTS.pattern, "", regex=True)
    return s.str.replace("[\u2019\u2018`´]", "'", regex=True)


def _norm(text: str) -> str:
    """The same normalisation as ``normalize`` for one lexicon string."""
    s = unicodedata.normalize("NFKD", str(text).lower())
    return re.sub("[\u2019\u2018`\u00b4]", "'", _ACCENTS.sub("", s))


@dataclass(frozen=True)
class Lexicon:
    language: str
    word_boundary: bool
    before: tuple[str, ...]
    after: tuple[str, ...]
    window: int
    phrases: dict  # cause -> tuple of literal phrases
    patterns: dict  # cause -> tuple of regexes (a negation cue before one cancels its hit)
    sources: tuple[str, ...]
    never_negated: dict  # cause -> tuple of regexes whose hits no negation cue cancels


def _as_list(value, path, key) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise ConfigError(f"{path}: '{key}' must be a list of strings")
    for v in value:  # YAML reads an unquoted no / yes / on / off as true or false, not as the word
        if isinstance(v, bool):
            raise ConfigError(f"{path}: '{key}' has {str(v).lower()}, which YAML read from an unquoted word such as "
                              f"no, yes, on or off: put the word in quotes ('no')")
    return [str(v) for v in value]


_DEFINED = re.compile(r"\{\{(\w+)\}\}")


def _expand(pattern: str, defines: dict, path, where: str) -> str:
    """``{{name}}`` in a pattern stands for the file's ``defines: {name: fragment}`` as a group: one list of
    words several patterns share is written once."""
    def sub(m: re.Match) -> str:
        if m.group(1) not in defines:
            raise ConfigError(f"{path}: {where}: '{{{{{m.group(1)}}}}}' is not in 'defines' "
                              f"(defined: {', '.join(defines) or 'none'})")
        return f"(?:{defines[m.group(1)]})"
    return _DEFINED.sub(sub, pattern)


def read_lexicon(path: Path) -> Lexicon:
    """Parse and check one lexicon file; errors name the file and the offending key."""
    data = read_yaml(path)
    lang = str(data.get("language") or Path(path).stem)
    neg = data.get("negation") or {}
    causes = data.get("causes") or {}
    if not isinstance(causes, dict):
        raise ConfigError(f"{path}: 'causes' must map cause ids to phrases/patterns")
    defines = data.get("defines") or {}
    if not isinstance(defines, dict) or not all(isinstance(v, str) for v in defines.values()):
        raise ConfigError(f"{path}: 'defines' must map names to regex fragments")
    phrases, patterns, fixed = {}, {}, {}
    for cause, entry in causes.items():
        if cause not in TEXT_CAUSES:
            raise ConfigError(f"{path}: unknown cause '{cause}' (expected one of {', '.join(TEXT_CAUSES)})")
        entry = entry or {}
        if isinstance(entry, list):  # a bare list is a list of phrases
            entry = {"phrases": entry}
        phrases[cause] = tuple(_as_list(entry.get("phrases"), path, f"causes.{cause}.phrases"))
        for key, into in (("patterns", patterns), ("never_negated", fixed)):
            pats = tuple(_expand(p, defines, path, f"causes.{cause}.{key}")
                         for p in _as_list(entry.get(key), path, f"causes.{cause}.{key}"))
            for p in pats:
                try:
                    re.compile(p)
                except re.error as exc:
                    raise ConfigError(f"{path}: causes.{cause}.{key}: invalid regex {p!r} ({exc})") from None
            into[cause] = pats
    return Lexicon(lang, bool(data.get("word_boundary", True)),
                   tuple(_as_list(neg.get("before"), path, "negation.before")),
                   tuple(_as_list(neg.get("after"), path, "negation.after")),
                   int(neg.get("window", 3)), phrases, patterns, (str(path),), fixed)


def _merge(a: Lexicon, b: Lexicon) -> Lexicon:
    causes = set(a.phrases) | set(b.phrases)
    return Lexicon(a.language, a.word_boundary, a.before + b.before, a.after + b.after, max(a.window, b.window),
                   {c: a.phrases.get(c, ()) + b.phrases.get(c, ()) for c in causes},
                   {c: a.patterns.get(c, ()) + b.patterns.get(c, ()) for c in causes},
                   a.sources + b.sources,
                   {c: a.never_negated.get(c, ()) + b.never_negated.get(c, ()) for c in causes})


@lru_cache(maxsize=32)
def load_lexicons(lexicon_dirs: tuple[str, ...] = ()) -> dict[str, Lexicon]:
    """Packaged lexicons, extended by every ``*.yaml`` in ``lexicon_dirs`` (in order)."""
    out: dict[str, Lexicon] = {}
    for folder in (LEXICON_DIR, *map(Path, lexicon_dirs)):
        if not Path(folder).is_dir():
            raise ConfigError(f"{folder}: lexicon directory not found")
        for path in sorted(Path(folder).glob("*.yaml")):
            lex = read_lexicon(path)
            out[lex.language] = _merge(out[lex.language], lex) if lex.language in out else lex
    return out


def _alt(items) -> str:
    items = sorted(set(items), key=len, reverse=True)
    # The leading word boundary of most alternatives is tested once per position, not once per alternative
    # (inside words the scan then fails at once): "\b(?:a|b|c)|rest".
    bounded = [i[2:] for i in items if i.startswith("\\b") and _top_level_single(i)]
    rest = [i for i in items if not (i.startswith("\\b") and _top_level_single(i))]
    if len(bounded) > 1:
        return "|".join(["\\b(?:%s)" % "|".join(bounded), *rest])
    return "|".join(items)


def _top_level_single(rx: str) -> bool:
    """True when ``rx`` has no top-level ``|`` (stripping its leading \\b keeps its meaning)."""
    return not any(ch == "|" and depth == 0 for _, ch, depth in _scan(rx))


def _phrase_regex(phrase: str, boundary: bool) -> str:
    body = r"\s+".join(re.escape(w) for w in _norm(phrase).split())
    return (r"\b" + body) if boundary and re.match(r"\w", body) else body


def _trie_regex(phrases, boundary: bool) -> str:
    """One regex for many literal phrases, factored by common prefixes ("nao recebi|nao chegou" ->
    "nao\\s+(?:recebi|chegou)"). Python's re tries every alternative of a flat alternation at every position;
    the factored form cut the lexicon scan of 100k distinct texts several-fold."""
    words = sorted({" ".join(_norm(p).split()) for p in phrases} - {""})
    if not words:
        return ""
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node) -> str:
        alts = [(r"\s+" if ch == " " else re.escape(ch)) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:%s)" % "|".join(alts)
        if "" in node:  # a phrase ends here and longer ones continue: the continuation is optional (greedy)
            return "(?:%s)?" % body
        return body

    if not boundary:
        return emit(root)
    word = {ch: child for ch, child in root.items() if re.match(r"\w", ch)}
    other = {ch: child for ch, child in root.items() if not re.match(r"\w", ch)}
    if not other:
        return r"\b" + emit(word)
    parts = ([r"\b" + emit(word)] if word else []) + [emit(other)]
    return "|".join(f"(?:{x})" for x in parts)


def _cue_regex(cues) -> str:
    """Cues are literal words unless they contain a backslash (then a regex, e.g. ``\\w+n't``)."""
    return _alt(c if "\\" in c else re.escape(_norm(c)) for c in cues)


@lru_cache(maxsize=64)
def compile_causes(languages: tuple[str, ...] | None = None,
                   lexicon_dirs: tuple[str, ...] = ()) -> dict[str, tuple[re.Pattern, re.Pattern | None]]:
    """cause -> (phrase regex, negated-phrase regex) over the chosen languages (all when None)."""
    lexicons = load_lexicons(lexicon_dirs)
    chosen = [lexicons[l] for l in (languages or sorted(lexicons)) if l in lexicons]
    out = {}
    for cause in TEXT_CAUSES:
        pos, neg = [], []
        for lex in chosen:
            phrases = list(lex.phrases.get(cause, ()))
            patterns = [_norm(p) for p in lex.patterns.get(cause, ())]
            fixed = [_norm(p) for p in lex.never_negated.get(cause, ())]
            items = [x for x in [_trie_regex(phrases, lex.word_boundary)] if x] + patterns  # a cue may cancel these
            if not items + fixed:
                continue
            pos.append(_alt(items + fixed))
            if lex.before:
                cue_words = [_norm(c) for c in lex.before if "\\" not in c]
                # A phrase that is itself a negation ("no response", "pas reçu") is never negated again.
                # (a pattern "\\b(?:nao|n) funciona" starts with a cue too: its first alternative is looked at)
                starts_neg = re.compile(r"(?:\\b)?(?:\(\?:)?(?:%s)\b" % _alt(map(re.escape, cue_words))) if cue_words else None
                def is_neg(raw, rx=starts_neg) -> bool:
                    return bool(rx and rx.match(_norm(raw)))
                negatable = [x for x in [_trie_regex([p for p in phrases if not is_neg(p)], lex.word_boundary)] if x]
                negatable += [p for p in patterns if not is_neg(p)]
                if negatable:
                    neg.append(r"\b(?:%s)\b(?:%s%s){0,%d}?%s(?:%s)" % (
                        _cue_regex(lex.before), _SEP, _WORD, lex.window, _SEP, _alt(negatable)))
            if lex.after and items:
                neg.append(r"(?:%s)[^。、.,!?！？\s]{0,%d}(?:%s)" % (_alt(items), lex.window,
                                                                  _cue_regex(lex.after)))
        if pos:
            out[cause] = (re.compile("|".join(f"(?:{p})" for p in pos)),
                          re.compile("|".join(f"(?:{n})" for n in neg)) if neg else None)
    return out


LOOKAROUNDS = ("(?=", "(?!", "(?<=", "(?<!")


def strip_lookarounds(rx: str) -> str:
    """``rx`` without its lookaround groups ``(?=..)``, ``(?!..)``, ``(?<=..)``, ``(?<!..)``: a pattern that
    matches wherever ``rx`` does (and maybe more), which RE2 can compile."""
    spans, opened = [], []
    for i, ch, _ in _scan(rx):
        if ch == "(":
            opened.append(i)
        elif ch == ")" and opened:
            start = opened.pop()
            if rx.startswith(LOOKAROUNDS, start):
                spans.append((start, i + 1))
    out, pos = [], 0
    for start, end in sorted(spans):
        if start >= pos:  # a lookaround inside one already dropped goes with it
            out.append(rx[pos:start])
            pos = end
    out.append(rx[pos:])
    return "".join(out)


def _scan(rx: str):
    """(index, char, depth before it) of the pattern's structural characters: escapes and character classes
    are skipped, so only real group parentheses and alternation bars come out."""
    depth, i, n = 0, 0, len(rx)
    while i < n:
        ch = rx[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            j = i + 1
            if j < n and rx[j] == "^":
                j += 1
            if j < n and rx[j] == "]":
                j += 1
            while j < n and rx[j] != "]":
                j += 2 if rx[j] == "\\" else 1
            i = j + 1
            continue
        if ch in "()|":
            yield i, ch, depth
            depth += ch == "("
            depth -= ch == ")"
        i += 1


def _alternatives(rx: str) -> list[str]:
    """The pattern's top-level alternatives, with groups that wrap a whole alternative opened up:
    "(?:a|b)|c" -> ["a", "b", "c"]. Their alternation in this order means what ``rx`` means."""
    cuts = [i for i, ch, d in _scan(rx) if ch == "|" and d == 0]
    parts = [rx[x + 1:y] for x, y in zip([-1, *cuts], [*cuts, len(rx)])]
    if len(parts) == 1:
        closing = [i for i, ch, d in _scan(rx) if ch == ")" and d == 1]
        if rx.startswith("(?:") and closing and closing[0] == len(rx) - 1:
            return _alternatives(rx[3:-1])
        return parts
    return [a for p in parts for a in _alternatives(p)]


@lru_cache(maxsize=512)
def _re2_plan(pattern: str) -> tuple[str | None, str | None] | None:
    """How pyarrow's RE2 kernels can count ``pattern`` on ASCII texts: (plain, filter) or None.

    ``plain``: the alternatives without lookaround (RE2 cannot run those), in their order; ``filter``: the
    others with their lookarounds removed (it matches wherever they could). A text the filter does not
    match is counted exactly by ``plain`` (no lookaround alternative can match anywhere in it, so the regex
    engine takes the same matches); the rest is left to Python's ``re``. None: RE2 cannot compile it."""
    import pyarrow as pa
    import pyarrow.compute as pc
    plain, look = [], []
    for alt in _alternatives(pattern):
        stripped = strip_lookarounds(alt)
        (plain if stripped == alt else look).append(stripped)
    plan = tuple("|".join(f"(?:{a})" for a in group) if group else None for group in (plain, look))
    try:
        for rx in plan:
            if rx is not None:
                pc.count_substring_regex(pa.array([""], type=pa.large_string()), rx)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return plan


def _count(rx: re.Pattern, norm: pd.Series, ascii_rows: np.ndarray, ascii_arr) -> np.ndarray:
    """Matches of ``rx`` per text, like ``norm.str.count(rx)``. Python's ``re`` scans text by text; RE2
    (pyarrow's compute kernels) scans all texts in C++ tens of times faster. RE2 is used on the printable
    ASCII texts only (there its \\w, \\b and \\s mean what Python's do), see ``_re2_plan``; the texts a
    lookaround alternative may match and all other texts go to Python's ``re``."""
    import pyarrow.compute as pc
    out = np.zeros(len(norm), dtype=np.int64)
    plan = _re2_plan(rx.pattern) if len(ascii_rows) else None
    if plan is None:
        return np.array(norm.str.count(rx), dtype=np.int64)  # a copy: pandas 3 may hand out read-only arrays
    plain, filt = plan
    python = np.ones(len(norm), dtype=bool)
    python[ascii_rows] = False
    easy = ascii_rows
    if filt is not None:
        hit = pc.match_substring_regex(ascii_arr, filt).to_numpy(zero_copy_only=False)
        python[ascii_rows[hit]] = True
        easy = ascii_rows[~hit]
        ascii_arr = ascii_arr.filter(~hit)
    if plain is not None and len(easy):
        out[easy] = pc.count_substring_regex(ascii_arr, plain).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(python)
    if len(rows):
        out[rows] = np.asarray(norm.iloc[rows].str.count(rx), dtype=np.int64)
    return out


def lexicon_counts(norm: pd.Series, compiled) -> np.ndarray:
    """(n, len(TEXT_CAUSES)) 0/1 lexicon verdicts for distinct normalised texts (phrase hits > negated hits)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    norm = norm.reset_index(drop=True)
    out = np.zeros((len(norm), len(TEXT_CAUSES)), dtype=bool)
    arr = pa.array(norm.astype(object).tolist(), type=pa.large_string())
    # printable ASCII: control characters like \\v are \\s to Python but not to RE2
    ascii_rows = np.flatnonzero(pc.match_substring_regex(arr, "^[ -~]*$").to_numpy(zero_copy_only=False))
    ascii_arr = arr.take(ascii_rows)
    for j, cause in enumerate(TEXT_CAUSES):
        if cause not in compiled:
            continue
        pos, neg = compiled[cause]
        hits = _count(pos, norm, ascii_rows, ascii_arr)
        if neg is not None and (hits > 0).any():
            some = np.flatnonzero(hits > 0)
            sub = norm.iloc[some].reset_index(drop=True)
            sub_ascii = np.flatnonzero(np.isin(some, ascii_rows))
            hits[some] -= _count(neg, sub, sub_ascii, arr.take(some[sub_ascii]))
        out[:, j] = hits > 0
    return out


def classify_detail(texts: pd.Series, *, languages=None, lexicon_dirs=(), model=True,
                    ratings: pd.Series | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(tags, decided_by): one boolean column per text cause, and per cause who decided a True tag:
    ``"model"`` (the n-gram model reaches the cause's threshold with no lexicon hit) or ``"lexicon"`` (it
    took the lexicons' verdicts, inputs of the model, to reach it), "" else.

    ``model=False`` (or no packaged model): the lexicons alone decide (``decided_by`` "lexicon"); a
    ``TextModel`` instead of True uses that model. With the model (``model.py``), a cause is tagged when
    its probability reaches the cause's threshold, ``other`` only when no specific cause is tagged.
    ``ratings``: the star rating (1-5) given with each text when it is a feedback text (same index as
    ``texts``, missing for claims, returns and unrated texts); the model takes it as an input.
    """
    langs = tuple(languages) if languages else None
    compiled = compile_causes(langs, tuple(map(str, lexicon_dirs)))
    out = pd.DataFrame(False, index=texts.index, columns=list(TEXT_CAUSES))
    by = pd.DataFrame("", index=texts.index, columns=list(TEXT_CAUSES), dtype=object)
    present = texts.notna() & texts.astype("string").str.strip().ne("").fillna(False)
    if not present.any():
        return out, by
    # Each distinct text is classified once (buyer texts repeat a lot: "Arrived damaged", "Great").
    # Normalised per distinct raw text too; distinct raw texts that normalise alike are then merged.
    # A (text, star rating) pair is one input: the same words may be praise at 5 stars and a complaint at 1.
    raw_codes, raw_uniques = pd.factorize(texts[present].astype("string"))
    norm_codes, uniques = pd.factorize(normalize(pd.Series(raw_uniques, dtype="string")).astype(object))
    given = star_columns(np.asarray(ratings)[present.to_numpy()] if ratings is not None
                         else np.full(int(present.sum()), np.nan))
    star = given.argmax(axis=1) + given.any(axis=1)             # 0 = no rating, else 1-5
    codes, pairs = pd.factorize(norm_codes[raw_codes].astype(np.int64) * 6 + star)
    norm = pd.Series(uniques[pairs // 6], dtype=object)
    stars = star_columns(np.where(pairs % 6 > 0, pairs % 6, np.nan))
    tm = model if isinstance(model, TextModel) else (load_model() if model else None)
    if tm is None:
        final = lexicon_counts(norm, compiled)
        decided = np.where(final, "lexicon", "")
    else:
        final, from_lexicon = _model_verdicts(tm, norm, compiled, stars)
        decided = np.where(final, np.where(from_lexicon, "lexicon", "model"), "")
    # ``other`` (a generic complaint) only when no specific cause is tagged.
    k = TEXT_CAUSES.index("other")
    final[:, k] &= ~np.delete(final, k, axis=1).any(axis=1)
    decided = np.where(final, decided, "")
    rows = present[present].index
    out.loc[rows, :] = final[codes]
    by.loc[rows, :] = decided[codes]
    return out, by


def log_odds(p):
    """log(p / (1 - p)): probabilities, thresholds and floors on the scale ``tags_from_scores``' margin needs."""
    p = np.asarray(p)  # keeps the dtype (the shipped thresholds are float32, as the logits they are compared with)
    return np.log(p / (1 - p))


def tags_from_scores(scores: np.ndarray, causes, cut, floor=None, margin: float = 0.0) -> np.ndarray:
    """(n, TEXT_CAUSES) tags from a model's (n, causes) scores and per-output cut-offs (probabilities and
    thresholds, or log-odds and log-odds cuts). A ``complaint`` output decides ``other``; ``floor`` (same
    scale) clears every tag of a text whose complaint score is below it. ``other`` only without a specific
    cause. ``margin`` (log-odds; scores and cuts must then be log-odds): a text that would be ``other`` gets
    instead its best specific cause when that cause's score is within ``margin`` of its cut -- the buyer
    complains, and one cause is nearly sure. The one decision rule of training (``scripts/train_text_model.py``)
    and of tagging."""
    tagged = np.zeros((len(scores), len(TEXT_CAUSES)), dtype=bool)
    tagged[:, [TEXT_CAUSES.index("other" if c == "complaint" else c) for c in causes]] = scores >= np.asarray(cut)
    if floor is not None and "complaint" in causes:
        tagged &= (scores[:, list(causes).index("complaint")] >= floor)[:, None]
    k = TEXT_CAUSES.index("other")
    tagged[:, k] &= ~np.delete(tagged, k, axis=1).any(axis=1)
    if margin > 0 and "complaint" in causes:
        specific = [j for j, c in enumerate(causes) if c != "complaint"]
        gap = scores[:, specific] - np.asarray(cut)[specific]        # how far each cause is from its cut
        second = tagged[:, k] & (gap.max(axis=1) >= -margin)
        rows = np.flatnonzero(second)
        cols = np.asarray([TEXT_CAUSES.index(causes[j]) for j in specific])[gap[rows].argmax(axis=1)]
        tagged[rows, cols] = True
        tagged[rows, k] = False
    return tagged


def _model_verdicts(tm: TextModel, norm: pd.Series, compiled, stars: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(tagged, needed the lexicon) per distinct text and cause in TEXT_CAUSES order."""
    cut = log_odds(tm.threshold)                                # the thresholds as log-odds
    floor = log_odds(tm.floor) if tm.floor > 0 else None
    z = tm.logits(norm, stars)                                  # n-grams + stars + intercept
    alone = tags_from_scores(z, tm.causes, cut, floor, tm.margin)  # what the model says with no lexicon hit
    if tm.uses_lexicon:
        z += lexicon_counts(norm, compiled).astype(np.float32) @ tm.lexicon_coef
    tagged = tags_from_scores(z, tm.causes, cut, floor, tm.margin)
    return tagged, tagged & ~alone


def classify_texts(texts: pd.Series, *, languages=None, lexicon_dirs=(), model=True,
                   ratings: pd.Series | None = None) -> pd.DataFrame:
    """One boolean column per text cause, same index as ``texts`` (missing text -> all False).

    >>> classify_texts(pd.Series(["Arrived damaged", "not damaged, great"]), languages=["en"]).transit_damage.tolist()
    [True, False]
    """
    return classify_detail(texts, languages=languages, lexicon_dirs=lexicon_dirs, model=model, ratings=ratings)[0]


def decided_of(tags: pd.DataFrame, by: pd.DataFrame) -> pd.Series:
    """Per row ``cause:lexicon;cause:model`` for the True tags (the ``decided_by`` column)."""
    joined = pd.Series("", index=tags.index, dtype=object)
    for c in TEXT_CAUSES:
        if c in tags.columns:
            joined = joined.where(~tags[c].to_numpy(bool), joined + c + ":" + by[c].astype(str) + ";")
    return joined.str.rstrip(";")


def tags_of(frame: pd.DataFrame) -> pd.Series:
    """Boolean cause columns -> ';'-joined tag strings (vectorised)."""
    cols = [c for c in frame.columns if frame[c].dtype == bool]
    if not cols:
        return pd.Series("", index=frame.index)
    joined = pd.Series("", index=frame.index, dtype=object)
    for c in cols:
        joined = joined.where(~frame[c], joined + c + ";")
    return joined.str.rstrip(";")
