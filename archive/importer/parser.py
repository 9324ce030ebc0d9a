"""Plain text -> parsed document: structure first, then sentences.

The parser reads an article in two passes. The first classifies every line of the file
(heading and its level, paragraph, list item, caption, block quotation, table of contents,
hatnote, reference or footnote entry, bibliography entry, navigation list, category line,
page chrome, infobox residue, maintenance box, markup remnant) and names the rule that
decided it. Only then are paragraphs split into sentences. Apparatus is kept as records of
its own kind, never as claims, so what an editor reviews is the article's text and nothing
of the file is dropped.

Rules are about the copy styles encyclopedia text comes in (rendered-page copies with and
without blank lines around headings, dump-to-text conversions, crawls with page chrome),
never about one article's wording. Where the file itself gives evidence (``== markup ==``,
``[edit]`` suffixes, a numbered table of contents), that evidence decides what is a heading
and at which level; the shape of a line decides only where there is none.

Every character span refers to the decoded text (UTF-8, byte-order mark removed, line
endings turned into ``\\n``), so a file with CRLF endings parses exactly like one with LF.
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import islice, pairwise

from . import references, sources, vocabulary
from .captions import looks_like_caption
from .parsed import (
    BIBLIOGRAPHY_ENTRY,
    CAPTION,
    CATEGORY,
    CHROME,
    FOOTNOTE,
    HATNOTE,
    INFOBOX,
    LIST_ITEM,
    LIST_MARK,
    MAINTENANCE_BOX,
    MARKUP_REMNANT,
    NAVIGATION,
    QUOTATION,
    REFERENCE_ENTRY,
    STATEMENT,
    STRAY_MARKERS,
    TOC,
    Anomaly,
    ImportFormatError,
    ParsedApparatus,
    ParsedCitation,
    ParsedClaim,
    ParsedDocument,
    ParsedFlag,
    ParsedSection,
    ParsedSource,
)
from .reading import check_characters, normalize
from .sentences import guess_language, sentence_bounds

_LOCATOR = (
    r"(?:pp?\.\s?)?\d{1,6}[a-z]?(?:\s?[–—-]\s?\d{1,6}[a-z]?)?"
    r"(?:,\s?\d{1,6}[a-z]?(?:\s?[–—-]\s?\d{1,6}[a-z]?)?){0,8}"
)
# Anything in square brackets on one line, with the spaces before it (removing a marker
# from "Beevor [12] said" must leave "Beevor said") and a page locator after it. What the
# brackets hold decides what it is: a citation marker, a tag of the vocabulary, or text.
_BRACKET_RE = re.compile(
    r"[^\S\n]*\[(?P<body>[^\[\]\n]{1,100})\](?::[^\S\n]?(?P<loc>" + _LOCATOR + r"))?"
)
_CITATION_BODY_RE = re.compile(
    r"(?P<num>\d{1,4})|(?P<letter>[a-z])"
    r"|(?P<group>[^\W\d_][^\W\d_.-]{0,20}(?:[.-][^\W\d_]{1,20})?\.?|[†‡※*#§¶])"
    r"[ \u00a0]?(?P<gnum>\d{1,4})"
)
_WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# "।" and "॥" end sentences in Devanagari and other Indic scripts.
_CLOSING_PUNCTUATION = frozenset(".!?:;,…\"'”’»。！？।॥")
_TERMINAL = frozenset(".!?…。！？।॥")
# A sentence's end: not the dots of a URL or a number, which have no space after them.
_FULL_STOP_AT_END_RE = re.compile(r"[.!?。！？।॥][\"'”’»)]*$")
# A label and a short value, as an infobox row or a copy's header gives them.
_LABEL_VALUE_RE = re.compile(r"^[^\W\d_][\w ]{0,30}:[ \t]*\S+(?: \S+){0,2}$")
_URL_RE = re.compile(r"\bhttps?://\S+")
_SENTENCE_END_RE = re.compile(r"[.!?…](?=$|[\s\"'”’»)\[\]])|[。！？।॥]")
_QUOTES_AFTER = frozenset("\"'”’»)]」』")
_OPENING_QUOTES = "\"'“‘«„「『"

# Headings as the file marks them.
_WIKI_HEADING_RE = re.compile(r"^(?P<open>=(?:[ ]?=){0,5})[ ]*(?P<text>[^=].*?)[ ]*(?P=open)$")
_MARKDOWN_HEADING_RE = re.compile(r"^(?P<hashes>#{1,6})[ ]+(?P<text>\S.*?)[ #]*$")
# "1.2 Title", "1.2\tTitle", and glued as newer page copies give them: "1.2Title".
_TOC_ENTRY_RE = re.compile(
    r"^(?:[*+•-][ \t]+)?(?P<number>\d{1,2}(?:\.\d{1,2}){0,5})"
    r"(?:\.?[ \t]+|(?=[^\W\d_]))(?P<text>\S.{0,150})$"
)
_TOC_NOISE_RE = re.compile(r"^(?:[*+•-][ \t]+)?(?:\(Top\)|Toggle .{1,120} subsection)$|^[=-]{3,}$")
# An HTML tag, as code examples and raw conversions leave them: "<p>", "</b>", "<!DOCTYPE".
_HTML_TAG_RE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>\n]*)?/?>|<!DOCTYPE\b", re.IGNORECASE)
# A line of a program's source, as code examples leave them: a statement opening with a
# keyword, a brace at the end, an assignment, a shebang or coding line.
_CODE_RE = re.compile(
    r"""(?x)^(?:
      (?:def|class|return|elif|else|import|from|print|void|var|let|const|function|public
         |private|static|int|char|float|double)\b[^。]*(?:[:;{}()]|\b\w+)$
    | (?:if|while|for|switch)\s*\(?.*[:{)]$
    | .*[{}]$
    | \#!.* | \#\s*-\*-.*-\*-
    | [A-Za-z_][\w.\[\]]*\s*(?:=|\+=|-=|==)\s*\S.*
    )$"""
)
# The line under a Markdown heading written the other way ("Title" over "=====", "Section"
# over "-------").
_SETEXT_RE = re.compile(r"^(?:={3,}|-{3,})$")
_TITLE_SUFFIX_RE = re.compile(
    r"\s+[-–—|:]\s+\S*(?:Wikipedia|Wikipédia|Wikipedija|Wikipedii|Vikipedi|Википедия|"
    r"Вікіпедія|ウィキペディア|维基百科|維基百科|위키백과|ויקיפדיה|ويكيبيديا)\S*.*$"
)
# A list item as copies keep them: a bullet or a number or letter before the text.
_BULLET_RE = re.compile(r"^(?P<mark>" + LIST_MARK + r")[ \t]+(?=\S)")
_TAB_ROW_RE = re.compile(r"^[^\t]{1,60}\t+\S")
# Wiki or image markup that survived a conversion: never prose.
_MARKUP_RE = re.compile(
    r"\[\[|\]\]|\{\{|\}\}|\{\||\|\}"
    r"|(?:^|\|)\s*(?:thumb|thumbnail|frame|frameless|upright(?:=[\d.]+)?|left|right|center"
    r"|alt=|link=|class=|style=|\d+(?:x\d+)?px)\s*(?:\||$)"
    r"|^(?:upright|alt|link|thumbtime|px)=\S*$"
    r"|\.(?:jpe?g|png|svg|gif|tiff?|webp)\b[^.]*(?:\||\]\])"
    r"|!\[[^\]\n]*\]\(",  # a Markdown image
    re.IGNORECASE,
)

HEADING_MAX_WORDS = 12
TITLE_SENTENCE_MIN_WORDS = 4  # a first line ending in a full stop with as many words is text
WRAPPED_MIN_WORDS = 3  # a line cut in mid-sentence holds a few words at least
HEADING_MAX_CHARS = 120
TITLE_MAX_CHARS = 255
LIST_ITEM_MAX_WORDS = 25
INFOBOX_ROW_MAX_WORDS = 8
LEAD_MIN_WORDS = 20
PROSE_MIN_WORDS = 8
GLUED_CELLS_MIN = 3
SHORT_RUN_MIN = 3
REPEAT_SHINGLE = 4
REPEAT_MIN_WORDS = 12
REPEAT_THRESHOLD = 0.6
REPEAT_SAMPLE = 4  # one word in four starts a run that is looked up
REPEAT_CANDIDATE = 0.3  # share of looked-up runs that makes a paragraph worth comparing

# What a wrapped line can open with but no sentence does.
_CONTINUING = frozenset(",،;؛)]}")
# A citation marker cut off with the end of its line: "[373".
_CUT_MARKER_RE = re.compile(r"\[\d{1,4}[^\S\n]*$")

# Rules that find a heading but say nothing of its level.
_NO_LEVEL_RULES = ("short line", "[edit] suffix")

# Line kinds of the first pass that are not apparatus.
HEADING, PARAGRAPH, MARKERS = "heading", "paragraph", "markers"


def parse(text: str, name: str = "<text>") -> ParsedDocument:
    """Parse a whole article. Raises only ImportFormatError."""
    return _Parser(normalize(text), name).parse()


def strip_markers(text: str) -> str:
    """Text with its citation markers, locators and vocabulary tags removed; all else kept."""
    return _BRACKET_RE.sub(lambda m: "" if _marker(m) else m.group(), text)


def _marker(match: re.Match) -> tuple[str, str, int] | None:
    """(what, label, end) for a citation marker or a vocabulary tag; None for bracketed text.

    ``end`` is where the marker ends: a tag takes no locator after it.
    """
    body = match.group("body")
    citation = _CITATION_BODY_RE.fullmatch(body)
    if citation:
        if citation.group("num"):
            label = str(int(citation.group("num")))
        elif citation.group("letter"):
            label = citation.group("letter")
        else:
            label = f"{citation.group('group')} {int(citation.group('gnum'))}"
        return "citation", label, match.end()
    kind = vocabulary.tag_kind(body)
    if kind is not None:
        return kind, body, match.end("body") + 1
    return None


# --------------------------------------------------------------------------- lines


@dataclass
class _Line:
    number: int  # 1-based line number in the file
    start: int  # offset of the line's first character
    raw: str
    gap: int  # blank lines before it
    kind: str = ""
    rule: str = ""
    level: int = 0
    heading: str = ""
    entry: references.ReferenceLine | None = None
    list_item: bool = False

    @property
    def text(self) -> str:
        return self.raw.strip()

    @property
    def text_start(self) -> int:
        return self.start + len(self.raw) - len(self.raw.lstrip())

    @property
    def text_end(self) -> int:
        return self.start + len(self.raw.rstrip())


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text)


@lru_cache(maxsize=256)  # a line is asked about again as the neighbour of the next
def _is_prose(text: str) -> bool:
    """A line of running text: several words and a sentence's end somewhere in it."""
    clean = strip_markers(text).strip()
    if not _SENTENCE_END_RE.search(clean):
        return False
    if "://" in clean:  # a web address is no words
        clean = _URL_RE.sub(" ", clean)
    return sum(1 for _ in islice(_WORD_RE.finditer(clean), PROSE_MIN_WORDS)) == PROSE_MIN_WORDS


def _shape_of_heading(text: str) -> bool:
    heading = vocabulary.split_edit_suffix(text)[0].strip()
    if not heading or len(heading) > HEADING_MAX_CHARS or "[" in heading or "\t" in heading:
        return False
    if heading[-1] in _CLOSING_PUNCTUATION and not (
        heading[-1] in "\"'”’»" and heading[0] in _OPENING_QUOTES
    ):
        return False
    first = heading.lstrip(_OPENING_QUOTES)[:1]
    if not first or first.islower():  # scripts without case (Chinese, Arabic) pass
        return False
    if _BULLET_RE.match(heading) or vocabulary.hatnote(heading):
        return False
    return len(heading.split()) <= HEADING_MAX_WORDS


def _in_box(line: _Line) -> bool:
    """A line that can belong to a navigation box: no sentence in it, not yet decided."""
    text = line.text
    return (
        not line.kind
        and not _SENTENCE_END_RE.search(strip_markers(text))
        and not _WIKI_HEADING_RE.match(text)
        and not vocabulary.split_edit_suffix(text)[1]
    )


def _address_line(text: str) -> bool:
    """A web address alone on its line, or with a short label: "Cloned from https://…"."""
    match = _URL_RE.search(text)
    if match is None:
        return False
    rest = (text[: match.start()] + " " + text[match.end() :]).strip(" .:;,()<>")
    return len(_words(rest)) <= 3


def _glued_cells(text: str) -> bool:
    """Cells of a flattened table or menu run together: "ChinaBranch People's ArmyType"."""
    if _SENTENCE_END_RE.search(text) or len(text) > 2000:
        return False
    glued = sum(1 for a, b in pairwise(text) if a.islower() and b.isupper())
    return glued >= GLUED_CELLS_MIN


def _only_markers(text: str) -> bool:
    return bool(text) and not strip_markers(text).strip() and "[" in text


# --------------------------------------------------------------------------- the parser


class _Origin:
    """Where each character of a cleaned line stands in the file: runs of consecutive
    offsets, so a long line costs a few entries, not one per character."""

    def __init__(self) -> None:
        self.clean_starts: list[int] = []
        self.file_starts: list[int] = []
        self.length = 0

    def extend(self, file_start: int, count: int) -> None:
        if count > 0:
            self.clean_starts.append(self.length)
            self.file_starts.append(file_start)
            self.length += count

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, position: int) -> int:
        if not 0 <= position < self.length:
            raise IndexError(position)
        run = bisect_right(self.clean_starts, position) - 1
        return self.file_starts[run] + position - self.clean_starts[run]


