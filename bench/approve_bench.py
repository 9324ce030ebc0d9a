"""Approval benchmark: what approving costs on top of the bare write, and how many queries.

An approval does much more than change a row: it locks the proposal and its targets,
checks their versions, writes each row with a historical version naming the proposal and
the reviewer, a reversion revision, the proposal's new state with its own history row and
the approval comment, all in one transaction. docs/design.md judges performance as a ratio
against a floor measured in the same run: here the floor is the same live-row update,
one bare ``QuerySet.update()`` per transaction, with no history, no revision and no locks.

The measured path is ``workflow.approve_proposal`` on submitted proposals of one text edit
each, approved by a reviewer loaded fresh for each (as a request would load them), so the
permission check's queries count too. Proposals are prepared untimed; floor and approvals
alternate which goes first, and the medians are reported.

Queries: approving proposals of 1, 5 and 20 text edits under ``CaptureQueriesContext``.
Goal: each further change costs at most the writes it needs (the claim's UPDATE and its
history row's INSERT), never a lookup of its own.
"""

from __future__ import annotations

import gc
import hashlib
import statistics
import sys
import time
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from reversion.models import Revision

from archive import importer, roles, workflow
from archive.models import ChangeKind, ChangeProposal, Claim, ProposalState
from bench import corpus

APPROVALS = 200  # per run; the synthetic article at 2x has about 450 claims
REPETITIONS = 3
SCALE = 2
CHANGE_COUNTS = (1, 5, 20)
WRITES_PER_EDIT = 2  # the claim's UPDATE and its history row's INSERT


@dataclass
class Queries:
    changes: int
    total: int
    reads: int
    writes: int
    other: int


def run() -> str:
    editor, reviewer = _person("bench-editor", roles.EDITOR), _person("bench-reviewer")
    document = _document()
    claims = list(Claim.objects.filter(section__document=document).order_by("pk"))
    if len(claims) < APPROVALS:
        raise RuntimeError(f"the {SCALE}x article has {len(claims)} claims, {APPROVALS} needed")
    # One untimed round first, so neither side pays for cold caches.
    warm = claims[:10]
    _floor(warm, _texts(warm, "warm-up"))
    _approve_all(_prepared(warm, _texts(warm, "warm-up"), editor, reviewer))

    floors, approvals = [], []
    for repetition in range(1, REPETITIONS + 1):
        print(f"approve: repetition {repetition}/{REPETITIONS}", file=sys.stderr)
        batch = claims[:APPROVALS]
        texts = _texts(batch, f"run {repetition}")
        prepared = _prepared(batch, texts, editor, reviewer)
        order = ["floor", "approve"] if repetition % 2 else ["approve", "floor"]
        for kind in order:
            if kind == "floor":
                floors.append(_timed(_floor, batch, texts))
            else:
                history_before = Claim.history.count()
                revisions_before = Revision.objects.count()
                approvals.append(_timed(_approve_all, prepared))
                _check_recorded(
                    Claim.history.count() - history_before,
                    Revision.objects.count() - revisions_before,
                )
    print("approve: counting queries", file=sys.stderr)
    queries = [_queries(claims[:count], editor, reviewer) for count in CHANGE_COUNTS]
    return _markdown(statistics.median(floors), statistics.median(approvals), queries)


def _person(username: str, role: str = roles.REVIEWER) -> User:
    user = User.objects.create_user(username, is_staff=True)
    user.groups.set(Group.objects.filter(name=role))
    return user


def _document():
    text = corpus.generate(SCALE, seed=7)
    data = text.encode("utf-8")
    source = importer.SourceFile(
        name="approve-bench.txt",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        text=text,
    )
    parsed = importer.parse(source.text, source.name)
    (outcome,) = workflow.import_documents(files=[(source, parsed)])
    return outcome.document


def _texts(claims: list[Claim], label: str) -> list[str]:
    # Words added after the claim's own, so its citations and flags keep their place (an
    # edit that removed every word around a marker would be refused until it is placed).
    return [f"{claim.text} As worded in {label}." for claim in claims]


def _prepared(claims, texts, editor, reviewer) -> list[tuple[ChangeProposal, User]]:
    """Submitted proposals of one text edit each, with the reviewer as a request loads them."""
    prepared = []
    for claim, text in zip(claims, texts, strict=True):
        proposal = _submitted(editor, [(claim, text)])
        prepared.append((proposal, User.objects.get(pk=reviewer.pk)))
    return prepared


