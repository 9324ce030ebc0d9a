"""Proposals: drafting, the transitions of the review, and applying approved changes.

Editors change the archive only through proposals; a different person approves them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from .. import importer, roles
from ..models import (
    ChangeKind,
    ChangeProposal,
    Citation,
    Claim,
    ClaimKind,
    Document,
    Flag,
    FlagKind,
    FlagStatus,
    ProposalState,
    ProposedChange,
    ReviewComment,
    ReviewStatus,
    Section,
    Source,
)
from . import anchors
from .recording import InvalidChange, WorkflowError, _Recorder

# =========================================================================== proposals
#
# Editors change the archive only through proposals; a different person approves them.
# Every function below is one transition: it locks its rows, checks the state (TRANSITIONS)
# and the user's role, writes, and records history and the review conversation.

PROPOSER, REVIEWER = "proposer", "reviewer"
MAX_TEXT = 5000


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str
    actor: str
    action: str  # the ReviewComment action recorded


_S = ProposalState
TRANSITIONS: dict[str, Move] = {
    "submit": Move(frozenset({_S.DRAFT}), _S.SUBMITTED, PROPOSER, "submit"),
    "withdraw": Move(
        frozenset({_S.DRAFT, _S.SUBMITTED, _S.CHANGES_REQUESTED, _S.CONFLICT}),
        _S.WITHDRAWN,
        PROPOSER,
        "withdraw",
    ),
    "request_changes": Move(
        frozenset({_S.SUBMITTED}), _S.CHANGES_REQUESTED, REVIEWER, "request_changes"
    ),
    "revise": Move(frozenset({_S.CHANGES_REQUESTED}), _S.DRAFT, PROPOSER, "revise"),
    # An approval whose targets moved on ends in CONFLICT instead (see approve_proposal).
    "approve": Move(frozenset({_S.SUBMITTED}), _S.APPROVED, REVIEWER, "approve"),
    "reject": Move(frozenset({_S.SUBMITTED, _S.CONFLICT}), _S.REJECTED, REVIEWER, "reject"),
    "rebase": Move(frozenset({_S.CONFLICT}), _S.DRAFT, PROPOSER, "rebase"),
}
EDITABLE = frozenset({_S.DRAFT})


def allowed_moves(proposal: ChangeProposal, user) -> list[str]:
    """The transitions ``user`` may make on ``proposal`` now (for buttons; no locking)."""
    return [
        name
        for name, move in TRANSITIONS.items()
        if proposal.state in move.sources and _may_act(move.actor, proposal, user)
    ]


def _may_act(actor: str, proposal: ChangeProposal, user) -> bool:
    if actor == PROPOSER:
        return user.pk == proposal.proposer_id and user.has_perm(roles.PROPOSE)
    return user.pk != proposal.proposer_id and user.has_perm(roles.REVIEW)


def _check_move(name: str, proposal: ChangeProposal, user) -> Move:
    move = TRANSITIONS[name]
    verb = name.replace("_", " ")
    if move.actor == REVIEWER and user.pk == proposal.proposer_id:
        raise PermissionDenied(
            f"You proposed #{proposal.pk}; someone else must {verb} it (four-eyes rule)."
        )
    if not _may_act(move.actor, proposal, user):
        who = "its proposer" if move.actor == PROPOSER else "a reviewer"
        raise PermissionDenied(f"Only {who} can {verb} proposal #{proposal.pk}.")
    if proposal.state not in move.sources:
        raise WorkflowError(
            f"Proposal #{proposal.pk} is {proposal.get_state_display()}; it cannot be "
            f"{_PAST[name]} now."
        )
    return move


_PAST = {
    "submit": "submitted",
    "withdraw": "withdrawn",
    "request_changes": "sent back for changes",
    "revise": "reopened",
    "approve": "approved",
    "reject": "rejected",
    "rebase": "rebased",
}


def _comment(proposal, user, action: str, body: str = "", when=None) -> ReviewComment:
    return ReviewComment.objects.create(
        proposal=proposal, author=user, action=action, body=body, created_at=when or timezone.now()
    )


def _lock(proposal: ChangeProposal) -> ChangeProposal:
    # of=("self",): lock the proposal only. Locking the joined proposer's user row too made
    # two reviewers approving each other's proposals deadlock on their own user rows (the
    # history, comment and reviewer foreign keys take a share lock on them at commit).
    return (
        ChangeProposal.objects.select_for_update(of=("self",))
        .select_related("proposer")
        .get(pk=proposal.pk)
    )


def _move(name: str, proposal: ChangeProposal, user, comment: str, **fields) -> ChangeProposal:
    """Lock, check, change state, record history and the comment; all or nothing."""
    with transaction.atomic():
        proposal = _lock(proposal)
        move = _check_move(name, proposal, user)
        now = timezone.now()
        proposal.state = move.target
        for field_name, value in fields.items():
            setattr(proposal, field_name, now if value is _NOW else value)
        _Recorder(user=user, reason=_reason(name, proposal, comment), when=now).save(proposal)
        _comment(proposal, user, move.action, comment, now)
        return proposal


_NOW = object()


def _reason(name: str, proposal, comment: str) -> str:
    reason = f"proposal #{proposal.pk} {_PAST[name]}"
    return f"{reason}: {comment}" if comment else reason


# --------------------------------------------------------------------------- drafting


def create_proposal(*, document: Document, user, rationale: str) -> ChangeProposal:
    """Open a draft proposal on a document."""
    if not user.has_perm(roles.PROPOSE):
        raise PermissionDenied("Only editors can propose changes.")
    rationale = (rationale or "").replace("\r\n", "\n").strip()
    if not rationale:
        raise InvalidChange({"rationale": ["Say why the change is needed."]})
    problems: dict[str, list[str]] = {}
    _refuse_controls(
        rationale, "rationale", "rationale", lambda f, m: problems.setdefault(f, []).append(m)
    )
    if problems:
        raise InvalidChange(problems)
    now = timezone.now()
    with transaction.atomic():
        proposal = ChangeProposal(
            document=document, rationale=rationale, proposer=user, created_at=now
        )
        _Recorder(user=user, reason="proposal drafted", when=now).save(proposal)
        return proposal


def add_change(
    *,
    proposal: ChangeProposal,
    user,
    kind: str,
    claim: Claim | None = None,
    section: Section | None = None,
    source: Source | None = None,
    citation: Citation | None = None,
    flag: Flag | None = None,
    payload: dict | None = None,
) -> ProposedChange:
    """Add one change to a draft, recording the version of its target it is written against."""
    with transaction.atomic():
        proposal = _lock(proposal)
        _check_drafting(proposal, user)
        change = ProposedChange(
            proposal=proposal,
            kind=kind,
            claim=claim,
            section=section,
            source=source,
            citation=citation,
            flag=flag,
            payload=dict(payload or {}),
        )
        _validate_change(change, proposal.document, user)
        earlier = _same_target(proposal, change)
        if earlier is not None:
            # One change per target: the draft's earlier change of it becomes this one, in
            # its place, still written against the version it was written against.
            earlier.payload = change.payload
            _Recorder(
                user=user,
                reason=f"change {earlier.position} of proposal #{proposal.pk} replaced",
            ).save(earlier)
            earlier.replaced_earlier = True
            return earlier
        target = _target(change)
        change.base_version = _latest_version(target) if target is not None else None
        change.before = _snapshot(change)
        last = proposal.changes.order_by("-position").values_list("position", flat=True).first()
        change.position = (last or 0) + 1
        _Recorder(user=user, reason=f"change added to proposal #{proposal.pk}").save(change)
        change.replaced_earlier = False
        return change


# Kinds that set something of their target: a second one in a draft replaces the first.
# (Additions and raised flags may repeat: two claims added to one section are two changes.)
_ONE_PER_TARGET = frozenset(
    {
        ChangeKind.EDIT_CLAIM,
        ChangeKind.REMOVE_CLAIM,
        ChangeKind.EDIT_HEADING,
        ChangeKind.CHANGE_CITATION,
        ChangeKind.REMOVE_CITATION,
        ChangeKind.EDIT_SOURCE,
        ChangeKind.RESOLVE_FLAG,
        ChangeKind.SET_REVIEW_STATUS,
    }
)


def _same_target(proposal: ChangeProposal, change: ProposedChange) -> ProposedChange | None:
    if change.kind not in _ONE_PER_TARGET:
        return None
    return (
        proposal.changes.filter(
            kind=change.kind,
            claim_id=change.claim_id,
            section_id=change.section_id,
            source_id=change.source_id,
            citation_id=change.citation_id,
            flag_id=change.flag_id,
        )
        .order_by("position")
        .first()
    )


def remove_change(*, change: ProposedChange, user) -> None:
    with transaction.atomic():
        proposal = _lock(change.proposal)
        _check_drafting(proposal, user)
        _Recorder(user=user, reason=f"change removed from proposal #{proposal.pk}").delete(change)


def comment_on_proposal(*, proposal: ChangeProposal, user, body: str) -> ReviewComment:
    body = (body or "").strip()
    if not user.has_perm(roles.COMMENT):
        raise PermissionDenied("Only editors and reviewers can comment on proposals.")
    if not body:
        raise InvalidChange({"body": ["A comment needs some text."]})
    return _comment(proposal, user, ReviewComment.Action.COMMENT, body)


def _check_drafting(proposal: ChangeProposal, user) -> None:
    if user.pk != proposal.proposer_id or not user.has_perm(roles.PROPOSE):
        raise PermissionDenied(f"Only the proposer can edit proposal #{proposal.pk}.")
    if proposal.state not in EDITABLE:
        raise WorkflowError(
            f"Proposal #{proposal.pk} is {proposal.get_state_display()}; only drafts can be edited."
        )


# --------------------------------------------------------------------------- transitions


def submit_proposal(*, proposal: ChangeProposal, user, comment: str = "") -> ChangeProposal:
    if not proposal.changes.exists():
        raise WorkflowError(f"Proposal #{proposal.pk} has no changes to submit.")
    # After a rebase an edit may no longer say where every marker goes: ask before review.
    edits = proposal.changes.filter(kind=ChangeKind.EDIT_CLAIM).select_related("claim")
    unplaced = [
        f"change {change.position}: {_lost(move)}"
        for change in (edits if _asks(proposal) else [])
        if change.claim is not None
        for move in _unplaced_now(change)
    ]
    if unplaced:
        raise WorkflowError(
            f"Proposal #{proposal.pk} cannot be submitted: {'; '.join(unplaced)} Remove the "
            "change and propose it again to say where."
        )
    return _move("submit", proposal, user, comment, submitted_at=_NOW)


def withdraw_proposal(*, proposal: ChangeProposal, user, comment: str = "") -> ChangeProposal:
    return _move("withdraw", proposal, user, comment)


def request_changes(*, proposal: ChangeProposal, user, comment: str) -> ChangeProposal:
    _require_comment(comment, "Say what needs to change.")
    return _move(
        "request_changes", proposal, user, comment, reviewer=user, decision_comment=comment
    )


def revise_proposal(*, proposal: ChangeProposal, user, comment: str = "") -> ChangeProposal:
    return _move("revise", proposal, user, comment)


def reject_proposal(*, proposal: ChangeProposal, user, comment: str) -> ChangeProposal:
    _require_comment(comment, "Say why the proposal is rejected.")
    return _move(
        "reject",
        proposal,
        user,
        comment,
        reviewer=user,
        decided_at=_NOW,
        decision_comment=comment,
    )


def _require_comment(comment: str, message: str) -> None:
    if not (comment or "").strip():
        raise InvalidChange({"comment": [message]})


def approve_proposal(*, proposal: ChangeProposal, user, comment: str = "") -> ChangeProposal:
    """Apply every change of a submitted proposal, or none.

    Targets are locked, then their versions compared with the ones the changes were
    written against: if any moved on (or is gone) the proposal goes to CONFLICT and nothing
    is applied. Otherwise all changes are applied with history naming the proposal and the
    reviewer, and one reversion revision holds every row written.
    """
    with transaction.atomic():
        proposal = _lock(proposal)
        _check_move("approve", proposal, user)
        changes = list(proposal.changes.order_by("position"))
        if not changes:
            raise WorkflowError(f"Proposal #{proposal.pk} has no changes to approve.")
        targets = _lock_targets(changes)
        stale = _stale(changes, targets)
        now = timezone.now()
        if stale:
            proposal.state = ProposalState.CONFLICT
            note = "; ".join(stale)
            _Recorder(user=user, reason=f"proposal #{proposal.pk} in conflict: {note}").save(
                proposal
            )
            _comment(proposal, user, ReviewComment.Action.CONFLICT, note, now)
            return proposal
        reason = f"proposal #{proposal.pk} approved by {user.get_username()}"
        recorder = _Recorder(user=user, reason=reason, proposal=proposal, when=now)
        bookkeeping = _Recorder(user=user, reason=reason, when=now)
        for change in changes:
            APPLY[change.kind](change, targets, recorder)
            if change.result_id:
                bookkeeping.save(change, update_fields=["result_id"])
        proposal.revision = recorder.revision(f"{reason}: {proposal.rationale}")
        proposal.state = ProposalState.APPROVED
        proposal.reviewer = user
        proposal.decided_at = now
        proposal.decision_comment = comment
        _Recorder(user=user, reason=_reason("approve", proposal, comment), when=now).save(proposal)
        _comment(proposal, user, ReviewComment.Action.APPROVE, comment, now)
        return proposal


def rebase_proposal(*, proposal: ChangeProposal, user, comment: str = "") -> ChangeProposal:
    """Bring a proposal in conflict up to date: re-read its targets, back to draft.

    Changes whose target is gone are dropped (the comment says which); the rest are now
    written against the current versions, so the proposer can check them and resubmit.
    """
    with transaction.atomic():
        proposal = _lock(proposal)
        _check_move("rebase", proposal, user)
        recorder = _Recorder(user=user, reason=f"proposal #{proposal.pk} rebased")
        notes = []
        for change in proposal.changes.order_by("position"):
            if _target_missing(change):
                notes.append(f"change {change.position} dropped: its target no longer exists")
                recorder.delete(change)
                continue
            target = _target(change)
            change.base_version = _latest_version(target) if target is not None else None
            change.before = _snapshot(change)
            recorder.save(change)
            if change.kind == ChangeKind.EDIT_CLAIM:
                notes += [
                    f"change {change.position}: {_lost(move)} Remove the change and propose "
                    "it again to say where."
                    for move in _unplaced_now(change)
                ]
        body = "; ".join(filter(None, [comment, *notes]))
        return _move_locked("rebase", proposal, user, body)


def _move_locked(name: str, proposal: ChangeProposal, user, comment: str) -> ChangeProposal:
    move = TRANSITIONS[name]
    proposal.state = move.target
    now = timezone.now()
    _Recorder(user=user, reason=_reason(name, proposal, comment), when=now).save(proposal)
    _comment(proposal, user, move.action, comment, now)
    return proposal


# --------------------------------------------------------------------------- targets

_TARGET_ORDER = ("section", "claim", "source", "citation", "flag")
_TARGET_MODELS = {
    "section": Section,
    "claim": Claim,
    "source": Source,
    "citation": Citation,
    "flag": Flag,
}
# Which field names the record a change is written against (its version is checked).
_VERSIONED_TARGET = {
    ChangeKind.EDIT_CLAIM: "claim",
    ChangeKind.ADD_CLAIM: None,
    ChangeKind.REMOVE_CLAIM: "claim",
    ChangeKind.EDIT_HEADING: "section",
    ChangeKind.ADD_CITATION: "claim",
    ChangeKind.CHANGE_CITATION: "citation",
    ChangeKind.REMOVE_CITATION: "citation",
    ChangeKind.EDIT_SOURCE: "source",
    ChangeKind.RAISE_FLAG: None,  # claim or section, whichever is set
    ChangeKind.RESOLVE_FLAG: "flag",
    ChangeKind.SET_REVIEW_STATUS: "claim",
}


def _target_field(change: ProposedChange) -> str | None:
    if change.kind == ChangeKind.RAISE_FLAG:
        return "claim" if change.claim_id else "section"
    return _VERSIONED_TARGET[change.kind]


def _target(change: ProposedChange):
    field_name = _target_field(change)
    return getattr(change, field_name) if field_name else None


def _target_missing(change: ProposedChange) -> bool:
    field_name = _target_field(change)
    if field_name is None:
        return not Section.objects.filter(pk=change.section_id).exists()
    model = _TARGET_MODELS[field_name]
    return not model.objects.filter(pk=getattr(change, f"{field_name}_id")).exists()


def _latest_version(obj) -> int | None:
    return (
        type(obj)
        .history.filter(id=obj.pk)
        .order_by("-history_id")
        .values_list("history_id", flat=True)
        .first()
    )


def _lock_targets(changes: list[ProposedChange]) -> dict[tuple[str, int], models.Model]:
    """Lock every row the changes touch, in one global order so approvals cannot deadlock.

    That includes rows a change writes besides its target: the claims an insertion
    renumbers, the citations and flags removed with their claim. Unlocked, they were read
    before a concurrent approval committed and written back after it, undoing its edit.
    """
    wanted: dict[str, set[int]] = {name: set() for name in _TARGET_ORDER}
    for change in changes:
        for name in _TARGET_ORDER:
            pk = getattr(change, f"{name}_id")
            if pk is not None:
                wanted[name].add(pk)
    growing = {c.section_id for c in changes if c.kind == ChangeKind.ADD_CLAIM}
    # A removed claim's citations and flags are deleted with it; an edited claim's move
    # with its words (their offsets are written).
    marked = {
        c.claim_id for c in changes if c.kind in (ChangeKind.REMOVE_CLAIM, ChangeKind.EDIT_CLAIM)
    }
    # Locked once their parent rows are locked, so no other approval adds to them.
    dependents = {"claim": ("section", growing), "citation": ("claim", marked)}
    dependents["flag"] = dependents["citation"]
    locked = {}
    for name in _TARGET_ORDER:
        parent, parent_ids = dependents.get(name, ("", ()))
        if not (wanted[name] or parent_ids):
            continue
        where = Q(pk__in=wanted[name])
        if parent_ids:
            where |= Q(**{f"{parent}__in": parent_ids})
        rows = _TARGET_MODELS[name].objects.select_for_update().filter(where)
        for row in rows.order_by("pk"):
            locked[(name, row.pk)] = row
    return locked


def _stale(changes, targets) -> list[str]:
    """What moved on since the changes were written: one line per stale change."""
    # The latest versions of what the changes are written against (targets also holds rows
    # they only write around: renumbered claims, a claim's citations and flags).
    versioned = {(name, getattr(c, f"{name}_id")) for c in changes if (name := _target_field(c))}
    latest: dict[str, dict[int, int]] = {}
    for name in _TARGET_ORDER:
        ids = [pk for (kind, pk) in targets if kind == name and (kind, pk) in versioned]
        if ids:
            rows = (
                _TARGET_MODELS[name]
                .history.filter(id__in=ids)
                .values("id")
                .annotate(latest=Max("history_id"))
            )
            latest[name] = {row["id"]: row["latest"] for row in rows}
    stale = []
    for change in changes:
        for name in _TARGET_ORDER:
            pk = getattr(change, f"{name}_id")
            if pk is not None and (name, pk) not in targets:
                stale.append(f"change {change.position}: {name} #{pk} no longer exists")
        field_name = _target_field(change)
        if field_name and change.base_version is not None:
            pk = getattr(change, f"{field_name}_id")
            current = latest.get(field_name, {}).get(pk)
            if current is not None and current != change.base_version:
                stale.append(f"change {change.position}: {field_name} #{pk} changed since")
                continue
        # The claim is as written, but its markers may not be: one added or moved since
        # can have lost its words in the new text.
        claim = targets.get(("claim", change.claim_id))
        if change.kind == ChangeKind.EDIT_CLAIM and claim is not None:
            stale += [
                f"change {change.position}: {_lost(move)}"
                for move in _unplaced(change, _locked_moves(change, claim, targets))
            ]
    return stale


# --------------------------------------------------------------------------- markers of an edit
#
# An edit of a claim's text moves its citation and flag markers with their words
# (``anchors.relocate``). A marker whose words are all gone is asked about: the edit is
# refused until the proposer places it, in ``payload["anchors"]``:
#
#     {"text": "…", "anchors": {"citations": {"<citation id>": offset}, "flags": {…}}}
#
# an offset into the new text (0 to its length); ids are strings, as JSON keeps them. Any
# marker may be placed; one left out follows its words. A proposal an import made has
# nobody to ask: a marker that lost its words there stands after the text (offset empty),
# and the reviewer sees it so.

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


def _locked_moves(change, claim, targets) -> list[MarkerMove]:
    """``_moves`` against the rows an approval locked, worked out once per approval: the
    stale check and the apply both ask, and the claim's text is the same for both."""
    cached = getattr(change, "_locked_moves", None)
    if cached is None or cached[0] != claim.text:
        cached = (claim.text, _moves(change, claim.text, *_locked(claim, targets)))
        change._locked_moves = cached
    return cached[1]


