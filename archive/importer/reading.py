"""Reading a file for import: only a bounded, decodable plain-text file becomes text.

Only a regular file is read. A FIFO would block the import until someone wrote to it, a
device (``/dev/zero``) or a file that grows while it is read would be read until memory ran
out, and a symbolic link could pull in a file from anywhere on the machine; all of these
are refused before a byte is read, and the descriptor actually opened is checked again,
so nothing swapped in between the check and the open is read either. Whatever the file
system says about the size, at most ``max_bytes + 1`` bytes are ever read.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from .parsed import Anomaly, ImportFormatError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class SourceFile:
    """A file as read from disk, before parsing: what an import run records about it."""

    name: str
    size: int
    sha256: str
    text: str


def read_source_file(path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceFile:
    """Read and decode one file, refusing anything that is not a plain-text article."""
    path = Path(path)
    shown = str(path)
    name = path.name or shown
    try:
        target, info = _regular_file(path)
        if info.st_size > max_bytes:
            raise ImportFormatError(name, _too_big(f"{info.st_size:,} bytes", max_bytes))
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        descriptor = os.open(target, flags)
        try:
            opened = os.fstat(descriptor)
            if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
                raise ImportFormatError(shown, "was replaced while it was being opened")
            if not stat.S_ISREG(opened.st_mode):
                raise ImportFormatError(shown, f"is {_kind(opened.st_mode)}, not a regular file")
            data = _read_at_most(descriptor, max_bytes + 1)
        finally:
            os.close(descriptor)
    except FileNotFoundError:
        raise ImportFormatError(shown, "no such file") from None
    except OSError as error:
        raise ImportFormatError(shown, f"cannot be read: {error.strerror or error}") from None
    if len(data) > max_bytes:
        # It grew after it was measured: it is still refused, and was not read to its end.
        raise ImportFormatError(name, _too_big(f"more than {max_bytes:,} bytes", max_bytes))
    return SourceFile(
        name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        text=decode(data, name, max_bytes=max_bytes),
    )


def _regular_file(path: Path) -> tuple[Path, os.stat_result]:
    """The path to open: ``path`` itself, or the file its symbolic link points to.

    A link is followed only to a regular file in the link's own directory (or below it):
    an import names files, it does not reach through links into the rest of the system.
    """
    info = os.stat(path, follow_symlinks=False)
    if not stat.S_ISLNK(info.st_mode):
        if not stat.S_ISREG(info.st_mode):
            raise ImportFormatError(str(path), f"is {_kind(info.st_mode)}, not a regular file")
        return path, info
    directory = os.path.realpath(path.parent)
    target = Path(os.path.realpath(path))
    if os.path.commonpath([directory, target]) != directory:
        raise ImportFormatError(
            str(path),
            f"is a symbolic link to {target}, outside {directory}; only links to files in "
            "the same directory are followed",
        )
    try:
        info = os.stat(target, follow_symlinks=False)
    except FileNotFoundError:
        raise ImportFormatError(
            str(path), f"is a symbolic link to {target}, which does not exist"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise ImportFormatError(
            str(path), f"is a symbolic link to {target}, {_kind(info.st_mode)}, not a regular file"
        )
    return target, info


def _kind(mode: int) -> str:
    for test, what in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISREG, "a regular file"),
    ):
        if test(mode):
            return what
    return "not a file"


def _read_at_most(descriptor: int, limit: int) -> bytes:
    chunks, left = [], limit
    while left > 0:
        chunk = os.read(descriptor, min(_CHUNK, left))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _too_big(size: str, max_bytes: int) -> str:
    return f"file is {size}; the importer accepts at most {max_bytes:,}"


def decode(data: bytes, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Bytes -> text with ``\\n`` line endings; binary, non-UTF-8 or control-laden input is refused.

    Whichever comes first in the file is reported: a control character (NUL included)
    before the first invalid byte, or the invalid byte.
    """
    if len(data) > max_bytes:
        raise ImportFormatError(name, _too_big(f"{len(data):,} bytes", max_bytes))
    if not data.strip():
        raise ImportFormatError(name, "file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        _refuse_controls(normalize(data[: error.start].decode("utf-8")), name)
        line = data.count(b"\n", 0, error.start) + 1
        raise ImportFormatError(
            name,
            f"is not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})",
            line,
        ) from None
    text = normalize(text)
    _refuse_controls(text, name)
    return text


def normalize(text: str) -> str:
    """Drop a byte-order mark and turn CRLF and CR line endings into LF."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------- characters
#
# Text has no control characters but tab and newline (CR is a line ending, already made
# LF). The others (C0, DEL, C1) come from binary files or from broken conversions, so the
# file is refused. Invisible formatting characters are real text: zero-width joiners are
# needed in several scripts and bidi controls in mixed-direction text; but they can also
# hide or reorder what a reader sees, so they are kept and each kind is reported once.

_REFUSED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_C0_NAMES = [
    "NUL",
    "SOH",
    "STX",
    "ETX",
    "EOT",
    "ENQ",
    "ACK",
    "BEL",
    "BS",
    "HT",
    "LF",
    "VT",
    "FF",
    "CR",
    "SO",
    "SI",
    "DLE",
    "DC1",
    "DC2",
    "DC3",
    "DC4",
    "NAK",
    "SYN",
    "ETB",
    "CAN",
    "EM",
    "SUB",
    "ESC",
    "FS",
    "GS",
    "RS",
    "US",
]

# (singular, plural) for each reported character; the anomaly kind is the group's.
_ZERO_WIDTH = {
    "\u200b": ("zero-width space", "zero-width spaces"),
    "\u200c": ("zero-width non-joiner", "zero-width non-joiners"),
    "\u200d": ("zero-width joiner", "zero-width joiners"),
    "\u2060": ("word joiner", "word joiners"),
    "\ufeff": (
        "zero-width no-break space (byte-order mark)",
        "zero-width no-break spaces (byte-order marks)",
    ),
}
_BIDI = {
    "\u202a": ("left-to-right embedding", "left-to-right embeddings"),
    "\u202b": ("right-to-left embedding", "right-to-left embeddings"),
    "\u202c": ("pop directional formatting", "pop directional formattings"),
    "\u202d": ("left-to-right override", "left-to-right overrides"),
    "\u202e": ("right-to-left override", "right-to-left overrides"),
    "\u2066": ("left-to-right isolate", "left-to-right isolates"),
    "\u2067": ("right-to-left isolate", "right-to-left isolates"),
    "\u2068": ("first strong isolate", "first strong isolates"),
    "\u2069": ("pop directional isolate", "pop directional isolates"),
}
ZERO_WIDTH_CHARACTER = "zero_width_character"
BIDI_CONTROL = "bidi_control"


def check_characters(text: str, name: str) -> list[Anomaly]:
    """Refuse control characters; report invisible formatting characters, one anomaly a kind.

    ``text`` is decoded and normalised (``normalize``): its line endings are ``\\n``, and a
    byte-order mark at its start is gone, so one left is inside the text.
    """
    _refuse_controls(text, name)
    anomalies = []
    for kind, characters in ((ZERO_WIDTH_CHARACTER, _ZERO_WIDTH), (BIDI_CONTROL, _BIDI)):
        for character, (one, many) in characters.items():
            first = text.find(character)
            if first < 0:
                continue
            count = text.count(character)
            line = text.count("\n", 0, first) + 1
            what = one if count == 1 else many
            anomalies.append(
                Anomaly(
                    kind, line, f"{count} {what} (U+{ord(character):04X}), first at line {line}"
                )
            )
    return sorted(anomalies, key=lambda anomaly: anomaly.line)


def control_character(text: str) -> tuple[int, str] | None:
    """The first control character other than tab and newline in ``text`` (CR counts: the
    importer has turned line endings into newlines before it asks), as its offset and its
    name ("U+0001 (SOH)"), or None. Imports and proposals refuse the same characters."""
    bad = _REFUSED.search(text)
    if bad is None:
        return None
    code = ord(bad.group())
    name = _C0_NAMES[code] if code < 0x20 else "DEL" if code == 0x7F else "C1"
    return bad.start(), f"U+{code:04X} ({name})"


def _refuse_controls(text: str, name: str) -> None:
    bad = _REFUSED.search(text)
    if bad is None:
        return
    line = text.count("\n", 0, bad.start()) + 1
    raise ImportFormatError(name, _control_message(bad.group()), line)


def _control_message(character: str) -> str:
    code = ord(character)
    if code == 0:
        return "contains NUL bytes: a binary file, not text"
    if code < 0x20:
        return (
            f"contains control character U+{code:04X} ({_C0_NAMES[code]}), which text does "
            "not have: a binary file or a damaged copy"
        )
    if code == 0x7F:
        return (
            "contains control character U+007F (DEL), which text does not have: a binary "
            "file or a damaged copy"
        )
    hint = ""
    try:
        meant = bytes([code]).decode("cp1252")
        hint = (
            f"; in Windows-1252 byte 0x{code:02X} is {meant!r}, so the file was probably "
            "converted to UTF-8 as if it were Latin-1"
        )
    except UnicodeDecodeError:
        pass
    return f"contains C1 control character U+{code:04X}, which text does not have{hint}"
