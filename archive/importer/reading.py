"""Reading a file for import: only a bounded, decodable plain-text file becomes text."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .parsed import ImportFormatError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


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
    name = path.name or str(path)
    if not path.exists():
        raise ImportFormatError(str(path), "no such file")
    if path.is_dir():
        raise ImportFormatError(str(path), "is a directory, not a text file")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ImportFormatError(
                name, f"file is {size:,} bytes; the importer accepts at most {max_bytes:,}"
            )
        data = path.read_bytes()
    except OSError as error:
        raise ImportFormatError(str(path), f"cannot be read: {error.strerror or error}") from None
    return SourceFile(
        name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        text=decode(data, name, max_bytes=max_bytes),
    )


def decode(data: bytes, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Bytes -> text with ``\\n`` line endings; binary or non-UTF-8 input is refused."""
    if len(data) > max_bytes:
        raise ImportFormatError(
            name, f"file is {len(data):,} bytes; the importer accepts at most {max_bytes:,}"
        )
    if not data.strip():
        raise ImportFormatError(name, "file is empty")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise ImportFormatError(name, "contains NUL bytes: a binary file, not text", line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ImportFormatError(
            name,
            f"is not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})",
            line,
        ) from None
    return normalize(text)


def normalize(text: str) -> str:
    """Drop a byte-order mark and turn CRLF and CR line endings into LF."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")