def _moves(change, old_text: str, citations, flags) -> list[MarkerMove]:
    """``marker_moves`` of ``change``, an edit of a claim that reads ``old_text`` now."""
    return marker_moves(
        old_text,
        change.payload["text"],
        citations=citations,
        flags=flags,
        placements=change.payload.get(ANCHORS),
    )


def _asks(proposal) -> bool:
    """Whether someone can be asked where a marker goes: not when an import proposed it."""
    return proposal.import_run_id is None


def _unplaced(change, moves: list[MarkerMove]) -> list[MarkerMove]:
    """The markers the edit leaves without a place: the proposer is asked about them."""
    return [move for move in moves if move.needs_place] if _asks(change.proposal) else []


def _unplaced_now(change) -> list[MarkerMove]:
    """``_unplaced`` against the claim's live text, citations and flags."""
    claim = change.claim
    return _unplaced(change, _moves(change, claim.text, *_live_markers(claim)))


def _lost(move: MarkerMove) -> str:
    what = "citation" if move.kind == CITATIONS else "flag"
    return (
        f"{what.capitalize()} {move.label} would lose its place: the words around it "
        f"(“{move.relocation.anchor.context}”) are not in the new text."
    )


def _live_markers(claim) -> tuple[list, list]:
    citations = list(claim.citations.select_related("source").order_by("position"))
    return citations, list(claim.flags.order_by("pk"))


