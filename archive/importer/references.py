"""One entry of a copied reference list: its label, its own text, and the fields it states.

Pure Python (no Django). Two readers:

- ``reference_entry(line)`` recognises one line of a reference or notes list as copies of
  rendered pages write it ("12. ^ Jump up to: a b Smith, J. (2005) ...", "^ a b Smith ...",
  "[12] Smith ...", "1. ↑ Иванов ...") and returns its key, its text and where the text
  starts in the line, with the numbering and the backlinks ("^", "Jump up to:", "a b c",
  "1.0 1.1", "1 2 3") taken off.
- ``read_reference(text)`` reads the bibliographic fields of an entry's text where the
  common rendered citation styles (Wikipedia's CS1 templates: {{cite web}}, {{cite news}},
  {{cite book}}, {{cite journal}}) state them unambiguously: author, title, date of
  publication, publisher (or the work - site, newspaper, journal - when that is the only
  name given), URL, archive URL, ISBN and DOI. A field that cannot be read reliably is left
  empty; so is one longer than the database column (a truncated value would be wrong).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

# Column sizes of archive.models.Source (no Django import here).
TITLE_MAX = 500
AUTHOR_MAX = 255
PUBLISHER_MAX = 255
PUBLISHED_MAX = 64
URL_MAX = 1000
ISBN_MAX = 32
DOI_MAX = 255
FIELD_LIMITS = {
    "author": AUTHOR_MAX,
    "title": TITLE_MAX,
    "published": PUBLISHED_MAX,
    "publisher": PUBLISHER_MAX,
    "url": URL_MAX,
    "archive_url": URL_MAX,
    "isbn": ISBN_MAX,
    "doi": DOI_MAX,
}
FIELD_NAMES = tuple(FIELD_LIMITS)  # the Source columns a reference entry can fill


@dataclass(frozen=True)
class ReferenceLine:
    """One entry line of a reference list.

    ``key`` is the entry's number or letter as written ("12", "a"), or None when the list
    is unnumbered ("^ Smith ..."). ``text`` is the entry's own text, exactly as in the line
    (trailing spaces removed), and ``text_start`` its offset in the line:
    ``line[text_start:text_start + len(text)] == text``. ``backlinks`` are the labels of the
    jump-back links that were taken off ("a", "b"; "1.0", "1.1"), empty when there were none.
    """

    key: str | None
    text: str
    text_start: int
    backlinks: tuple[str, ...] = ()


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


# --------------------------------------------------------------------------- entries

_BULLET = r"(?:[-*•·]\s+)?"
_BRACKET_KEY_RE = re.compile(r"\s*" + _BULLET + r"[\[［](?P<key>\d{1,4})[\]］]\s*")
# A Markdown conversion puts the caret and the backlinks in bold or italics: "**^**",
# "^ ***a*** ***b***".
_EMPHASIS = r"[*_]{0,3}"
_NUMBERED_CARET_RE = re.compile(
    r"\s*"
    + _BULLET
    + r"(?P<key>\d{1,4}|[a-z]{1,2})\s*[.)]\s*(?=(?:jump up\s*)?"
    + _EMPHASIS
    + r"[\^↑])",
    re.IGNORECASE,
)
_CARET_RE = re.compile(
    r"\s*" + _BULLET + r"(?:jump up\s*)?" + _EMPHASIS + r"[\^↑]" + _EMPHASIS + r"\s*",
    re.IGNORECASE,
)
_JUMP_UP_TO_RE = re.compile(r"jump up to\s*:\s*", re.IGNORECASE)
_NUMBERED_PLAIN_RE = re.compile(
    r"\s*" + _BULLET + r"(?:(?P<dotted>\d{1,4})\s*[.)]\s+|(?P<bare>\d{1,3})\s+)(?=\S)"
)
_TOKEN_RE = re.compile(r"(\S+)(\s+|$)")
_CONJUNCTIONS = frozenset({"et", "and", "und", "и", "y", "e", "i"})


def _letter_labels() -> list[str]:
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    return letters + [a + b for a in letters for b in letters]


_LETTER_LABELS = _letter_labels()


def _backlinks(line: str, pos: int, *, after_jump: bool) -> tuple[tuple[str, ...], int]:
    """The backlink labels at ``pos`` ("a b c", "1.0 1.1", "1 2 3") and where they end.

    Labels count only as a run in order from the first one (a, b, c ... z, aa, ab ...;
    N.0, N.1 ...; 1, 2, 3 ...) of at least two - a single use has no labels - so the first
    word of the text is never taken: "^ a b Smith" loses "a b", "^ A history" keeps "A".
    """
    tokens: list[tuple[str, int, int]] = []  # word, start, end of trailing space
    cursor = pos
    while cursor < len(line) and len(tokens) < 800:
        match = _TOKEN_RE.match(line, cursor)
        if not match:
            break
        tokens.append((match.group(1), match.start(1), match.end()))
        cursor = match.end()
    if not tokens:
        return (), pos
    first = tokens[0][0].rstrip(",").strip("*_")

    def expected(index: int) -> str | None:
        if first == "a":
            return _LETTER_LABELS[index] if index < len(_LETTER_LABELS) else None
        if re.fullmatch(r"\d{1,4}\.0", first):
            return f"{first[:-2]}.{index}"
        if first == "1":
            return str(index + 1)
        return None

    labels: list[str] = []
    end = pos
    i = 0
    while i < len(tokens):
        word = tokens[i][0].rstrip(",").strip("*_")
        want = expected(len(labels))
        if want is None:
            break
        if word == want:
            labels.append(word)
            end = tokens[i][2]
            i += 1
            continue
        # The last label glued to the text, as some copies lose the space: "… u vUnavailable
        # with /give command". Only before a capitalised word or a quote ("cDNA" stays).
        rest = word[len(want) :]
        if (
            labels
            and word.startswith(want)
            and (
                (len(rest) > 1 and rest[0].isupper() and rest[1].islower())
                or rest[:1] in ('"', "“", "«")
            )
        ):
            labels.append(want)
            end = tokens[i][1] + len(want)
            break
        # "a, b et c" (fr), "a, b and c": a conjunction before the next label.
        if (
            word in _CONJUNCTIONS
            and labels
            and i + 1 < len(tokens)
            and tokens[i + 1][0].rstrip(",") == want
        ):
            i += 1
            continue
        break
    if len(labels) < 2 and not (after_jump and labels):
        return (), pos
    return tuple(labels), end


def _entry(line: str, key: str | None, pos: int, *, caret: bool) -> ReferenceLine:
    backlinks: tuple[str, ...] = ()
    if caret:
        jump = _JUMP_UP_TO_RE.match(line, pos)
        if jump:
            pos = jump.end()
        backlinks, pos = _backlinks(line, pos, after_jump=bool(jump))
    while pos < len(line) and line[pos].isspace():
        pos += 1
    # An entry may have no text ("^" alone, "[8]" alone): it is still an entry of the list.
    return ReferenceLine(key, line[pos:].rstrip(), pos, backlinks)


def reference_entry(line: str, *, in_reference_section: bool = False) -> ReferenceLine | None:
    """The reference-list entry on ``line``, or None when the line is not one.

    Recognised: "[12] text", "12. ^ text", "  1. ^ text", "a. ^ text" (lettered notes),
    "^ text", "^ a b c text", "^ Jump up to: a b text", "12. ^ Jump up to: a b text",
    "Jump up ^ text" (the 2013-2017 rendering), "^ 1.0 1.1 text" (numbered backlinks),
    "↑ text", "↑ 1 2 text", "1. ↑ text" (ru, uk, de), a leading list bullet ("- ^ text")
    allowed. "12. text" and "12 text" are entries only when the caller says the line is
    inside a reference section (``in_reference_section``); elsewhere they are prose or a
    numbered list.
    """
    if not line.strip():
        return None
    match = _BRACKET_KEY_RE.match(line)
    if match:
        pos = match.end()
        caret = _CARET_RE.match(line, pos)
        if caret:
            return _entry(line, match.group("key"), caret.end(), caret=True)
        return _entry(line, match.group("key"), pos, caret=False)
    match = _NUMBERED_CARET_RE.match(line)
    if match:
        caret = _CARET_RE.match(line, match.end())
        if caret:
            return _entry(line, match.group("key"), caret.end(), caret=True)
    match = _CARET_RE.match(line)
    if match:
        return _entry(line, None, match.end(), caret=True)
    match = re.match(r"\s*" + _BULLET + r"(?=jump up to\s*:)", line, re.IGNORECASE)
    if match:
        return _entry(line, None, match.end(), caret=True)
    if in_reference_section:
        match = _NUMBERED_PLAIN_RE.match(line)
        if match:
            return _entry(
                line, match.group("dotted") or match.group("bare"), match.end(), caret=False
            )
    return None


# --------------------------------------------------------------------------- fields


def _fit(value: str, limit: int) -> str:
    value = value.strip()
    return value if len(value) <= limit else ""


# -- URLs

_URL_IN_TEXT_RE = re.compile(r"https?://[^\s<>\"«»“”‘’|\\^`{}]+", re.IGNORECASE)
_HOST_LABEL = r"[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?"
_HOST_RE = re.compile(
    r"(?:" + _HOST_LABEL + r"\.)+(?:[a-z\u00a1-\uffff]{2,63}|xn--[a-z0-9]{1,59})\.?"
    r"|localhost",
    re.IGNORECASE,
)
_IPV4_RE = re.compile(r"(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}")
_ARCHIVE_HOSTS = (
    "web.archive.org",
    "wayback.archive.org",
    "archive.org",
    "archive.today",
    "archive.is",
    "archive.ph",
    "archive.li",
    "archive.fo",
    "archive.md",
    "archive.vn",
    "webcitation.org",
    "www.webcitation.org",
    "wayback.archive-it.org",
    "ghostarchive.org",
    "perma.cc",
    "arquivo.pt",
    "webarchive.nla.gov.au",
    "webarchive.loc.gov",
    "webarchive.nationalarchives.gov.uk",
)
# Links that resolve an identifier or point into the wiki itself, not the source's address.
_NOT_SOURCE_HOSTS = (
    "doi.org",
    "dx.doi.org",
    "hdl.handle.net",
    "worldcat.org",
    "search.worldcat.org",
    "pubmed.ncbi.nlm.nih.gov",
    "api.semanticscholar.org",
    "ui.adsabs.harvard.edu",
    "wikipedia.org",
    "wikidata.org",
)


def valid_url(value: str) -> bool:
    """True when ``value`` is a syntactically valid http(s) URL (the shape Django's
    URLValidator accepts) of at most 1000 characters."""
    if not value or len(value) > URL_MAX or any(ch.isspace() or ord(ch) < 32 for ch in value):
        return False
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return False
    host = parts.hostname or ""
    if port is not None and not 0 < port < 65536:
        return False
    if host.startswith("[") or ":" in host:  # IPv6 literal
        return bool(re.fullmatch(r"[0-9a-f:.]+", host.strip("[]"), re.IGNORECASE))
    return bool(_IPV4_RE.fullmatch(host) or _HOST_RE.fullmatch(host))


def _clean_url(raw: str) -> str:
    url = raw
    while url:
        last = url[-1]
        unbalanced = (last == ")" and url.count("(") < url.count(")")) or (
            last == "]" and url.count("[") < url.count("]")
        )
        if last in ".,;:!?'*" or unbalanced:
            url = url[:-1]
        else:
            break
    return url


def _host_in(host: str, hosts: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == h or host.endswith("." + h) for h in hosts)


def _read_urls(text: str) -> tuple[str, str]:
    sources: list[str] = []
    archives: list[str] = []
    for match in _URL_IN_TEXT_RE.finditer(text):
        url = _clean_url(match.group())
        if not valid_url(url):
            continue
        host = urlsplit(url).hostname or ""
        if _host_in(host, _ARCHIVE_HOSTS):
            archives.append(url)
        elif not _host_in(host, _NOT_SOURCE_HOSTS):
            sources.append(url)
    archive = archives[0] if len(set(archives)) == 1 else ""
    if len(set(sources)) == 1:
        return sources[0], archive
    if not sources and archive:
        # web.archive.org/web/20160819165216/https://example.org/page: the original is
        # written inside the archive address.
        inner = re.search(r"/(https?://.+)$", archive[8:], re.IGNORECASE)
        if inner and valid_url(inner.group(1)):
            return inner.group(1), archive
    return "", archive


# -- ISBN and DOI

_ISBN_RE = re.compile(
    r"\bISBN(?:-1[03])?\s*:?\s*(?P<isbn>(?:\d[-‐ ]?){12}\d|(?:\d[-‐ ]?){9}[\dXx])(?![\dXx-])"
)


def isbn_checksum_ok(digits: str) -> bool:
    """True when an ISBN's check digit agrees with the rest (digits only, X allowed last)."""
    if len(digits) == 10:
        total = sum((10 - i) * (10 if c in "Xx" else int(c)) for i, c in enumerate(digits))
        return total % 11 == 0
    if len(digits) == 13:
        total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(digits))
        return total % 10 == 0
    return False


