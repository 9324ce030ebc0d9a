"""Where a claim's citation and flag markers stand once an edit of its text applies.

An edit of a claim's text moves its markers with their words (``anchors.relocate``). A
marker whose words are all gone is asked about: the edit is refused until the proposer
places it, in ``payload["anchors"]``:

    {"text": "…", "anchors": {"citations": {"<citation id>": offset}, "flags": {…}}}

an offset into the new text (0 to its length); ids are strings, as JSON keeps them. Any
marker may be placed; one left out follows its words. A proposal an import made has
nobody to ask: a marker that lost its words there stands after the text (offset empty),
and the reviewer sees it so.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Citation, Flag, FlagStatus
from . import anchors

ANCHORS, CITATIONS, FLAGS = "anchors", "citations", "flags"


@dataclass(frozen=True)
class MarkerMove:
    """Where one of a claim's citations or flags stands once an edit of its text applies."""

    marker: Citation | Flag
    kind: str  # CITATIONS or FLAGS, as in payload["anchors"]
    offset: int | None  # in the new text; None: after the text
    placed: bool  # the proposer said where
    relocation: anchors.Relocation | None = None  # how its words placed it, if they did

    @property
    def lost(self) -> bool:
        """Its words are gone from the new text and nobody placed it."""
        return self.relocation is not None and self.relocation.orphaned

    @property
    def needs_place(self) -> bool:
        """Lost, and readers would miss it: a citation, or a flag still open."""
        return self.lost and (self.kind == CITATIONS or self.marker.status == FlagStatus.OPEN)

    @property
    def label(self) -> str:
        if self.kind == CITATIONS:
            return f"[{self.marker.source.label}]"
        return f"[{self.marker.label}]"


def marker_moves(
    old_text: str, new_text: str, *, citations, flags, placements=None
) -> list[MarkerMove]:
    """Where a claim's ``citations`` and ``flags`` stand once its text goes from ``old_text``
    (as it is now) to ``new_text``.

    ``placements`` is a validated ``payload["anchors"]``: those markers go where the proposer
    said; the others follow their words, and one without an offset stays after the text.
    No queries beyond the rows' own attributes.
    """
    placements = placements or {}
    moves: list = []
    follow = []  # (index in moves, kind, marker) of those that follow their words
    for kind, rows in ((CITATIONS, citations), (FLAGS, flags)):
        for marker in rows:
            given = placements.get(kind, {}).get(str(marker.pk))
            if given is not None:
                moves.append(MarkerMove(marker, kind, given, placed=True))
            elif marker.offset is None:
                moves.append(MarkerMove(marker, kind, None, placed=False))
            else:
                follow.append((len(moves), kind, marker))
                moves.append(None)
    # An offset past the end (the page shows it after the text) stands at the end.
    offsets = [min(marker.offset, len(old_text)) for _, _, marker in follow]
    found = anchors.relocate(old_text, new_text, offsets)
    for (index, kind, marker), where in zip(follow, found, strict=True):
        moves[index] = MarkerMove(marker, kind, where.offset, placed=False, relocation=where)
    return moves


def locked_moves(change, claim, targets) -> list[MarkerMove]:
    """``moves_of`` against the rows an approval locked, worked out once per approval: the
    stale check and the apply both ask, and the claim's text is the same for both."""
    cached = getattr(change, "_locked_moves", None)
    if cached is None or cached[0] != claim.text:
        cached = (claim.text, moves_of(change, claim.text, *locked(claim, targets)))
        change._locked_moves = cached
    return cached[1]


def moves_of(change, old_text: str, citations, flags) -> list[MarkerMove]:
    """``marker_moves`` of ``change``, an edit of a claim that reads ``old_text`` now."""
    return marker_moves(
        old_text,
        change.payload["text"],
        citations=citations,
        flags=flags,
        placements=change.payload.get(ANCHORS),
    )


def asks(proposal) -> bool:
    """Whether someone can be asked where a marker goes: not when an import proposed it."""
    return proposal.import_run_id is None


def unplaced(change, moves: list[MarkerMove]) -> list[MarkerMove]:
    """The markers the edit leaves without a place: the proposer is asked about them."""
    return [move for move in moves if move.needs_place] if asks(change.proposal) else []


def unplaced_now(change) -> list[MarkerMove]:
    """``unplaced`` against the claim's live text, citations and flags."""
    claim = change.claim
    return unplaced(change, moves_of(change, claim.text, *live_markers(claim)))


def lost_message(move: MarkerMove) -> str:
    what = "citation" if move.kind == CITATIONS else "flag"
    return (
        f"{what.capitalize()} {move.label} would lose its place: the words around it "
        f"(“{move.relocation.anchor.context}”) are not in the new text."
    )


def live_markers(claim) -> tuple[list, list]:
    citations = list(claim.citations.select_related("source").order_by("position"))
    return citations, list(claim.flags.order_by("pk"))


def locked(claim, targets) -> tuple[list, list]:
    """The claim's citations and flags among the rows an approval locked."""
    rows = [row for (name, _), row in targets.items() if name in ("citation", "flag")]
    mine = [row for row in rows if row.claim_id == claim.pk]
    citations = sorted((r for r in mine if isinstance(r, Citation)), key=lambda r: r.position)
    flags = sorted((r for r in mine if isinstance(r, Flag)), key=lambda r: r.pk)
    return citations, flags