def _locked(claim, targets) -> tuple[list, list]:
    """The claim's citations and flags among the rows an approval locked."""
    rows = [row for (name, _), row in targets.items() if name in ("citation", "flag")]
    mine = [row for row in rows if row.claim_id == claim.pk]
    citations = sorted((r for r in mine if isinstance(r, Citation)), key=lambda r: r.position)
    flags = sorted((r for r in mine if isinstance(r, Flag)), key=lambda r: r.pk)
    return citations, flags


# --------------------------------------------------------------------------- validation


def _validate_change(change: ProposedChange, document: Document, user) -> None:
    errors: dict[str, list[str]] = {}

    def error(field_name, message):
        errors.setdefault(field_name, []).append(message)

    kind, payload = change.kind, change.payload
    if kind not in ChangeKind.values:
        raise InvalidChange({"kind": [f"Unknown kind of change: {kind!r}."]})
    needs = {
        ChangeKind.EDIT_CLAIM: ["claim"],
        ChangeKind.ADD_CLAIM: ["section"],
        ChangeKind.REMOVE_CLAIM: ["claim"],
        ChangeKind.EDIT_HEADING: ["section"],
        ChangeKind.ADD_CITATION: ["claim", "source"],
        ChangeKind.CHANGE_CITATION: ["citation"],
        ChangeKind.REMOVE_CITATION: ["citation"],
        ChangeKind.EDIT_SOURCE: ["source"],
        ChangeKind.RESOLVE_FLAG: ["flag"],
        ChangeKind.SET_REVIEW_STATUS: ["claim"],
        ChangeKind.RAISE_FLAG: [],
    }[kind]
    for name in needs:
        if getattr(change, name) is None:
            error(name, f"Choose the {name} this change is about.")
    if kind == ChangeKind.RAISE_FLAG and (change.claim is None) == (change.section is None):
        error("claim", "A flag goes on either a claim or a section.")
    for name in _TARGET_ORDER:
        obj = getattr(change, name)
        if obj is not None and _document_of(obj) != document.pk:
            error(name, f"That {name} belongs to another document.")
    if errors:
        raise InvalidChange(errors)

    if kind in (ChangeKind.EDIT_CLAIM, ChangeKind.ADD_CLAIM):
        text = _text(payload, "text", error, "claim text")
        if kind == ChangeKind.EDIT_CLAIM and text and text == change.claim.text:
            error("text", "The new text is the same as the current text.")
        payload["text"] = text
    if kind == ChangeKind.EDIT_CLAIM and not errors:
        _validate_anchors(change, payload, error)
    if kind == ChangeKind.ADD_CLAIM:
        # Positions only order claims; removals leave gaps, so "at the end" is one past
        # the highest position, not the number of claims.
        top = change.section.claims.aggregate(top=Max("position"))["top"] or 0
        position = payload.get("position", top + 1)
        if not isinstance(position, int) or not 1 <= position <= top + 1:
            error("position", f"Position must be a whole number from 1 to {top + 1}.")
        payload["position"] = position
        claim_kind = payload.setdefault("kind", ClaimKind.STATEMENT)
        if claim_kind not in ClaimKind.values:
            error("kind", f"Unknown kind of claim: {claim_kind!r}.")
        payload["new_paragraph"] = bool(payload.get("new_paragraph", False))
    if kind == ChangeKind.EDIT_HEADING:
        heading = _text(payload, "heading", error, "heading", limit=255)
        if "\n" in heading:
            error("heading", "A heading is one line.")
        payload["heading"] = heading
    if kind in (ChangeKind.ADD_CITATION, ChangeKind.CHANGE_CITATION):
        for name, limit in (("locator", 64), ("quotation", MAX_TEXT)):
            value = str(payload.get(name, "") or "").strip()
            if len(value) > limit:
                error(name, f"At most {limit} characters (this is {len(value)}).")
            _refuse_controls(value, name, name, error)
            payload[name] = value
        if kind == ChangeKind.CHANGE_CITATION and change.source is not None:
            payload["source"] = change.source.pk
    if kind == ChangeKind.EDIT_SOURCE:
        _validate_source_fields(change, payload, error)
    if kind == ChangeKind.RAISE_FLAG:
        flag_kind = payload.get("kind")
        if flag_kind not in FlagKind.values:
            error("kind", f"Unknown kind of flag: {flag_kind!r}.")
        label = str(payload.get("label") or "").strip() or (
            FlagKind(flag_kind).label if flag_kind in FlagKind.values else ""
        )
        if len(label) > 100:
            error("label", "At most 100 characters.")
        payload["label"] = label
        payload["reason"] = _text(payload, "reason", error, "reason")
    if kind == ChangeKind.RESOLVE_FLAG:
        if change.flag.status != FlagStatus.OPEN:
            error("flag", "That flag is already resolved.")
        payload["reason"] = _text(payload, "reason", error, "reason")
    if kind == ChangeKind.SET_REVIEW_STATUS:
        status = payload.get("review_status")
        if status not in ReviewStatus.values:
            error("review_status", f"Unknown review status: {status!r}.")
        elif status == change.claim.review_status:
            error("review_status", f"The claim is already {status}.")
        if not user.has_perm(roles.REVIEW):
            error("review_status", "Only reviewers can propose a review status.")
    if errors:
        raise InvalidChange(errors)