def _isbn_shaped(digits: str) -> bool:
    # An ISBN as the source writes it: ten digits (X last allowed) or thirteen starting
    # 978/979. A wrong check digit is the source's mistake and is kept as written (see
    # isbn_checksum_ok for callers that want to report it).
    if len(digits) == 10:
        return digits[:9].isdigit() and (digits[9].isdigit() or digits[9] in "Xx")
    return len(digits) == 13 and digits.isdigit() and digits[:3] in ("978", "979")


def _read_isbn(text: str) -> str:
    found: dict[str, str] = {}
    for match in _ISBN_RE.finditer(text):
        written = match.group("isbn").strip()
        digits = re.sub(r"[-‐ ]", "", written)
        if _isbn_shaped(digits):
            found.setdefault(digits.upper(), written)
    return next(iter(found.values())) if len(found) == 1 else ""


_DOI_RE = re.compile(
    r"(?:\bdoi\s*[:：]?\s*|https?://(?:dx\.)?doi\.org/)(?P<doi>10\.\d{4,9}/[^\s\"<>«»“”]+)",
    re.IGNORECASE,
)


def _read_doi(text: str) -> str:
    found: dict[str, str] = {}
    for match in _DOI_RE.finditer(text):
        doi = _clean_url(
            unquote(match.group("doi")) if "%" in match.group("doi") else match.group("doi")
        )
        if re.fullmatch(r"10\.\d{4,9}/\S+", doi):
            found.setdefault(doi.casefold(), doi)
    return next(iter(found.values())) if len(found) == 1 else ""


