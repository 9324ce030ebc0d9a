"""Editors and reviewers in any order: no approval silently undoes the words of another.

A Hypothesis state machine plays random interleavings of the editorial moves of three
editors and two reviewers on one short article (claims without citations or flags, so a
marker never stops an edit): propose an edit (a new draft or one more change of the open
one; or several people edit the same claim at once), edit a draft's change in place,
submit, approve (one, or two from the queue in a row), request changes and revise, rebase
a proposal in conflict and finish its conflicts by hand, withdraw after review, and approve
on a page shown before another approval moved the text on. Each sequence runs in a
savepoint rolled back when it ends, so every one starts from the imported article.

Every edit rewrites a text word by word (a fresh word such as ``w17`` inserted, a word
deleted or replaced by a fresh one), so each word of a claim is unique and names who put it
there. The machine keeps, per claim, the words approvals inserted (``protected``) and
checks after every move:

- **Approved words stay**: every protected word is still in the claim's live text, unless
  the approval that removed it showed it deleted by its own proposal: the review page's
  diff (the live text before against the text approving applies) deleted it, *and* the
  change as its proposer wrote it (its text against the text it was written on) deletes it.
  The page's diff alone cannot tell a merge that reverts someone else's words from an edit
  that deletes them: a word the proposer never saw is never theirs to delete.
- An approval applies exactly what the reviewer's fingerprint covered: the change's text,
  or for a change whose claim moved on, its merge with the text as it is now (what the
  page shows, ``merge_outlook``); word by word that is the live words, minus those the
  proposer deleted, plus those the proposer inserted.
- A proposal that ends in conflict changed nothing live, and rebasing it merges or keeps
  the conflict as ``diffs.merge`` says; a page shown before its claim moved on decides
  nothing (``StaleReview``).
- Every refused move (four-eyes, a text left as it is, a conflict not finished) leaves the
  database as it was.

PostgreSQL only (``select_for_update`` takes real row locks there); the suite's other tests
cover the same moves on SQLite one scenario at a time.
"""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from archive import diffs, workflow
from archive.models import (
    ChangeKind,
    ChangeProposal,
    Claim,
    ProposalState,
    ProposedChange,
    ReviewComment,
)
from archive.workflow import InvalidChange, StaleReview, WorkflowError

from .conftest import import_text, make_user

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: approvals lock their rows with select_for_update",
    ),
    pytest.mark.django_db,
]

S = ProposalState
EXAMPLES = 200  # sequences of moves, as CI runs them (derandomized: the same ones each run)
STEPS = 14

CLAIMS = ["Alpha bravo charlie delta echo.", "Foxtrot golf hotel india juliet."]
ARTICLE = f"Interleaved article\n\nEarly history\n\n{' '.join(CLAIMS)}\n"
EDITORS = ["edna", "otto", "pia"]
REVIEWERS = ["rita", "rolf"]
PROPOSERS = [*EDITORS, "rita"]  # a reviewer proposes too: the other one must approve

OPS = st.tuples(st.sampled_from(["insert", "delete", "replace"]), st.integers(0, 63))
PICK = st.integers(0, 1023)


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text or ""))


def shown_words(runs, op: str) -> set[str]:
    """The words of a ``word_diff`` shown deleted (``diffs.DELETED``) or inserted."""
    return set().union(*(words(text) for what, text in runs if what == op))