def _validate_anchors(change, payload, error) -> None:
    """The proposer's placements (``payload["anchors"]``), and every marker has a place."""
    text, claim = payload["text"], change.claim
    given = payload.pop(ANCHORS, None) or {}
    if not given and not _asks(change.proposal):
        return
    citations, flags = _live_markers(claim)
    # The caller's instance may be older than the row: markers follow the live text.
    live_text = Claim.objects.values_list("text", flat=True).get(pk=claim.pk)
    shape = 'Placements read {"citations": {id: offset}, "flags": {id: offset}}.'
    if not isinstance(given, dict) or set(given) - {CITATIONS, FLAGS}:
        error(ANCHORS, shape)
        return
    placements: dict[str, dict[str, int]] = {}
    for kind, rows in ((CITATIONS, citations), (FLAGS, flags)):
        chosen = given.get(kind) or {}
        if not isinstance(chosen, dict):
            error(ANCHORS, shape)
            continue
        ids = {str(row.pk) for row in rows}
        for key, offset in chosen.items():
            what = f"{kind[:-1]} #{key}"
            if str(key) not in ids:
                error(ANCHORS, f"{what.capitalize()} is not one of this claim's {kind}.")
            elif isinstance(offset, bool) or not isinstance(offset, int):
                error(ANCHORS, f"The place of {what} must be a whole number.")
            elif not 0 <= offset <= len(text):
                error(ANCHORS, f"The place of {what} must be from 0 to {len(text)}.")
            else:
                placements.setdefault(kind, {})[str(key)] = offset
    if placements:
        payload[ANCHORS] = placements
    for move in _unplaced(change, _moves(change, live_text, citations, flags)):
        error(ANCHORS, f"{_lost(move)} Say where it goes in the new text.")


