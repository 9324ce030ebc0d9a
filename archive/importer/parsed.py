"""What the parser returns: a document's sections, claims, apparatus, sources and anomalies.

No database here. Every span is a pair of character offsets into ``ParsedDocument.text``
(the decoded text), so each record can show exactly what it was made from, and the records
together account for every character of the file (``ParsedDocument.unaccounted``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

STATEMENT, CAPTION, QUOTATION, LIST_ITEM = "statement", "caption", "quotation", "list_item"
CITATION_NEEDED = "citation_needed"
NEUTRALITY_DISPUTED = "neutrality_disputed"
QUOTATION_NEEDED = "quotation_needed"
OTHER = "other"
REFERENCE, NOTE = "reference", "note"

# Apparatus kinds (the values of ``archive.models.ApparatusKind``).
TOC = "toc"
HATNOTE = "hatnote"
REFERENCE_ENTRY = "reference_entry"
FOOTNOTE = "footnote"
BIBLIOGRAPHY_ENTRY = "bibliography_entry"
NAVIGATION = "navigation"
CATEGORY = "category"
CHROME = "chrome"
INFOBOX = "infobox"
MAINTENANCE_BOX = "maintenance_box"
MARKUP_REMNANT = "markup_remnant"
STRAY_MARKERS = "stray_markers"


class ImportFormatError(Exception):
    """The file cannot be imported; the message names the file and, where it applies, the line."""

    def __init__(self, file_name: str, message: str, line: int | None = None):
        self.file_name = file_name
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file_name}:{self.line}" if self.line else self.file_name
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Anomaly:
    kind: str
    line: int
    message: str


@dataclass(frozen=True)
class ParsedCitation:
    label: str
    locator: str
    start: int  # the marker's span in the file
    end: int
    offset: int = 0  # where the marker stands in its claim's text


@dataclass(frozen=True)
class ParsedFlag:
    kind: str
    label: str
    start: int
    end: int
    offset: int | None = None  # in the claim's text; None for a section's flag


@dataclass
class ParsedClaim:
    kind: str
    text: str
    paragraph: int
    line: int
    start: int
    end: int
    citations: list[ParsedCitation] = field(default_factory=list)
    flags: list[ParsedFlag] = field(default_factory=list)
    rule: str = ""


@dataclass
class ParsedSection:
    heading: str
    heading_missing: bool
    level: int
    line: int
    start: int | None = None  # the heading line as written, an ``[edit]`` suffix included
    end: int | None = None
    claims: list[ParsedClaim] = field(default_factory=list)
    flags: list[ParsedFlag] = field(default_factory=list)
    rule: str = ""


@dataclass
class ParsedApparatus:
    """A line of the file that is not article prose, kept as written."""

    kind: str
    text: str
    rule: str
    line: int
    start: int
    end: int
    section: int  # index into ParsedDocument.sections
    source_label: str | None = None  # the source a reference entry gives its text to


@dataclass
class ParsedSource:
    label: str
    kind: str
    note_text: str = ""  # the entry's text as written in the reference or notes list
    author: str = ""
    title: str = ""
    published: str = ""
    publisher: str = ""
    url: str = ""
    archive_url: str = ""
    isbn: str = ""
    doi: str = ""


_NOT_TEXT = re.compile(r"\s+")


@dataclass
class ParsedDocument:
    title: str
    text: str
    sections: list[ParsedSection]
    sources: list[ParsedSource]
    anomalies: list[Anomaly]
    apparatus: list[ParsedApparatus] = field(default_factory=list)
    title_span: tuple[int, int] = (0, 0)

    @property
    def claims(self) -> list[ParsedClaim]:
        return [claim for section in self.sections for claim in section.claims]

    @property
    def citations(self) -> list[ParsedCitation]:
        return [citation for claim in self.claims for citation in claim.citations]

    @property
    def flags(self) -> list[ParsedFlag]:
        section_flags = [flag for section in self.sections for flag in section.flags]
        return section_flags + [flag for claim in self.claims for flag in claim.flags]

    @property
    def content_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def counts(self) -> dict[str, int]:
        return {
            "sections": len(self.sections),
            "claims": len(self.claims),
            "sources": len(self.sources),
            "citations": len(self.citations),
            "flags": len(self.flags),
            "apparatus": len(self.apparatus),
            "anomalies": len(self.anomalies),
        }

    def spans(self) -> list[tuple[int, int]]:
        """Every span a record was made from, in file order."""
        spans = [self.title_span]
        spans += [(s.start, s.end) for s in self.sections if s.start is not None]
        spans += [(c.start, c.end) for c in self.claims]
        spans += [(m.start, m.end) for c in self.claims for m in c.citations]
        spans += [(f.start, f.end) for f in self.flags]
        spans += [(a.start, a.end) for a in self.apparatus]
        return sorted(spans)

    def unaccounted(self) -> list[tuple[int, str]]:
        """Text no record was made from: (line, text) for each piece; empty when nothing is lost.

        Whitespace between records is layout, not content, and is not counted; neither are
        the bullets and numbering of a list, which the list's records stand for.
        """
        pieces = []
        cursor = 0
        for start, end in [*self.spans(), (len(self.text), len(self.text))]:
            if start > cursor:
                gap = self.text[cursor:start]
                if _NOT_TEXT.sub("", gap) and not _LIST_MARK.fullmatch(gap.strip()):
                    first = cursor + len(gap) - len(gap.lstrip())
                    pieces.append((self.text.count("\n", 0, first) + 1, gap.strip()))
            cursor = max(cursor, end)
        return pieces


# A list item's mark as copies keep them: a bullet, or a number or letter before the text.
LIST_MARK = r"(?:[-*+•·▪◦‣–]|\d{1,3}[.)]|\(?[a-z]\))"
_LIST_MARK = re.compile(LIST_MARK)
