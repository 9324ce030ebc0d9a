"""The parser on its own: the seed's figures, the format's rules on other articles, bad input."""

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import importer
from archive.importer import ImportFormatError, parse, read_source_file, strip_markers

# An article nobody tuned the importer on, in the same format: a nested heading, a lost
# heading, a tag line, a caption, a quotation, note markers of another group name, backlinked
# footnotes, an unknown tag and a marker on a line of its own.
OTHER_ARTICLE = (Path(__file__).parent / "fixtures" / "harbour_strikes.txt").read_text()


def claims_of(document):
    return [(c.kind, c.text) for c in document.claims]


# --------------------------------------------------------------------------- the seed


def test_seed_has_ninety_numeric_markers_to_seventy_six_sources(seed_parsed):
    numeric = [c for c in seed_parsed.citations if c.label.isdigit()]
    assert len(numeric) == 90
    assert len({c.label for c in numeric}) == 76
    references = [s for s in seed_parsed.sources if s.kind == importer.REFERENCE]
    assert [s.label for s in references] == [str(n) for n in range(1, 77)]


def test_seed_notes_keep_their_text_and_the_marker_inside_note_one(seed_parsed):
    notes = {s.label: s.note_text for s in seed_parsed.sources if s.kind == importer.NOTE}
    assert set(notes) == {"notes 1", "notes 2"}
    assert notes["notes 1"].startswith('"Der Umgang mit den Denkmälern."')
    assert notes["notes 1"].endswith("p. 89/90 [1]")
    assert notes["notes 2"].endswith("(Krisztian Ungvary The Siege of Budapest 2005)")
    assert [c.label for c in seed_parsed.citations if not c.label.isdigit()] == [
        "notes 1",
        "notes 2",
    ]


def test_seed_flags_by_kind(seed_parsed):
    assert Counter(f.kind for f in seed_parsed.flags) == {
        importer.CITATION_NEEDED: 6,
        importer.NEUTRALITY_DISPUTED: 2,
        importer.QUOTATION_NEEDED: 2,
    }


def test_seed_neutrality_tag_on_its_own_line_flags_its_section(seed_parsed):
    [section] = [s for s in seed_parsed.sections if s.flags]
    assert section.heading == "Discussion by historians"
    assert [f.kind for f in section.flags] == [importer.NEUTRALITY_DISPUTED]


def test_seed_two_repeated_paragraphs_are_reported(seed_parsed):
    repeated = [a for a in seed_parsed.anomalies if a.kind == "repeated_paragraph"]
    assert [a.line for a in repeated] == [102, 164]
    assert "line 100" in repeated[0].message and "line 61" in repeated[1].message


def test_seed_glued_tag_is_reported_and_sentences_still_split(seed_parsed):
    assert [a.line for a in seed_parsed.anomalies if a.kind == "glued_tag"] == [11]
    texts = [c.text for c in seed_parsed.claims]
    assert any(t.endswith("refused to recognize them until 1955.") for t in texts)
    assert any(t.startswith("This created a situation") for t in texts)


def test_seed_lost_headings_become_sections_marked_heading_missing(seed_parsed):
    missing = [s for s in seed_parsed.sections if s.heading_missing]
    assert len(missing) == 15
    assert all(s.heading == "" and s.claims for s in missing)
    headings = [s.heading for s in seed_parsed.sections if s.heading]
    assert headings[:3] == [
        "The Soviet State, warfare and war crimes",
        "The Red Army and the pogroms",
        "The Red Army and the NKVD",
    ]
    assert "Hungarian Revolution (1956)" in headings


def test_seed_subheading_under_an_empty_heading_is_one_level_deeper(seed_parsed):
    by_heading = {s.heading: s for s in seed_parsed.sections if s.heading}
    assert by_heading["Soviet Union"].level == 2
    assert by_heading["Soviet Union"].claims == []
    assert by_heading["Retreat by Soviet forces in 1941"].level == 3


@pytest.mark.parametrize(
    "sentence",
    [
        "Slovak communist leader Vlado Clementis complained to Marshal I. S. Konev about the "
        "behavior of Soviet troops in Slovakia.",
        "However, Dr. Rüdiger Overmans believes that it seems entirely plausible, while not "
        "provable, that an additional 1 million German military personnel listed as missing "
        "actually died in Soviet custody as POWs.",
        "O.A. Rzheshevsky, a professor and President of the Russian Association of World War II "
        "Historians, has charged that Beevor is merely resurrecting the discredited and racist "
        'views of Neo-Nazi historians, who depicted Soviet troops as subhuman "Asiatic hordes."',
    ],
)
def test_seed_abbreviations_do_not_split_sentences(seed_parsed, sentence):
    assert sentence in [c.text for c in seed_parsed.claims]