SOURCE_FIELDS = ("title", "author", "publisher", "published", "url", "archive_url")


def _validate_source_fields(change, payload, error) -> None:
    unknown = set(payload) - set(SOURCE_FIELDS)
    if unknown:
        error("source", f"Not a field editors can change: {', '.join(sorted(unknown))}.")
    changed = False
    for name in SOURCE_FIELDS:
        if name not in payload:
            continue
        value = str(payload[name] or "").strip()
        try:
            Source._meta.get_field(name).clean(value, change.source)
        except ValidationError as invalid:
            for message in invalid.messages:
                error(name, message)
        _refuse_controls(value, name, name.replace("_", " "), error)
        payload[name] = value
        changed = changed or value != getattr(change.source, name)
    if not changed and not unknown:
        error("source", "Nothing would change: every value is the same as now.")


def _text(payload, name, error, what, limit=MAX_TEXT) -> str:
    # A browser's textarea sends CRLF; the archive stores newlines, as imports do.
    value = str(payload.get(name) or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not value:
        error(name, f"The {what} cannot be empty.")
    elif len(value) > limit:
        error(name, f"The {what} can be at most {limit:,} characters (this is {len(value):,}).")
    else:
        _refuse_controls(value, name, what, error)
    return value


def _refuse_controls(value: str, name: str, what: str, error) -> None:
    """Control characters other than tab and newline are refused, as imports refuse them."""
    control = importer.control_character(value)
    if control is not None:
        offset, character = control
        error(
            name,
            f"The {what} contains control character {character} at character {offset + 1}; "
            "text may hold tabs and line breaks, but no other control characters.",
        )


def _document_of(obj) -> int:
    if isinstance(obj, (Section, Source)):
        return obj.document_id
    if isinstance(obj, Claim):
        return obj.section.document_id
    if isinstance(obj, Citation):
        return obj.claim.section.document_id
    if isinstance(obj, Flag):
        return obj.claim.section.document_id if obj.claim_id else obj.section.document_id
    raise TypeError(obj)


def _snapshot(change: ProposedChange) -> dict:
    """The target's values now, so reviewers see before and after side by side."""
    kind = change.kind
    if kind in (ChangeKind.EDIT_CLAIM, ChangeKind.REMOVE_CLAIM):
        return {"text": change.claim.text, "review_status": change.claim.review_status}
    if kind == ChangeKind.SET_REVIEW_STATUS:
        return {"review_status": change.claim.review_status, "text": change.claim.text}
    if kind == ChangeKind.ADD_CITATION:
        return {"text": change.claim.text}
    if kind == ChangeKind.EDIT_HEADING:
        return {
            "heading": change.section.heading,
            "heading_missing": change.section.heading_missing,
        }
    if kind in (ChangeKind.CHANGE_CITATION, ChangeKind.REMOVE_CITATION):
        c = change.citation
        return {"source": c.source.label, "locator": c.locator, "quotation": c.quotation}
    if kind == ChangeKind.EDIT_SOURCE:
        return {name: getattr(change.source, name) for name in SOURCE_FIELDS}
    if kind == ChangeKind.RESOLVE_FLAG:
        f = change.flag
        return {"kind": f.kind, "label": f.label, "reason": f.reason, "status": f.status}
    if kind == ChangeKind.RAISE_FLAG and change.claim is not None:
        return {"text": change.claim.text}
    return {}


# --------------------------------------------------------------------------- applying


def _get(targets, name, pk, change):
    try:
        return targets[(name, pk)]
    except KeyError:
        raise WorkflowError(
            f"Change {change.position} needs {name} #{pk}, which an earlier change removes."
        ) from None


def _apply_edit_claim(change, targets, recorder):
    claim = _get(targets, "claim", change.claim_id, change)
    moves = _locked_moves(change, claim, targets)
    # _stale checked this against the live text; an earlier edit of the same claim in this
    # proposal can still leave a marker without words.
    unplaced = _unplaced(change, moves)
    if unplaced:
        raise WorkflowError(f"Change {change.position}: {_lost(unplaced[0])}")
    claim.text = change.payload["text"]
    # The span located the imported text; it does not locate this one. The import run
    # stays as the claim's origin and history keeps the span of the imported version.
    claim.span_start = claim.span_end = None
    recorder.save(claim)
    for move in moves:
        if move.marker.offset != move.offset:
            move.marker.offset = move.offset
            recorder.save(move.marker)


def _apply_add_claim(change, targets, recorder):
    section = _get(targets, "section", change.section_id, change)
    position = change.payload["position"]
    siblings = list(section.claims.order_by("-position"))
    # Make room from the end backwards, so no two claims ever share a position.
    for sibling in siblings:
        if sibling.position >= position:
            sibling.position += 1
            recorder.save(sibling)
            # A later change of this proposal must write the claim at its new position.
            targets[("claim", sibling.pk)] = sibling
    # The claim it follows: siblings run from the last position down.
    before = next((c for c in siblings if c.position < position), None)
    if change.payload["new_paragraph"] or before is None:
        paragraph = (
            Claim.objects.filter(section__document=section.document_id).aggregate(
                top=Max("paragraph")
            )["top"]
            or 0
        ) + 1
    else:
        paragraph = before.paragraph
    claim = Claim(
        section=section,
        position=position,
        paragraph=paragraph,
        kind=change.payload["kind"],
        text=change.payload["text"],
    )
    recorder.save(claim)
    targets[("claim", claim.pk)] = claim
    change.result_id = claim.pk


def _apply_remove_claim(change, targets, recorder):
    claim = _get(targets, "claim", change.claim_id, change)
    for citation in claim.citations.all():
        recorder.delete(citation)
    for flag in claim.flags.all():
        recorder.delete(flag)
    recorder.delete(claim)
    del targets[("claim", change.claim_id)]


def _apply_edit_heading(change, targets, recorder):
    section = _get(targets, "section", change.section_id, change)
    section.heading = change.payload["heading"]
    section.heading_missing = False
    recorder.save(section)


def _apply_add_citation(change, targets, recorder):
    claim = _get(targets, "claim", change.claim_id, change)
    last = claim.citations.aggregate(top=Max("position"))["top"] or 0
    citation = Citation(
        claim=claim,
        source=_get(targets, "source", change.source_id, change),
        position=last + 1,
        locator=change.payload["locator"],
        quotation=change.payload["quotation"],
    )
    recorder.save(citation)
    change.result_id = citation.pk


def _apply_change_citation(change, targets, recorder):
    citation = _get(targets, "citation", change.citation_id, change)
    citation.locator = change.payload["locator"]
    citation.quotation = change.payload["quotation"]
    if change.source_id:
        citation.source = _get(targets, "source", change.source_id, change)
    recorder.save(citation)


def _apply_remove_citation(change, targets, recorder):
    recorder.delete(_get(targets, "citation", change.citation_id, change))
    del targets[("citation", change.citation_id)]


def _apply_edit_source(change, targets, recorder):
    source = _get(targets, "source", change.source_id, change)
    for name, value in change.payload.items():
        setattr(source, name, value)
    recorder.save(source)


def _apply_raise_flag(change, targets, recorder):
    target = (
        {"claim": _get(targets, "claim", change.claim_id, change)}
        if change.claim_id
        else {"section": _get(targets, "section", change.section_id, change)}
    )
    flag = Flag(
        kind=change.payload["kind"],
        label=change.payload["label"],
        reason=change.payload["reason"],
        raised_by=change.proposal.proposer,
        raised_at=recorder.when,
        **target,
    )
    recorder.save(flag)
    change.result_id = flag.pk


def _apply_resolve_flag(change, targets, recorder):
    flag = _get(targets, "flag", change.flag_id, change)
    flag.status = FlagStatus.RESOLVED
    flag.resolved_by = change.proposal.proposer
    flag.resolved_at = recorder.when
    flag.resolution = change.payload["reason"]
    recorder.save(flag)


def _apply_set_review_status(change, targets, recorder):
    claim = _get(targets, "claim", change.claim_id, change)
    claim.review_status = change.payload["review_status"]
    recorder.save(claim)


APPLY: dict[str, Callable] = {
    ChangeKind.EDIT_CLAIM: _apply_edit_claim,
    ChangeKind.ADD_CLAIM: _apply_add_claim,
    ChangeKind.REMOVE_CLAIM: _apply_remove_claim,
    ChangeKind.EDIT_HEADING: _apply_edit_heading,
    ChangeKind.ADD_CITATION: _apply_add_citation,
    ChangeKind.CHANGE_CITATION: _apply_change_citation,
    ChangeKind.REMOVE_CITATION: _apply_remove_citation,
    ChangeKind.EDIT_SOURCE: _apply_edit_source,
    ChangeKind.RAISE_FLAG: _apply_raise_flag,
    ChangeKind.RESOLVE_FLAG: _apply_resolve_flag,
    ChangeKind.SET_REVIEW_STATUS: _apply_set_review_status,
}
