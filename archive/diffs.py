"""Texts compared and merged word by word: the one diff of every screen and of the workflow.

A text is read as tokens: words (letters and digits, with inner apostrophes and hyphens),
each character of scripts written without spaces (kana, CJK ideographs), runs of space,
and single punctuation marks. A changed comma is one changed token, not a changed word.

- ``word_diff`` compares two texts (the admin's review page, the public changes page and
  the claim history all show it); ``as_html`` renders it, everything escaped.
- ``merge`` is the three-way merge of a change written against ``base`` with the text as
  it is now (``theirs``): ``merge3`` (Bazaar's diff3, maintained by the Breezy project)
  over tokens, so edits of different words combine and edits of the same words conflict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import merge3
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# Kana and CJK ideographs (with 々 and 〆): each is a word of its own.
CJK = "\u3005\u3006\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN = re.compile(rf"[{CJK}]|[^\W{CJK}]+(?:['’\-][^\W{CJK}]+)*|\s+|[^\w\s]")

SAME, DELETED, INSERTED = "same", "del", "ins"


def tokens(text: str) -> list[str]:
    """The tokens of ``text``; joined, they give it back exactly."""
    return TOKEN.findall(text or "")


# --------------------------------------------------------------------------- diff


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``new`` against ``old`` as runs ``(SAME | DELETED | INSERTED, text)``.

    Neighbouring changes are joined into one: two changed words share the space between
    them ("an estimated" → "at least"), and left alone the diff interleaves them ("an at
    estimated least"). A run of space between two changes is taken into the change, so the
    old words read together, then the new ones.
    """
    a, b = tokens(old), tokens(new)
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in _grouped(a, b):
        if op == "equal":
            runs.append((SAME, "".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append((DELETED, "".join(a[i1:i2])))
        if j2 > j1:
            runs.append((INSERTED, "".join(b[j1:j2])))
    return runs


def _grouped(a: list[str], b: list[str]) -> list[tuple]:
    ops = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    grouped: list[tuple] = []
    for index, (op, i1, i2, j1, j2) in enumerate(ops):
        inner = 0 < index < len(ops) - 1
        if (
            op == "equal"
            and inner
            and ops[index - 1][0] != "equal"
            and ops[index + 1][0] != "equal"
            and "".join(a[i1:i2]).isspace()
        ):
            op = "replace"
        if op != "equal" and grouped and grouped[-1][0] != "equal":
            _, first_i, _, first_j, _ = grouped[-1]
            grouped[-1] = ("replace", first_i, i2, first_j, j2)
        else:
            grouped.append((op, i1, i2, j1, j2))
    return grouped


def as_html(runs: list[tuple[str, str]]) -> SafeString:
    """Runs of ``word_diff`` as HTML: deletions in <del>, insertions in <ins>, all escaped."""
    parts = []
    for op, text in runs:
        if op == SAME:
            parts.append(escape(text))
        else:
            parts.append(format_html("<{tag}>{}</{tag}>", text, tag=op))
    return mark_safe("".join(parts))  # each part is escaped above


def diff_html(old: str, new: str) -> SafeString:
    return as_html(word_diff(old, new))


# --------------------------------------------------------------------------- merge


@dataclass(frozen=True)
class Overlap:
    """One stretch both sides changed differently: the words of base, theirs and mine."""

    base: str
    theirs: str
    mine: str


@dataclass(frozen=True)
class Merged:
    """A three-way merge of one text.

    ``text`` is the merge when it is clean. Otherwise ``draft`` is the merge with every
    overlapping stretch as it reads now (theirs), so nothing already approved is undone by
    accident, and ``overlaps`` says what the proposer wrote there instead.
    """

    draft: str
    overlaps: list[Overlap] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.overlaps

    @property
    def text(self) -> str | None:
        return self.draft if self.clean else None


def merge(base: str, theirs: str, mine: str) -> Merged:
    """``mine`` (written against ``base``) merged with ``theirs`` (base as it reads now)."""
    if theirs in (base, mine):
        return Merged(mine)
    if mine == base:
        return Merged(theirs)
    b, t, m = tokens(base), tokens(theirs), tokens(mine)
    parts: list[str] = []
    overlaps: list[Overlap] = []
    for region in merge3.Merge3(b, t, m).merge_regions():
        what = region[0]
        if what == "unchanged":
            parts.append("".join(b[region[1] : region[2]]))
        elif what in ("a", "same"):
            parts.append("".join(t[region[1] : region[2]]))
        elif what == "b":
            parts.append("".join(m[region[1] : region[2]]))
        else:  # "conflict": base, theirs (a) and mine (b) ranges
            _, z1, z2, a1, a2, b1, b2 = region
            overlaps.append(Overlap("".join(b[z1:z2]), "".join(t[a1:a2]), "".join(m[b1:b2])))
            parts.append("".join(t[a1:a2]))
    return Merged("".join(parts), overlaps)