def test_seed_locators_belong_to_the_marker_before_them(seed_parsed):
    located = {(c.label, c.locator) for c in seed_parsed.citations if c.locator}
    assert located == {("54", "348–350"), ("55", "129"), ("56", "70–71")}


def test_seed_captions_and_quotations(seed_parsed):
    captions = [c.text for c in seed_parsed.claims if c.kind == importer.CAPTION]
    assert captions == [
        "Katyn 1943 exhumation. Photo by International Red Cross delegation.",
        "One of the mass graves at Katyn where the NKVD massacred thousands of Polish Officers, "
        "policemen, intellectuals and civilian prisoners of war.",
        "Finnish children killed by Soviet partisans at Seitajärvi in Finnish Lapland 1942.",
    ]
    quotations = [c.text for c in seed_parsed.claims if c.kind == importer.QUOTATION]
    assert len(quotations) == 5
    assert quotations[0].startswith('"We cannot escape the conclusion')
    assert (
        quotations[-1]
        == "Individuals, department stores, shops, apartments ... all were robbed blind."
    )


def test_every_seed_claim_span_without_markers_is_the_claim_text(seed_parsed):
    for claim in seed_parsed.claims:
        assert strip_markers(seed_parsed.text[claim.start : claim.end]) == claim.text
    assert len(seed_parsed.claims) > 150


def test_every_citation_and_flag_span_is_its_marker(seed_parsed):
    for citation in seed_parsed.citations:
        marker = seed_parsed.text[citation.start : citation.end]
        assert marker.startswith(f"[{citation.label}]"), marker
    for flag in seed_parsed.flags:
        assert seed_parsed.text[flag.start : flag.end] == f"[{flag.label}]"


def test_seed_with_bom_crlf_or_cr_parses_exactly_like_the_plain_file(seed_source, seed_parsed):
    plain = seed_source.text
    variants = {
        "bom": "\ufeff" + plain,
        "crlf": plain.replace("\n", "\r\n"),
        "cr": plain.replace("\n", "\r"),
        "bom+crlf": "\ufeff" + plain.replace("\n", "\r\n"),
    }
    for name, text in variants.items():
        variant = parse(text, name)
        assert variant == seed_parsed, name
        data = text.encode("utf-8")
        assert importer.decode(data, name) == plain


# --------------------------------------------------------------------------- other articles


def test_other_article_structure():
    document = parse(OTHER_ARTICLE, "strikes.txt")
    assert document.title == "Harbour strikes of 1921"
    assert [(s.heading, s.heading_missing, s.level) for s in document.sections] == [
        ("", False, 2),
        ("Causes", False, 2),
        ("Wages", False, 3),
        ("", True, 3),
        ("Aftermath", False, 2),
    ]
    kinds = Counter(kind for kind, _ in claims_of(document))
    assert kinds == {"statement": 9, "caption": 1, "quotation": 1}


def test_other_article_citations_notes_and_tags():
    document = parse(OTHER_ARTICLE, "strikes.txt")
    assert [(c.label, c.locator) for c in document.citations] == [
        ("1", ""),
        ("2", ""),
        ("3", "14–15"),
        ("4", ""),
        ("5", ""),
        ("note 1", ""),
        ("6", ""),
        ("7", ""),
        ("8", "212"),
        ("9", ""),
    ]
    notes = [s for s in document.sources if s.kind == importer.NOTE]
    assert [(s.label, s.note_text) for s in notes] == [
        ("note 1", "The northern ports joined on 9 March.")
    ]
    assert [(f.kind, f.label) for f in document.flags] == [
        (importer.NEUTRALITY_DISPUTED, "neutrality is disputed"),
        (importer.CITATION_NEEDED, "citation needed"),
        ("dubious", "dubious – discuss"),
        ("vague", "who?"),
    ]


def test_other_article_sentences_keep_abbreviations_and_markers_on_their_sentence():
    document = parse(OTHER_ARTICLE, "strikes.txt")
    by_text = {c.text: c for c in document.claims}
    carver = "Mr. A. B. Carver, the union's secretary, wrote on 3 March:"
    assert carver in by_text
    moss = by_text["Some count the strike a defeat, e.g. Dr. Helen Moss on p. 212 of her study."]
    assert [(c.label, c.locator) for c in moss.citations] == [("8", "212"), ("9", "")]
    walked_out = by_text["Dockers in Port Elm walked out first."]
    assert [c.label for c in walked_out.citations] == ["2", "3"]
    assert any(a.kind == "markers_alone" for a in document.anomalies)


def test_other_article_spans_hold():
    document = parse(OTHER_ARTICLE, "strikes.txt")
    for claim in document.claims:
        assert strip_markers(document.text[claim.start : claim.end]) == claim.text


