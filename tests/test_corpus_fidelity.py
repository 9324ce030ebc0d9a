"""The labelled corpus of real articles: what the importer already gets right on every file.

``make bench`` prints the whole fidelity table (``bench/fidelity.py``); these are the
figures that hold on every file today and must not slip: every reference entry's text
reaches its source, every claim found carries exactly its labelled citations, no claim
loses text, and a copy damaged by a wrong encoding is refused with the reason.
"""

from pathlib import Path

import pytest

from archive.importer import ImportFormatError, parse, read_source_file
from bench import fidelity

OUTLINES = sorted(fidelity.CORPUS.glob("*.expected.json"))
# Converted to UTF-8 as if they were Latin-1: C1 control characters stand in the text.
MOJIBAKE = {"network-congestion.txt", "syntax-directed-translation.txt"}


def test_the_corpus_has_its_files():
    assert len(OUTLINES) >= 6


@pytest.mark.parametrize("outline", OUTLINES, ids=lambda p: p.name.split(".")[0])
def test_reference_texts_and_citations_land_where_the_labels_say(outline):
    figures = fidelity.measure(outline)
    if figures["file"] in MOJIBAKE:
        assert "C1 control character" in figures["error"]
        return
    assert figures["sources_given_text"] == figures["sources_with_text"]
    assert figures["citations_right"] == figures["claims_found"]
    assert figures["claims_found"] >= 0.85 * figures["claims"]


@pytest.mark.parametrize("outline", OUTLINES, ids=lambda p: p.name.split(".")[0])
def test_nothing_of_a_real_article_is_unaccounted_for(outline):
    path = Path(outline).with_name(outline.name.replace(".expected.json", ".txt"))
    try:
        source = read_source_file(path)
    except ImportFormatError:
        assert path.name in MOJIBAKE
        return
    document = parse(source.text, source.name)
    assert document.unaccounted() == []
