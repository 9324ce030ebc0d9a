"""How faithfully the importer reads the labelled corpus of real articles (``tests/corpus/``).

For each file, the parse is held against its hand-labelled outline:

- headings: precision and recall of (heading, level) pairs, and of headings alone;
- claims: how many labelled claims the parse has with the same text, and of those how
  many have the labelled kind and the labelled citations;
- apparatus read as claims: claims whose text is a labelled apparatus line;
- sources with text: labelled sources that have text, and how many of those got it;
- sentence boundary errors: labelled claim starts the parse lacks, plus parsed claim
  starts the labels lack, within running text (statements).

Texts are compared with runs of whitespace collapsed. Run it as
``.venv/bin/python bench/fidelity.py``; ``make bench`` prints the same table.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"


def _norm(text: str) -> str:
    return " ".join(text.split())


def measure(outline_path: Path) -> dict:
    from archive.importer import ImportFormatError, parse, read_source_file

    outline = json.loads(outline_path.read_text(encoding="utf-8"))
    path = outline_path.with_name(outline["file"])
    try:
        source = read_source_file(path)
        document = parse(source.text, source.name)
    except ImportFormatError as error:
        return {"file": outline["file"], "error": str(error)}

    expected_headings = [
        (_norm(s["heading"]), s["level"]) for s in outline["sections"] if s["heading"]
    ]
    parsed_headings = [(_norm(s.heading), s.level) for s in document.sections if s.heading]

    def pr(expected, parsed):
        hits = sum((Counter(expected) & Counter(parsed)).values())  # a heading may recur
        return (hits / len(parsed) if parsed else 1.0, hits / len(expected) if expected else 1.0)

    expected_claims = [c for s in outline["sections"] for c in s["claims"]]
    # A text that stands more than once (a table's "3.0") is matched in order of position.
    parsed_by_text: dict[str, list] = {}
    for claim in document.claims:
        parsed_by_text.setdefault(_norm(claim.text), []).append(claim)
    found = []
    for c in expected_claims:
        same = parsed_by_text.get(_norm(c["text"]))
        found.append((c, same.pop(0) if same else None))
    matched = [(c, p) for c, p in found if p is not None]
    apparatus_texts = {_norm(a["text"])[:60] for s in outline["sections"] for a in s["apparatus"]}
    as_claims = sum(1 for claim in document.claims if _norm(claim.text)[:60] in apparatus_texts)

    expected_starts = {_norm(c["text"])[:40] for c in expected_claims if c["kind"] == "statement"}
    parsed_starts = {_norm(c.text)[:40] for c in document.claims if c.kind == "statement"}
    with_text = {s["label"] for s in outline["sources"] if s["has_text"]}
    parsed_sources = {s.label: s for s in document.sources}
    return {
        "file": outline["file"],
        "heading_precision_recall": pr(expected_headings, parsed_headings),
        "headings_missed": sum((Counter(expected_headings) - Counter(parsed_headings)).values()),
        "headings_extra": sum((Counter(parsed_headings) - Counter(expected_headings)).values()),
        "heading_text_recall": pr(
            [h for h, _ in expected_headings], [h for h, _ in parsed_headings]
        )[1],
        "claims": len(expected_claims),
        "claims_found": len(matched),
        "kind_right": sum(1 for c, p in matched if p.kind == c["kind"]),
        "citations_right": sum(
            1 for c, p in matched if [x.label for x in p.citations] == c["cites"]
        ),
        "apparatus_as_claims": as_claims,
        "sources_with_text": len(with_text),
        "sources_given_text": sum(
            1 for label in with_text if label in parsed_sources and parsed_sources[label].note_text
        ),
        "boundary_errors": len(expected_starts - parsed_starts)
        + len(parsed_starts - expected_starts),
        "statements": len(expected_starts),
    }


def table() -> str:
    rows = [
        "| file | heading P / R (with level) | heading R (text) | claims found | kind right "
        "| citations right | apparatus as claims | sources given text | boundary errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for outline_path in sorted(CORPUS.glob("*.expected.json")):
        m = measure(outline_path)
        if "error" in m:
            rows.append(f"| {m['file']} | refused: {m['error']} | | | | | | | |")
            continue
        precision, recall = m["heading_precision_recall"]
        rows.append(
            f"| {m['file']} | {precision:.0%} / {recall:.0%} | {m['heading_text_recall']:.0%} "
            f"| {m['claims_found']} of {m['claims']} | {m['kind_right']} of {m['claims_found']} "
            f"| {m['citations_right']} of {m['claims_found']} | {m['apparatus_as_claims']} "
            f"| {m['sources_given_text']} of {m['sources_with_text']} "
            f"| {m['boundary_errors']} ({m['statements']} statements) |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive_site.settings.dev")
    django.setup()
    print(table())
