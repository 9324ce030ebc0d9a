"""Plain text -> parsed document: the pure half of the importer.

Nothing here touches Django or the database, so the parser can be tested and fuzzed on its
own and a dry run costs nothing. ``workflow.import_document`` loads what this returns.

The format (see DESIGN.md): the first line is the title; paragraphs are lines separated by a
blank line; two or more blank lines mark a section break; a short line without closing
punctuation is a heading; citation markers (``[12]``, ``[notes 1]``, ``[55]: 129``) and
maintenance tags (``[citation needed]``) stay inline and belong to the sentence they follow;
the footnote list (``  1. ^ text``) closes the file.

Every character span refers to the decoded text (UTF-8, byte-order mark removed, line
endings turned into ``\\n``), so a file with CRLF endings parses exactly like one with LF.
Rules are about the format, never about one article's wording: the importer must read
articles nobody has seen as faithfully as the seed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass

from .parsed import (
    CAPTION,
    NOTE,
    OTHER,
    QUOTATION,
    REFERENCE,
    STATEMENT,
    Anomaly,
    ImportFormatError,
    ParsedCitation,
    ParsedClaim,
    ParsedDocument,
    ParsedFlag,
    ParsedSection,
    ParsedSource,
)
from .reading import normalize
from .sentences import sentence_bounds
from .vocabulary import TAG_KINDS

_LOCATOR = (
    r"(?:pp?\.\s?)?\d+[a-z]?(?:\s?[–—-]\s?\d+[a-z]?)?(?:,\s?\d+[a-z]?(?:\s?[–—-]\s?\d+[a-z]?)?)*"
)
# One citation marker or maintenance tag, with the spaces before it: removing a marker from
# "Beevor [12] said" must leave "Beevor said", not two spaces.
_MARKER_RE = re.compile(
    r"[^\S\n]*(?:"
    r"\[(?:(?P<num>\d{1,6})|(?P<group>[a-z][a-z-]*(?: [a-z][a-z-]*)?) (?P<gnum>\d{1,4})"
    r"|(?P<letter>[a-z]))\](?::[^\S\n]?(?P<loc>" + _LOCATOR + r"))?"
    r"|\[(?P<tag>[a-z][a-z0-9 ?'’,–—-]*[a-z?])\]"
    r")"
)
_FOOTNOTE_RE = re.compile(r"^\s*(?P<key>\d{1,4}|[a-z])\.\s+\^\s?(?P<text>.*?)\s*$")
_BACKLINKS_RE = re.compile(r"^a(?: [b-z])+ ")
_WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_CLOSING_PUNCTUATION = frozenset(".!?:;,…\"'”’»")
_FORBIDDEN_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")

HEADING_MAX_WORDS = 12
HEADING_MAX_CHARS = 120
TITLE_MAX_CHARS = 255
CAPTION_MAX_WORDS = 30
REPEAT_SHINGLE = 4
REPEAT_MIN_WORDS = 12
REPEAT_THRESHOLD = 0.6


def strip_markers(text: str) -> str:
    """Text with its citation markers, locators and maintenance tags removed."""
    return _MARKER_RE.sub("", text)


# --------------------------------------------------------------------------- parsing


def parse(text: str, name: str = "<text>") -> ParsedDocument:
    """Parse a whole article. Raises only ImportFormatError."""
    return _Parser(normalize(text), name).parse()


@dataclass
class _Run:
    """Markers standing next to each other, removed from the text as one piece."""

    start: int  # in the original text
    end: int
    clean_at: int  # position in the cleaned paragraph where the run was
    citations: list[ParsedCitation]
    flags: list[ParsedFlag]
    glued: bool  # a tag touching the next word, as in "[citation needed]This"


class _Parser:
    def __init__(self, text: str, name: str):
        self.text = text
        self.name = name
        self.anomalies: list[Anomaly] = []
        self.sections: list[ParsedSection] = []
        self.paragraph = 0
        self.labels_in_order: list[str] = []
        self.footnotes: list[tuple[str, str, int]] = []  # key, text, line
        self.paragraph_words: list[tuple[int, list[str]]] = []

    # -- errors and anomalies

    def fail(self, message: str, line: int | None = None) -> ImportFormatError:
        return ImportFormatError(self.name, message, line)

    def note(self, kind: str, line: int, message: str) -> None:
        self.anomalies.append(Anomaly(kind, line, message))

    # -- the document

    def parse(self) -> ParsedDocument:
        bad = _FORBIDDEN_CONTROL_RE.search(self.text)
        if bad:
            line = self.text.count("\n", 0, bad.start()) + 1
            what = "NUL bytes" if bad.group() == "\x00" else f"control character {bad.group()!r}"
            raise self.fail(f"contains {what}: a binary file, not text", line)
        if not self.text.strip():
            raise self.fail("file is empty")
        lines = self.text.split("\n")
        title = lines[0].strip()
        if not title:
            raise self.fail("the first line must be the document's title, and it is blank", 1)
        if len(title) > TITLE_MAX_CHARS:
            raise self.fail(
                f"the title is {len(title)} characters long; at most {TITLE_MAX_CHARS}", 1
            )
        self.read_body(lines)
        sections = [s for s in self.sections if s.claims or s.flags or s.heading]
        if not any(section.claims for section in sections):
            raise self.fail("nothing to import after the title: no paragraph of text", 2)
        sources = self.collect_sources()
        self.find_repeated_paragraphs()
        self.anomalies.sort(key=lambda a: a.line)
        return ParsedDocument(title, self.text, sections, sources, self.anomalies)

    def read_body(self, lines: list[str]) -> None:
        starts = [0]
        for line in lines[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        self.sections.append(ParsedSection("", False, 2, line=2))
        blank_run = 0
        previous_kind = None  # "heading", "text", "tags" or None
        previous_text = ""
        for index in range(1, len(lines)):
            line = lines[index]
            number = index + 1
            if not line.strip():
                blank_run += 1
                continue
            footnote = _FOOTNOTE_RE.match(line)
            if footnote:
                self.read_footnote(footnote, starts[index], number)
                blank_run, previous_kind = 0, "footnote"
                continue
            next_is_footnote = self.next_content_is_footnote(lines, index + 1)
            alone = (
                index + 1 == len(lines)
                or not lines[index + 1].strip()
                or bool(_FOOTNOTE_RE.match(lines[index + 1]))
            )
            if blank_run >= 2:
                previous_text = ""
            start = starts[index]
            if (
                alone
                and _looks_like_heading(line)
                and not (blank_run == 1 and previous_text.endswith(":"))
            ):
                if next_is_footnote:
                    # The footnote list's own heading ("Notes"): not a section of the article.
                    blank_run, previous_kind = 0, "heading"
                    continue
                self.start_section(line, start, number, after_heading=previous_kind == "heading")
                blank_run, previous_kind, previous_text = 0, "heading", ""
                continue
            if blank_run >= 2 and self.current.claims:
                self.sections.append(ParsedSection("", True, self.current.level, line=number))
                self.note(
                    "heading_missing", number, "section break with no heading: the heading was lost"
                )
            kind = self.read_paragraph(line, start, number, intro=previous_text)
            previous_kind = kind
            previous_text = strip_markers(line).strip() if kind == "text" else ""
            blank_run = 0

    @staticmethod
    def next_content_is_footnote(lines: list[str], index: int) -> bool:
        for line in lines[index:]:
            if line.strip():
                return bool(_FOOTNOTE_RE.match(line))
        return False

    @property
    def current(self) -> ParsedSection:
        return self.sections[-1]

    def start_section(self, line: str, start: int, number: int, *, after_heading: bool) -> None:
        heading = line.strip()
        offset = start + line.index(heading)
        parent = self.current if after_heading and not self.current.claims else None
        level = min(parent.level + 1, 6) if parent is not None and parent.heading else 2
        self.sections.append(
            ParsedSection(heading, False, level, number, offset, offset + len(heading))
        )

    def read_footnote(self, match: re.Match, start: int, number: int) -> None:
        text = _BACKLINKS_RE.sub("", match.group("text"))
        self.footnotes.append((match.group("key"), text, number))

    # -- paragraphs

    def read_paragraph(self, line: str, start: int, number: int, *, intro: str) -> str:
        runs, clean, origin = self.cut_markers(line, start, number)
        body = clean.strip()
        if not body:
            if runs and all(not run.citations for run in runs):
                for run in runs:
                    self.current.flags.extend(run.flags)
                return "tags"
            self.attach_orphan_markers(runs, number)
            return "markers"
        self.paragraph += 1
        bounds = sentence_bounds(clean, [run.clean_at for run in runs if run.glued])
        if intro.endswith(":"):
            kind = QUOTATION
        elif _looks_like_caption([clean[s:e] for s, e in bounds]):
            kind = CAPTION
        else:
            kind = STATEMENT
        if kind != STATEMENT:  # a quotation or a caption is one claim, however many sentences
            first = len(clean) - len(clean.lstrip())
            bounds = [(first, first + len(body))]
        claims = [
            ParsedClaim(
                kind,
                clean[s:e],
                self.paragraph,
                number,
                origin[s],
                origin[e - 1] + 1,
            )
            for s, e in bounds
        ]
        sentence_starts = [s for s, _ in bounds]
        for run in runs:
            claim = claims[max(bisect_right(sentence_starts, run.clean_at - 1) - 1, 0)]
            if run.clean_at <= bounds[0][0]:
                self.note(
                    "marker_before_text",
                    number,
                    f"marker {self.text[run.start : run.end].strip()!r} opens the paragraph; "
                    "attached to its first sentence",
                )
            claim.citations.extend(run.citations)
            claim.flags.extend(run.flags)
            if run.start >= claim.start:
                claim.end = max(claim.end, run.end)
        self.current.claims.extend(claims)
        self.paragraph_words.append((number, [w.lower() for w in _WORD_RE.findall(body)]))
        return "text"

    def cut_markers(self, line: str, start: int, number: int) -> tuple[list[_Run], str, list[int]]:
        """Split a line into marker runs and the clean text, mapping clean -> file offsets."""
        runs: list[_Run] = []
        pieces: list[str] = []
        origin: list[int] = []
        cursor = 0
        for match in _MARKER_RE.finditer(line):
            if match.start() > cursor:
                pieces.append(line[cursor : match.start()])
                origin.extend(range(start + cursor, start + match.start()))
            clean_at = len(origin)
            if runs and runs[-1].end == start + match.start():
                run = runs[-1]
                run.end = start + match.end()
            else:
                run = _Run(start + match.start(), start + match.end(), clean_at, [], [], False)
                runs.append(run)
            self.read_marker(match, start, number, run)
            run.glued = bool(run.flags) and line[match.end() : match.end() + 1].isalnum()
            cursor = match.end()
        pieces.append(line[cursor:])
        origin.extend(range(start + cursor, start + len(line)))
        origin.append(start + len(line))
        for run in runs:
            if run.glued:
                self.note(
                    "glued_tag",
                    number,
                    f"tag {self.text[run.start : run.end].strip()!r} is glued to the next word",
                )
        return runs, "".join(pieces), origin

    def read_marker(self, match: re.Match, start: int, number: int, run: _Run) -> None:
        # Spans leave out the spaces the marker pattern swallows before the bracket.
        body_start = start + match.start() + (len(match.group()) - len(match.group().lstrip()))
        body_end = start + match.end()
        if match.group("tag"):
            label = match.group("tag")
            run.flags.append(ParsedFlag(TAG_KINDS.get(label, OTHER), label, body_start, body_end))
            return
        if match.group("num"):
            label = str(int(match.group("num")))
        elif match.group("letter"):
            label = match.group("letter")
        else:
            label = f"{match.group('group')} {int(match.group('gnum'))}"
        self.labels_in_order.append(label)
        run.citations.append(ParsedCitation(label, match.group("loc") or "", body_start, body_end))

    def attach_orphan_markers(self, runs: list[_Run], number: int) -> None:
        """Markers on a line of their own belong to the sentence before them."""
        claims = self.current.claims
        citations = [c for run in runs for c in run.citations]
        if claims:
            claims[-1].citations.extend(citations)
            claims[-1].flags.extend(f for run in runs for f in run.flags)
            self.note(
                "markers_alone",
                number,
                f"{len(citations)} citation marker(s) on a line of their own; "
                "attached to the sentence before",
            )
        else:
            labels = ", ".join(c.label for c in citations)
            self.note(
                "markers_alone",
                number,
                f"citation marker(s) [{labels}] before any text of their section; "
                "their sources are kept, no claim cites them",
            )

    # -- sources

    def collect_sources(self) -> list[ParsedSource]:
        cited = list(dict.fromkeys(self.labels_in_order))
        groups = list(dict.fromkeys(label.rsplit(" ", 1)[0] for label in cited if " " in label))
        notes: dict[str, str] = {}
        for key, text, line in self.footnotes:
            if key.isdigit():
                if len(groups) > 1:
                    self.note(
                        "ambiguous_footnote",
                        line,
                        f"footnote {key} could belong to any of {', '.join(groups)}; "
                        f"filed under {groups[0]!r}",
                    )
                label = f"{groups[0] if groups else 'notes'} {int(key)}"
            else:
                label = key
            if label in notes:
                self.note("duplicate_footnote", line, f"footnote {key} appears twice; both kept")
                notes[label] = f"{notes[label]}\n{text}"
            else:
                notes[label] = text
            if label not in cited:
                self.note("uncited_footnote", line, f"footnote {key} is never cited in the text")
        sources = []
        for label in [*cited, *(label for label in notes if label not in cited)]:
            kind = REFERENCE if label.isdigit() else NOTE
            if kind == NOTE and label not in notes:
                self.note(
                    "note_without_text",
                    1,
                    f"[{label}] is cited but the footnote list has no text for it",
                )
            sources.append(ParsedSource(label, kind, notes.get(label, "")))
        sources.sort(key=_source_order)
        return sources

    # -- anomalies across paragraphs

    def find_repeated_paragraphs(self) -> None:
        """Report paragraphs that repeat an earlier one nearly word for word (copy defects)."""
        index: dict[tuple[str, ...], list[int]] = defaultdict(list)
        shingle_sets: list[set[tuple[str, ...]]] = []
        for position, (line, words) in enumerate(self.paragraph_words):
            shingles = (
                {
                    tuple(words[i : i + REPEAT_SHINGLE])
                    for i in range(len(words) - REPEAT_SHINGLE + 1)
                }
                if len(words) >= REPEAT_MIN_WORDS
                else set()
            )
            shingle_sets.append(shingles)
            shared: Counter[int] = Counter()
            for shingle in shingles:
                earlier = index[shingle]
                if len(earlier) <= 50:  # a stock phrase found everywhere says nothing
                    shared.update(earlier)
                earlier.append(position)
            for other, count in shared.items():
                similarity = count / min(len(shingles), len(shingle_sets[other]))
                if similarity >= REPEAT_THRESHOLD:
                    earlier_line = self.paragraph_words[other][0]
                    self.note(
                        "repeated_paragraph",
                        line,
                        f"paragraph repeats the paragraph at line {earlier_line} "
                        f"({similarity:.0%} of its wording)",
                    )
                    break


def _source_order(source: ParsedSource) -> tuple:
    if source.kind == REFERENCE:
        return (0, int(source.label), "")
    group, _, number = source.label.rpartition(" ")
    return (1, int(number) if number.isdigit() else 0, group or source.label)


# --------------------------------------------------------------------------- classification


def _looks_like_heading(line: str) -> bool:
    heading = line.strip()
    if len(heading) > HEADING_MAX_CHARS or _MARKER_RE.search(heading) or "[" in heading:
        return False
    if heading[-1] in _CLOSING_PUNCTUATION or not (heading[0].isupper() or heading[0].isdigit()):
        return False
    return len(heading.split()) <= HEADING_MAX_WORDS


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_AUXILIARIES = _word_set(
    "is are was were be been being am has have had do does did will would shall should "
    "can could may might must"
)
_IRREGULAR_PAST = _word_set(
    "took fell fought began wrote said made gave went came saw found led left held kept "
    "brought thought told became met ran stood won lost sent built paid heard knew spoke "
    "drew grew rose struck sank fled hid swore tore wore bore chose froze forgot"
)
_CLAUSE_OPENERS = _word_set(
    "who whom whose which that where when while after before because since although though "
    "if as until unless"
)
_NOT_SUBJECTS = _word_set("the a an of in on at by to for from with and or")
_PICTURE_WORDS = _word_set(
    "photo photograph picture image map painting drawing poster illustration portrait "
    "engraving sketch detail view"
)


def _looks_like_caption(sentences: list[str]) -> bool:
    """A caption names what a picture shows: short noun phrases, not clauses.

    Each sentence's phrase before any relative or subordinate clause ("One of the mass
    graves at X where ...") must have no finite verb: no auxiliary, no common irregular past
    tense, and no "-ed" verb used actively (a participle followed by "by" is passive).
    Present-tense verbs cannot be told from nouns without a tagger, so a paragraph of several
    sentences counts as a caption only when one of them names the picture ("Photo by ...");
    otherwise its sentences would wrongly be merged into one claim.
    """
    text = " ".join(sentences)
    if len(_WORD_RE.findall(text)) > CAPTION_MAX_WORDS or text.rstrip()[-1:] in {":", "?", "!"}:
        return False
    if len(sentences) > 1 and not any(
        (_WORD_RE.findall(sentence) or [""])[0].lower() in _PICTURE_WORDS for sentence in sentences
    ):
        return False
    return all(_is_verbless(sentence) for sentence in sentences)


def _is_verbless(text: str) -> bool:
    words = _WORD_RE.findall(text)
    if not words:
        return False
    head = []
    for word in words:
        if word.lower() in _CLAUSE_OPENERS:
            break
        head.append(word.lower())
    for i, word in enumerate(head):
        if word in _AUXILIARIES or word in _IRREGULAR_PAST:
            return False
        if i > 0 and len(word) > 4 and word.endswith("ed") and head[i - 1] not in _NOT_SUBJECTS:
            following = head[i + 1] if i + 1 < len(head) else ""
            if following != "by":
                return False
    return True
