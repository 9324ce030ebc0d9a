"""Sentence boundaries inside one paragraph of clean text (markers already removed)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def sentence_bounds(clean: str, glued: Sequence[int] = ()) -> list[tuple[int, int]]:
    """Sentence spans (start, end) in the clean text, trimmed of surrounding whitespace.

    Where a tag was glued to the next word ("1955.[citation needed]This") the splitter is
    given a space at that point, so the sentences still separate.
    """
    inserted = list(glued)
    split_input = clean
    for at in reversed(inserted):
        split_input = split_input[:at] + " " + split_input[at:]
    try:
        segments = _segmenter().segment(split_input)
    except Exception:  # pysbd has failed on odd input; one sentence is better than nothing
        segments = [split_input]
    bounds: list[tuple[int, int]] = []
    cursor = 0
    for segment in segments:
        found = split_input.find(segment, cursor) if segment else -1
        if found < 0:  # the splitter changed the text: keep the rest as one sentence
            break
        bounds.append((found, found + len(segment)))
        cursor = found + len(segment)
    if cursor < len(split_input):
        bounds.append((cursor, len(split_input)))

    result: list[tuple[int, int]] = []
    for s, e in bounds:
        s, e = _shift(inserted, s), _shift(inserted, e)
        while s < e and clean[s].isspace():
            s += 1
        while e > s and clean[e - 1].isspace():
            e -= 1
        if s == e:
            continue
        # A fragment with no letters or digits (".", a lone quote mark) joins its neighbour.
        if not any(ch.isalnum() for ch in clean[s:e]):
            if result:
                result[-1] = (result[-1][0], e)
            else:
                result.append((s, e))
            continue
        if result and not any(ch.isalnum() for ch in clean[result[-1][0] : result[-1][1]]):
            s = result.pop()[0]
        result.append((s, e))
    return result


def _shift(inserted: list[int], at: int) -> int:
    """Map an offset in the splitter's input back to the clean text."""
    shift = 0
    for point in inserted:
        if point + shift < at:
            shift += 1
        else:
            break
    return at - shift
