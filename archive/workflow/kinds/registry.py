"""The registry of change kinds: each kind module registers its classes here."""

from __future__ import annotations

from .base import Kind

KINDS: dict[str, Kind] = {}


def register(cls: type[Kind]) -> type[Kind]:
    """Class decorator: one instance of the kind, found by its name."""
    if cls.name in KINDS:
        raise ValueError(f"Change kind {cls.name!r} is declared twice.")
    KINDS[cls.name] = cls()
    return cls
