"""Every state change of the archive, one function each.

Callers (admin actions, views, management commands) only call these and report what they
raise. Each function runs in one transaction and leaves history rows naming the user and
the reason for every row it writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from reversion.models import Revision, Version

from . import importer, roles
from .models import (
    ChangeKind,
    ChangeProposal,
    Citation,
    Claim,
    ClaimKind,
    Document,
    Flag,
    FlagKind,
    FlagStatus,
    ImportRun,
    ProposalState,
    ProposedChange,
    ReviewComment,
    ReviewStatus,
    Section,
    Source,
)

IMPORTER_USERNAME = "archive-importer"

Writer = Callable[[type[models.Model], list[models.Model]], list[models.Model]]


class ImportRefused(Exception):
    """The file is valid but importing it would overwrite or duplicate archived content."""

    def __init__(self, file_name: str, message: str):
        self.file_name = file_name
        super().__init__(f"{file_name}: {message}")


@dataclass
class ImportOutcome:
    file_name: str
    slug: str
    status: Literal["imported", "unchanged", "would import"]
    counts: dict[str, int]
    anomalies: list[importer.Anomaly] = field(default_factory=list)
    document: Document | None = None
    run: ImportRun | None = None


def importer_user():
    """The named system user that imports are attributed to when no person is given."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=IMPORTER_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def document_slug(parsed: importer.ParsedDocument, source: importer.SourceFile) -> str:
    """The public identifier of a document: from its title, else its file name."""
    for candidate in (parsed.title, source.name.rsplit(".", 1)[0]):
        slug = slugify(candidate)[:200].strip("-")
        if slug:
            return slug
    return f"document-{source.sha256[:12]}"


def import_documents(
    *,
    files: Sequence[tuple[importer.SourceFile, importer.ParsedDocument]],
    user=None,
    dry_run: bool = False,
) -> list[ImportOutcome]:
    """Import parsed files all together or not at all.

    A file whose text is already archived is reported as unchanged; a different text for an
    existing document is refused (with every other file) rather than overwriting it.
    """
    with transaction.atomic():
        plans = [(source, parsed, _plan(source, parsed)) for source, parsed in files]
        slugs = [outcome.slug for _, _, outcome in plans]
        for slug in {s for s in slugs if slugs.count(s) > 1}:
            names = [o.file_name for _, _, o in plans if o.slug == slug]
            raise ImportRefused(names[-1], f"{' and '.join(names)} are both the document {slug!r}")
        if dry_run:
            return [outcome for _, _, outcome in plans]
        user = user or importer_user()
        results = []
        for source, parsed, outcome in plans:
            if outcome.status == "would import":
                outcome = _load(source, parsed, user=user, slug=outcome.slug)
            results.append(outcome)
        return results


def _plan(source: importer.SourceFile, parsed: importer.ParsedDocument) -> ImportOutcome:
    slug = document_slug(parsed, source)
    outcome = ImportOutcome(source.name, slug, "would import", parsed.counts(), parsed.anomalies)
    existing = Document.objects.filter(slug=slug).first()
    if existing is None:
        return outcome
    last_run = existing.import_runs.order_by("-started_at", "-pk").first()
    if last_run and last_run.content_sha256 == parsed.content_sha256:
        outcome.status, outcome.document, outcome.run = "unchanged", existing, last_run
        return outcome
    raise ImportRefused(
        source.name,
        f"the document {slug!r} is already archived from a different text "
        f"(sha256 {existing.sha256[:12]}…); re-importing a changed version is not supported "
        "yet, so nothing was imported",
    )


def _load(source, parsed, *, user, slug: str) -> ImportOutcome:
    now = timezone.now()
    document = Document(
        title=parsed.title,
        slug=slug,
        file_name=source.name,
        file_size=source.size,
        sha256=source.sha256,
        created_at=now,
    )
    try:
        with transaction.atomic():
            document.save_without_historical_record()
    except IntegrityError:
        raise ImportRefused(source.name, f"the document {slug!r} was imported meanwhile") from None
    run = ImportRun.objects.create(
        document=document,
        file_name=source.name,
        file_size=source.size,
        sha256=source.sha256,
        content_sha256=parsed.content_sha256,
        text=parsed.text,
        user=user,
        started_at=now,
        finished_at=now,
        counts=parsed.counts(),
        anomalies=[
            {"kind": a.kind, "line": a.line, "message": a.message} for a in parsed.anomalies
        ],
    )
    Document.history.bulk_history_create(
        [document],
        default_user=user,
        default_change_reason=run.change_reason,
        default_date=now,
        custom_historical_attrs={"history_import_run": run},
    )
    load_rows(
        parsed,
        document=document,
        run=run,
        now=now,
        write=lambda model, objs: model.objects.bulk_create(objs),
    )
    for model in (Section, Source, Claim, Citation, Flag):
        _copy_import_to_history(model, run=run, user=user, when=now)
    run.finished_at = max(timezone.now(), now)
    run.save(update_fields=["finished_at"])
    return ImportOutcome(
        source.name, slug, "imported", parsed.counts(), parsed.anomalies, document, run
    )


