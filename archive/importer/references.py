"""One entry of a reference or notes list: its number, its text, and the fields it states.

Entries come as copies write them: ``[12] text``, ``12. ^ text``, ``^ a b text``,
``^ Jump up to: a b text``, ``↑ text``, and plain ``12. text`` inside a references section.
Fields are read only where the common rendered citation styles state them unambiguously
(an ISBN, a DOI, a URL, a year in parentheses after the author); anything else is left
empty for an editor, since a wrong author is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

_BACKLINKS = (
    r"(?:(?:Jump up to|Перейти к)\s*:\s*)?"
    r"(?:(?:[a-z]|\d+\.\d+)(?: (?:[a-z]|\d+\.\d+))+ |[a-z] (?=[A-Z\"“«(]))?"
)
_ENTRY_ANYWHERE = re.compile(
    r"^\s*(?:\[(?P<k1>\d{1,4})\][ \t]+(?=\S)|(?P<k2>\d{1,4}|[a-z])\.[ \t]+[\^↑][ \t]*|[\^↑][ \t]*)"
    + _BACKLINKS
)
_ENTRY_IN_SECTION = re.compile(r"^\s*(?P<k3>\d{1,4})[.)]?[ \t]+(?=\S)")

FIELD_LIMITS = {
    "author": 255,
    "title": 500,
    "published": 64,
    "publisher": 255,
    "url": 1000,
    "archive_url": 1000,
    "isbn": 32,
    "doi": 255,
}


@dataclass(frozen=True)
class ReferenceLine:
    key: str | None  # the number or letter as written; None when unnumbered
    text: str  # the entry's own text, without numbering and backlinks
    text_start: int  # where ``text`` starts in the line


@dataclass(frozen=True)
class ReferenceFields:
    author: str = ""
    title: str = ""
    published: str = ""
    publisher: str = ""
    url: str = ""
    archive_url: str = ""
    isbn: str = ""
    doi: str = ""


def reference_entry(line: str, *, in_reference_section: bool = False) -> ReferenceLine | None:
    """The entry a line of a reference list holds, or None if the line is not one."""
    match = _ENTRY_ANYWHERE.match(line)
    if match is None and in_reference_section:
        match = _ENTRY_IN_SECTION.match(line)
    if match is None:
        return None
    key = match.groupdict().get("k1") or match.groupdict().get("k2") or match.groupdict().get("k3")
    text = line[match.end() :].rstrip()
    return ReferenceLine(key, text, match.end())


_ISBN = re.compile(
    r"\bISBN(?:-1[03])?:?\s*(?P<isbn>(?:97[89][- ]?)?\d{1,5}[- ]?\d{1,7}[- ]?\d{1,7}[- ]?[\dX])\b"
)
_DOI = re.compile(
    r"\b(?:doi:\s*|DOI:?\s+|https?://(?:dx\.)?doi\.org/)(?P<doi>10\.\d{4,9}/[^\s\"<>]+)", re.I
)
_URL = re.compile(r"https?://[^\s\"<>\]]+")
_ARCHIVED = re.compile(
    r"https?://(?:web\.)?archive\.org/[^\s\"<>\]]+|https?://archive\.(?:today|ph|is)/[^\s\"<>\]]+"
)
_AUTHOR_YEAR = re.compile(
    r"^(?P<author>[^\W\d][^().\"“]{1,120}?)\s*"
    r"\((?P<year>(?:c\. )?\d{4}[a-z]?|\d{1,2} \w+ \d{4}|\w+ \d{1,2}, \d{4}|\w+ \d{4})\)\.\s*"
)
_QUOTED_TITLE = re.compile(r"^[\"“](?P<title>[^\"”]{2,400})[\"”]")
_validate_url = URLValidator(schemes=["http", "https"])


def read_reference(text: str) -> ReferenceFields:
    """The fields an entry states in a form that cannot be misread; the rest stays empty."""
    values: dict[str, str] = {}
    isbn = _ISBN.search(text)
    if isbn:
        values["isbn"] = isbn.group("isbn")
    doi = _DOI.search(text)
    if doi:
        values["doi"] = doi.group("doi").rstrip(".,;")
    archived = _ARCHIVED.search(text)
    if archived:
        values["archive_url"] = archived.group().rstrip(".,;")
    for url in _URL.findall(text):
        url = url.rstrip(".,;")
        if not archived or url != archived.group().rstrip(".,;"):
            values["url"] = url
            break
    head = _AUTHOR_YEAR.match(text)
    rest = text
    if head:
        values["author"] = head.group("author").strip().rstrip(",")
        values["published"] = head.group("year")
        rest = text[head.end() :]
    title = _QUOTED_TITLE.match(rest)
    if title:
        values["title"] = title.group("title").strip().rstrip(".,")
    for name in ("url", "archive_url"):
        if name in values:
            try:
                _validate_url(values[name])
            except ValidationError:
                del values[name]
    return ReferenceFields(
        **{
            name: value
            for name, value in values.items()
            if value and len(value) <= FIELD_LIMITS[name]
        }
    )
