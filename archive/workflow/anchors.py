"""Where a claim's citation and flag markers stand once its text is edited: pure, no database.

A marker stands at an offset of the claim's text. Each is anchored the way a W3C Web
Annotation ``TextQuoteSelector`` anchors a quote: by the exact text before it (``prefix``,
up to ``CONTEXT`` characters) and after it (``suffix``) in the old text. ``relocate`` finds
each anchor in the new text:

1. The two texts are compared word by word (``difflib.SequenceMatcher``; characters of
   scripts written without spaces count as words, runs of space never start a match). An
   offset inside an unchanged stretch maps exactly.
2. At the edge of an unchanged stretch the marker goes with the side whose words survive:
   the words before it if they do (a marker follows what it cites, so text inserted right
   at the marker goes after it), else the words after it. A stretch of punctuation alone
   is no evidence.
3. Otherwise the words beside it were deleted or replaced; if they moved, the longest end
   of the prefix (or start of the suffix), whole words of at least ``MIN_QUOTE``
   characters, found exactly once in text the edit inserted, places it.
4. A marker at the start or the end of the text stays at the start or the end.
5. Failing all that the anchor is **orphaned**: nothing in the new text says where it
   goes, and someone has to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..diffs import CJK

CONTEXT = 32  # characters of prefix and suffix kept, as a TextQuoteSelector would
MIN_QUOTE = 8  # the least of the old context that places a marker whose words moved

# How an anchor was found in the new text.
KEPT = "kept"  # inside unchanged text
WITH_PREFIX = "with the words before it"
WITH_SUFFIX = "with the words after it"
AT_EDGE = "at the start or end"
MOVED = "found where its words moved"
ORPHANED = "orphaned"

# Kana and CJK ideographs are words of their own (``archive.diffs.CJK``). Other letters and
# digits run into words (with inner apostrophes and hyphens); runs of space and single
# marks are tokens of their own, so a marker's offset after a word is a token boundary.
# (The diffs attach space to the token before it; offsets here must not.)
_TOKEN = re.compile(rf"[{CJK}]|[^\W{CJK}]+(?:['’\-][^\W{CJK}]+)*|\s+|[^\w\s]")
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Anchor:
    """A marker's place in the old text: its offset and the exact text on either side."""

    offset: int
    prefix: str
    suffix: str

    @property
    def context(self) -> str:
        """The words on either side, the marker's place shown by ‸, for messages."""
        return _excerpt(self.prefix, self.suffix)


@dataclass(frozen=True)
class Relocation:
    """Where an anchor stands in the new text: ``offset``, or None when it is orphaned."""

    anchor: Anchor
    offset: int | None
    how: str

    @property
    def orphaned(self) -> bool:
        return self.offset is None


def anchor(text: str, offset: int) -> Anchor:
    if not 0 <= offset <= len(text):
        raise ValueError(f"offset {offset} is outside the text (0–{len(text)})")
    return Anchor(offset, text[max(0, offset - CONTEXT) : offset], text[offset : offset + CONTEXT])


def relocate(old: str, new: str, offsets: Iterable[int]) -> list[Relocation]:
    """Each offset of ``old`` relocated in ``new``, in the order given."""
    diff = _Diff(old, new)
    return [diff.relocate(anchor(old, offset)) for offset in offsets]


def positions(text: str) -> list[int]:
    """The offsets where a marker can stand: the start, and after every word or mark."""
    found = [0]
    for match in _TOKEN.finditer(text):
        if not match.group().isspace() and match.end() != found[-1]:
            found.append(match.end())
    return found


def context_at(text: str, offset: int, width: int = 24) -> str:
    """The text around ``offset`` with ‸ where a marker would stand, for choices."""
    return _excerpt(text[:offset], text[offset:], width)


def _excerpt(before: str, after: str, width: int = 24) -> str:
    head = before[-width:]
    tail = after[:width]
    return (
        ("…" if len(before) > width else "")
        + head
        + "‸"
        + tail
        + ("…" if len(after) > width else "")
    )


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _starts(tokens: list[str]) -> list[int]:
    """Character offset of each token, and one past the last."""
    starts = [0]
    for token in tokens:
        starts.append(starts[-1] + len(token))
    return starts


class _Diff:
    """The word-level opcodes of ``old`` → ``new``, in character offsets."""

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new
        a, b = _tokens(old), _tokens(new)
        sa, sb = _starts(a), _starts(b)
        matcher = SequenceMatcher(str.isspace, a, b, autojunk=False)
        self.ops = [
            (tag, sa[i1], sa[i2], sb[j1], sb[j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        ]
        # Characters of the new text the edit inserted (replace or insert), for step 3.
        self.inserted = [False] * len(new)
        for tag, _a1, _a2, b1, b2 in self.ops:
            if tag != "equal":
                self.inserted[b1:b2] = [True] * (b2 - b1)

    def relocate(self, where: Anchor) -> Relocation:
        p = where.offset
        left = right = None
        for tag, a1, a2, b1, b2 in self.ops:
            if tag == "equal" and a1 < p < a2:
                return Relocation(where, b1 + (p - a1), KEPT)
            if a1 < a2 and a2 == p:
                left = (tag, a1, a2, b1, b2)
            if a1 < a2 and a1 == p and right is None:
                right = (tag, a1, a2, b1, b2)
        if self._survives(left):
            return Relocation(where, left[4], WITH_PREFIX)
        if self._survives(right):
            return Relocation(where, right[3], WITH_SUFFIX)
        moved = self._moved(where)
        if moved is not None:
            return moved
        if p == 0:
            return Relocation(where, 0, AT_EDGE)
        if p == len(self.old):
            return Relocation(where, len(self.new), AT_EDGE)
        return Relocation(where, None, ORPHANED)

    def _survives(self, op) -> bool:
        """Whether an opcode beside the anchor is unchanged text with a word in it."""
        return op is not None and op[0] == "equal" and bool(_WORD.search(self.old[op[1] : op[2]]))

    def _moved(self, where: Anchor) -> Relocation | None:
        """Step 3: the longest end of the prefix or start of the suffix, once, in new text."""
        found = []
        tails = [where.prefix[m.start() :] for m in _TOKEN.finditer(where.prefix)]
        for quote in tails:  # longest first
            ends = [end for end in self._occurrences(quote) if self.inserted[end - 1]]
            if ends:
                if len(ends) == 1:
                    found.append((len(quote), 0, ends[0]))
                break
        heads = [where.suffix[: m.end()] for m in _TOKEN.finditer(where.suffix)][::-1]
        for quote in heads:  # longest first
            starts = [end - len(quote) for end in self._occurrences(quote)]
            starts = [start for start in starts if self.inserted[start]]
            if starts:
                if len(starts) == 1:
                    found.append((len(quote), 1, starts[0]))
                break
        if not found:
            return None
        _, _, offset = max(found, key=lambda item: (item[0], -item[1]))
        return Relocation(where, offset, MOVED)

    def _occurrences(self, quote: str) -> list[int]:
        """Where ``quote`` ends in the new text, if it is long enough to mean anything."""
        if len(quote.strip()) < MIN_QUOTE:
            return []
        ends, start = [], self.new.find(quote)
        while start != -1:
            ends.append(start + len(quote))
            start = self.new.find(quote, start + 1)
        return ends