def _copy_import_to_history(model, *, run: ImportRun, user, when) -> None:
    """Write the "created" history row of every row an import wrote, in one statement.

    The database copies the rows it has just stored (``INSERT ... SELECT``), so history
    costs one statement per model instead of a Python object and its SQL parameters per row
    (simple-history's bulk path doubled the import's cost; this keeps it near the cost of
    the rows themselves). The rows are exactly what ``bulk_history_create`` would write.
    """
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history_model = model.history.model
    quote = connection.ops.quote_name
    meta = history_model._meta
    copied = ", ".join(quote(field.column) for field in history_model.tracked_fields)
    extra = ", ".join(
        quote(meta.get_field(name).column)
        for name in (
            "history_date",
            "history_change_reason",
            "history_type",
            "history_user",
            "history_import_run",
        )
    )
    source = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({copied}, {extra}) "
            f"SELECT {copied}, %s, %s, %s, %s, %s FROM {quote(source.db_table)} "
            f"WHERE {quote(source.get_field('import_run').column)} = %s "
            f"ORDER BY {quote(source.pk.column)}",
            [
                connection.ops.adapt_datetimefield_value(when),
                run.change_reason,
                "+",
                user.pk,
                run.pk,
                run.pk,
            ],
        )


def load_rows(
    parsed: importer.ParsedDocument,
    *,
    document: Document,
    run: ImportRun | None,
    now,
    write: Writer,
) -> None:
    """Write a parsed document's rows, one bulk write per model, through ``write``.

    The writer decides how rows are recorded: with history for imports, bare for the
    benchmark's floor. Rows are built in file order so positions follow the text.
    """
    sections = write(
        Section,
        [
            Section(
                document=document,
                position=number,
                heading=parsed_section.heading,
                heading_missing=parsed_section.heading_missing,
                level=parsed_section.level,
                import_run=run,
                span_start=parsed_section.start,
                span_end=parsed_section.end,
            )
            for number, parsed_section in enumerate(parsed.sections, start=1)
        ],
    )
    sources = write(
        Source,
        [
            Source(
                document=document,
                label=parsed_source.label,
                kind=parsed_source.kind,
                position=number,
                note_text=parsed_source.note_text,
                import_run=run,
            )
            for number, parsed_source in enumerate(parsed.sources, start=1)
        ],
    )
    source_by_label = {source.label: source for source in sources}
    parsed_claims = parsed.claims
    claims = write(
        Claim,
        [
            Claim(
                section=section,
                position=position,
                paragraph=parsed_claim.paragraph,
                kind=parsed_claim.kind,
                text=parsed_claim.text,
                import_run=run,
                span_start=parsed_claim.start,
                span_end=parsed_claim.end,
            )
            for section, parsed_section in zip(sections, parsed.sections, strict=True)
            for position, parsed_claim in enumerate(parsed_section.claims, start=1)
        ],
    )
    write(
        Citation,
        [
            Citation(
                claim=claim,
                source=source_by_label[parsed_citation.label],
                position=position,
                locator=parsed_citation.locator,
                import_run=run,
                span_start=parsed_citation.start,
                span_end=parsed_citation.end,
            )
            for claim, parsed_claim in zip(claims, parsed_claims, strict=True)
            for position, parsed_citation in enumerate(parsed_claim.citations, start=1)
        ],
    )

    def flag(parsed_flag: importer.ParsedFlag, **target) -> Flag:
        return Flag(
            kind=parsed_flag.kind,
            label=parsed_flag.label,
            raised_at=now,
            import_run=run,
            span_start=parsed_flag.start,
            span_end=parsed_flag.end,
            **target,
        )

    write(
        Flag,
        [
            flag(parsed_flag, section=section)
            for section, parsed_section in zip(sections, parsed.sections, strict=True)
            for parsed_flag in parsed_section.flags
        ]
        + [
            flag(parsed_flag, claim=claim)
            for claim, parsed_claim in zip(claims, parsed_claims, strict=True)
            for parsed_flag in parsed_claim.flags
        ],
    )


# =========================================================================== proposals
#
# Editors change the archive only through proposals; a different person approves them.
# Every function below is one transition: it locks its rows, checks the state (TRANSITIONS)
# and the user's role, writes, and records history and the review conversation.

PROPOSER, REVIEWER = "proposer", "reviewer"
MAX_TEXT = 5000


class WorkflowError(Exception):
    """A move the rules do not allow; the message says why, for the person who tried it."""


