"""Three-way merge of claim texts: the candidate libraries on the labelled cases, and the
time to merge a 2,000-word claim.

Candidates, each given base, theirs (the text approved since) and mine (the change):

- ``merge3`` (Breezy's diff3 over ``archive.diffs`` tokens): what ``archive.diffs.merge``
  ships; overlapping regions are reported as conflicts;
- ``diff-match-patch``: the patch from base to mine applied to theirs (``patch_apply``);
  a hunk that does not apply is a conflict. Its fuzzy matching applies hunks whose words
  the other side already changed, which undoes that change without a conflict.

A case is right when the library returns the labelled text, or reports a conflict where
the label is a conflict (``bench/merge_cases.py``). Time: a claim of 2,000 words in which
each side changes 20 different words, merged 20 times, median; the floor is the archive's
two-way word diff of the same base and mine (``archive.diffs.word_diff``), which every
review page pays anyway.
"""

from __future__ import annotations

import random
import statistics
import time
from importlib.metadata import version

import diff_match_patch

from archive import diffs
from bench.merge_cases import CASES

WORDS = 2000
EDITS = 20
RUNS = 20


def with_merge3(base: str, theirs: str, mine: str) -> str | None:
    return diffs.merge(base, theirs, mine).text


def with_diff_match_patch(base: str, theirs: str, mine: str) -> str | None:
    dmp = diff_match_patch.diff_match_patch()
    patches = dmp.patch_make(base, mine)
    text, applied = dmp.patch_apply(patches, theirs)
    return text if all(applied) else None


CANDIDATES = {
    f"merge3 {version('merge3')} (shipped)": with_merge3,
    f"diff-match-patch {version('diff-match-patch')}": with_diff_match_patch,
}


def long_claim() -> tuple[str, str, str]:
    rng = random.Random(2000)
    words = [f"w{rng.randrange(10_000)}" for _ in range(WORDS)]
    base = " ".join(words)
    theirs, mine = list(words), list(words)
    spots = rng.sample(range(WORDS), 2 * EDITS)
    for spot in spots[:EDITS]:
        theirs[spot] = f"t{spot}"
    for spot in spots[EDITS:]:
        mine[spot] = f"m{spot}"
    return base, " ".join(theirs), " ".join(mine)


def _median_ms(function, *args) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        function(*args)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run() -> str:
    lines = [
        "## Three-way merge of claim texts",
        "",
        __doc__.split("\n\n", 1)[1].strip(),
        "",
        f"| library | labelled cases right (of {len(CASES)}) | silent reverts | "
        f"{WORDS:,}-word merge, ms | × word diff |",
        "| --- | --- | --- | --- | --- |",
    ]
    base, theirs, mine = long_claim()
    floor = _median_ms(diffs.word_diff, base, mine)
    for name, merge in CANDIDATES.items():
        right = reverts = 0
        for _, b, t, m, expected in CASES:
            got = merge(b, t, m)
            right += got == expected
            # An approved word of theirs gone from a merge nobody was asked about.
            theirs_words = set(diffs.tokens(t)) - set(diffs.tokens(b))
            reverts += got is not None and not theirs_words <= set(diffs.tokens(got))
        merged = merge(base, theirs, mine)
        expected = " ".join(
            m if m.startswith("m") else t for t, m in zip(theirs.split(), mine.split(), strict=True)
        )
        ms = _median_ms(merge, base, theirs, mine)
        note = "" if merged == expected else " (wrong result)"
        lines.append(f"| {name} | {right} | {reverts} | {ms:.1f}{note} | {ms / floor:.1f} |")
    lines += ["", f"Floor: word diff of the {WORDS:,}-word claim, {floor:.1f} ms."]
    return "\n".join(lines)


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive_site.settings.test")
    django.setup()
    print(run())