class Interleavings(RuleBasedStateMachine):
    """One sequence of moves, in a savepoint rolled back when it ends."""

    world: dict  # the document, its claims and the users, made once per test

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.document = self.world["document"]
        self.claims = self.world["claims"]
        self.users = self.world["users"]
        self.fresh = 0
        self.live = {claim.pk: claim.text for claim in self.claims}
        self.protected: dict[int, set[str]] = {claim.pk: set() for claim in self.claims}
        self.states: dict[int, str] = {}  # proposal id -> the state the moves should leave
        self.pages: set[tuple[int, str]] = set()  # review pages shown: proposal, fingerprint
        self.stale: list | None = None  # the stale pages, until the next move

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # ----------------------------------------------------------------------- helpers

    def fresh_word(self) -> str:
        self.fresh += 1
        return f"w{self.fresh}"

    def rewrite(self, text: str, op) -> str:
        """``text`` with one word inserted, deleted or replaced (fresh words only)."""
        what, at = op
        tokens = re.findall(r"\w+", text)
        if what == "delete" and len(tokens) > 1:
            del tokens[at % len(tokens)]
        elif what == "replace" and tokens:
            tokens[at % len(tokens)] = self.fresh_word()
        else:
            tokens.insert(at % (len(tokens) + 1), self.fresh_word())
        return " ".join(tokens) + "."

    def in_state(self, *states) -> list[int]:
        return sorted(pk for pk, state in self.states.items() if state in states)

    def proposal(self, pick: int, *states) -> ChangeProposal:
        found = self.in_state(*states)
        return ChangeProposal.objects.select_related("proposer").get(pk=found[pick % len(found)])

    def user(self, name: str):
        return self.users[name]

    def snapshot(self):
        """Everything a move writes, to check that a refused one wrote nothing."""
        changes = ProposedChange.objects.filter(proposal__document=self.document)
        return (
            list(Claim.objects.order_by("pk").values_list("pk", "text")),
            list(
                ChangeProposal.objects.order_by("pk").values_list(
                    "pk", "state", "rationale", "reviewed_fingerprint"
                )
            ),
            list(
                changes.order_by("pk").values_list(
                    "pk", "position", "payload", "before", "base_version", "conflict"
                )
            ),
            ReviewComment.objects.count(),
            Claim.history.count(),
            ChangeProposal.history.count(),
            ProposedChange.history.count(),
        )

    def refused(self, error, move, **arguments):
        before = self.snapshot()
        with pytest.raises(error):
            move(**arguments)
        assert self.snapshot() == before, f"refused {move.__name__} wrote something"
        event(f"refused: {move.__name__} ({error.__name__})")

    def live_text(self, claim_pk: int) -> str:
        return Claim.objects.values_list("text", flat=True).get(pk=claim_pk)

    def draft_changes(self, conflicted: bool) -> list[ProposedChange]:
        return list(
            ProposedChange.objects.filter(
                proposal__in=self.in_state(S.DRAFT), conflict__isnull=not conflicted
            )
            .select_related("proposal", "claim")
            .order_by("pk")
        )

    # ----------------------------------------------------------------------- drafting

    @rule(
        who=st.sampled_from(PROPOSERS),
        claim=st.integers(0, len(CLAIMS) - 1),
        op=OPS,
        then_submit=st.booleans(),
    )
    def propose_an_edit(self, who, claim, op, then_submit):
        self.propose(who, claim, op, then_submit)

    @rule(
        who=st.lists(st.sampled_from(PROPOSERS), min_size=2, max_size=3, unique=True),
        claim=st.integers(0, len(CLAIMS) - 1),
        ops=st.lists(OPS, min_size=3, max_size=3),
    )
    def several_editors_propose_edits_of_one_claim(self, who, claim, ops):
        """Each submits an edit of the same text: their approvals meet each other."""
        for name, op in zip(who, ops, strict=False):
            self.propose(name, claim, op, then_submit=True)

    def propose(self, who, claim, op, then_submit):
        # The claim as a request reads it now (an edit is checked against the instance given).
        user, claim = self.user(who), Claim.objects.get(pk=self.claims[claim].pk)
        draft = ChangeProposal.objects.draft_of(user, self.document)
        earlier = draft.changes.filter(claim=claim).first() if draft else None
        # A second edit of a claim in a draft rewrites what the draft says of it.
        new = self.rewrite(earlier.payload["text"] if earlier else self.live[claim.pk], op)
        arguments = {
            "document": self.document,
            "user": user,
            "kind": ChangeKind.EDIT_CLAIM,
            "rationale": f"{who} rewords it.",
            "claim": claim,
            "payload": {"text": new},
        }
        if new == self.live[claim.pk]:
            self.refused(InvalidChange, workflow.propose_change, **arguments)
            return
        change = workflow.propose_change(**arguments)
        assert change.payload["text"] == new
        if earlier is not None:
            assert change.pk == earlier.pk and change.before == earlier.before
        self.states.setdefault(change.proposal_id, S.DRAFT)
        if then_submit and not change.proposal.changes.filter(conflict__isnull=False).exists():
            workflow.submit_proposal(proposal=change.proposal, user=user)
            self.states[change.proposal_id] = S.SUBMITTED

    @precondition(lambda self: self.draft_changes(conflicted=False))
    @rule(pick=PICK, op=OPS)
    def edit_a_change_in_place(self, pick, op):
        """As the admin's edit form does: the change's text, rewritten, is written against
        the claim as it is now."""
        changes = self.draft_changes(conflicted=False)
        change = changes[pick % len(changes)]
        new = self.rewrite(change.payload["text"], op)
        arguments = {"change": change, "user": change.proposal.proposer, "payload": {"text": new}}
        if new == self.live[change.claim_id]:
            self.refused(InvalidChange, workflow.edit_change, **arguments)
            return
        edited = workflow.edit_change(**arguments)
        assert edited.before["text"] == self.live[change.claim_id]

    @precondition(lambda self: self.draft_changes(conflicted=True))
    @rule(pick=PICK, at=st.integers(0, 63))
    def finish_a_conflict_by_hand(self, pick, at):
        """The conflict page's draft (the overlapping words as they read now), plus a word."""
        changes = self.draft_changes(conflicted=True)
        self.finish_by_hand(changes[pick % len(changes)], at)

    def finish_by_hand(self, change, at):
        draft = change.conflict["fields"]["text"]["draft"]
        new = self.rewrite(draft, ("insert", at))
        edited = workflow.edit_change(
            change=change, user=change.proposal.proposer, payload={"text": new}
        )
        assert edited.conflict is None and edited.before["text"] == self.live[change.claim_id]
        event("conflict finished by hand")

    @precondition(lambda self: self.in_state(S.DRAFT))
    @rule(pick=PICK)
    def submit(self, pick):
        proposal = self.proposal(pick, S.DRAFT)
        arguments = {"proposal": proposal, "user": proposal.proposer}
        if proposal.changes.filter(conflict__isnull=False).exists():
            self.refused(WorkflowError, workflow.submit_proposal, **arguments)
            return
        assert workflow.submit_proposal(**arguments).state == S.SUBMITTED
        self.states[proposal.pk] = S.SUBMITTED

    @precondition(lambda self: self.in_state(S.CHANGES_REQUESTED, S.CONFLICT))
    @rule(pick=PICK)
    def withdraw_after_review(self, pick):
        """A proposer sent back, or in conflict, gives up."""
        proposal = self.proposal(pick, S.CHANGES_REQUESTED, S.CONFLICT)
        workflow.withdraw_proposal(proposal=proposal, user=proposal.proposer)
        self.states[proposal.pk] = S.WITHDRAWN

    # ----------------------------------------------------------------------- review

    @precondition(lambda self: self.in_state(S.SUBMITTED))
    @rule(pick=PICK, who=st.sampled_from(REVIEWERS))
    def approve(self, pick, who):
        self.review_and_approve(self.proposal(pick, S.SUBMITTED), self.user(who))

    @precondition(lambda self: len(self.in_state(S.SUBMITTED)) >= 2)
    @rule(picks=st.lists(PICK, min_size=2, max_size=2))
    def reviewers_work_through_the_queue(self, picks):
        """Two submitted proposals approved one after the other, each by a reviewer who did
        not propose it (the second may have moved on under the first)."""
        for pick in picks:
            if not self.in_state(S.SUBMITTED):
                return
            proposal = self.proposal(pick, S.SUBMITTED)
            reviewer = next(
                user for name in REVIEWERS if (user := self.user(name)).pk != proposal.proposer_id
            )
            self.review_and_approve(proposal, reviewer)

    def review_and_approve(self, proposal, reviewer):
        # The review page: the fingerprint it carries and how each stale change merges.
        changes = list(proposal.changes.order_by("position"))
        fingerprint = workflow.content_fingerprint(proposal)
        outlook = workflow.merge_outlook(changes)
        arguments = {"proposal": proposal, "user": reviewer, "fingerprint": fingerprint}
        if reviewer.pk == proposal.proposer_id:
            self.refused(PermissionDenied, workflow.approve_proposal, **arguments)
            return
        # Every other submitted proposal's page, as other reviewers have it open now.
        for other in self.in_state(S.SUBMITTED):
            if other != proposal.pk:
                page = workflow.content_fingerprint(ChangeProposal.objects.get(pk=other))
                self.pages.add((other, page))
        before = dict(self.live)

        decided = workflow.approve_proposal(**arguments)

        if not all(seen.merges for seen in outlook.values()):
            assert decided.state == S.CONFLICT
            self.states[proposal.pk] = S.CONFLICT
            assert self.live_texts() == before, "a conflict applied"
            event("approval: conflict")
            return
        assert decided.state == S.APPROVED
        self.states[proposal.pk] = S.APPROVED
        event("approval: merged" if outlook else "approval: as written")
        edited = {}  # claim -> the words the proposer deleted and inserted
        for change in changes:
            claim = change.claim_id
            seen = outlook.get(change.pk)
            shown = seen.merge.payload["text"] if seen else change.payload["text"]
            after = self.live_text(claim)
            assert after == shown, "the approval applied a text the reviewer did not see"
            # The change as its proposer wrote it, against the text it was written on.
            base, mine = words(change.before["text"]), words(change.payload["text"])
            edited[claim] = (base - mine, mine - base)
            # What the page showed: the live text before against the text applied.
            runs = diffs.word_diff(before[claim], shown)
            deleted = shown_words(runs, diffs.DELETED) & edited[claim][0]
            inserted = shown_words(runs, diffs.INSERTED)
            self.protected[claim] = (self.protected[claim] - deleted) | inserted
            self.live[claim] = after
        self.check_approved_words_stay()
        for claim, (deleted, inserted) in edited.items():
            # Word by word, the merge is the live text with the proposer's edit made in it.
            assert words(self.live[claim]) == (words(before[claim]) - deleted) | inserted

    def stale_pages(self) -> list[tuple[ChangeProposal, str]]:
        """Pages still open on a submitted proposal that has changed, or whose claims did."""
        if self.stale is None:
            self.pages = {(pk, page) for pk, page in self.pages if self.states[pk] == S.SUBMITTED}
            self.stale = []
            for pk, page in sorted(self.pages):
                proposal = ChangeProposal.objects.select_related("proposer").get(pk=pk)
                if workflow.content_fingerprint(proposal) != page:
                    self.stale.append((proposal, page))
        return self.stale

    @precondition(lambda self: self.stale_pages())
    @rule(pick=PICK)
    def approve_on_a_page_shown_before_another_approval(self, pick):
        stale = self.stale_pages()
        proposal, page = stale[pick % len(stale)]
        reviewer = next(
            self.user(name) for name in REVIEWERS if self.user(name).pk != proposal.proposer_id
        )
        self.refused(
            StaleReview,
            workflow.approve_proposal,
            proposal=proposal,
            user=reviewer,
            fingerprint=page,
        )

    @precondition(lambda self: self.in_state(S.SUBMITTED))
    @rule(pick=PICK, who=st.sampled_from(REVIEWERS))
    def request_changes(self, pick, who):
        proposal, reviewer = self.proposal(pick, S.SUBMITTED), self.user(who)
        arguments = {"proposal": proposal, "user": reviewer, "comment": "Say it plainer."}
        if reviewer.pk == proposal.proposer_id:
            self.refused(PermissionDenied, workflow.request_changes, **arguments)
            return
        workflow.request_changes(**arguments)
        self.states[proposal.pk] = S.CHANGES_REQUESTED

    @precondition(lambda self: self.in_state(S.CHANGES_REQUESTED))
    @rule(pick=PICK)
    def revise(self, pick):
        proposal = self.proposal(pick, S.CHANGES_REQUESTED)
        workflow.revise_proposal(proposal=proposal, user=proposal.proposer)
        self.states[proposal.pk] = S.DRAFT

    @precondition(lambda self: self.in_state(S.CONFLICT))
    @rule(pick=PICK, then_finish=st.booleans(), at=st.integers(0, 63))
    def rebase(self, pick, then_finish, at):
        """Rebase; and maybe, as its proposer usually does next, finish each change left in
        conflict on its conflict page and submit again."""
        proposal = self.proposal(pick, S.CONFLICT)
        changes = list(proposal.changes.order_by("position"))
        latest = workflow.latest_versions(changes)
        workflow.rebase_proposal(proposal=proposal, user=proposal.proposer)
        self.states[proposal.pk] = S.DRAFT
        for change in changes:
            rebased = ProposedChange.objects.get(pk=change.pk)
            now = self.live[change.claim_id]
            if latest[("claim", change.claim_id)] == change.base_version:
                assert rebased.payload == change.payload and rebased.conflict is None
                continue
            merged = diffs.merge(change.before["text"], now, change.payload["text"])
            if merged.clean:
                assert rebased.payload["text"] == merged.text and rebased.conflict is None
                assert rebased.before["text"] == now
                event("rebase: merged")
            else:
                assert rebased.payload == change.payload
                assert rebased.conflict["fields"]["text"]["draft"] == merged.draft
                event("rebase: conflict kept")
                if then_finish:
                    self.finish_by_hand(rebased, at)
        if then_finish:
            workflow.submit_proposal(proposal=proposal, user=proposal.proposer)
            self.states[proposal.pk] = S.SUBMITTED

    # ----------------------------------------------------------------------- invariants

    @invariant()
    def approved_words_stay(self):
        self.stale = None  # a move was made: pages are compared again
        self.check_approved_words_stay()

    def live_texts(self) -> dict[int, str]:
        return dict(Claim.objects.filter(pk__in=self.live).values_list("pk", "text"))

    def check_approved_words_stay(self):
        live = self.live_texts()
        for claim, kept in self.protected.items():
            lost = kept - words(live[claim])
            assert not lost, f"claim {claim} lost approved words {sorted(lost)}"

    @invariant()
    def only_approvals_change_live_text_and_states_follow_the_moves(self):
        assert self.live_texts() == self.live
        states = dict(ChangeProposal.objects.filter(pk__in=self.states).values_list("pk", "state"))
        assert states == self.states


@pytest.fixture
def world(db):
    claims = list(
        Claim.objects.filter(section__document=import_text(ARTICLE, "interleaved.txt").document)
        .select_related("section__document")
        .order_by("position")
    )
    assert [claim.text for claim in claims] == CLAIMS
    assert not any(claim.citations.exists() or claim.flags.exists() for claim in claims)
    users = {name: make_user(name, "Editor") for name in EDITORS}
    users.update({name: make_user(name, "Reviewer") for name in REVIEWERS})
    return {"document": claims[0].section.document, "claims": claims, "users": users}


def test_no_interleaving_of_editorial_moves_loses_an_approved_word(world):
    Interleavings.world = world
    run_state_machine_as_test(
        Interleavings,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            derandomize=True,  # CI plays the same sequences on every run
            database=None,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
