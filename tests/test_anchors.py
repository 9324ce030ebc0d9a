"""Where a marker stands after an edit of its claim: realistic sentence edits, no database.

Texts are written with ``|`` where markers stand: ``follow(old, new)`` relocates each
marker of ``old`` in ``new`` and writes ``new`` with a ``|`` at each place found, so a test
reads as the sentence before and after. An orphaned marker is left out of that text.
"""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from archive.workflow import anchors
from archive.workflow.anchors import relocate

MARK = "|"


def marked(text: str) -> tuple[str, list[int]]:
    """The text without its ``|`` marks, and the offset of each mark in it."""
    offsets, plain = [], []
    for char in text:
        if char == MARK:
            offsets.append(len("".join(plain)))
        else:
            plain.append(char)
    return "".join(plain), offsets


def follow(old: str, new: str) -> str:
    """``new`` with a ``|`` where each marker of ``old`` now stands (orphans left out)."""
    text, offsets = marked(old)
    placed = sorted(
        (r.offset for r in relocate(text, new, offsets) if not r.orphaned), reverse=True
    )
    for offset in placed:
        new = new[:offset] + MARK + new[offset:]
    return new


def orphans(old: str, new: str) -> list[anchors.Relocation]:
    text, offsets = marked(old)
    return [r for r in relocate(text, new, offsets) if r.orphaned]


# --------------------------------------------------------------------------- insertions


def test_text_inserted_before_the_marker_shifts_it_with_its_words():
    assert (
        follow(
            "Soviet troops entered Berlin in April 1945.| The city surrendered on 2 May.",
            "After a long siege, Soviet troops entered Berlin in April 1945. The city "
            "surrendered on 2 May.",
        )
        == "After a long siege, Soviet troops entered Berlin in April 1945.| The city "
        "surrendered on 2 May."
    )


def test_text_inserted_after_the_marker_leaves_it_where_it_was():
    assert (
        follow(
            "Soviet troops entered Berlin| in April 1945.",
            "Soviet troops entered Berlin in April 1945, after the battle of the Seelow Heights.",
        )
        == "Soviet troops entered Berlin| in April 1945, after the battle of the Seelow "
        "Heights."
    )


def test_text_inserted_at_the_marker_goes_after_it_so_it_keeps_citing_the_words_before():
    assert (
        follow(
            "The garrison surrendered on 2 May 1945|, and the fighting ended.",
            "The garrison surrendered on 2 May 1945 after ten days of street fighting, and "
            "the fighting ended.",
        )
        == "The garrison surrendered on 2 May 1945| after ten days of street fighting, and "
        "the fighting ended."
    )


def test_a_sentence_appended_after_a_final_marker_leaves_it_on_its_sentence():
    assert (
        follow(
            "Those found guilty were executed.|",
            "Those found guilty were executed. Others were sent to labour camps.",
        )
        == "Those found guilty were executed.| Others were sent to labour camps."
    )


# --------------------------------------------------------------------------- replacements


def test_a_word_replaced_before_the_marker_keeps_it_before_the_words_after():
    assert (
        follow(
            "An estimated 50,000 women were raped in Budapest|, according to Naimark.",
            "An estimated 50,000 women were raped in Hungary, according to Naimark.",
        )
        == "An estimated 50,000 women were raped in Hungary|, according to Naimark."
    )


def test_a_word_replaced_after_the_marker_keeps_it_after_the_words_before():
    assert (
        follow(
            "The pogroms were condemned by the high command.| Guilty units were disarmed.",
            "The pogroms were condemned by the high command. Guilty units were disbanded.",
        )
        == "The pogroms were condemned by the high command.| Guilty units were disbanded."
    )


def test_a_number_corrected_at_the_end_keeps_a_final_marker_at_the_end():
    assert follow("The siege lasted 102 days|", "The siege lasted 108 days") == (
        "The siege lasted 108 days|"
    )


# --------------------------------------------------------------------------- rewrites


def test_a_whole_sentence_rewritten_orphans_a_marker_in_the_middle():
    old = "Soviet troops entered Berlin| on 21 April, meeting little resistance.|"
    new = "The capital fell after a two-week siege."

    assert follow(old, new) == "The capital fell after a two-week siege.|"
    (lost,) = orphans(old, new)
    assert lost.anchor.offset == len("Soviet troops entered Berlin")
    assert lost.anchor.prefix == "Soviet troops entered Berlin"
    assert lost.anchor.suffix == " on 21 April, meeting little res"
    assert lost.anchor.context == "…et troops entered Berlin‸ on 21 April, meeting li…"
    assert lost.how == anchors.ORPHANED


def test_a_rewrite_that_keeps_the_words_after_the_marker_places_it_before_them():
    assert (
        follow("Soviet troops entered Berlin| in April.", "The Red Army took the city in April.")
        == "The Red Army took the city| in April."
    )


def test_a_comma_left_over_from_a_rewrite_is_no_evidence():
    old = "Soviet troops entered Berlin|, and the war ended."
    new = "The war ended quickly, as expected."
    assert [r.anchor.prefix for r in orphans(old, new)] == ["Soviet troops entered Berlin"]


