"""Every kind of change a proposal can hold, each declared once (see ``base.Kind``).

One module per family of targets; importing them fills ``KINDS``. Adding a kind is one
class in one of them (and its form in ``archive.forms``, named by ``Kind.form``).
"""

from . import citations, claims, flags, headings, sources  # noqa: F401  (they register)
from .base import MAX_TEXT, TARGET_MODELS, TARGETS, Description, Kind, refuse_controls
from .registry import KINDS
from .sources import SOURCE_FIELDS

__all__ = [
    "KINDS",
    "MAX_TEXT",
    "SOURCE_FIELDS",
    "TARGETS",
    "TARGET_MODELS",
    "Description",
    "Kind",
    "refuse_controls",
]