def test_marker_removal_leaves_single_spaces():
    assert strip_markers("Beevor [12] said") == "Beevor said"
    assert strip_markers("raped[53][54]:\u200a348–350\u200a[notes 2], though") == "raped, though"
    assert strip_markers("until 1955.[citation needed]This") == "until 1955.This"


def test_the_footnote_list_under_its_heading_is_apparatus_not_claims():
    document = parse("Title\n\nOne sentence here.[notes 1]\n\nNotes\n\n  1. ^ The note.\n")
    assert [(s.heading, len(s.claims)) for s in document.sections] == [("", 1), ("Notes", 0)]
    [entry] = document.apparatus
    assert (entry.kind, entry.section, entry.source_label) == ("footnote", 1, "notes 1")
    assert document.sources[0].note_text == "The note."


def test_a_cited_note_without_text_and_an_uncited_footnote_are_reported_and_kept():
    document = parse("Title\n\nA claim.[notes 2]\n\n  1. ^ Never cited.\n")
    assert {s.label: s.note_text for s in document.sources} == {
        "notes 1": "Never cited.",
        "notes 2": "",
    }
    kinds = {a.kind for a in document.anomalies}
    assert {"note_without_text", "uncited_entry"} <= kinds


# --------------------------------------------------------------------------- bad input


def test_missing_file(tmp_path):
    with pytest.raises(ImportFormatError, match="no such file") as error:
        read_source_file(tmp_path / "nope.txt")
    assert "nope.txt" in str(error.value)


def test_directory(tmp_path):
    with pytest.raises(ImportFormatError, match="is a directory"):
        read_source_file(tmp_path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(ImportFormatError, match=r"^empty\.txt: file is empty$"):
        read_source_file(path)


def test_whitespace_only_file(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_bytes(b"\n \n\t\n")
    with pytest.raises(ImportFormatError, match="file is empty"):
        read_source_file(path)


def test_no_title(tmp_path):
    path = tmp_path / "untitled.txt"
    path.write_text("\nA paragraph without a title above it.\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"^untitled\.txt:1: the first line must be"):
        read_source_file(path) and parse(path.read_text(), "untitled.txt")


def test_title_without_any_text():
    with pytest.raises(ImportFormatError, match=r"^t\.txt:2: nothing to import"):
        parse("Just a title\n\n\n", "t.txt")


def test_nul_bytes_name_the_line(tmp_path):
    path = tmp_path / "binary.txt"
    path.write_bytes(b"Title\n\nText\x00more\n")
    with pytest.raises(ImportFormatError, match=r"^binary\.txt:3: contains NUL bytes"):
        read_source_file(path)


def test_binary_control_characters_are_refused():
    with pytest.raises(ImportFormatError, match=r":3: contains control character"):
        parse("Title\n\nText \x01 here.\n", "ctl.txt")


def test_invalid_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Title\n\nCaf\u00e9 society.\n".encode("latin-1"))
    with pytest.raises(ImportFormatError, match=r"^latin1\.txt:3: is not valid UTF-8 \(byte 0xe9"):
        read_source_file(path)


def test_file_over_ten_megabytes(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(10 * 1024 * 1024 + 1)
    with pytest.raises(ImportFormatError, match=r"^huge\.txt: file is 10,485,761 bytes"):
        read_source_file(path)


def test_title_too_long():
    with pytest.raises(ImportFormatError, match=":1: the title is 300 characters long"):
        parse("T" * 300 + "\n\nText.\n", "long.txt")


# --------------------------------------------------------------------------- properties

_FRAGMENTS = st.sampled_from(
    [
        "Word",
        "word",
        "the",
        "end.",
        "Dr.",
        "I. S.",
        '"',
        ":",
        "(1956)",
        "[12]",
        "[3][4]",
        "[5]: 129",
        "[notes 1]",
        "[citation needed]",
        "[neutrality is disputed]",
        "[who?]",
        "[a]",
        "\u200a",
        " ",
        " ",
        "\n",
        "\n\n",
        "\n\n\n",
        "  1. ^ A note.",
        "\t",
        "é",
        "—",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parser_raises_only_its_own_error_on_arbitrary_text(text):
    try:
        document = parse(text, "fuzz.txt")
    except ImportFormatError:
        return
    for claim in document.claims:
        assert strip_markers(document.text[claim.start : claim.end]) == claim.text


@settings(max_examples=300, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=80).map(lambda parts: "Title\n\n" + " ".join(parts)))
def test_article_shaped_text_parses_with_exact_spans(text):
    try:
        document = parse(text, "fuzz.txt")
    except ImportFormatError as error:
        assert "fuzz.txt" in str(error)
        return
    for claim in document.claims:
        assert claim.text and claim.text == claim.text.strip()
        assert strip_markers(document.text[claim.start : claim.end]) == claim.text
    labels = {s.label for s in document.sources}
    assert {c.label for c in document.citations} <= labels
