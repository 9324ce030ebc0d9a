"""What the parser returns: a document's sections, claims, sources and anomalies, no database."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

STATEMENT, CAPTION, QUOTATION = "statement", "caption", "quotation"
CITATION_NEEDED = "citation_needed"
NEUTRALITY_DISPUTED = "neutrality_disputed"
QUOTATION_NEEDED = "quotation_needed"
OTHER = "other"
REFERENCE, NOTE = "reference", "note"


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
    start: int
    end: int


@dataclass(frozen=True)
class ParsedFlag:
    kind: str
    label: str
    start: int
    end: int


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


@dataclass
class ParsedSection:
    heading: str
    heading_missing: bool
    level: int
    line: int
    start: int | None = None
    end: int | None = None
    claims: list[ParsedClaim] = field(default_factory=list)
    flags: list[ParsedFlag] = field(default_factory=list)


@dataclass
class ParsedSource:
    label: str
    kind: str
    note_text: str = ""


@dataclass
class ParsedDocument:
    title: str
    text: str
    sections: list[ParsedSection]
    sources: list[ParsedSource]
    anomalies: list[Anomaly]

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
            "anomalies": len(self.anomalies),
        }
