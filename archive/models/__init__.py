"""The archive's data and its invariants.

A document is split into sections and sentence-level claims; claims cite sources and carry
maintenance flags. Every content model keeps a full simple-history trail whose rows also say
what produced them (an import run or an approved proposal), and is registered with reversion
so an archivist can revert or recover it. Proposals carry changes through review.
"""

from .audit import AuditCheckpoint, HistoryPrune
from .choices import (
    ApparatusKind,
    ChangeKind,
    ClaimKind,
    CommentAction,
    FlagKind,
    FlagStatus,
    ProposalState,
    ReviewStatus,
    SourceKind,
)
from .content import (
    Apparatus,
    Citation,
    Claim,
    Document,
    Flag,
    HistoryProvenance,
    ImportRun,
    Section,
    Source,
)
from .proposals import ChangeProposal, DashboardVisit, ProposedChange, ReviewComment

__all__ = [
    "Apparatus",
    "ApparatusKind",
    "AuditCheckpoint",
    "ChangeKind",
    "ChangeProposal",
    "Citation",
    "Claim",
    "ClaimKind",
    "CommentAction",
    "DashboardVisit",
    "Document",
    "Flag",
    "FlagKind",
    "FlagStatus",
    "HistoryProvenance",
    "HistoryPrune",
    "ImportRun",
    "ProposalState",
    "ProposedChange",
    "ReviewComment",
    "ReviewStatus",
    "Section",
    "Source",
    "SourceKind",
]