class InvalidChange(WorkflowError):
    """A proposed change with bad values; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


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


class _Recorder:
    """Writes rows the workflow's way: history naming user, reason and proposal; revision."""

    def __init__(self, *, user, reason: str, proposal=None, when=None):
        self.user = user
        self.reason = reason
        self.when = when or timezone.now()
        self.provenance = {"history_proposal": proposal} if proposal else {}
        self.saved: dict[tuple[type, int], models.Model] = {}
        # Deleted rows as they were: (model, pk, serialized row, label), for the revision.
        self.deleted: list[tuple[type[models.Model], int, str, str]] = []

    def _mark(self, obj):
        obj._history_user = self.user
        obj._change_reason = self.reason
        obj._history_date = self.when
        obj._history_provenance = self.provenance

    def save(self, obj, **kwargs):
        self._mark(obj)
        obj.save(**kwargs)
        self.saved[(type(obj), obj.pk)] = obj
        return obj

    def delete(self, obj):
        self.saved.pop((type(obj), obj.pk), None)
        data = serializers.serialize("json", [obj])
        self.deleted.append((type(obj), obj.pk, data, str(obj)))
        self._mark(obj)
        obj.delete()

    def revision(self, comment: str) -> Revision | None:
        """One reversion revision holding every row written, deleted ones as they were."""
        versions = [
            (type(obj), obj.pk, serializers.serialize("json", [obj]), str(obj))
            for obj in self.saved.values()
        ]
        versions += self.deleted
        if not versions:
            return None
        revision = Revision.objects.create(
            date_created=self.when, user=self.user, comment=comment[:1000]
        )
        Version.objects.bulk_create(
            [
                Version(
                    revision=revision,
                    object_id=str(pk),
                    content_type=ContentType.objects.get_for_model(model),
                    db="default",
                    format="json",
                    serialized_data=data,
                    object_repr=label[:191],
                )
                for model, pk, data, label in versions
            ]
        )
        return revision


def _comment(proposal, user, action: str, body: str = "", when=None) -> ReviewComment:
    return ReviewComment.objects.create(
        proposal=proposal, author=user, action=action, body=body, created_at=when or timezone.now()
    )


def _lock(proposal: ChangeProposal) -> ChangeProposal:
    return ChangeProposal.objects.select_for_update().select_related("proposer").get(pk=proposal.pk)


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
    rationale = (rationale or "").strip()
    if not rationale:
        raise InvalidChange({"rationale": ["Say why the change is needed."]})
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
        target = _target(change)
        change.base_version = _latest_version(target) if target is not None else None
        change.before = _snapshot(change)
        last = proposal.changes.order_by("-position").values_list("position", flat=True).first()
        change.position = (last or 0) + 1
        _Recorder(user=user, reason=f"change added to proposal #{proposal.pk}").save(change)
        return change


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
    """Lock every row the changes touch, in one global order so approvals cannot deadlock."""
    wanted: dict[str, set[int]] = {name: set() for name in _TARGET_ORDER}
    for change in changes:
        for name in _TARGET_ORDER:
            pk = getattr(change, f"{name}_id")
            if pk is not None:
                wanted[name].add(pk)
    locked = {}
    for name in _TARGET_ORDER:
        if wanted[name]:
            rows = _TARGET_MODELS[name].objects.select_for_update().filter(pk__in=wanted[name])
            for row in rows.order_by("pk"):
                locked[(name, row.pk)] = row
    return locked


def _stale(changes, targets) -> list[str]:
    """What moved on since the changes were written: one line per stale change."""
    latest: dict[str, dict[int, int]] = {}
    for name in _TARGET_ORDER:
        ids = [pk for (kind, pk) in targets if kind == name]
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
    return stale


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
    if kind == ChangeKind.ADD_CLAIM:
        count = change.section.claims.count()
        position = payload.get("position", count + 1)
        if not isinstance(position, int) or not 1 <= position <= count + 1:
            error("position", f"Position must be a whole number from 1 to {count + 1}.")
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
        payload[name] = value
        changed = changed or value != getattr(change.source, name)
    if not changed and not unknown:
        error("source", "Nothing would change: every value is the same as now.")


def _text(payload, name, error, what, limit=MAX_TEXT) -> str:
    value = str(payload.get(name) or "").strip()
    if not value:
        error(name, f"The {what} cannot be empty.")
    elif len(value) > limit:
        error(name, f"The {what} can be at most {limit:,} characters (this is {len(value):,}).")
    return value


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
    claim.text = change.payload["text"]
    recorder.save(claim)


def _apply_add_claim(change, targets, recorder):
    section = _get(targets, "section", change.section_id, change)
    position = change.payload["position"]
    siblings = list(section.claims.order_by("-position"))
    # Make room from the end backwards, so no two claims ever share a position.
    for sibling in siblings:
        if sibling.position >= position:
            sibling.position += 1
            recorder.save(sibling)
    before = next((c for c in reversed(siblings) if c.position < position), None)
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
