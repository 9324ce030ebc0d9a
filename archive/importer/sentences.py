"""Sentence boundaries inside one paragraph of clean text (markers already removed).

The splitter (pysbd) sees at most ``CHUNK_CHARS`` characters at a time: a longer paragraph
is cut first at forced breaks and then at candidate boundaries (a full stop, question or
exclamation mark followed by a space), so the cost stays linear in the input however long a
line is. Spans always index into the text given; the splitter never changes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

CHUNK_CHARS = 2000
_CANDIDATE = re.compile(r"[.!?。！？][\"'”’»)]*\s+")
_SCRIPTS = (
    ("ru", re.compile(r"[\u0400-\u04FF]")),
    ("el", re.compile(r"[\u0370-\u03FF]")),
    ("ar", re.compile(r"[\u0600-\u06FF]")),
    ("ja", re.compile(r"[\u3040-\u30FF]")),
    ("zh", re.compile(r"[\u4E00-\u9FFF]")),
)
_SUPPORTED = {"en", "ru", "el", "ar", "ja", "zh", "de", "fr", "es", "it", "nl", "pl", "da"}


def guess_language(text: str) -> str:
    """The language whose rules split the text: by script, since a copy's script is certain.

    Kana decides Japanese over Chinese; Latin-script text is read with English rules, which
    know the abbreviations of encyclopedia prose best.
    """
    counts = {code: len(pattern.findall(text)) for code, pattern in _SCRIPTS}
    letters = sum(1 for ch in text if ch.isalpha()) or 1
    if counts["ja"] > 0 and counts["ja"] + counts["zh"] > letters * 0.2:
        return "ja"
    best = max(counts, key=counts.get)
    return best if counts[best] > letters * 0.3 else "en"


@lru_cache(maxsize=16)
def _segmenter(language: str):
    import pysbd

    return pysbd.Segmenter(language=language if language in _SUPPORTED else "en", clean=False)


def sentence_bounds(
    clean: str, glued: Sequence[int] = (), *, language: str = "en"
) -> list[tuple[int, int]]:
    """Sentence spans (start, end) in the clean text, trimmed of surrounding whitespace.

    ``glued`` are offsets where a sentence must end whatever the splitter thinks (a marker
    glued to the next word: "1955.[7]This").
    """
    result: list[tuple[int, int]] = []
    cuts = sorted({at for at in glued if 0 < at < len(clean)})
    for start, end in zip([0, *cuts], [*cuts, len(clean)], strict=True):
        for chunk_start, chunk_end in _chunks(clean, start, end):
            for s, e in _split(clean[chunk_start:chunk_end], language):
                _append(result, clean, chunk_start + s, chunk_start + e)
    return result


def _chunks(text: str, start: int, end: int):
    """Pieces of about CHUNK_CHARS, each cut after a candidate sentence end.

    A stretch with no candidate end stays whole: cutting it would invent a boundary.
    """
    while end - start > CHUNK_CHARS:
        window = text[start + CHUNK_CHARS // 2 : start + CHUNK_CHARS]
        last = None
        for match in _CANDIDATE.finditer(window):
            last = match
        if last is not None:
            cut = start + CHUNK_CHARS // 2 + last.end()
        else:
            later = _CANDIDATE.search(text, start + CHUNK_CHARS, end)
            if later is None:
                break
            cut = later.end()
        yield start, cut
        start = cut
    yield start, end


def _split(text: str, language: str) -> list[tuple[int, int]]:
    try:
        segments = _segmenter(language).segment(text)
    except Exception:  # pysbd has failed on odd input; one sentence is better than nothing
        segments = [text]
    bounds: list[tuple[int, int]] = []
    cursor = 0
    for segment in segments:
        found = text.find(segment, cursor) if segment else -1
        if found < 0:  # the splitter changed the text: keep the rest as one sentence
            break
        bounds.append((found, found + len(segment)))
        cursor = found + len(segment)
    if cursor < len(text):
        bounds.append((cursor, len(text)))
    return bounds


def _append(result: list[tuple[int, int]], clean: str, s: int, e: int) -> None:
    while s < e and clean[s].isspace():
        s += 1
    while e > s and clean[e - 1].isspace():
        e -= 1
    if s == e:
        return
    # A fragment with no letters or digits (".", a lone quote mark) joins its neighbour.
    if not any(ch.isalnum() for ch in clean[s:e]):
        if result:
            result[-1] = (result[-1][0], e)
        else:
            result.append((s, e))
        return
    if result and not any(ch.isalnum() for ch in clean[result[-1][0] : result[-1][1]]):
        s = result.pop()[0]
    result.append((s, e))
