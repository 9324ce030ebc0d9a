"""Line up an archived document's live claims with a new version of its text.

Re-importing a changed file must say which sentences were edited, added and removed, so a
reviewer sees three precise changes instead of a whole new document. Positions alone cannot
say that (one added sentence shifts every later one), so the two claim sequences are
aligned by content. This module is pure (texts in, steps out, no Django), so the matching
is tested on small hand-made sequences; ``workflow`` turns the steps into proposed changes.

How it matches:

1. Claims: ``difflib.SequenceMatcher`` over normalized texts (Unicode NFKC, case folded,
   whitespace collapsed) finds the runs that did not change. Between two such runs, claims
   are paired by word-level similarity: the pairing that keeps the order and has the
   highest total similarity above ``THRESHOLD`` (pairs below it never count). A paired
   claim is an edit (same words but other case or spacing is an edit too), a leftover old
   claim a removal, a leftover new claim an addition.
2. Sections: paired in order (a monotone alignment), preferring the same heading above all,
   then the most claims they have in common (unchanged claims, found as in step 1 over the
   whole document); the sections between two such anchors pair by plain order, two without
   a heading before a heading change. Claims are then aligned as in step 1 within each pair
   of sections, so an edit never crosses a section boundary.

Limits (stated, not hidden): the archive has no change kind to move a claim, to add or
remove a section, or to change a claim's kind, so a moved sentence is a removal plus an
addition; the claims of a section that is new in the file go into the nearest paired live
section (the one before it, else the one after it), and a live section missing from the
file loses its claims but stays, empty. Sentences split or merged pair with their most
similar part when it is at least ``THRESHOLD`` alike; the rest are additions or removals.
In a changed stretch of more than ``FULL_BLOCK_CELLS`` claim pairs, only pairs near its
diagonal are compared, so an edited claim far from its old place there is a removal plus an
addition.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

KEEP, EDIT, REMOVE, ADD = "keep", "edit", "remove", "add"

# Word-level similarity from which two claims count as one edited claim. An edit of a few
# words keeps 0.7-0.9 and half of a sentence split in two about 0.65, while of the seed's
# 17,019 pairs of distinct claims only 7 reach 0.5, all of them near-repeats of each other
# (the copy's repeated paragraphs); only claims of one changed block are ever compared.
THRESHOLD = 0.5
# Similar-pairs search inside one changed block: every pair while the block is small, else
# only pairs near the block's diagonal (a rewrite of thousands of claims stays fast).
FULL_BLOCK_CELLS = 40_000
BAND = 40

# Section pairing weights: the same heading outweighs any number of shared claims; between
# those anchors, sections pair by order, two without a heading before a heading change.
SAME_HEADING = 1_000_000.0
BOTH_WITHOUT_HEADING = 0.5
BY_ORDER_ONLY = 0.25

_WORD_RE = re.compile(r"\w+")
_SPACE_RE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """The form two claims are compared in: NFKC, case folded, whitespace collapsed."""
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def words(text: str) -> list[str]:
    return _WORD_RE.findall(normalize(text))


def similarity(a: str, b: str) -> float:
    """How alike two claims are, from 0 to 1: the share of words they have in order."""
    return SequenceMatcher(None, words(a), words(b), autojunk=False).ratio()


# --------------------------------------------------------------------------- claims


@dataclass(frozen=True)
class Step:
    """One step of an alignment: old and new index, or only one of them."""

    action: str  # KEEP, EDIT, REMOVE or ADD
    old: int | None
    new: int | None
    similarity: float = 1.0


def align_claims(
    old: Sequence[str], new: Sequence[str], *, threshold: float = THRESHOLD, similar: bool = True
) -> list[Step]:
    """Align two claim sequences; the steps read both sequences in order.

    Within a changed block removals come before additions, so an addition's place is
    always "after the last old claim seen so far". ``similar=False`` pairs only claims
    whose normalized texts are equal (much faster on huge changed blocks).
    """
    old_keys = [normalize(text) for text in old]
    new_keys = [normalize(text) for text in new]
    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    steps: list[Step] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            steps += [
                Step(KEEP if old[i] == new[j] else EDIT, i, j)
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
            continue
        pairs = _pair_block(old_keys, new_keys, i1, i2, j1, j2, threshold) if similar else []
        i, j = i1, j1
        for pi, pj, score in [*pairs, (i2, j2, None)]:
            steps += [Step(REMOVE, k, None) for k in range(i, pi)]
            steps += [Step(ADD, None, k) for k in range(j, pj)]
            if score is not None:
                steps.append(Step(EDIT, pi, pj, score))
            i, j = pi + 1, pj + 1
    return steps


def _pair_block(old_keys, new_keys, i1, i2, j1, j2, threshold) -> list[tuple[int, int, float]]:
    """The order-keeping pairs of one changed block with the highest total similarity."""
    n, m = i2 - i1, j2 - j1
    if not n or not m:
        return []
    old_words = [_WORD_RE.findall(key) for key in old_keys[i1:i2]]
    new_words = [_WORD_RE.findall(key) for key in new_keys[j1:j2]]
    band = None if n * m <= FULL_BLOCK_CELLS else max(BAND, abs(n - m))
    alike: dict[tuple[int, int], float] = {}
    for i in range(n):
        if band is None:
            columns = range(m)
        else:
            centre = round(i * m / n)
            columns = range(max(0, centre - band), min(m, centre + band + 1))
        for j in columns:
            matcher = SequenceMatcher(None, old_words[i], new_words[j], autojunk=False)
            # The quick upper bounds skip most unrelated pairs without the full comparison.
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            score = matcher.ratio()
            if score >= threshold:
                alike[(i, j)] = score
    if not alike:
        return []
    # Each pair counts by how far it clears the threshold, so one clear match (a sentence
    # that moved) beats two crossing half-matches of look-alike sentences.
    margin = {cell: score - threshold + 0.01 for cell, score in alike.items()}
    return [(i1 + i, j1 + j, alike[(i, j)]) for i, j in heaviest_chain(margin)]


def heaviest_chain(weight: dict[tuple[int, int], float]) -> list[tuple[int, int]]:
    """Of the candidate pairs (i, j), the ones in strictly increasing order of both i and j
    with the highest total weight.

    Sparse: O(k log k) for k candidates (a Fenwick tree keeps, per j, the best chain ending
    before it), so only the pairs worth considering are ever listed.
    """
    # By i, and j downwards within one i, so two pairs of one i never join one chain.
    cells = sorted(weight, key=lambda cell: (cell[0], -cell[1]))
    if not cells:
        return []
    size = max(j for _, j in cells) + 1
    # Entries are (total, -index): among equal totals the earlier pair wins, so ties pair
    # first with first. (0.0, 1) stands for the empty chain (index -1).
    tree: list[tuple[float, int]] = [(0.0, 1)] * (size + 1)
    totals: list[float] = []
    previous: list[int] = []
    for index, (_, j) in enumerate(cells):
        best, k = (0.0, 1), j  # the best chain over columns 0 .. j-1
        while k > 0:
            best = max(best, tree[k])
            k -= k & -k
        total = best[0] + weight[cells[index]]
        totals.append(total)
        previous.append(-best[1])
        k = j + 1
        while k <= size:
            tree[k] = max(tree[k], (total, -index))
            k += k & -k
    end = max(range(len(cells)), key=lambda index: (totals[index], -index))
    chain = []
    while end != -1:
        chain.append(cells[end])
        end = previous[end]
    return chain[::-1]


def pair_in_order(
    old: Sequence[Hashable], new: Sequence[Hashable]
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair equal keys first with first (citation labels, flag kinds): pairs, old, new left."""
    waiting: dict[Hashable, list[int]] = {}
    for index, key in enumerate(old):
        waiting.setdefault(key, []).append(index)
    pairs, new_left = [], []
    for index, key in enumerate(new):
        if waiting.get(key):
            pairs.append((waiting[key].pop(0), index))
        else:
            new_left.append(index)
    used = {i for i, _ in pairs}
    return pairs, [i for i in range(len(old)) if i not in used], new_left


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class SectionText:
    """A section as the alignment sees it: its heading ("" when it has none) and claims."""

    heading: str
    claims: Sequence[str]


