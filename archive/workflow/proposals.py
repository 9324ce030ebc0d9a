"""Proposals: drafting, the transitions of the review, and applying approved changes.

Editors change the archive only through proposals; a different person approves them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import CharField, Max, Q, Value
from django.utils import timezone

from .. import roles
from ..models import (
    ChangeProposal,
    Citation,
    Claim,
    Document,
    Flag,
    ProposalState,
    ProposedChange,
    ReviewComment,
    Section,
    Source,
)
from . import markers
from .kinds import KINDS, TARGET_MODELS, TARGETS
from .kinds.base import text
from .recording import InvalidChange, StaleReview, WorkflowError, _Recorder

# =========================================================================== proposals
#
# Editors change the archive only through proposals; a different person approves them.
# Every function below is one transition: it locks its rows, checks the state (TRANSITIONS)
# and the user's role, writes, and records history and the review conversation.

PROPOSER, REVIEWER = "proposer", "reviewer"


@dataclass(frozen=True)
class Move:
    """One transition of the review: from which states, to which, by whom, and its words."""

    sources: frozenset[str]
    target: str
    actor: str
    action: str  # the ReviewComment action recorded
    label: str  # its button
    past: str  # "it cannot be {past} now"
    outcome: str  # "Proposal #5 {outcome}."
    needs_comment: bool = False


_S = ProposalState
_OPEN = frozenset({_S.DRAFT, _S.SUBMITTED, _S.CHANGES_REQUESTED, _S.CONFLICT})
# In the order their buttons stand.
TRANSITIONS: dict[str, Move] = {
    "submit": Move(
        frozenset({_S.DRAFT}),
        _S.SUBMITTED,
        PROPOSER,
        "submit",
        "Submit for review",
        "submitted",
        "submitted for review",
    ),
    # An approval whose targets moved on ends in CONFLICT instead (see approve_proposal).
    "approve": Move(
        frozenset({_S.SUBMITTED}),
        _S.APPROVED,
        REVIEWER,
        "approve",
        "Approve",
        "approved",
        "approved and applied",
    ),
    "rebase": Move(
        frozenset({_S.CONFLICT}),
        _S.DRAFT,
        PROPOSER,
        "rebase",
        "Rebase",
        "rebased",
        "rebased onto the current content",
    ),
    "revise": Move(
        frozenset({_S.CHANGES_REQUESTED}),
        _S.DRAFT,
        PROPOSER,
        "revise",
        "Revise",
        "reopened",
        "reopened as a draft",
    ),
    "request_changes": Move(
        frozenset({_S.SUBMITTED}),
        _S.CHANGES_REQUESTED,
        REVIEWER,
        "request_changes",
        "Request changes",
        "sent back for changes",
        "sent back for changes",
        needs_comment=True,
    ),
    "reject": Move(
        frozenset({_S.SUBMITTED, _S.CONFLICT}),
        _S.REJECTED,
        REVIEWER,
        "reject",
        "Reject",
        "rejected",
        "rejected",
        needs_comment=True,
    ),
    "withdraw": Move(
        _OPEN, _S.WITHDRAWN, PROPOSER, "withdraw", "Withdraw", "withdrawn", "withdrawn"
    ),
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
            f"{TRANSITIONS[name].past} now."
        )
    return move


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


def _move(
    name: str, proposal: ChangeProposal, user, comment: str, fingerprint=None, **fields
) -> ChangeProposal:
    """Lock, check, change state, record history and the comment; all or nothing.

    A reviewer's move is bound to what the reviewer saw (``fingerprint``, see
    ``content_fingerprint``), and the proposal records the fingerprint decided on.
    """
    with transaction.atomic():
        proposal = _lock(proposal)
        move = _check_move(name, proposal, user)
        if move.actor == REVIEWER:
            fields["reviewed_fingerprint"] = _check_seen(proposal, fingerprint)
        now = timezone.now()
        proposal.state = move.target
        for field_name, value in fields.items():
            setattr(proposal, field_name, now if value is _NOW else value)
        _Recorder(user=user, reason=_reason(name, proposal, comment), when=now).save(proposal)
        _comment(proposal, user, move.action, comment, now)
        return proposal


def content_fingerprint(proposal: ChangeProposal, changes=None, latest=None) -> str:
    """SHA-256 of what a reviewer reads on a proposal: its rationale and every change, with
    the version of its target it was written against, that target's values then, and the
    version the target has now (the page shows how a stale change merges with it).

    The review page carries it, and a decision made on the page is refused once it no
    longer matches (the proposal was revised or rebased, or what it changes moved on,
    since the page was shown). ``latest``: the targets' versions, if already read.
    """
    if changes is None:
        changes = list(proposal.changes.order_by("position"))
    if latest is None:
        latest = latest_versions(changes)
    content = {
        "proposal": proposal.pk,
        "rationale": proposal.rationale,
        "changes": [
            {
                "position": change.position,
                "kind": change.kind,
                "targets": {name: getattr(change, f"{name}_id") for name in TARGETS},
                "base_version": change.base_version,
                "before": change.before,
                "payload": change.payload,
                "now": _now_version(change, latest),
            }
            for change in changes
        ],
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_seen(
    proposal: ChangeProposal, fingerprint: str | None, changes=None, latest=None
) -> str:
    """The proposal's fingerprint now; refused if it is not the one the reviewer saw.

    ``None`` is a trusted caller (a script) deciding on the content as it stands; the
    admin always sends the fingerprint its page was rendered with.
    """
    current = content_fingerprint(proposal, changes, latest)
    if fingerprint is not None and fingerprint != current:
        raise StaleReview(
            f"Proposal #{proposal.pk} changed since the page you decided on was shown "
            "(it was revised or rebased, or what it changes was edited since): nothing was "
            "done. Read it again as it is now, then decide."
        )
    return current


_NOW = object()


def _reason(name: str, proposal, comment: str) -> str:
    reason = f"proposal #{proposal.pk} {TRANSITIONS[name].past}"
    return f"{reason}: {comment}" if comment else reason


# --------------------------------------------------------------------------- drafting


def create_proposal(*, document: Document, user, rationale: str) -> ChangeProposal:
    """Open a draft proposal on a document."""
    if not user.has_perm(roles.PROPOSE):
        raise PermissionDenied("Only editors can propose changes.")
    rationale = _clean_rationale(rationale)
    now = timezone.now()
    with transaction.atomic():
        proposal = ChangeProposal(
            document=document, rationale=rationale, proposer=user, created_at=now
        )
        _Recorder(user=user, reason="proposal drafted", when=now).save(proposal)
        return proposal


MAX_RATIONALE = 10_000


def _clean_rationale(rationale: str) -> str:
    if not (rationale or "").strip():
        raise InvalidChange({"rationale": ["Say why the change is needed."]})
    problems: dict[str, list[str]] = {}
    rationale = text(
        {"rationale": rationale},
        "rationale",
        lambda f, m: problems.setdefault(f, []).append(m),
        "rationale",
        limit=MAX_RATIONALE,
    )
    if problems:
        raise InvalidChange(problems)
    return rationale


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
        change.before = KINDS[change.kind].snapshot(change)
        last = proposal.changes.order_by("-position").values_list("position", flat=True).first()
        change.position = (last or 0) + 1
        _Recorder(user=user, reason=f"change added to proposal #{proposal.pk}").save(change)
        change.replaced_earlier = False
        return change


def propose_change(*, document: Document, user, kind: str, rationale: str = "", **change):
    """Add a change to ``user``'s open draft on ``document``, or to a new draft if there is
    none (then ``rationale`` says why): both or neither. ``change`` holds ``add_change``'s
    record and ``payload`` arguments. Returns the change; ``change.proposal`` is the draft.
    """
    with transaction.atomic():
        proposal = ChangeProposal.objects.draft_of(user, document) or create_proposal(
            document=document, user=user, rationale=rationale
        )
        return add_change(proposal=proposal, user=user, kind=kind, **change)


def _same_target(proposal: ChangeProposal, change: ProposedChange) -> ProposedChange | None:
    if not KINDS[change.kind].one_per_target:
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


def edit_change(*, change: ProposedChange, user, payload: dict, **records) -> ProposedChange:
    """Edit a change of a draft in place: same position, new values (``records`` may name
    other records for what the change needs besides its target, a citation's source).

    It is validated as a new change would be and is then written against the target as it
    is now; a conflict recorded on it (``rebase_proposal``) is resolved by this edit.
    """
    unknown = set(records) - set(TARGETS)
    if unknown:
        raise TypeError(f"edit_change() got unexpected records: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        proposal = _lock(change.proposal)
        _check_drafting(proposal, user)
        change = ProposedChange.objects.select_for_update().get(pk=change.pk, proposal=proposal)
        if _target_missing(change):
            raise WorkflowError(
                f"Change {change.position} of proposal #{proposal.pk} is about a record that "
                "no longer exists: remove it instead."
            )
        edited = ProposedChange(
            pk=change.pk,
            proposal=proposal,
            position=change.position,
            kind=change.kind,
            payload=dict(payload or {}),
            **{name: records.get(name, getattr(change, name)) for name in TARGETS},
        )
        _validate_change(edited, proposal.document, user)
        target = _target(edited)
        edited.base_version = _latest_version(target) if target is not None else None
        edited.before = KINDS[edited.kind].snapshot(edited)
        edited.conflict = None
        edited.result_id = None
        resolved = " (its conflict resolved)" if change.conflict is not None else ""
        _Recorder(
            user=user,
            reason=f"change {change.position} of proposal #{proposal.pk} edited{resolved}",
        ).save(edited)
        return edited


def remove_change(*, change: ProposedChange, user) -> None:
    """Remove a change from a draft; the later ones move up, so positions stay 1, 2, 3…"""
    with transaction.atomic():
        proposal = _lock(change.proposal)
        _check_drafting(proposal, user)
        KINDS[change.kind].check_removal(change)
        recorder = _Recorder(user=user, reason=f"change removed from proposal #{proposal.pk}")
        recorder.delete(change)
        later = proposal.changes.filter(position__gt=change.position).order_by("position")
        renumber = _Recorder(user=user, reason=f"proposal #{proposal.pk} renumbered")
        for follower in later:
            follower.position -= 1
            renumber.save(follower, update_fields=["position"])


def edit_rationale(*, proposal: ChangeProposal, user, rationale: str) -> ChangeProposal:
    """Reword why a draft is needed; every wording stays in the proposal's history."""
    rationale = _clean_rationale(rationale)
    with transaction.atomic():
        proposal = _lock(proposal)
        _check_drafting(proposal, user)
        if rationale != proposal.rationale:
            proposal.rationale = rationale
            _Recorder(user=user, reason=f"rationale of proposal #{proposal.pk} edited").save(
                proposal
            )
        return proposal


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
    conflicted = list(
        proposal.changes.filter(conflict__isnull=False).values_list("position", flat=True)
    )
    if conflicted:
        which = ", ".join(str(position) for position in conflicted)
        raise WorkflowError(
            f"Proposal #{proposal.pk} cannot be submitted: change {which} is in conflict with "
            "what was approved since. Finish it on its conflict page (edit the change) first."
        )
    # After a rebase an edit may no longer say where every marker goes: ask before review.
    unplaced = [
        f"change {change.position}: {line}"
        for change in (proposal.changes.select_related("claim") if markers.asks(proposal) else [])
        for line in KINDS[change.kind].unplaced_now(change)
    ]
    if unplaced:
        raise WorkflowError(
            f"Proposal #{proposal.pk} cannot be submitted: {'; '.join(unplaced)} Edit the "
            "change to say where."
        )
    return _move("submit", proposal, user, comment, submitted_at=_NOW)


def withdraw_proposal(*, proposal: ChangeProposal, user, comment: str = "") -> ChangeProposal:
    return _move("withdraw", proposal, user, comment)


def request_changes(
    *, proposal: ChangeProposal, user, comment: str, fingerprint: str | None = None
) -> ChangeProposal:
    _require_comment("request_changes", comment, "Say what needs to change.")
    return _move(
        "request_changes",
        proposal,
        user,
        comment,
        fingerprint,
        reviewer=user,
        decision_comment=comment,
    )


def revise_proposal(*, proposal: ChangeProposal, user, comment: str = "") -> ChangeProposal:
    return _move("revise", proposal, user, comment)


def reject_proposal(
    *, proposal: ChangeProposal, user, comment: str, fingerprint: str | None = None
) -> ChangeProposal:
    _require_comment("reject", comment, "Say why the proposal is rejected.")
    return _move(
        "reject",
        proposal,
        user,
        comment,
        fingerprint,
        reviewer=user,
        decided_at=_NOW,
        decision_comment=comment,
    )


def _require_comment(name: str, comment: str, message: str) -> None:
    if TRANSITIONS[name].needs_comment and not (comment or "").strip():
        raise InvalidChange({"comment": [message]})


def approve_proposal(
    *, proposal: ChangeProposal, user, comment: str = "", fingerprint: str | None = None
) -> ChangeProposal:
    """Apply every change of a submitted proposal, or none.

    Targets are locked, then their versions compared with the ones the changes were
    written against. A change whose target moved on merges with it (``Kind.merge``) when
    nothing overlaps, as the review page showed; if anything overlaps, is gone, or would
    lose its place, the proposal goes to CONFLICT and nothing is applied. Otherwise all
    changes are applied with history naming the proposal and the reviewer, and one
    reversion revision holds every row written. ``fingerprint``: what the reviewer saw
    (``content_fingerprint``); a proposal changed since, or whose targets moved on since
    the page was shown, is refused.
    """
    with transaction.atomic():
        proposal = _lock(proposal)
        _check_move("approve", proposal, user)
        changes = list(proposal.changes.order_by("position"))
        if not changes:
            raise WorkflowError(f"Proposal #{proposal.pk} has no changes to approve.")
        targets = _lock_targets(changes)
        latest = latest_versions(changes, targets)
        proposal.reviewed_fingerprint = _check_seen(proposal, fingerprint, changes, latest)
        merged, stale = _merge_stale(changes, targets, latest)
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
        for change in merged:
            # What the reviewer saw on the page: the change merged with what moved on.
            bookkeeping.save(change, update_fields=["payload", "before", "base_version"])
        for change in changes:
            KINDS[change.kind].apply(change, targets, recorder)
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
    """Bring a proposal in conflict up to date, three-way: back to draft.

    Each change whose target moved on is merged with it (``Kind.merge``: base = the
    version it was written against, theirs = now, mine = the change). What merges is now
    written against the current version; what overlaps keeps the change as written and
    records the conflict on it (``ProposedChange.conflict``), and the proposer finishes it
    on its conflict page before the proposal can be submitted again. Changes whose target
    is gone are dropped. The comment says what happened to each.
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
            version = _latest_version(target) if target is not None else None
            kind = KINDS[change.kind]
            if version != change.base_version:
                now = kind.snapshot(change)
                merge = kind.merge(change, now)
                if merge.clean:
                    change.payload, change.before, change.base_version = merge.payload, now, version
                    change.conflict = None
                    notes.append(f"change {change.position} merged with what changed since")
                else:
                    change.conflict = {"version": version, "now": now, "fields": merge.conflicts}
                    fields = ", ".join(name.replace("_", " ") for name in merge.conflicts)
                    notes.append(
                        f"change {change.position} in conflict ({fields}: changed since, "
                        "differently): finish it by hand"
                    )
            recorder.save(change)
            if change.conflict is None:
                notes += [
                    f"change {change.position}: {line} Edit the change to say where."
                    for line in kind.unplaced_now(change)
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


def _target_field(change: ProposedChange) -> str | None:
    """The field naming the record the change is written against (its version is checked)."""
    return KINDS[change.kind].target_field(change)


def _target(change: ProposedChange):
    field_name = _target_field(change)
    return getattr(change, field_name) if field_name else None


def _target_missing(change: ProposedChange) -> bool:
    field_name = _target_field(change)
    if field_name is None:
        needs_section = "section" in KINDS[change.kind].needs
        return needs_section and not Section.objects.filter(pk=change.section_id).exists()
    model = TARGET_MODELS[field_name]
    return not model.objects.filter(pk=getattr(change, f"{field_name}_id")).exists()


_HISTORY: dict[type, type] = {}


def _versions(model):
    """The history rows of a model. ``Model.history`` builds a new manager class on every
    access (simple-history's descriptor), a measurable share of an approval; the
    historical model's own manager, looked up once, does the same job."""
    if model not in _HISTORY:
        _HISTORY[model] = model.history.model
    return _HISTORY[model].objects


def _latest_version(obj) -> int | None:
    return (
        _versions(type(obj))
        .filter(id=obj.pk)
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
    wanted: dict[str, set[int]] = {name: set() for name in TARGETS}
    for change in changes:
        for name in TARGETS:
            pk = getattr(change, f"{name}_id")
            if pk is not None:
                wanted[name].add(pk)
    growing = {c.section_id for c in changes if KINDS[c.kind].locks_section_claims}
    # A removed claim's citations and flags are deleted with it; an edited claim's move
    # with its words (their offsets are written).
    marked = {c.claim_id for c in changes if KINDS[c.kind].locks_claim_markers}
    # Locked once their parent rows are locked, so no other approval adds to them.
    dependents = {"claim": ("section", growing), "citation": ("claim", marked)}
    dependents["flag"] = dependents["citation"]
    locked = {}
    for name in TARGETS:
        parent, parent_ids = dependents.get(name, ("", ()))
        if not (wanted[name] or parent_ids):
            continue
        where = Q(pk__in=wanted[name])
        if parent_ids:
            where |= Q(**{f"{parent}__in": parent_ids})
        rows = TARGET_MODELS[name].objects.select_for_update().filter(where)
        for row in rows.order_by("pk"):
            locked[(name, row.pk)] = row
    return locked


def latest_versions(changes, targets=None) -> dict[tuple[str, int], int]:
    """The latest history row of each record the changes are written against; with
    ``targets`` (an approval's locked rows), only of those."""
    versioned: dict[str, set[int]] = {}
    for change in changes:
        if name := _target_field(change):
            pk = getattr(change, f"{name}_id")
            if pk is not None and (targets is None or (name, pk) in targets):
                versioned.setdefault(name, set()).add(pk)
    # One query whatever the kinds of record: a UNION ALL of one grouped select per table.
    selects = [
        _versions(TARGET_MODELS[name])
        .filter(id__in=ids)
        .order_by()  # history's default ordering is refused inside a UNION
        .values("id")
        .annotate(latest=Max("history_id"), table=Value(name, output_field=CharField()))
        .values_list("table", "id", "latest")
        for name in TARGETS
        if (ids := versioned.get(name))
    ]
    if not selects:
        return {}
    rows = selects[0].union(*selects[1:], all=True) if len(selects) > 1 else selects[0]
    return {(name, pk): version for name, pk, version in rows}


def _now_version(change, latest) -> int | None:
    name = _target_field(change)
    return latest.get((name, getattr(change, f"{name}_id"))) if name else None


@dataclass(frozen=True)
class Outlook:
    """How a change whose target moved on since it was written meets it now: it merges
    (``merge.payload`` is what approving applies) or it needs the proposer."""

    now: dict
    merge: object  # kinds.base.Merge

    @property
    def merges(self) -> bool:
        return self.merge.clean


def merge_outlook(changes, latest=None) -> dict[int, Outlook]:
    """For each change whose target moved on, how it merges with the target as it is now
    (keyed by change id). Reads only: the review page shows it before anyone decides."""
    if latest is None:
        latest = latest_versions(changes)
    outlook = {}
    for change in changes:
        current = _now_version(change, latest)
        if current is None or current == change.base_version or _target(change) is None:
            continue
        kind = KINDS[change.kind]
        now = kind.snapshot(change)
        outlook[change.pk] = Outlook(now, kind.merge(change, now))
    return outlook


def _merge_stale(changes, targets, latest) -> tuple[list[ProposedChange], list[str]]:
    """Merge each change whose target moved on with it; what cannot be, one line each.

    Returns the changes merged (their payload, snapshot and base now the merge's, not yet
    saved) and the lines of what stands in the way: a target gone, an overlap, a marker
    without a place.
    """
    merged, stale = [], []
    for change in changes:
        gone = [
            f"change {change.position}: {name} #{pk} no longer exists"
            for name in TARGETS
            if (pk := getattr(change, f"{name}_id")) is not None and (name, pk) not in targets
        ]
        stale += gone
        kind = KINDS[change.kind]
        field_name = _target_field(change)
        current = _now_version(change, latest)
        if not gone and current is not None and current != change.base_version:
            pk = getattr(change, f"{field_name}_id")
            setattr(change, field_name, targets[(field_name, pk)])  # the locked row
            now = kind.snapshot(change)
            merge = kind.merge(change, now)
            if not merge.clean:
                fields = ", ".join(name.replace("_", " ") for name in merge.conflicts)
                stale.append(
                    f"change {change.position}: {field_name} #{pk} changed since ({fields})"
                )
                continue
            change.payload, change.before, change.base_version = merge.payload, now, current
            merged.append(change)
        # The target is as written (or merged), but its markers may not be: one added or
        # moved since can have lost its words in the new text.
        stale += [f"change {change.position}: {line}" for line in kind.unplaced(change, targets)]
    return merged, stale


# --------------------------------------------------------------------------- validation


def _validate_change(change: ProposedChange, document: Document, user) -> None:
    errors: dict[str, list[str]] = {}

    def error(field_name, message):
        errors.setdefault(field_name, []).append(message)

    kind = KINDS.get(change.kind)
    if kind is None:
        raise InvalidChange({"kind": [f"Unknown kind of change: {change.kind!r}."]})
    kind.check_targets(change, error)
    for name in TARGETS:
        obj = getattr(change, name)
        if obj is not None and _document_of(obj) != document.pk:
            error(name, f"That {name} belongs to another document.")
    if errors:
        raise InvalidChange(errors)
    kind.validate(change, change.payload, error, user)
    if errors:
        raise InvalidChange(errors)


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


def make_move(
    name: str, *, proposal: ChangeProposal, user, comment: str = "", fingerprint: str = ""
) -> ChangeProposal:
    """The transition ``name`` of ``TRANSITIONS``, as the admin's buttons call it: a
    reviewer's move is bound to ``fingerprint``, the one the page was rendered with (a page
    that sends none decided on nothing, and is refused)."""
    bound = {"fingerprint": fingerprint} if TRANSITIONS[name].actor == REVIEWER else {}
    return _MOVES[name](proposal=proposal, user=user, comment=comment, **bound)


_MOVES: dict[str, Callable[..., ChangeProposal]] = {
    "submit": submit_proposal,
    "approve": approve_proposal,
    "rebase": rebase_proposal,
    "revise": revise_proposal,
    "request_changes": request_changes,
    "reject": reject_proposal,
    "withdraw": withdraw_proposal,
}
