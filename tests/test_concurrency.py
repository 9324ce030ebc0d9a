"""Approvals racing each other on PostgreSQL: exactly one applies, nothing is lost, no deadlock.

The other workflow tests run in one connection, where nothing can race. Here each reviewer
approves from a thread with a connection of its own, released by a barrier at the same
moment, so ``approve_proposal``'s row locks (``select_for_update`` on the proposal, then on
every row it writes, in one global order) are what keeps the outcome right. Each scenario
is repeated, since a race shows up only in some interleavings.

PostgreSQL only. SQLite has no row locks: a deployment's file database starts every write
transaction with ``BEGIN IMMEDIATE`` (``archive_site/settings/base.py``), so the second
approval waits for the first to commit before it reads anything and these races cannot
happen. Run against such a file these scenarios pass, and with deferred transactions they
fail with "database is locked"; but the suite's SQLite test database lives in memory with
a shared cache, whose table locks fail at once instead of waiting, so here they would only
test that stand-in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from reversion.models import Revision

from archive import workflow
from archive.models import ChangeKind, ChangeProposal, Claim, ProposalState, ReviewComment
from archive.workflow import WorkflowError

from .conftest import import_text, make_user

ITERATIONS = 25

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections with row locks (SQLite serializes "
        "every write transaction with BEGIN IMMEDIATE, so approvals cannot overlap there)",
    ),
    pytest.mark.django_db(transaction=True),
]

S = ProposalState

CLAIMS = [
    "The first claim stays as it is.",
    "The second claim is the one reviewers fight over.",
    "A third claim closes the paragraph.",
]
ARTICLE = f"Racing article\n\nEarly history\n\n{' '.join(CLAIMS)}\n"


@dataclass
class Outcome:
    result: object = None
    error: BaseException | None = None


def race(*calls: Callable[[], object]) -> list[Outcome]:
    """Run the calls at the same moment, each in its own thread and database connection."""
    barrier = threading.Barrier(len(calls))
    outcomes = [Outcome() for _ in calls]

    def run(call, outcome):
        try:
            barrier.wait(timeout=30)
            outcome.result = call()
        except BaseException as error:  # reported by the caller, whatever it is
            outcome.error = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(call, outcome), daemon=True)
        for call, outcome in zip(calls, outcomes, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an approval never finished"
    return outcomes


def approving(proposal, reviewer, comment=""):
    return lambda: workflow.approve_proposal(proposal=proposal, user=reviewer, comment=comment)


def submitted(proposer, document, *, kind=ChangeKind.EDIT_CLAIM, **change):
    proposal = workflow.create_proposal(document=document, user=proposer, rationale="Race.")
    workflow.add_change(proposal=proposal, user=proposer, kind=kind, **change)
    return workflow.submit_proposal(proposal=proposal, user=proposer)


def unexpected(outcomes: list[Outcome]) -> list[BaseException]:
    return [o.error for o in outcomes if o.error and not isinstance(o.error, WorkflowError)]


@pytest.fixture
def document(db):
    return import_text(ARTICLE, "race.txt").document


@pytest.fixture
def claim(document):
    return Claim.objects.get(text__startswith="The second claim")


@pytest.fixture
def people(db):
    return {
        "edna": make_user("edna", "Editor"),
        "otto": make_user("otto", "Editor"),
        "rita": make_user("rita", "Reviewer"),
        "rolf": make_user("rolf", "Reviewer"),
    }


def test_two_reviewers_approving_the_same_proposal_at_once_apply_it_once(document, claim, people):
    for iteration in range(ITERATIONS):
        text = f"The second claim, reworded in round {iteration + 1}."
        proposal = submitted(people["edna"], document, claim=claim, payload={"text": text})
        history_before = claim.history.count()

        outcomes = race(
            approving(proposal, people["rita"], "Rita agrees."),
            approving(proposal, people["rolf"], "Rolf agrees."),
        )

        assert not unexpected(outcomes), f"iteration {iteration}: {unexpected(outcomes)}"
        winners = [o.result for o in outcomes if o.error is None]
        losers = [o.error for o in outcomes if o.error is not None]
        assert len(winners) == 1, f"iteration {iteration}: {len(winners)} approvals applied"
        assert "is approved; it cannot be approved now" in str(losers[0])
        proposal.refresh_from_db()
        assert proposal.state == S.APPROVED
        assert proposal.reviewer == winners[0].reviewer
        assert Claim.objects.get(pk=claim.pk).text == text
        assert claim.history.count() == history_before + 1
        assert claim.history.filter(history_proposal=proposal).count() == 1
        assert Revision.objects.filter(comment__startswith=f"proposal #{proposal.pk} ").count() == 1
        approvals = proposal.comments.filter(action=ReviewComment.Action.APPROVE)
        assert approvals.count() == 1


def test_two_reviewers_approving_conflicting_proposals_at_once_apply_exactly_one(
    document, claim, people
):
    outcomes_seen = set()
    for iteration in range(ITERATIONS):
        texts = {
            "edna": f"Edna's wording, round {iteration + 1}.",
            "otto": f"Otto's wording, round {iteration + 1}.",
        }
        ednas = submitted(people["edna"], document, claim=claim, payload={"text": texts["edna"]})
        ottos = submitted(people["otto"], document, claim=claim, payload={"text": texts["otto"]})
        history_before = claim.history.count()

        calls = [approving(ednas, people["rita"]), approving(ottos, people["rolf"])]
        # Alternate which thread starts first, so neither proposal wins by position alone.
        outcomes = race(*(calls if iteration % 2 else reversed(calls)))

        errors = [o.error for o in outcomes if o.error]
        assert not errors, f"iteration {iteration}: {errors}"
        ednas.refresh_from_db()
        ottos.refresh_from_db()
        states = {ednas.state, ottos.state}
        assert states == {S.APPROVED, S.CONFLICT}, f"iteration {iteration}: {states}"
        winner, loser = (ednas, ottos) if ednas.state == S.APPROVED else (ottos, ednas)
        outcomes_seen.add(winner.proposer.username)
        winning_text = texts[winner.proposer.username]
        assert Claim.objects.get(pk=claim.pk).text == winning_text
        # One new version, the winner's; the loser wrote nothing to the claim.
        assert claim.history.count() == history_before + 1
        assert claim.history.first().history_proposal == winner
        assert claim.history.first().text == winning_text
        assert not claim.history.filter(history_proposal=loser).exists()
        assert loser.revision is None
        assert f"claim #{claim.pk} changed since" in loser.comments.last().body
        # Nothing is lost: the losing wording waits in its proposal, ready to rebase.
        assert loser.changes.get().payload["text"] == texts[loser.proposer.username]
    # Each proposal won some rounds, so both ways the race can end were checked.
    assert outcomes_seen == {"edna", "otto"}


def test_reviewers_approving_each_others_proposals_at_once_both_apply_without_deadlock(
    document, people
):
    """Rita and Rolf both propose and review; each approves the other's proposal at once."""
    first, _, third = Claim.objects.filter(section__document=document).order_by("position")
    for iteration in range(ITERATIONS):
        ritas = submitted(
            people["rita"], document, claim=first, payload={"text": f"Rita's {iteration}."}
        )
        rolfs = submitted(
            people["rolf"], document, claim=third, payload={"text": f"Rolf's {iteration}."}
        )

        outcomes = race(approving(ritas, people["rolf"]), approving(rolfs, people["rita"]))

        errors = [o.error for o in outcomes if o.error]
        assert not errors, f"iteration {iteration}: {errors}"
        assert Claim.objects.get(pk=first.pk).text == f"Rita's {iteration}."
        assert Claim.objects.get(pk=third.pk).text == f"Rolf's {iteration}."
        assert set(
            ChangeProposal.objects.filter(pk__in=[ritas.pk, rolfs.pk]).values_list(
                "state", flat=True
            )
        ) == {S.APPROVED}


