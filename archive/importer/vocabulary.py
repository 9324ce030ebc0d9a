"""The words the importer recognises: maintenance tags and the flag kind each one raises."""

from __future__ import annotations

from .parsed import CITATION_NEEDED, NEUTRALITY_DISPUTED, QUOTATION_NEEDED

# Maintenance tags with a kind of their own; any other lower-case bracket tag is kept as OTHER.
TAG_KINDS = {
    "citation needed": CITATION_NEEDED,
    "neutrality is disputed": NEUTRALITY_DISPUTED,
    "need quotation to verify": QUOTATION_NEEDED,
}
