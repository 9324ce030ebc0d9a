"""Plain text -> parsed document: the pure half of the importer.

Nothing here touches Django or the database, so the parser can be tested and fuzzed on its
own and a dry run costs nothing. ``workflow.import_documents`` loads what this returns.

- ``reading``: a file on disk becomes decoded text, or a clear refusal;
- ``parser``: each line classified (structure first), then sections, claims, apparatus,
  citations, flags and anomalies;
- ``sentences``: sentence boundaries inside one paragraph;
- ``captions``: whether a short paragraph is an image caption;
- ``references``: one reference-list entry, and the fields its text states;
- ``sources``: which label each reference-list entry gives its text to;
- ``vocabulary``: the tags and page words the parser recognises;
- ``parsed``: the data the parser returns.
"""

from .parsed import (
    CAPTION,
    CITATION_NEEDED,
    NEUTRALITY_DISPUTED,
    NOTE,
    OTHER,
    QUOTATION,
    QUOTATION_NEEDED,
    REFERENCE,
    STATEMENT,
    Anomaly,
    ImportFormatError,
    ParsedCitation,
    ParsedClaim,
    ParsedDocument,
    ParsedFlag,
    ParsedSection,
    ParsedSource,
)
from .parser import parse, strip_markers
from .reading import (
    DEFAULT_MAX_BYTES,
    SourceFile,
    control_character,
    decode,
    normalize,
    read_source_file,
)

__all__ = [
    "CAPTION",
    "CITATION_NEEDED",
    "DEFAULT_MAX_BYTES",
    "NEUTRALITY_DISPUTED",
    "NOTE",
    "OTHER",
    "QUOTATION",
    "QUOTATION_NEEDED",
    "REFERENCE",
    "STATEMENT",
    "Anomaly",
    "ImportFormatError",
    "ParsedCitation",
    "ParsedClaim",
    "ParsedDocument",
    "ParsedFlag",
    "ParsedSection",
    "ParsedSource",
    "SourceFile",
    "control_character",
    "decode",
    "normalize",
    "parse",
    "read_source_file",
    "strip_markers",
]