def test_an_edit_racing_an_insertion_before_it_is_never_overwritten(document, claim, people):
    """An insertion renumbers the claims after it; it must not write back an old text.

    Either both apply, or the edit ends in conflict because the renumbering gave its claim
    a newer version first. What never happens: the edit is approved and its text is gone.
    """
    section = claim.section
    for iteration in range(ITERATIONS):
        text = f"The second claim, edited in round {iteration + 1}."
        editing = submitted(people["edna"], document, claim=claim, payload={"text": text})
        inserting = submitted(
            people["otto"],
            document,
            kind=ChangeKind.ADD_CLAIM,
            section=section,
            payload={"text": f"Inserted in round {iteration + 1}.", "position": 1},
        )

        outcomes = race(approving(editing, people["rita"]), approving(inserting, people["rolf"]))

        errors = [o.error for o in outcomes if o.error]
        assert not errors, f"iteration {iteration}: {errors}"
        editing.refresh_from_db()
        inserting.refresh_from_db()
        assert inserting.state == S.APPROVED
        assert editing.state in (S.APPROVED, S.CONFLICT)
        live = Claim.objects.get(pk=claim.pk)
        latest = claim.history.first()
        # The newest history row always tells the truth about the live row.
        assert (latest.text, latest.position) == (live.text, live.position)
        if editing.state == S.APPROVED:
            assert live.text == text, f"iteration {iteration}: the approved edit was lost"
        positions = list(section.claims.order_by("position").values_list("position", flat=True))
        assert positions == list(range(1, len(positions) + 1))
        claim = live


def test_removing_a_claim_while_its_citation_changes_records_the_citation_as_it_was(people):
    """The removal deletes the claim's citations; the deletion must record their last values.

    Either the citation change lands first and the removal then deletes the changed
    citation, or the removal lands first and the change ends in conflict. Either way the
    citation's last history row is its deletion, dated last, with the values it had.
    """
    claims = " ".join(f"Claim {n} rests on a source.[1]" for n in range(1, ITERATIONS + 1))
    document = import_text(f"Cited article\n\nEvidence\n\n{claims}\n", "cited.txt").document
    for iteration in range(ITERATIONS):
        claim = Claim.objects.get(
            section__document=document, text=f"Claim {iteration + 1} rests on a source."
        )
        citation = claim.citations.get()
        removing = submitted(people["edna"], document, kind=ChangeKind.REMOVE_CLAIM, claim=claim)
        relocating = submitted(
            people["otto"],
            document,
            kind=ChangeKind.CHANGE_CITATION,
            citation=citation,
            payload={"locator": f"p. {iteration + 1}", "quotation": ""},
        )

        calls = [approving(removing, people["rita"]), approving(relocating, people["rolf"])]
        outcomes = race(*(calls if iteration % 2 else reversed(calls)))

        errors = [o.error for o in outcomes if o.error]
        assert not errors, f"iteration {iteration}: {errors}"
        removing.refresh_from_db()
        relocating.refresh_from_db()
        assert removing.state == S.APPROVED
        assert relocating.state in (S.APPROVED, S.CONFLICT)
        assert not Claim.objects.filter(pk=claim.pk).exists()
        *earlier, deletion = citation.history.order_by("history_date", "history_id")
        assert deletion.history_type == "-", f"iteration {iteration}: deleted, then changed?"
        assert deletion.history_proposal == removing
        expected = f"p. {iteration + 1}" if relocating.state == S.APPROVED else ""
        assert earlier[-1].locator == expected
        assert deletion.locator == expected, (
            f"iteration {iteration}: deletion recorded stale values"
        )
