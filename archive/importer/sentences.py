"""Sentence boundaries inside one paragraph of clean text (markers already removed).

The splitter is Wikimedia's sentencex: on the labelled corpus in ``tests/data/sentences``
it makes the fewest boundary errors of the splitters measured (``bench/parse_bench.py``) and
is some two hundred times faster than pysbd. Rules written here correct what it gets wrong
in encyclopedia prose, each true of the writing system rather than of one article:

- a full stop is not a sentence's end when a lower-case letter follows ("Henry Howell,
  Gent. and Margaret");
- a single capital letter and a full stop is an initial ("І. Франко", "И. В. Сталин"), except
  I, V and X, which end sentences as Roman numerals ("during World War I.");
- a sentence that opens with a parenthesis ends where the parenthesis closes after a full
  stop ("(In 2009, ... Wales.) However, ...");
- an omission mark belongs to the sentence before it ("the state now.(…) Furthermore");
- 。, ！ and ？ end a sentence outside brackets and quotation marks, whatever follows
  (sentencex misses the end before a digit: "...行った。862年には..."), but a quotation that
  a particle carries on does not end one ("「行く。」と言った。").

Cost is linear in the input: the splitter never sees more than ``CHUNK_CHARS`` characters.
A longer paragraph is read through a window; the sentences that end before the window's last
quarter are kept and the window moves on to the first sentence not kept, so a boundary is
decided with the text after it in view, as it would have been in the whole paragraph (when
no sentence ends before the last quarter, the first one to end is kept). Only a "sentence"
longer than a whole window is cut without the splitter, at its next full stop, question or
exclamation mark followed by a space. If the splitter fails on a window, that window's text
is one sentence. Spans always index into the text given: nothing here changes it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

SPLITTER = "sentencex"
CHUNK_CHARS = 2000

Spans = list[tuple[int, int]]
SplitFunction = Callable[[str, str], Spans]

# A likely sentence end: terminal punctuation, closing quotes or brackets, then a space.
_CANDIDATE = re.compile(r"[.!?…。！？][\"'”’»)\]」』）]*\s+")
_CJK_END = re.compile(r"[。！？][」』）)\"”’]*")
_CJK_OPEN, _CJK_CLOSE = "「『（", "」』）"
# Japanese particles that carry a sentence on after a closing quotation mark.
_QUOTATIVE = frozenset("とっのがをにもはで")
# An editor's mark for words left out of a quotation, then a space.
_OMISSION = re.compile(r"(?:\((?:…|\.{2,3})\)|\[(?:…|\.{2,3})\])\s+")
# What may stand before an initial: a space, an opening bracket or quotation mark.
_BEFORE_INITIAL = frozenset(" \t\n\u00a0\u2009\u200a\u202f([«„\"“'‘")
_ROMAN_ENDS = frozenset("IVX")


def _sentencex(text: str, language: str) -> Spans:
    import sentencex

    return [
        (bound["start_index"], bound["end_index"])
        for bound in sentencex.get_sentence_boundaries(language, text)
    ]


_split: SplitFunction = _sentencex


@contextmanager
def using(split: SplitFunction | str) -> Iterator[None]:
    """Split with another function ``(text, language) -> spans`` for a while (benchmarks,
    tests). The name of the shipped splitter stands for itself."""
    global _split
    if isinstance(split, str) and split != SPLITTER:
        raise ValueError(f"no splitter named {split!r}; give a function")
    previous = _split
    _split = _sentencex if isinstance(split, str) else split
    try:
        yield
    finally:
        _split = previous


# --------------------------------------------------------------------------- languages

# Scripts that name their language outright, in the order they are tried.
_SCRIPTS = (
    ("ko", re.compile(r"[\uAC00-\uD7AF\u1100-\u11FF]")),
    ("el", re.compile(r"[\u0370-\u03FF\u1F00-\u1FFF]")),
    ("ar", re.compile(r"[\u0600-\u06FF]")),
    ("he", re.compile(r"[\u0590-\u05FF]")),
    ("hi", re.compile(r"[\u0900-\u097F]")),
    ("hy", re.compile(r"[\u0530-\u058F]")),
    ("ka", re.compile(r"[\u10A0-\u10FF]")),
    ("th", re.compile(r"[\u0E00-\u0E7F]")),
)
_KANA = re.compile(r"[\u3040-\u30FF\u31F0-\u31FF\uFF66-\uFF9F]")
_HAN = re.compile(r"[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_UKRAINIAN = re.compile(r"[іїєґІЇЄҐ]")
_BELARUSIAN = re.compile(r"[ўЎ]")
_SERBIAN = re.compile(r"[ђјљњћџЂЈЉЊЋЏ]")
_BULGARIAN_WORDS = frozenset(["на", "от", "за", "се", "да", "са", "във", "със"])
_WORD = re.compile(r"[^\W\d_]+")
# The commonest short words of each Latin-script language sentencex has rules for.
_STOP_WORDS = {
    "en": "the of and to in is was that for with as by on from which are were his this",
    "de": "der die und das ist nicht mit den von zu des sich auf dem eine ein im wurde",
    "fr": "le la les et des du est une un dans pour que qui sur au par avec sont été",
    "es": "el la los las de y que en del por con una para es fue se como sus al",
    "it": "il di che la e della del per una sono con gli nel alla degli anche fu",
    "pt": "o de que e do da em um uma para com os não foi pelo pela das dos ao",
    "nl": "de het een en van in is dat op te zijn voor met die werd door niet ook",
    "pl": "w i na z się nie do że jest to od po przez jak oraz jego został",
    "sv": "och att det som en är på för av med till den har inte var om ett",
    "da": "og at det som en er på for af med til den har ikke var om et blev",
    "fi": "ja on ei että se oli hän mutta kun niin tai myös ovat kanssa sekä",
    "cs": "a v se na je že do to s z o jako pro by jeho ve byl",
    "tr": "ve bir bu da de ile için olarak olan en çok daha gibi sonra",
}
_STOP_SETS = {code: frozenset(words.split()) for code, words in _STOP_WORDS.items()}


def guess_language(text: str) -> str:
    """The code of the language whose rules split ``text``; "en" when nothing decides.

    The script decides first, since a copy's script is certain: any kana makes it Japanese,
    Han characters alone Chinese, Hangul Korean; Greek, Arabic, Hebrew, Devanagari,
    Armenian, Georgian and Thai name their language. Cyrillic is Russian unless letters
    only Ukrainian (і ї є ґ), Belarusian (ў) or Serbian (ђ ј љ ...) use are common, or
    Bulgarian's commonest words are. Latin-script text is the language whose commonest short
    words ("the", "der", "le", ...) it uses most, English when none stands out. Every code
    returned is one sentencex has rules for (it falls back to related languages itself).
    """
    try:
        return _guess(text)
    except Exception:  # a guess must never stop an import
        return "en"


def _guess(text: str) -> str:
    sample = text[:20000]
    letters = sum(1 for ch in sample if ch.isalpha())
    if not letters:
        return "en"
    kana, han = len(_KANA.findall(sample)), len(_HAN.findall(sample))
    if kana and kana + han > letters * 0.2:
        return "ja"
    if han > letters * 0.3:
        return "zh"
    for code, pattern in _SCRIPTS:
        if len(pattern.findall(sample)) > letters * 0.3:
            return code
    cyrillic = len(_CYRILLIC.findall(sample))
    if cyrillic > letters * 0.3:
        if len(_UKRAINIAN.findall(sample)) > cyrillic * 0.01:
            return "uk"
        if len(_BELARUSIAN.findall(sample)) > cyrillic * 0.002:
            return "be"
        if len(_SERBIAN.findall(sample)) > cyrillic * 0.005:
            return "sr"
        words = _WORD.findall(sample.lower())
        if words and sum(w in _BULGARIAN_WORDS for w in words) > len(words) * 0.05:
            return "bg"
        return "ru"
    words = _WORD.findall(sample.lower())
    if not words:
        return "en"
    scores = {code: sum(w in stops for w in words) for code, stops in _STOP_SETS.items()}
    best = max(scores, key=scores.__getitem__)
    if scores[best] <= scores["en"] or scores[best] < len(words) * 0.05:
        return "en"
    return best


# --------------------------------------------------------------------------- sentences


def sentence_bounds(
    clean: str, glued: Sequence[int] = (), *, language: str = "en"
) -> list[tuple[int, int]]:
    """Sentence spans (start, end) in ``clean``, in order, trimmed of surrounding whitespace,
    together covering every character that is not a space. Never raises.

    ``glued`` are offsets where a sentence must end whatever the splitter thinks (a tag
    glued to the next word: "1955.[citation needed]This" became "1955.This", glued=[5]).
    ``language`` is a code from ``guess_language``.
    """
    if not isinstance(language, str) or not language:
        language = "en"
    starts: list[int] = []
    cuts = sorted({at for at in glued if isinstance(at, int) and 0 < at < len(clean)})
    for start, end in zip([0, *cuts], [*cuts, len(clean)], strict=True):
        starts.append(start)
        _boundaries_between(clean, start, end, language, starts)
    return _spans(clean, starts)


def _boundaries_between(text: str, start: int, end: int, language: str, out: list[int]) -> None:
    """Append the sentence starts strictly inside text[start:end], in order."""
    window = CHUNK_CHARS
    pos = start
    while end - pos > window:
        found = _boundaries(text[pos : pos + window], language)
        kept = [b for b in found if b <= window - window // 4]
        if not kept and found:  # the first sentence ends late in the window: it is whole
            kept = found[:1]
        if kept:
            out.extend(pos + b for b in kept)
            pos += kept[-1]
            continue
        # A whole window without a boundary: end this over-long sentence at its next likely
        # end after the window, or at the end of the text.
        candidate = _CANDIDATE.search(text, pos + window, end)
        if candidate is None or candidate.end() >= end:
            return
        pos = candidate.end()
        out.append(pos)
    out.extend(pos + b for b in _boundaries(text[pos:end], language))


def _boundaries(piece: str, language: str) -> list[int]:
    """Sentence starts inside ``piece`` (never 0 or its length), in order.

    If the splitter fails or gives spans that do not fit the piece, the piece is one
    sentence.
    """
    try:
        spans = _split(piece, language)
        starts = set()
        previous_end = 0
        for s, e in spans:
            if not (0 <= s <= e <= len(piece)) or s < previous_end:
                return []
            previous_end = e
            while s < e and piece[s].isspace():
                s += 1
            if 0 < s < len(piece):
                starts.add(s)
        return _corrected(piece, sorted(starts), language)
    except Exception:  # one sentence is better than a failed import
        return []


def _corrected(piece: str, starts: list[int], language: str) -> list[int]:
    kept = []
    for at in starts:
        following = piece[at]
        if following.islower() or _after_initial(piece, at):
            continue
        if following in _QUOTATIVE and piece[at - 1] in _CJK_CLOSE:
            continue  # 「行く。」と言った: the quotation goes on as part of the sentence
        omission = _OMISSION.match(piece, at)
        if omission:  # "now.(…) Furthermore": the omission mark ends the sentence before it
            at = omission.end()
            if at >= len(piece) or (kept and kept[-1] >= at):
                continue
        kept.append(at)
    added = set(_after_parentheses(piece, kept))
    if "。" in piece or "！" in piece or "？" in piece:
        added.update(_cjk_ends(piece))
    if not added:
        return kept
    return sorted(added.union(kept))


def _after_initial(piece: str, at: int) -> bool:
    """Whether the word before ``at`` is one capital letter and a full stop ("І. ")."""
    j = at
    while j > 0 and piece[j - 1].isspace():
        j -= 1
    if j < 2 or piece[j - 1] != "." or not piece[j - 2].isupper():
        return False
    letter = piece[j - 2]
    return letter not in _ROMAN_ENDS and (j == 2 or piece[j - 3] in _BEFORE_INITIAL)


def _after_parentheses(piece: str, starts: list[int]) -> Iterator[int]:
    """Ends of sentences that open with "(" and close it after a full stop, then go on."""
    for at in [0, *starts]:
        if piece[at : at + 1] != "(":
            continue
        close = piece.find(")", at)
        if close < 0 or piece.find("(", at + 1, close) >= 0 or piece[close - 1] not in ".!?":
            continue
        after = close + 1
        while after < len(piece) and piece[after].isspace():
            after += 1
        if after > close + 1 and after < len(piece) and piece[after].isupper():
            yield after


def _cjk_ends(piece: str) -> Iterator[int]:
    """Starts after 。！？ (and closing marks) that stand outside brackets and quotes."""
    depth, scanned = 0, 0
    for match in _CJK_END.finditer(piece):
        for ch in piece[scanned : match.start()]:
            if ch in _CJK_OPEN:
                depth += 1
            elif ch in _CJK_CLOSE and depth:
                depth -= 1
        scanned = match.start()
        if depth:
            continue
        after = match.end()
        while after < len(piece) and piece[after].isspace():
            after += 1
        if after < len(piece):
            yield after


def _spans(text: str, starts: list[int]) -> list[tuple[int, int]]:
    """Trimmed spans between consecutive starts; a piece with no letter or digit (".", a
    lone quotation mark) joins the sentence before it, or the next one when it opens the
    paragraph."""
    result: list[tuple[int, int]] = []
    wordy: list[bool] = []
    ends = [*starts[1:], len(text)]
    for s, e in zip(starts, ends, strict=True):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s >= e:
            continue
        has_word = any(ch.isalnum() for ch in text[s:e])
        if not has_word and result:
            result[-1] = (result[-1][0], e)
            continue
        if result and not wordy[-1]:
            s = result.pop()[0]
            wordy.pop()
        result.append((s, e))
        wordy.append(has_word)
    return result