@dataclass(frozen=True)
class ClaimStep:
    """One claim-level step across the whole document.

    ``old`` and ``new`` are (section index, claim index) in the live document and in the
    new file. An addition goes into live section ``into``, after its claim ``after``
    (``None``: first); additions with the same place keep the file's order, ``order``.
    """

    action: str
    old: tuple[int, int] | None
    new: tuple[int, int] | None
    similarity: float = 1.0
    into: int | None = None
    after: int | None = None
    order: int = 0


@dataclass
class DocumentAlignment:
    sections: list[tuple[int, int]]  # paired (live section, new section), in order
    steps: list[ClaimStep]
    removed_sections: list[int] = field(default_factory=list)  # live, absent from the file
    hosted_sections: dict[int, int] = field(default_factory=dict)  # new -> live host

    def count(self, action: str) -> int:
        return sum(1 for step in self.steps if step.action == action)

    @property
    def changed(self) -> bool:
        return any(step.action != KEEP for step in self.steps)


def align_document(
    old: Sequence[SectionText], new: Sequence[SectionText], *, threshold: float = THRESHOLD
) -> DocumentAlignment:
    """Pair the sections, then align the claims of each pair (see the module docstring)."""
    old_flat = [(s, c) for s, section in enumerate(old) for c in range(len(section.claims))]
    new_flat = [(s, c) for s, section in enumerate(new) for c in range(len(section.claims))]
    order = {place: number for number, place in enumerate(new_flat)}
    # Evidence for pairing sections: the claims they have in common word for word. Edited
    # claims would add little, and finding them across the whole document is what would
    # make a rewrite of a big document slow.
    whole = align_claims(
        [old[s].claims[c] for s, c in old_flat],
        [new[s].claims[c] for s, c in new_flat],
        similar=False,
    )
    shared = Counter(
        (old_flat[step.old][0], new_flat[step.new][0])
        for step in whole
        if step.old is not None and step.new is not None
    )
    if new_flat and not old:
        raise ValueError("the live document has no section to add claims to")
    pairs = _pair_sections(old, new, shared)
    paired_old = {i for i, _ in pairs}
    paired_new = {j: i for i, j in pairs}

    steps: list[ClaimStep] = []
    for i, j in pairs:
        after = None
        for step in align_claims(old[i].claims, new[j].claims, threshold=threshold):
            if step.action == ADD:
                place = (j, step.new)
                steps.append(ClaimStep(ADD, None, place, into=i, after=after, order=order[place]))
                continue
            after = step.old
            new_place = (j, step.new) if step.new is not None else None
            steps.append(ClaimStep(step.action, (i, step.old), new_place, step.similarity))
    removed = [i for i in range(len(old)) if i not in paired_old]
    for i in removed:
        steps += [ClaimStep(REMOVE, (i, c), None) for c in range(len(old[i].claims))]
    # A section new in the file has no live section, so its claims go to the end of the
    # live section paired with the last paired section before it, else to the start of
    # the first paired one.
    hosted: dict[int, int] = {}
    host, after = (pairs[0][0], None) if pairs else (None, None)
    for j in range(len(new)):
        if j in paired_new:
            host = paired_new[j]
            after = len(old[host].claims) - 1 if old[host].claims else None
            continue
        if host is None:
            continue  # the file has no section, so no claims either
        hosted[j] = host
        steps += [
            ClaimStep(ADD, None, (j, c), into=host, after=after, order=order[(j, c)])
            for c in range(len(new[j].claims))
        ]
    return DocumentAlignment(pairs, steps, removed, hosted)


