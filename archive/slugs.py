"""Document slugs: a title's letters, marks and digits in any script, joined by hyphens.

Django's ``slugify(..., allow_unicode=True)`` and ``validate_unicode_slug`` keep only what
``\\w`` matches, which leaves out combining marks: the vowel signs of Devanagari, Thai or
Bengali. "किला" (fort) and "कला" (art) both became "कल", and Thai titles lost their vowels.
A slug here keeps every letter (L*), mark (M*) and number (N*) character, lower-cased after
NFKC normalization, with runs of spaces and hyphens made one hyphen; other punctuation is
dropped, as Django drops it. For titles without combining marks the result is exactly
Django's.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

_SEPARATORS_RE = re.compile(r"[-\s]+")


def _kept(char: str) -> bool:
    return char in "-_" or unicodedata.category(char)[0] in "LMN"


def slugify(text: str) -> str:
    """The slug of ``text``; empty when it has no letter, mark or digit."""
    text = unicodedata.normalize("NFKC", str(text)).lower()
    text = "".join(char for char in text if _kept(char) or char.isspace())
    return _SEPARATORS_RE.sub("-", text).strip("-_")


def is_slug(value: str) -> bool:
    return bool(value) and all(_kept(char) for char in value)


@deconstructible
class SlugValidator:
    message = (
        "A slug is letters, marks and digits of any script, hyphens and underscores, with "
        "no spaces or other punctuation."
    )

    def __call__(self, value: str) -> None:
        if not is_slug(value):
            raise ValidationError(self.message, code="invalid")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SlugValidator)

    def __hash__(self) -> int:
        return hash(SlugValidator)


validate_slug = SlugValidator()