def _submitted(editor, edits) -> ChangeProposal:
    proposal = workflow.create_proposal(
        document=edits[0][0].section.document, user=editor, rationale="Benchmark."
    )
    for claim, text in edits:
        workflow.add_change(
            proposal=proposal,
            user=editor,
            kind=ChangeKind.EDIT_CLAIM,
            claim=claim,
            payload={"text": text},
        )
    return workflow.submit_proposal(proposal=proposal, user=editor)


def _approve_all(prepared) -> None:
    for proposal, reviewer in prepared:
        approved = workflow.approve_proposal(proposal=proposal, user=reviewer)
        if approved.state != ProposalState.APPROVED:
            raise RuntimeError(f"proposal #{proposal.pk} ended {approved.state}, not approved")


def _floor(claims, texts) -> None:
    """The same live-row writes, bare: one ``update()`` per transaction, nothing else."""
    for claim, text in zip(claims, texts, strict=True):
        with transaction.atomic():
            Claim.objects.filter(pk=claim.pk).update(text=text)


def _timed(function, *args) -> float:
    gc.collect()
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def _check_recorded(history_rows: int, revisions: int) -> None:
    """The ratio only means something if every approval recorded what it should."""
    if (history_rows, revisions) != (APPROVALS, APPROVALS):
        raise RuntimeError(
            f"{APPROVALS} approvals wrote {history_rows} claim history rows and "
            f"{revisions} revisions"
        )


def _queries(claims, editor, reviewer) -> Queries:
    proposal = _submitted(editor, [(claim, f"{claim.text} (counted)") for claim in claims])
    reviewer = User.objects.get(pk=reviewer.pk)
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as captured:
        workflow.approve_proposal(proposal=proposal, user=reviewer)
    verbs = [query["sql"].lstrip().split(None, 1)[0].upper() for query in captured]
    reads = verbs.count("SELECT")
    writes = sum(verbs.count(verb) for verb in ("INSERT", "UPDATE", "DELETE"))
    return Queries(len(claims), len(verbs), reads, writes, len(verbs) - reads - writes)


# --------------------------------------------------------------------------- report


def _markdown(floor: float, approve: float, queries: list[Queries]) -> str:
    ratio = approve / floor
    speed = [
        "| runs | approvals per run | floor s | floor updates/s | approve s | approvals/s "
        "| approve / floor |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {REPETITIONS} | {APPROVALS} | {floor:.3f} | {APPROVALS / floor:,.0f} "
        f"| {approve:.3f} | {APPROVALS / approve:,.0f} | {ratio:.1f} |",
    ]
    first = queries[0]
    table = [
        "| text edits | queries | reads | writes | other | per change beyond the first "
        f"| goal ≤ {WRITES_PER_EDIT} |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for q in queries:
        if q is first:
            table.append(
                f"| {q.changes} | {q.total} | {q.reads} | {q.writes} | {q.other} | — | — |"
            )
            continue
        step = (q.total - first.total) / (q.changes - first.changes)
        verdict = "met" if step <= WRITES_PER_EDIT and q.reads == first.reads else "**not met**"
        table.append(
            f"| {q.changes} | {q.total} | {q.reads} | {q.writes} | {q.other} "
            f"| {step:.2f} | {verdict} |"
        )
    fixed = first.total - first.changes * WRITES_PER_EDIT
    return "\n".join(
        [
            "## Approval",
            "",
            f"Proposals of one text edit on a synthetic article at {SCALE}× the seed's size. "
            "*Approve*: `workflow.approve_proposal` as a reviewer, each proposal its own "
            "transaction with locks, version check, history rows, a reversion revision, the "
            "proposal's state and the approval comment. *Floor*: the same claims set to the "
            "same texts with a bare `QuerySet.update()` per transaction (no history, no "
            "revision, no locking). Seconds are medians of the runs, floor and approvals "
            "alternating; proposals are prepared untimed.",
            "",
            "### Approvals per second: with history vs. floor",
            "",
            *speed,
            "",
            "### Queries to approve one proposal",
            "",
            "Counted with `CaptureQueriesContext`; the reviewer is loaded fresh and the "
            "content-type cache cleared, as on a first request. *Other*: transaction "
            f"statements. Fixed cost: {fixed} queries; each text edit adds its "
            f"{WRITES_PER_EDIT} writes (the claim's UPDATE and its history row's INSERT), "
            "and reads stay the same however many changes.",
            "",
            *table,
        ]
    )
