"""One diff for every screen, and the three-way merge the workflow rebases with."""

import pytest

from archive import diffs
from bench.merge_cases import CASES


def html(old, new):
    return str(diffs.diff_html(old, new))


def test_a_diff_marks_insertions_and_deletions_and_escapes_everything():
    assert html("Those found guilty were executed.", "Those guilty were shot.") == (
        "Those <del>found </del>guilty were <del>executed</del><ins>shot</ins>."
    )
    # Neighbouring changed words read together: old ones, then new ones.
    assert html("an estimated 50,000", "at least 50,000") == (
        "<del>an estimated</del><ins>at least</ins> 50,000"
    )
    assert html("", "<b>bold</b> & co") == "<ins>&lt;b&gt;bold&lt;/b&gt; &amp; co</ins>"
    assert html("a <i>", "a <i>") == "a &lt;i&gt;"


def test_a_changed_comma_is_one_changed_token_and_cjk_characters_are_words():
    assert diffs.word_diff("one, two", "one; two") == [
        ("same", "one"),
        ("del", ","),
        ("ins", ";"),
        ("same", " two"),
    ]
    assert diffs.word_diff("東京は大きい", "東京は小さい") == [
        ("same", "東京は"),
        ("del", "大き"),
        ("ins", "小さ"),
        ("same", "い"),
    ]


@pytest.mark.parametrize(
    "text", ["", "plain words", "a  b\n\tc", "Ünïcödé — “quotes”, 東京 and عربي.", "x.[1]Y"]
)
def test_tokens_give_the_text_back(text):
    assert "".join(diffs.tokens(text)) == text


BASE = "Those found guilty were executed in 1945 by the NKVD."


def test_edits_of_different_words_combine():
    theirs = "Those found guilty were shot in 1945 by the NKVD."
    mine = "Those found guilty were executed in 1946 by the Soviet NKVD."
    merged = diffs.merge(BASE, theirs, mine)
    assert merged.clean
    assert merged.text == "Those found guilty were shot in 1946 by the Soviet NKVD."


def test_edits_of_the_same_words_conflict_and_the_draft_keeps_what_reads_now():
    theirs = "Those found guilty were shot in 1945 by the NKVD."
    mine = "Those found guilty were hanged in 1946 by the NKVD."
    merged = diffs.merge(BASE, theirs, mine)
    assert not merged.clean and merged.text is None
    assert merged.overlaps == [diffs.Overlap(base="executed", theirs="shot", mine="hanged")]
    # Mine's other edit (1946) is merged in; the overlap reads as approved.
    assert merged.draft == "Those found guilty were shot in 1946 by the NKVD."


def test_one_side_unchanged_takes_the_other():
    assert diffs.merge(BASE, BASE, "New text.").text == "New text."
    assert diffs.merge(BASE, "New text.", BASE).text == "New text."
    assert diffs.merge(BASE, "Same edit.", "Same edit.").text == "Same edit."


def test_a_deletion_overlapping_a_replacement_conflicts():
    merged = diffs.merge(BASE, "Those found guilty were shot.", "Those found guilty were executed.")
    assert not merged.clean
    assert merged.draft == "Those found guilty were shot."


@pytest.mark.parametrize(
    ("base", "theirs", "mine", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_the_merge_holds_to_the_labelled_cases(base, theirs, mine, expected):
    merged = diffs.merge(base, theirs, mine)
    assert merged.text == expected
    if expected is None:
        # Nothing approved is undone by the draft: it reads as theirs where both changed.
        assert set(diffs.tokens(theirs)) - set(diffs.tokens(base)) <= set(
            diffs.tokens(merged.draft)
        )


def test_a_long_claim_merges_edits_far_apart():
    words = [f"w{i}" for i in range(2000)]
    theirs, mine = list(words), list(words)
    theirs[10], mine[1990] = "early", "late"
    merged = diffs.merge(" ".join(words), " ".join(theirs), " ".join(mine))
    assert merged.text == " ".join([*words[:10], "early", *words[11:1990], "late", *words[1991:]])