# -- dates and names

_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?"
)
_SEASON = r"(?:spring|summer|autumn|fall|winter)"
_YEAR = r"(?:1\d{3}|20\d{2})[a-z]?"
_DAY = r"(?:[0-3]?\d)"
_DATE_RE = re.compile(
    r"(?:"
    rf"{_YEAR}(?:\s?[–-]\s?(?:\d{{2}}|{_YEAR}))?"
    rf"|{_MONTH}(?:\s?[–-]\s?{_MONTH})? {_YEAR}"
    rf"|{_DAY}(?:\s?[–-]\s?{_DAY})? {_MONTH} {_YEAR}"
    rf"|{_MONTH} {_DAY}(?:\s?[–-]\s?{_DAY})?, {_YEAR}"
    rf"|{_SEASON} {_YEAR}"
    r"|\d{4}-\d{2}-\d{2}|\d{4}-\d{2}"
    rf"|(?:c\.|ca\.|circa) ?{_YEAR}"
    r"|n\.d\."
    r")",
    re.IGNORECASE,
)
_AUTHOR_DATE_RE = re.compile(
    r"(?P<author>[^()\"“”«»\[\]]{1,255}?)\s"
    r"(?:\((?:ed|eds|editor|editors|comp|trans|tr)\.?\)\s)?"
    r"\((?P<date>[^()]{1,40})\)\.(?:\s+|$)",
    re.IGNORECASE,
)
_AUTHOR_NO_DATE_RE = re.compile(r"(?P<author>[^()\"“”«»\[\]]{1,255}?)\.\s+(?=[\"“])")