def _pair_sections(old, new, shared: Counter) -> list[tuple[int, int]]:
    """Order-keeping section pairs: anchors first, then the sections between them by order.

    Anchors are the heaviest chain of pairs with evidence (the same heading, claims in
    common); each stretch between two anchors pairs its sections by order, preferring two
    without a heading over a heading change. A stretch too big to weigh pairs first with
    first.
    """
    old_keys = [normalize(section.heading) for section in old]
    new_keys = [normalize(section.heading) for section in new]
    by_heading: dict[str, list[int]] = {}
    for j, key in enumerate(new_keys):
        if key:
            by_heading.setdefault(key, []).append(j)
    evidence: dict[tuple[int, int], float] = dict(shared)
    for i, key in enumerate(old_keys):
        for j in by_heading.get(key, ()) if key else ():
            evidence[(i, j)] = evidence.get((i, j), 0.0) + SAME_HEADING
    pairs: list[tuple[int, int]] = []
    last_i = last_j = -1
    for i, j in [*heaviest_chain(evidence), (len(old), len(new))]:
        gap_old, gap_new = range(last_i + 1, i), range(last_j + 1, j)
        if len(gap_old) * len(gap_new) <= FULL_BLOCK_CELLS:
            weight = {
                (a, b): BOTH_WITHOUT_HEADING
                if not old_keys[a] and not new_keys[b]
                else BY_ORDER_ONLY
                for a in gap_old
                for b in gap_new
            }
            pairs += heaviest_chain(weight)
        else:
            pairs += list(zip(gap_old, gap_new, strict=False))
        if i < len(old):
            pairs.append((i, j))
        last_i, last_j = i, j
    return pairs