@dataclass
class _Run:
    """Markers standing next to each other, removed from the text as one piece."""

    start: int  # in the original text
    end: int
    clean_at: int  # position in the cleaned paragraph where the run was
    citations: list[ParsedCitation]
    flags: list[ParsedFlag]
    glued: bool = False  # touching the next word, as in "1955.[7]This"
    breaks: bool = False  # ends its sentence


class _Parser:
    def __init__(self, text: str, name: str):
        self.text = text
        self.name = name
        self.anomalies: list[Anomaly] = []
        self.sections: list[ParsedSection] = []
        self.apparatus: list[ParsedApparatus] = []
        self.paragraph = 0
        self.labels_in_order: list[str] = []
        self.lists: list[sources.EntryList] = []
        self.paragraph_words: list[tuple[int, list[str]]] = []
        self.unknown_brackets: dict[str, list[int]] = defaultdict(list)
        self.language = "en"
        self.toc_entries_left: Counter[str] = Counter()
        self.evidence = "shape"

    def fail(self, message: str, line: int | None = None) -> ImportFormatError:
        return ImportFormatError(self.name, message, line)

    def note(self, kind: str, line: int, message: str) -> None:
        self.anomalies.append(Anomaly(kind, line, message))

    @property
    def current(self) -> ParsedSection:
        return self.sections[-1]

    # -- the document

    def parse(self) -> ParsedDocument:
        self.anomalies.extend(check_characters(self.text, self.name))
        if not self.text.strip():
            raise self.fail("file is empty")
        lines = self.read_lines()
        toc_levels = self.read_toc(lines)  # a page's header may hold it, above the title
        title_line, body = self.find_title(lines)
        body = self.join_wrapped(body)
        self.language = guess_language(self.text[:20000])
        self.classify(body, toc_levels)
        self.build(body)
        holding = {item.section for item in self.apparatus}
        sections = [
            s
            for i, s in enumerate(self.sections)
            if s.claims or s.flags or s.heading or i in holding
        ]
        if len(sections) != len(self.sections):
            self.renumber_apparatus(sections)
        if not any(section.claims for section in sections):
            raise self.fail("nothing to import after the title: no paragraph of text", 2)
        sources = self.collect_sources()
        self.find_repeated_paragraphs()
        self.report_unknown_brackets()
        self.check_ending(body)
        self.anomalies.sort(key=lambda a: a.line)
        return ParsedDocument(
            self.title,
            self.text,
            sections,
            sources,
            self.anomalies,
            self.apparatus,
            (title_line.text_start, title_line.text_end) if title_line else (0, 0),
        )

    def read_lines(self) -> list[_Line]:
        lines = []
        offset = 0
        gap = 0
        for number, raw in enumerate(self.text.split("\n"), start=1):
            if raw.strip():
                lines.append(_Line(number, offset, raw, gap))
                gap = 0
            else:
                gap += 1
            offset += len(raw) + 1
        return lines

    def find_title(self, lines: list[_Line]) -> tuple[_Line, list[_Line]]:
        """The article's title line; what stands before it is kept as chrome.

        A rendered page prints a tagline under its title ("From Wikipedia, the free
        encyclopedia"), and all above the tagline is the page's header: menus, the table of
        contents, the page's own title ("X - Wikipedia"). There the title is the line
        naming what the page title names, or else the line just above the tagline. Without
        a tagline the first line that is not chrome is the title.
        """
        if not lines:
            raise self.fail("file is empty")
        tagline = self.find_tagline(lines)
        self.under_tagline = tagline is not None
        if tagline is None and lines[0].number != 1 and not vocabulary.is_chrome(lines[0].text):
            raise self.fail("the first line must be the document's title, and it is blank", 1)
        if tagline is not None:
            index = self.title_above_tagline(lines, tagline)
            header_end = tagline
        else:
            index = 0
            while index < len(lines) - 1 and vocabulary.is_chrome(lines[index].text):
                index += 1
            header_end = index
        if tagline is None and self.first_line_is_a_section(lines, index):
            return self.untitled(lines, index)
        if tagline is None and self.first_line_is_a_sentence(lines, index):
            return self.untitled(lines, index, "its first line is a sentence, not a title")
        title_line = lines[index]
        title = vocabulary.split_edit_suffix(title_line.text)[0]
        wiki = _WIKI_HEADING_RE.match(title)
        markdown = _MARKDOWN_HEADING_RE.match(title)
        if wiki:
            title = wiki.group("text")
        elif markdown:
            title = markdown.group("text")
        title = _TITLE_SUFFIX_RE.sub("", title).strip() or title
        if len(title) > TITLE_MAX_CHARS:
            raise self.fail(
                f"the title is {len(title)} characters long; at most {TITLE_MAX_CHARS}",
                title_line.number,
            )
        self.title = title
        self.sections.append(ParsedSection("", False, 2, line=0))
        for line in lines[:index]:
            if not line.kind:
                line.kind, line.rule = CHROME, "chrome before the title"
            self.keep(line, line.kind, line.rule)
        for line in lines[index + 1 : header_end]:
            if not line.kind:
                line.kind, line.rule = CHROME, "page header above the tagline"
        return title_line, lines[index + 1 :]

    def first_line_is_a_section(self, lines: list[_Line], index: int) -> bool:
        """A copy that starts at a section: its first line carries the edit link that the
        file's other headings carry (an article's title has none on a copied page)."""
        if not vocabulary.split_edit_suffix(lines[index].text)[1]:
            return False
        others = sum(1 for line in lines[index + 1 :] if vocabulary.split_edit_suffix(line.text)[1])
        return others >= 2

    def first_line_is_a_sentence(self, lines: list[_Line], index: int) -> bool:
        """A copy that starts in the article's text: an article's title never ends with a
        sentence's full stop ("Washington, D.C." ends with an initial's)."""
        text = strip_markers(lines[index].text).strip()
        if index + 1 >= len(lines) or not _FULL_STOP_AT_END_RE.search(text):
            return False
        words = _words(text)
        return len(words) >= TITLE_SENTENCE_MIN_WORDS and len(words[-1]) > 1

    def untitled(self, lines: list[_Line], index: int, why: str = "") -> tuple[None, list[_Line]]:
        """No title line: the title is the file's name, and the editor is told so."""
        section = lines[index].text
        stem = self.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        self.title = (
            " ".join(stem.replace("_", " ").replace("-", " ").split())[:TITLE_MAX_CHARS] or stem
        )
        self.note(
            "no_title_line",
            lines[index].number,
            f"the file has no title line ({why or f'it starts at the section {section!r}'}); "
            f"the document is titled after the file name, {self.title!r}: correct it if "
            "that is not the article's title",
        )
        self.sections.append(ParsedSection("", False, 2, line=0))
        for line in lines[:index]:
            if not line.kind:
                line.kind, line.rule = CHROME, "chrome before the first section"
            self.keep(line, line.kind, line.rule)
        return None, lines[index:]

    def join_wrapped(self, lines: list[_Line]) -> list[_Line]:
        """Lines a copy wrapped inside a paragraph, joined into one line of the paragraph.

        A line continues the one above when that one stops in mid-sentence and the copy
        shows where it cut: the space at the cut left at the end of the line above, or put
        at the start of this one (indented more than the paragraph's first line), or this
        line opens with what no sentence opens with (a comma). (A lower-case opening says
        nothing: list items lose their bullets and keep it.) A dump converter writes each
        paragraph on one line, so there nothing is joined. A marker cut off at the end of a
        line ("…in 2012.[373") is kept apart as a stray marker.
        """
        if vocabulary.DUMP_WRAPPER_RE.match(self.text.lstrip().split("\n", 1)[0].strip()):
            return lines
        groups: list[list[_Line]] = []
        indent = 0
        for line in lines:
            cut = _CUT_MARKER_RE.search(line.raw)
            if cut and not line.kind and strip_markers(line.raw[: cut.start()]).strip():
                text = _Line(line.number, line.start, line.raw[: cut.start()], line.gap)
                marker = _Line(line.number, line.start + cut.start(), line.raw[cut.start() :], 0)
                marker.kind, marker.rule = STRAY_MARKERS, "a marker cut off at the end of its line"
                pieces = [text, marker]
            else:
                pieces = [line]
            for piece in pieces:
                if groups and self.continues(groups[-1][-1], piece, indent):
                    groups[-1].append(piece)
                    continue
                indent = len(piece.raw) - len(piece.raw.lstrip())
                groups.append([piece])
        joined = []
        for group in groups:
            first, last = group[0], group[-1]
            if len(group) == 1:
                joined.append(first)
            else:  # one slice of the file, so a long paragraph is copied once
                raw = self.text[first.start : last.start + len(last.raw)]
                joined.append(_Line(first.number, first.start, raw, first.gap))
        return joined

    def continues(self, above: _Line, line: _Line, indent: int) -> bool:
        if line.gap or line.kind or above.kind or line.start != above.start + len(above.raw) + 1:
            return False
        end = strip_markers(above.text).rstrip()
        if _FULL_STOP_AT_END_RE.search(end) or end.endswith((":", "：")):
            return False
        if len(_words(end)) < WRAPPED_MIN_WORDS or not _words(line.text):
            return False
        for one in (above, line):
            if (
                self.apparatus_kind(one)[0] is not None
                or _BULLET_RE.match(one.text)
                or _WIKI_HEADING_RE.match(one.text)
                or vocabulary.split_edit_suffix(one.text)[1]
                or references.reference_entry(one.raw, in_reference_section=False)
            ):
                return False
        first = line.text[0]
        return (
            above.raw != above.raw.rstrip()
            or len(line.raw) - len(line.raw.lstrip()) > indent
            or first in _CONTINUING
        )

    def find_tagline(self, lines: list[_Line]) -> int | None:
        """Where a rendered page's tagline stands, if it comes before the article's text.

        Menus and notices above it may hold a short sentence; a paragraph of the article
        (LEAD_MIN_WORDS words or more) ends the search.
        """
        for i, line in enumerate(lines):
            if vocabulary.is_tagline(line.text):
                return i if i > 0 else None
            if _is_prose(line.text) and len(_words(line.text)) >= LEAD_MIN_WORDS:
                return None
        return None

    def title_above_tagline(self, lines: list[_Line], tagline: int) -> int:
        header = lines[:tagline]
        texts = [vocabulary.split_edit_suffix(line.text)[0].strip() for line in header]
        named = set()
        for text in texts:
            suffix = _TITLE_SUFFIX_RE.search(text)
            if suffix and suffix.start() > 0:
                named.add(text[: suffix.start()].strip())
        for i in range(len(header) - 1, -1, -1):
            if texts[i] in named:
                return i
        for i in range(len(header) - 1):  # a Markdown conversion's "Title" over "====="
            if header[i + 1].text.startswith("===") and _SETEXT_RE.match(header[i + 1].text):
                header[i + 1].kind, header[i + 1].rule = MARKUP_REMNANT, "underline of the title"
                return i
        above = header[-1]
        if not vocabulary.is_chrome(above.text) and not _is_prose(above.text):
            return tagline - 1
        for i, text in enumerate(texts):
            if _TITLE_SUFFIX_RE.search(text):
                return i
        return tagline - 1

    # -- pass one: what each line is

    def classify(self, lines: list[_Line], toc_levels: dict[str, int]) -> None:
        evidence = self.evidence = self.heading_evidence(lines)
        self.read_navigation_boxes(lines)
        gaps = Counter(line.gap for line in lines if _is_prose(line.text))
        self.paragraph_gap = gaps.most_common(1)[0][0] if gaps else 1
        role: str | None = None
        role_level = 0
        seen_prose = seen_heading = False  # infobox rows stand before both
        seen_text = False  # a claim has been read: the lead has begun
        short_runs = self.runs_of_short_lines(lines)
        # Residue stands before a paragraph of running text; a file without one (a script
        # that writes no full stops) has none.
        first_prose = next(
            (
                i
                for i, line in enumerate(lines)
                if not line.kind and _is_prose(line.text) and self.apparatus_kind(line)[0] is None
            ),
            len(lines),
        )
        if first_prose == len(lines):
            first_prose = 0
        previous: _Line | None = None
        intro_list = False  # inside the lines after one ending in ":" that form a list
        for i, line in enumerate(lines):
            text = line.text
            following = lines[i + 1] if i + 1 < len(lines) else None
            if line.kind:  # decided already (the table of contents)
                previous = line
                continue
            kind, rule = self.apparatus_kind(line)
            if (
                kind is None
                and intro_list
                and line.gap <= 1
                and self.list_like(line, previous)
                and not self.marked_heading(line, toc_levels)
            ):
                line.kind, line.rule, line.list_item = (
                    LIST_ITEM,
                    "short line in a run after a line ending in ':'",
                    True,
                )
                if following is None or following.gap > 1 or not self.list_like(following, line):
                    intro_list = False
                previous = line
                continue
            intro_list = False
            if kind is None:
                heading = self.heading(line, previous, following, evidence, toc_levels, role)
                if heading is not None:
                    line.kind, line.rule = HEADING, heading
                    seen_heading = True
                    own = vocabulary.section_role(line.heading, self.language)
                    if own is not None or line.level <= role_level or role is None:
                        role, role_level = own, line.level
                    intro_list = False
                    previous = line
                    continue
            if kind is None and _only_markers(text):
                kind, rule = MARKERS, "only markers or tags on the line"
            if kind is None and role is not None:
                kind, rule = self.in_role(line, role)
            if kind is None:
                kind, rule = self.entry_outside_lists(line, previous, following)
            if kind is None and _address_line(text):
                kind = NAVIGATION if seen_prose else CHROME
                rule = "a web address on a line of its own"
            if kind is None and not seen_prose and not seen_heading:
                kind, rule = self.infobox_row(line, previous, following)
            if (
                kind is None
                and i < first_prose
                and not seen_text
                and not seen_heading
                and self.lead_residue(line)
            ):
                kind, rule = INFOBOX, "short line before the article's first paragraph"
            if kind is None and _glued_cells(text):
                kind = NAVIGATION if seen_prose else INFOBOX
                rule = "cells of a table or menu run together"
            if kind is not None:
                line.kind, line.rule = kind, rule
                previous = line
                continue
            seen_text = True
            if _BULLET_RE.match(text):
                line.kind, line.rule, line.list_item = LIST_ITEM, "bullet or number", True
            elif self.starts_list(line, previous, following):
                line.kind, line.rule, line.list_item = (
                    LIST_ITEM,
                    "short line in a run after a line ending in ':'",
                    True,
                )
                intro_list = True
            elif i in short_runs:
                line.kind, line.rule, line.list_item = (
                    LIST_ITEM,
                    "short line in a run of short lines: a list, or a table's cells",
                    True,
                )
            else:
                line.kind, line.rule = PARAGRAPH, "running text"
                seen_prose = seen_prose or _is_prose(text)
            previous = line

    def marked_heading(self, line: _Line, toc_levels: dict[str, int]) -> bool:
        """The file itself marks the line a heading: an edit link, or an entry in its table
        of contents."""
        heading, suffix = vocabulary.split_edit_suffix(line.text)
        return bool(suffix) or vocabulary.heading_key(heading) in toc_levels

    def read_navigation_boxes(self, lines: list[_Line]) -> None:
        """A navigation box: its view / talk / edit links ("v t e", "查 论 编") and the run
        of lines touching them that holds no sentence (the box's title, groups, items)."""
        for i, line in enumerate(lines):
            if line.kind or not vocabulary.is_navbox_links(line.text):
                continue
            line.kind, line.rule = NAVIGATION, "view / talk / edit links of a navigation box"
            j = i
            while j > 0 and lines[j].gap == 0 and _in_box(lines[j - 1]):
                j -= 1
                lines[j].kind, lines[j].rule = NAVIGATION, "line of a navigation box"
            j = i + 1
            while j < len(lines) and lines[j].gap == 0 and _in_box(lines[j]):
                lines[j].kind, lines[j].rule = NAVIGATION, "line of a navigation box"
                j += 1

    def lead_residue(self, line: _Line) -> bool:
        """Before the first paragraph: what the infobox, sidebars and lead images leave.

        Under a page's tagline every line that is not running text; elsewhere only lines
        that are no sentence (no full stop, not a ':' introducing what follows).
        """
        text = strip_markers(line.text).strip()
        if _is_prose(text) or (_BULLET_RE.match(text) and not self.under_tagline):
            return False  # a page's sidebars hold lists too; elsewhere a list is text
        if _LABEL_VALUE_RE.match(text):  # "Page id: 11946436.", "Coordinates: 52°N"
            return True
        sentence = bool(_FULL_STOP_AT_END_RE.search(text)) or (
            len(text.split()) >= 3 and bool(_SENTENCE_END_RE.search(text))
        )
        return self.under_tagline or not (sentence or text.endswith((":", "：")))

    def heading_evidence(self, lines: list[_Line]) -> str:
        """How this file marks its headings: markup, ``[edit]`` suffixes, a dump converter's
        full stop, or only by shape."""
        if vocabulary.DUMP_WRAPPER_RE.match(self.text.lstrip().split("\n", 1)[0].strip()):
            return "dump"  # the converter's wrapper stands before the title
        wiki = sum(1 for line in lines if _WIKI_HEADING_RE.match(line.text))
        if wiki >= 2:
            return "markup"
        markdown = sum(1 for line in lines if _MARKDOWN_HEADING_RE.match(line.text))
        markdown += sum(
            1
            for line, under in pairwise(lines)
            if under.gap == 0 and _SETEXT_RE.match(under.text) and not under.kind
        )
        if markdown >= 2:
            return "markdown"
        suffixed = sum(
            1
            for line in lines
            if vocabulary.split_edit_suffix(line.text)[1] and _shape_of_heading(line.text)
        )
        if suffixed >= 2:
            return "edit suffix"
        return "shape"

    def read_toc(self, lines: list[_Line]) -> dict[str, int]:
        """A table of contents: its lines are apparatus, its numbering gives heading levels."""
        levels: dict[str, int] = {}
        for i, line in enumerate(lines):
            if not vocabulary.is_toc_title(line.text):
                continue
            entries = []
            j = i + 1
            while j < len(lines):
                text = lines[j].text
                entry = _TOC_ENTRY_RE.match(text)
                if entry and not _is_prose(entry.group("text")):
                    entries.append((lines[j], entry))
                elif not (_TOC_NOISE_RE.match(text) or vocabulary.is_toc_toggle(text)):
                    break
                j += 1
            if len(entries) < 2:
                continue
            for toc_line in lines[i:j]:
                toc_line.kind, toc_line.rule = TOC, "table of contents"
            for _, entry in entries:
                depth = entry.group("number").count(".") + 2
                key = vocabulary.heading_key(entry.group("text"))
                levels.setdefault(key, min(depth, 6))
                self.toc_entries_left[key] += 1
            break
        return levels

    def apparatus_kind(self, line: _Line) -> tuple[str | None, str]:
        text = line.text
        if vocabulary.is_chrome(text):
            return CHROME, "page chrome"
        if vocabulary.category_line(text):
            return CATEGORY, "category line"
        if vocabulary.maintenance_box(text):
            return MAINTENANCE_BOX, "maintenance box"
        if _MARKUP_RE.search(text):
            return MARKUP_REMNANT, "wiki or image markup"
        if (len(text) == 1 or not _words(text)) and not references.reference_entry(line.raw):
            return MARKUP_REMNANT, "no word on the line: a symbol or a table's border"
        if _HTML_TAG_RE.match(text):
            return MARKUP_REMNANT, "a line of HTML: it opens with a tag"
        if _CODE_RE.match(text) and not _is_prose(text):
            return MARKUP_REMNANT, "a line of program code"
        if vocabulary.hatnote(text):
            return HATNOTE, "hatnote"
        return None, ""

    def heading(self, line, previous, following, evidence, toc_levels, role) -> str | None:
        """The rule that makes ``line`` a heading (setting its text and level), or None."""
        text = line.text
        wiki = _WIKI_HEADING_RE.match(text)
        markdown = _MARKDOWN_HEADING_RE.match(text)
        heading, suffix = vocabulary.split_edit_suffix(text)
        heading = heading.strip()
        key = vocabulary.heading_key(heading)
        if wiki and evidence == "markup":
            line.heading = wiki.group("text").strip()
            line.level = max(2, wiki.group("open").count("="))
            return "== markup =="
        if markdown and evidence == "markdown":
            line.heading = vocabulary.split_edit_suffix(markdown.group("text"))[0].strip()
            line.level = max(2, len(markdown.group("hashes")))
            return "# markup"
        if (
            evidence == "markdown"
            and following is not None
            and following.gap == 0
            and _SETEXT_RE.match(following.text)
            and not following.kind
        ):
            line.heading = heading
            line.level = 2
            following.kind, following.rule = MARKUP_REMNANT, "underline of the heading above"
            return "heading over a ----- line"
        if evidence in ("markup", "markdown"):
            return None
        if evidence == "dump":
            return self.dump_heading(line, previous, following)
        if not _shape_of_heading(text):
            return None
        if key in toc_levels and self.toc_entries_left[key] > 0:
            # Each entry names one heading: the same words later (a navigation box's group)
            # are not a heading again.
            self.toc_entries_left[key] -= 1
            line.heading, line.level = heading, toc_levels[key]
            return "listed in the table of contents"
        if evidence == "edit suffix":
            if suffix:
                line.heading, line.level = heading, 2
                return "[edit] suffix"
            return None
        if toc_levels and vocabulary.section_role(heading, self.language) is None:
            return None  # the table of contents names every heading
        if suffix:
            line.heading, line.level = heading, 2
            return "[edit] suffix"
        if (
            role in ("references", "bibliography", "navigation")
            and vocabulary.section_role(heading, self.language) is None
        ):
            return None  # a list's entries are not headings
        if previous is not None and previous.text.endswith(":") and line.gap <= 1:
            return None  # introduced by the line before: a quotation or a list follows
        if following is None:
            return None
        alone = following.gap >= 1
        before_prose = following.gap == 0 and (
            _is_prose(following.text) or bool(_BULLET_RE.match(following.text))
        )
        after_break = (
            previous is None
            or line.gap >= 1
            or previous.kind == HEADING
            or previous.kind not in (PARAGRAPH, LIST_ITEM, "")
            or previous.text[-1:] in _TERMINAL | _QUOTES_AFTER
        )
        if not ((alone or before_prose) and after_break):
            return None
        if following.gap == 0 and not before_prose:
            return None
        line.heading = heading
        line.level = 2
        return "short line without closing punctuation" + (
            "" if alone else ", directly above running text"
        )

    def dump_heading(self, line: _Line, previous, following) -> str | None:
        """A dump-to-text conversion (WikiExtractor) writes each section title on a line of
        its own and ends it with a full stop ("History.", "劇情概要."), where a paragraph is
        a whole line: a short line with that one full stop, no other sentence's end and no
        comma, above a line of text. It loses the level, and drops lists but for their
        introduction, so a line after one ending in ':' is an item, not a heading."""
        text = line.text
        if not text.endswith(".") or text.endswith("..") or following is None:
            return None
        title = text[:-1].rstrip()
        if not _shape_of_heading(title) or _SENTENCE_END_RE.search(title):
            return None
        if any(comma in title for comma in (", ", "،", "，", "、")):
            return None
        if previous is not None and previous.text.endswith((":", "：")):
            return None
        line.heading, line.level = title, 2
        return "short line ending in a dump converter's full stop"

    def in_role(self, line: _Line, role: str) -> tuple[str | None, str]:
        """A line inside a references, bibliography or navigation section."""
        if role == "references":
            entry = references.reference_entry(line.raw, in_reference_section=True)
            if entry is not None:
                line.entry = entry
                kind = FOOTNOTE if entry.key and not entry.key.isdigit() else REFERENCE_ENTRY
                return kind, "entry of a reference list"
            return BIBLIOGRAPHY_ENTRY, "unnumbered entry under a references heading"
        if role == "bibliography":
            entry = references.reference_entry(line.raw, in_reference_section=False)
            if entry is not None:  # "^ text" or "[n] text": the notes, whatever the heading
                line.entry = entry
                kind = FOOTNOTE if entry.key is None or not entry.key.isdigit() else REFERENCE_ENTRY
                return kind, "entry of a reference list under a bibliography heading"
            return BIBLIOGRAPHY_ENTRY, "entry under a bibliography heading"
        return NAVIGATION, "entry under a see-also or links heading"

    def entry_outside_lists(self, line, previous, following) -> tuple[str | None, str]:
        """Footnote lines (``1. ^ text``) anywhere; ``[n] text`` lines in a run of them."""
        entry = references.reference_entry(line.raw, in_reference_section=False)
        if entry is None:
            return None, ""
        stripped = line.text
        if stripped.startswith("["):
            neighbours = [n for n in (previous, following) if n is not None]
            if not any(
                n.entry is not None or references.reference_entry(n.raw, in_reference_section=False)
                for n in neighbours
            ):
                return None, ""
        line.entry = entry
        kind = FOOTNOTE if "^" in stripped[:12] or "↑" in stripped[:12] else REFERENCE_ENTRY
        return kind, "reference entry outside a references section"

    def infobox_row(self, line, previous, following) -> tuple[str | None, str]:
        """Flattened infobox rows stand before the lead's first paragraph.

        A row is a label and its value separated by a tab, or a short line without a
        sentence's end that touches other such lines (no blank line between them).
        """
        if previous is not None and previous.text.endswith(":"):
            return None, ""  # what the line before introduces: a list or a quotation
        if _TAB_ROW_RE.match(line.raw.lstrip()):
            return INFOBOX, "label and value separated by a tab, before the text"
        text = line.text
        if _is_prose(text) or text[-1:] in _TERMINAL:
            return None, ""
        touching_before = previous is not None and line.gap == 0 and previous.kind == INFOBOX
        touching_after = (
            following is not None and following.gap == 0 and not _is_prose(following.text)
        )
        short = len(_words(text)) <= INFOBOX_ROW_MAX_WORDS
        if touching_before or (short and touching_after and line.gap == 0):
            return INFOBOX, "short row in a block of short lines before the text"
        return None, ""

    def list_like(self, line: _Line, before: _Line | None = None) -> bool:
        """Short enough for a list item, and ending like the item before it."""
        text = strip_markers(line.text)
        if before is not None and before.kind == LIST_ITEM:
            ends = strip_markers(before.text).rstrip()[-1:] in _TERMINAL
            if (text.rstrip()[-1:] in _TERMINAL) != ends:
                return False
        return (
            0 < len(_words(text)) <= LIST_ITEM_MAX_WORDS
            and not vocabulary.hatnote(line.text)
            and not _WIKI_HEADING_RE.match(line.text)
        )

    def runs_of_short_lines(self, lines: list[_Line]) -> set[int]:
        """Lines in a run of SHORT_RUN_MIN or more short lines with no blank line between:
        items of a list or cells of a flattened table, not captions (a caption stands
        alone)."""

        def short(line: _Line) -> bool:
            text = strip_markers(line.text).strip()
            return (
                not _is_prose(text)
                and not _FULL_STOP_AT_END_RE.search(text)
                and not text.endswith((":", "："))
                and 0 < len(_words(text)) <= LIST_ITEM_MAX_WORDS
            )

        members: set[int] = set()
        run: list[int] = []
        for i, line in enumerate(lines):
            if short(line) and (not run or line.gap == 0):
                run.append(i)
                continue
            if len(run) >= SHORT_RUN_MIN:
                members.update(run)
            run = [i] if short(line) else []
        if len(run) >= SHORT_RUN_MIN:
            members.update(run)
        return members

    def starts_list(self, line: _Line, previous: _Line | None, following: _Line | None) -> bool:
        """Two or more short lines after a line ending in ":" are a list, not a quotation."""
        if previous is None or not previous.text.endswith(":") or line.gap > 1:
            return False
        if following is None or following.gap > 1:
            return False
        ends = strip_markers(line.text).rstrip()[-1:] in _TERMINAL
        same_end = (strip_markers(following.text).rstrip()[-1:] in _TERMINAL) == ends
        return self.list_like(line) and self.list_like(following) and same_end

    # -- pass two: records

    def build(self, lines: list[_Line]) -> None:
        directly_under: ParsedSection | None = None
        heading_above_level = 1
        intro = ""
        for line in lines:
            kind = line.kind
            if kind == HEADING:
                level = line.level
                # Without other evidence, a heading directly under an empty heading is its
                # subsection: one level only, so a run of empty headings is no staircase.
                if (
                    line.rule.startswith(_NO_LEVEL_RULES)
                    and directly_under is not None
                    and directly_under.rule.startswith(_NO_LEVEL_RULES)
                    and directly_under.level == 2
                    and vocabulary.section_role(directly_under.heading, self.language) is None
                    and vocabulary.section_role(line.heading, self.language) is None
                ):
                    level = 3
                level = max(2, min(level, heading_above_level + 1, 6))
                section = ParsedSection(
                    line.heading,
                    False,
                    level,
                    line.number,
                    line.text_start,
                    line.text_end,
                    rule=line.rule,
                )
                self.sections.append(section)
                directly_under = section
                heading_above_level = level
                intro = ""
                continue
            if kind in (PARAGRAPH, LIST_ITEM, MARKERS) and self.breaks_section(line):
                self.sections.append(
                    ParsedSection("", True, self.current.level, line=line.number, rule="gap")
                )
                self.note(
                    "heading_missing",
                    line.number,
                    "section break with no heading: the heading was lost",
                )
                intro = ""
            directly_under = None
            if kind == MARKERS:
                self.read_markers_line(line)
            elif kind in (PARAGRAPH, LIST_ITEM):
                made = self.read_paragraph(line, intro=intro)
                intro = made
            elif kind == MARKUP_REMNANT:
                self.read_markup(line)
                intro = ""
            else:
                self.keep(line, kind, line.rule)
                if line.entry is not None:
                    self.add_to_list(line)
                intro = ""

    def breaks_section(self, line: _Line) -> bool:
        """More blank lines than the file puts between paragraphs: a heading was lost.

        Only in a file whose headings are known by their shape alone: where markup, edit
        links or a table of contents mark every heading, blank lines are only layout.
        """
        if self.evidence != "shape":
            return False
        threshold = max(2, self.paragraph_gap + 1)
        return line.gap >= threshold and bool(self.current.claims)

    def keep(self, line: _Line, kind: str, rule: str) -> None:
        self.apparatus.append(
            ParsedApparatus(
                kind,
                line.text,
                rule,
                line.number,
                line.text_start,
                line.text_end,
                len(self.sections) - 1,
            )
        )

    def add_to_list(self, line: _Line) -> None:
        section = len(self.sections) - 1
        if not self.lists or self.lists[-1].section != section:
            self.lists.append(sources.EntryList(self.current.heading, section))
        self.lists[-1].entries.append(sources.Entry(line.number, line.entry, self.apparatus[-1]))

    def read_markers_line(self, line: _Line) -> None:
        runs, _, _ = self.cut_markers(line.raw, line.start, line.number)
        citations = [c for run in runs for c in run.citations]
        flags = [f for run in runs for f in run.flags]
        if not citations:
            self.current.flags.extend(flags)
            return
        claims = self.current.claims
        if claims:
            claim = claims[-1]
            claim.citations.extend(replace(c, offset=len(claim.text)) for c in citations)
            claim.flags.extend(replace(f, offset=len(claim.text)) for f in flags)
            self.note(
                "markers_alone",
                line.number,
                f"{len(citations)} citation marker(s) on a line of their own; "
                "attached to the sentence before",
            )
            return
        self.keep(line, STRAY_MARKERS, "markers before any text of their section")
        self.current.flags.extend(flags)
        labels = ", ".join(c.label for c in citations)
        self.note(
            "markers_alone",
            line.number,
            f"citation marker(s) [{labels}] before any text of their section; "
            "their sources are kept, no claim cites them",
        )

    def read_markup(self, line: _Line) -> None:
        """Image markup keeps its caption (``…|thumb|Soldiers in Berlin]]``) as a caption."""
        raw = line.raw
        closing = raw.rstrip().endswith("]]")
        bar = raw.rfind("|")
        caption = raw[bar + 1 :].rstrip()[:-2] if closing and bar >= 0 else ""
        words = _words(caption)
        if len(words) >= 2 and "=" not in caption and not _MARKUP_RE.search(caption + "|"):
            cut = line.start + bar + 1
            head = _Line(line.number, line.start, raw[: bar + 1], line.gap)
            self.keep(head, MARKUP_REMNANT, line.rule)
            lead = len(caption) - len(caption.lstrip())
            start = cut + lead
            end = cut + len(caption.rstrip())
            self.paragraph += 1
            claim = ParsedClaim(
                CAPTION,
                strip_markers(caption).strip(),
                self.paragraph,
                line.number,
                start,
                end,
                rule="caption inside image markup",
            )
            if claim.text:
                self.current.claims.append(claim)
            tail = _Line(line.number, end, raw[end - line.start :], 0)
            if tail.text:
                self.keep(tail, MARKUP_REMNANT, line.rule)
            return
        self.keep(line, MARKUP_REMNANT, line.rule)

    # -- paragraphs

    def read_paragraph(self, line: _Line, *, intro: str) -> str:
        raw, start, number = line.raw, line.start, line.number
        skip = 0
        if line.list_item:
            bullet = _BULLET_RE.match(raw.lstrip())
            if bullet:
                skip = len(raw) - len(raw.lstrip()) + bullet.end()
        runs, clean, origin = self.cut_markers(raw[skip:], start + skip, number)
        body = clean.strip()
        if not body:
            self.read_markers_line(line)
            return ""
        self.paragraph += 1
        if line.list_item:
            kind, rule = LIST_ITEM, line.rule
        elif intro.endswith(":"):
            kind, rule = QUOTATION, "paragraph after a line ending in ':'"
        else:
            kind, rule = STATEMENT, "sentence of running text"
        if kind == STATEMENT:
            bounds = sentence_bounds(
                clean, [run.clean_at for run in runs if run.breaks], language=self.language
            )
            # A dump-to-text converter drops images with their captions: none is left.
            if self.evidence != "dump" and looks_like_caption([clean[s:e] for s, e in bounds]):
                kind, rule = CAPTION, "short line naming what a picture shows"
        else:
            bounds = []
        if kind != STATEMENT:  # one claim, however many sentences
            first = len(clean) - len(clean.lstrip())
            bounds = [(first, first + len(body))]
        claims = [
            ParsedClaim(kind, clean[s:e], self.paragraph, number, origin[s], origin[e - 1] + 1)
            for s, e in bounds
        ]
        for claim in claims:
            claim.rule = rule
        sentence_starts = [s for s, _ in bounds]
        for run in runs:
            index = max(bisect_right(sentence_starts, run.clean_at - 1) - 1, 0)
            claim = claims[index]
            s, e = bounds[index]
            if run.clean_at <= bounds[0][0]:
                self.note(
                    "marker_before_text",
                    number,
                    f"marker {self.text[run.start : run.end].strip()!r} opens the paragraph; "
                    "attached to its first sentence",
                )
            offset = min(max(run.clean_at - s, 0), e - s)
            claim.citations.extend(replace(c, offset=offset) for c in run.citations)
            claim.flags.extend(replace(f, offset=offset) for f in run.flags)
            if run.start >= claim.start:
                claim.end = max(claim.end, run.end)
        self.find_unknown_brackets(claims, kind, number)
        self.current.claims.extend(claims)
        self.paragraph_words.append((number, _WORD_RE.findall(body.lower())))
        return body

    def cut_markers(self, line: str, start: int, number: int) -> tuple[list[_Run], str, _Origin]:
        """Split a line into marker runs and the clean text, mapping clean -> file offsets."""
        runs: list[_Run] = []
        pieces: list[str] = []
        origin = _Origin()
        cursor = 0
        for match in _BRACKET_RE.finditer(line):
            found = _marker(match)
            if found is None:
                continue
            what, label, end = found
            if match.start() > cursor:
                pieces.append(line[cursor : match.start()])
                origin.extend(start + cursor, match.start() - cursor)
            clean_at = len(origin)
            body_start = start + match.start("body") - 1
            if runs and runs[-1].end == start + match.start():
                run = runs[-1]
                run.end = start + end
            else:
                run = _Run(start + match.start(), start + end, clean_at, [], [])
                runs.append(run)
            if what == "citation":
                self.labels_in_order.append(label)
                locator = match.group("loc") or "" if end == match.end() else ""
                run.citations.append(ParsedCitation(label, locator, body_start, start + end))
            else:
                run.flags.append(ParsedFlag(what, label, body_start, body_start + len(label) + 2))
            cursor = end
        pieces.append(line[cursor:])
        origin.extend(start + cursor, len(line) - cursor + 1)  # and the offset of the end
        clean = "".join(pieces)
        for run in runs:
            self.decide_break(run, clean, line, start, number)
        return runs, clean, origin

    def decide_break(self, run: _Run, clean: str, line: str, start: int, number: int) -> None:
        """Whether a marker run ends its sentence where no space or no full stop says so."""
        after = line[run.end - start : run.end - start + 2]
        # Only the few characters before the run matter: a copy of the whole prefix per
        # run would make a long paragraph quadratic.
        end = run.clean_at
        while end > 0 and clean[end - 1].isspace():
            end -= 1
        before = clean[max(0, end - 30) : end]
        if not before:
            return
        marker = self.text[run.start : run.end].strip()
        if after[:1].isalnum():
            run.glued = True
            if after[:1].isupper() or before[-1] in _TERMINAL | _QUOTES_AFTER:
                run.breaks = True
            kind = "glued_tag" if run.flags and not run.citations else "glued_marker"
            self.note(kind, number, f"{marker!r} is glued to the next word")
            return
        if (
            after[:1] == " "
            and after[1:2].isupper()
            and before[-1].islower()
            and run.citations
            and _words(before)
            and _words(before)[-1][:1].islower()
        ):
            run.breaks = True
            self.note(
                "sentence_without_full_stop",
                number,
                f"{marker!r} follows a word without a full stop and precedes a capital: "
                "taken as the end of a sentence",
            )

    def find_unknown_brackets(self, claims: list[ParsedClaim], kind: str, number: int) -> None:
        """Bracketed text that is neither a marker nor a tag stays in the text as written.

        Inside a quotation it is an editorial insertion (``[the]``, ``[sic]``); elsewhere the
        importer cannot tell, so it says so once per distinct bracket.
        """
        for claim in claims:
            for match in re.finditer(r"\[([^\[\]\n]{1,100})\]", claim.text):
                if kind == QUOTATION or _inside_quotes(claim.text, match.start()):
                    continue
                self.unknown_brackets[match.group()].append(number)

    def report_unknown_brackets(self) -> None:
        for bracket, numbers in self.unknown_brackets.items():
            more = f" ({len(numbers)} times)" if len(numbers) > 1 else ""
            self.note(
                "unknown_bracket",
                numbers[0],
                f"{bracket} is neither a citation marker nor a known maintenance tag; "
                f"kept in the text as written{more}",
            )

    def check_ending(self, lines: list[_Line]) -> None:
        """A file whose last line is running text ending mid-sentence was probably cut off."""
        if not lines or lines[-1].kind != PARAGRAPH:
            return
        claims = [claim for section in self.sections for claim in section.claims]
        last = claims[-1] if claims else None
        if last and last.kind == STATEMENT and last.text[-1:] not in _TERMINAL | _QUOTES_AFTER:
            self.note(
                "truncated",
                last.line,
                "the file ends in the middle of a sentence: it may have been cut off",
            )

    def renumber_apparatus(self, kept: list[ParsedSection]) -> None:
        index = {id(section): i for i, section in enumerate(kept)}
        nearest = 0
        mapping = {}
        for i, section in enumerate(self.sections):
            if id(section) in index:
                nearest = index[id(section)]
            mapping[i] = nearest
        for item in self.apparatus:
            item.section = mapping[item.section]

    # -- sources

    def collect_sources(self) -> list[ParsedSource]:
        return sources.collect(self.labels_in_order, self.lists, self.note)

    # -- anomalies across paragraphs

    def find_repeated_paragraphs(self) -> None:
        """Report paragraphs that repeat an earlier one nearly word for word (copy defects).

        A paragraph repeated word for word is found by its words alone; others are compared
        by the REPEAT_SHINGLE-word runs they share with earlier paragraphs.
        """
        first_of: dict[tuple[str, ...], int] = {}
        index: dict[tuple[str, ...], list[int]] = defaultdict(list)
        shingle_counts: dict[int, int] = {}
        for position, (line, words) in enumerate(self.paragraph_words):
            if len(words) < REPEAT_MIN_WORDS:
                continue
            whole = tuple(words)
            if whole in first_of:
                self.report_repeat(line, first_of[whole], 1.0)
                continue
            first_of[whole] = position
            # Only the runs whose first word is in a fixed sample of all words are compared:
            # enough to see a repeat (both copies hold the same runs), and linear.
            starts = {word for word in set(words) if _sampled(word)}
            shingles = {
                tuple(words[i : i + REPEAT_SHINGLE])
                for i in range(len(words) - REPEAT_SHINGLE + 1)
                if words[i] in starts
            }
            if not shingles:
                continue
            shingle_counts[position] = len(shingles)
            shared: dict[int, int] = {}
            for shingle in shingles:
                earlier = index[shingle]
                if 0 < len(earlier) <= 50:  # a stock phrase found everywhere says nothing
                    for other in earlier:
                        shared[other] = shared.get(other, 0) + 1
                earlier.append(position)
            for other, count in shared.items():
                if count / min(len(shingles), shingle_counts[other]) < REPEAT_CANDIDATE:
                    continue
                mine, theirs = _shingles(words), _shingles(self.paragraph_words[other][1])
                similarity = len(mine & theirs) / min(len(mine), len(theirs))
                if similarity >= REPEAT_THRESHOLD:
                    self.report_repeat(line, other, similarity)
                    break

    def report_repeat(self, line: int, earlier: int, similarity: float) -> None:
        earlier_line = self.paragraph_words[earlier][0]
        self.note(
            "repeated_paragraph",
            line,
            f"paragraph repeats the paragraph at line {earlier_line} "
            f"({similarity:.0%} of its wording)",
        )


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + REPEAT_SHINGLE]) for i in range(len(words) - REPEAT_SHINGLE + 1)}


@lru_cache(maxsize=1 << 16)
def _sampled(word: str) -> bool:
    return zlib.crc32(word.encode()) % REPEAT_SAMPLE == 0


def _inside_quotes(text: str, at: int) -> bool:
    before = text[:at]
    straight = before.count('"') % 2 == 1
    curly = before.count("“") > before.count("”")
    guillemets = before.count("«") > before.count("»")
    return straight or curly or guillemets