def test_words_moved_to_another_part_of_the_sentence_take_their_marker_along():
    assert (
        follow(
            "Soviet troops entered Berlin in April; the war in Europe ended in May|, said "
            "the report.",
            "The report says the war in Europe ended in May. Soviet troops entered Berlin "
            "in April.",
        )
        == "The report says the war in Europe ended in May|. Soviet troops entered Berlin "
        "in April."
    )


# --------------------------------------------------------------------------- other scripts


def test_cyrillic_insertion_and_rewrite():
    old = "Советские войска вошли в Берлин| в апреле 1945 года.|"
    assert (
        follow(old, "Советские войска вошли в Берлин в начале мая 1945 года.")
        == "Советские войска вошли в Берлин| в начале мая 1945 года.|"
    )
    assert [r.anchor.prefix for r in orphans(old, "Красная армия взяла столицу весной.")] == [
        "Советские войска вошли в Берлин"
    ]


def test_chinese_characters_are_words_of_their_own():
    # No spaces: were a run of characters one word, changing one would orphan the marker.
    assert follow("苏联军队进入柏林|以后战争结束。", "苏联红军进入柏林以后战争结束。") == (
        "苏联红军进入柏林|以后战争结束。"
    )
    old = "苏联军队于1945年4月进入柏林|，战争随后结束。|"
    # Two characters changed ("军队" → "红军", "进入" → "攻入"), no spaces anywhere.
    assert (
        follow(old, "苏联红军于1945年4月攻入柏林，战争随后结束。")
        == "苏联红军于1945年4月攻入柏林|，战争随后结束。|"
    )
    assert (
        follow(old, "红军在春天占领了首都，战争随后结束。")
        == "红军在春天占领了首都|，战争随后结束。|"
    )
    assert [r.anchor.prefix for r in orphans(old, "红军在春天占领了首都。")] == [
        "苏联军队于1945年4月进入柏林"
    ]


# --------------------------------------------------------------------------- repeated phrases


def test_a_repeated_phrase_keeps_the_marker_on_its_own_occurrence():
    assert (
        follow(
            "He studied in Kyiv. He taught in Kyiv| for years.",
            "He studied in Kyiv and Lviv. He taught in Kyiv for years.",
        )
        == "He studied in Kyiv and Lviv. He taught in Kyiv| for years."
    )
    assert (
        follow(
            "The army advanced.| The army advanced again| and won.",
            "At dawn the army advanced. The army advanced again and won.",
        )
        == "At dawn the army advanced.| The army advanced again| and won."
    )


def test_moved_words_found_twice_are_no_answer():
    old = "Berlin fell. Stalin was pleased; the war ended in May|. Everyone cheered."
    assert follow(old, "Everyone cheered: the war ended in May. Berlin fell.") == (
        "Everyone cheered: the war ended in May|. Berlin fell."
    )
    twice = "Everyone cheered: the war ended in May and the war ended in May. Berlin fell."
    assert len(orphans(old, twice)) == 1


# --------------------------------------------------------------------------- the edges


def test_markers_at_the_start_and_at_the_end():
    assert follow("|Berlin fell in 1945.|", "In the spring, Berlin fell in 1945.") == (
        "In the spring, |Berlin fell in 1945.|"
    )
    assert follow("|Berlin fell in 1945|", "Paris was freed in 1944") == (
        "|Paris was freed in 1944|"
    )


def test_the_context_is_at_most_32_characters_each_side():
    text = "x" * 40 + "y" * 40
    (where,) = relocate(text, text, [40])
    assert where.anchor.prefix == "x" * 32
    assert where.anchor.suffix == "y" * 32


def test_an_offset_outside_the_text_is_a_mistake():
    with pytest.raises(ValueError, match="outside the text"):
        relocate("Berlin fell.", "Berlin fell.", [13])


def test_a_place_is_shown_with_the_words_around_it():
    text = "The capital fell after a two-week siege, meeting little resistance."
    assert anchors.context_at(text, 16) == "The capital fell‸ after a two-week siege,…"
    assert anchors.context_at(text, len(text)) == "…eting little resistance.‸"


def test_places_a_marker_can_take_are_after_each_word_and_mark():
    assert anchors.positions("Berlin fell, in 1945.") == [0, 6, 11, 12, 15, 20, 21]
    assert anchors.positions("柏林陷落。") == [0, 1, 2, 3, 4, 5]


WORDS = st.sampled_from(["Berlin", "fell", "in", "1945", ",", ".", " ", "  ", "войска", "柏林"])


@given(st.lists(WORDS, min_size=1, max_size=30), st.data())
def test_unchanged_text_keeps_every_offset(words, data):
    text = "".join(words)
    offsets = list(range(len(text) + 1))
    assert [r.offset for r in relocate(text, text, offsets)] == offsets


@given(st.lists(WORDS, min_size=1, max_size=30))
def test_a_sentence_put_in_front_shifts_every_offset_by_its_length(words):
    text = "".join(words).strip()  # as claims are
    # Opening with a word: a text opening ", Berlin" could pair its comma with the lead's.
    assume(text and text[0].isalnum())
    lead = "According to the commission report, "
    offsets = list(range(len(text) + 1))
    assert [r.offset for r in relocate(text, lead + text, offsets)] == [
        len(lead) + offset for offset in offsets
    ]