def _author_like(text: str, *, need_comma: bool = False) -> bool:
    text = text.strip()
    if not text or len(text) > AUTHOR_MAX or "http" in text.lower():
        return False
    if re.search(r"[\d\"“”«»()\[\]{}:|/\\<>=@#]", text):
        return False
    if need_comma and "," not in text:
        return False
    for part in text.split(";"):
        part = part.strip()
        if part.casefold() in ("et al.", "et al", ""):
            continue
        words = part.replace(",", " ").split()
        if not 1 <= len(words) <= 6 or any(len(word) > 30 for word in words):
            return False
    return True


# -- segments of a rendered citation

_STOP, _DATE, _ID, _PAGES, _EDITION, _PLACE_PUBLISHER, _NAME, _OTHER = range(8)

# Abbreviations whose point does not end a segment ("pp. 43", "Vol. 2", "et al.") and
# those that end a name and keep their point ("Inc.", "Ltd.", "Jr.").
_PREFIX_ABBREVIATIONS = frozenset(
    {"pp", "p", "no", "nos", "vol", "vols", "ch", "chap", "sec", "fig", "figs", "st", "dr"}
    | {"mr", "mrs", "ms", "prof", "rev", "gen", "col", "lt", "capt", "sgt", "op", "cit", "al"}
    | {"repr", "trans", "tr", "comp", "ed", "eds"}
)
_SUFFIX_ABBREVIATIONS = frozenset(
    {"inc", "ltd", "co", "corp", "bros", "jr", "sr", "llc", "plc", "dept", "univ", "assn", "pty"}
)
_STOP_RE = re.compile(
    r"^(?:retrieved|accessed|archived|archive[ds]? |original |дата обращения|архивировано"
    r"|abgerufen|archiviert|consulté|archivé|consultado|archivado|recuperado|archiviato"
    r"|consultato|dostęp|zarchiwizowano)"
    r"|archived from the original|at the wayback machine|– via |- via ",
    re.IGNORECASE,
)
_ID_RE = re.compile(
    r"^(?:isbn|issn|eissn|oclc|doi|pmid|pmc|jstor|s2cid|bibcode|arxiv|hdl|citeseerx|lccn|ol"
    r"|zbl|mr|rfc|ssrn|asin|id|ismn|isni|viaf|osti|eric|uri)\b\s*[:\s]",
    re.IGNORECASE,
)
_PAGES_RE = re.compile(
    r"^(?:"
    r"(?:pp?|pages?|vol|vols|volume|no|nos|issue|ch|chap|chapter|sec|section|art|fig)\.?\s*"
    r"(?:\d[\w–-]*|[ivxlcdm]{1,8})(?:\s*[–-]\s*\d[\w]*)?(?:,\s*\d[\w–-]*)*"
    r"|\d+(?:\s*\([^()]{1,20}\))?(?:\s*:\s*\S+)?"
    r"|[ivxlcdm]{1,8}"
    r")$",
    re.IGNORECASE,
)
_EDITION_RE = re.compile(
    r"^\(?(?:\d+(?:st|nd|rd|th)|first|second|third|revised|new|illustrated|reprint)"
    r"(?: [a-z]+)? ed(?:ition|\.)?\)?$",
    re.IGNORECASE,
)
_EDITION_SUFFIX_RE = re.compile(
    r"\s*\((?:\d+(?:st|nd|rd|th)|first|second|third|revised|new|illustrated|reprint)"
    r"(?: [a-z]+)? ed(?:ition|\.)?\)$",
    re.IGNORECASE,
)
_PLACE_PUBLISHER_RE = re.compile(
    r"^(?P<place>[A-Z][^\d:;\"“”]{0,60}?): (?P<publisher>[^:;\"“”]{2,250})$"
)
_TYPE_SUFFIX_RE = re.compile(
    r"\s*\((?:mailing list|press release|pdf|video|audio|podcast|blog|thesis|report|tweet"
    r"|in [a-z]+(?: and [a-z]+)?)\)$",
    re.IGNORECASE,
)
_FORMAT_MARKER_RE = re.compile(
    r"^\s*\((?:pdf|doc|docx|xls|ppt|djvu|video|audio|podcast|press release|mailing list"
    r"|in [^()]{1,30})\)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Segment:
    text: str
    kind: int


def _segment_kind(text: str) -> int:
    if _STOP_RE.search(text):
        return _STOP
    if _DATE_RE.fullmatch(text):
        return _DATE
    if _ID_RE.match(text):
        return _ID
    if _PAGES_RE.match(text):
        return _PAGES
    if _EDITION_RE.match(text):
        return _EDITION
    place_publisher = _PLACE_PUBLISHER_RE.match(text)
    if (
        place_publisher
        and len(place_publisher["place"].split()) <= 5
        and re.match(r"[^\W\d_]", place_publisher["publisher"])
    ):
        return _PLACE_PUBLISHER
    words = text.split()
    if (
        text[:1].isalnum()
        and 1 <= len(words) <= 12
        and not re.search(r"[\"“”«»]", text)
        and not text.endswith(":")
        and not re.search(r":\s*\d", text)  # "Sunstone Magazine: 44–45" has pages in it
        and re.search(r"[^\W\d_]", text)
    ):
        return _NAME
    return _OTHER


def _segment_kind_name(text: str) -> bool:
    """A "Work: Subtitle" name, not "Journal: 44–45" (pages after the colon)."""
    return not re.search(r":\s*\d", text)


def _segments(text: str) -> list[_Segment]:
    """Cut a rendered citation at its ". " separators, keeping abbreviations whole
    ("pp. 43–45", "Stack Exchange, Inc.", "Junio C. Hamano", "U.S. Army")."""
    pieces: list[str] = []
    start = 0
    for match in re.finditer(r"\.(?=\s|$)", text):
        before = text[start : match.start()]
        word = re.search(r"([^\W\d_]+)$", before)
        token = word.group(1) if word else ""
        joins_next = token.casefold() in _PREFIX_ABBREVIATIONS or (
            len(token) == 1 and token.isupper()
        )
        if joins_next and match.end() < len(text):
            continue
        keeps_point = token.casefold() in _SUFFIX_ABBREVIATIONS
        piece = text[start : match.end()] if keeps_point else before
        if piece.strip():
            pieces.append(piece.strip())
        start = match.end()
    if text[start:].strip():
        pieces.append(text[start:].strip())
    return [_Segment(piece, _segment_kind(piece)) for piece in pieces]


_QUOTE_PAIRS = {'"': '"', "“": "”", "«": "»", "「": "」", "„": "“"}


def _quoted_title(text: str) -> tuple[str, str]:
    """The quoted title opening ``text`` and what follows it, or ("", text).

    A title closed by '",' ({{citation}} style, parts separated by commas) is returned with
    what follows it starting with ",", which the callers read no further.
    """
    opening = text[:1]
    closing = _QUOTE_PAIRS.get(opening)
    if not closing:
        return "", text
    if opening in "«「":
        end = text.find(closing, 1)
        if end <= 1:
            return "", text
        return text[1:end].strip(), text[end + 1 :]
    position = 1
    while True:
        end = text.find(closing, position)
        if end < 0:
            return "", text
        before = text[end - 1] if end > 1 else ""
        after = text[end + 1 : end + 2]
        rest = text[end + 1 :].lstrip()
        if (
            not rest
            or after == "."
            or (after == "," and before in ".?!…")
            or (after.isspace() and (before in ".?!…" or rest.startswith(("(", "["))))
        ):
            title = text[1:end].strip()
            return (title, text[end + 1 :]) if title else ("", text)
        position = end + 1


def _strip_type(name: str) -> str:
    return _TYPE_SUFFIX_RE.sub("", name).strip()


def _after_quoted_title(rest: str) -> tuple[str, str]:
    """Publisher (or work) and date stated after a quoted title."""
    while True:
        marker = _FORMAT_MARKER_RE.match(rest)
        if not marker:
            break
        rest = rest[marker.end() :]
    if rest.lstrip().startswith(","):
        return "", ""  # {{citation}} style: "Title", Work, date - parts not told apart here
    rest = rest.lstrip(" .")
    names: list[str] = []
    place_publisher = ""
    date = ""
    for position, segment in enumerate(_segments(rest)):
        kind = segment.kind
        if position == 0 and kind == _PLACE_PUBLISHER and _segment_kind_name(segment.text):
            kind = _NAME  # right after the title, "Work: Subtitle" is the work's name
        if kind in (_STOP, _OTHER):
            break
        if kind == _DATE:
            date = date or segment.text
            continue
        if kind in (_ID, _PAGES):
            break
        if kind == _PLACE_PUBLISHER:
            place_publisher = _PLACE_PUBLISHER_RE.match(segment.text)["publisher"]
            continue
        if kind == _NAME and not date:
            names.append(segment.text)
            continue
        if kind == _EDITION:
            continue
        break
    if place_publisher:
        return place_publisher.strip(), date
    if len(names) == 1:
        return _strip_type(names[0]), date
    if len(names) == 2 and (names[0] == names[1] or _EDITION_SUFFIX_RE.search(names[0])):
        return _strip_type(names[1]), date
    return "", date


def _book(rest: str) -> tuple[str, str]:
    """Title and publisher of an unquoted (book, report) citation after its author-date.

    The first segment is the title only when what follows is recognisably the rest of a
    citation - a "Place: Publisher", pages, an ISBN or another identifier - before anything
    unrecognised; a lone publisher name is taken only then too.
    """
    segments = _segments(rest)
    if not segments or segments[0].kind in (_STOP, _DATE, _ID, _PAGES, _EDITION):
        return "", ""
    first = segments[0].text
    if re.search(r"[\"“”«»]", first):
        return "", ""
    names: list[str] = []
    place_publisher = ""
    evidence = False
    for segment in segments[1:]:
        if segment.kind in (_STOP, _ID):
            evidence = evidence or segment.kind == _ID
            break
        if segment.kind == _PAGES:
            evidence = True
        elif segment.kind == _PLACE_PUBLISHER:
            place_publisher = _PLACE_PUBLISHER_RE.match(segment.text)["publisher"]
            evidence = True
        elif segment.kind == _NAME:
            names.append(segment.text)
        elif segment.kind in (_EDITION, _DATE):
            continue
        else:
            return "", ""
    if not evidence:
        return "", ""
    title = _EDITION_SUFFIX_RE.sub("", first).strip()
    if place_publisher:
        return title, place_publisher.strip()
    return title, _strip_type(names[0]) if len(names) == 1 else ""


def _read_citation(text: str) -> tuple[str, str, str, str]:
    author = published = ""
    rest = text
    match = _AUTHOR_DATE_RE.match(text)
    if match and _DATE_RE.fullmatch(match.group("date").strip()) and _author_like(match["author"]):
        author = match.group("author").strip()
        published = match.group("date").strip()
        rest = text[match.end() :]
    else:
        match = _AUTHOR_NO_DATE_RE.match(text)
        if match and _author_like(match.group("author"), need_comma=True):
            author = match.group("author").strip()
            if re.search(r"\b[^\W\d_]$", author):
                author += "."  # "Hamano, J. C." keeps its last initial's point
            rest = text[match.end() :]
    if published.casefold() == "n.d.":
        published = ""
    title, after = _quoted_title(rest)
    publisher = ""
    if title:
        publisher, date = _after_quoted_title(after)
        published = published or date
    elif author and published:
        title, publisher = _book(rest)
    return author, title, published, publisher


def read_reference(text: str) -> ReferenceFields:
    """The fields a reference entry's text states, each "" where it cannot be read reliably.

    Read from the rendered CS1 styles: 'Author, First (2005). Title. Place: Publisher.
    ISBN 978-...' (book), 'Author (12 May 2005). "Article title". Newspaper. Retrieved 3 June
    2010.' (news, web, journal: the work stands in for the publisher when it is the only
    name), '"Title". Site. Archived from the original on ... Retrieved ...' (no author); URLs
    written in the text, "ISBN 0-19-...", "doi:10.1000/xyz", "DOI 10.1000/xyz". Other
    shapes give only the identifiers. Values longer than their column are dropped, never cut.
    """
    text = " ".join(text.split())
    if not text:
        return ReferenceFields()
    url, archive_url = _read_urls(text)
    author, title, published, publisher = _read_citation(text)
    return ReferenceFields(
        author=_fit(author, AUTHOR_MAX),
        title=_fit(title, TITLE_MAX),
        published=_fit(published, PUBLISHED_MAX),
        publisher=_fit(publisher, PUBLISHER_MAX),
        url=url if valid_url(url) else "",
        archive_url=archive_url if valid_url(archive_url) else "",
        isbn=_fit(_read_isbn(text), ISBN_MAX),
        doi=_fit(_read_doi(text), DOI_MAX),
    )
