"""Approving a proposal costs a fixed number of queries plus the rows its changes write.

docs/design.md: query counts do not grow with content. ``approve_proposal`` locks the proposal,
reads its changes, locks their targets and checks their versions with one query each, so
a further change adds only its own writes: for a text edit, the claim's UPDATE and the
INSERT of its history row. A lookup per change (an N+1) shows up as one more query per
change than that, and as reads that grow with the proposal.

Measured on SQLite and PostgreSQL alike: approving n text edits takes 16 + 2n queries.
The 16: the test's savepoint and its release, locking the proposal, the reviewer's user
and group permissions (two), the changes, locking the targets and the edited claims'
citations and flags (which move with their words: three), their latest versions, the
revision's content type (cache cleared so every count includes it), the revision, its
versions (one bulk INSERT), the proposal's UPDATE and history row, the approval comment.
The edits append to each text, so no marker moves and none is written.
"""

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive import workflow
from archive.models import ChangeKind, Claim, ProposalState, Source

from .conftest import import_text

pytestmark = pytest.mark.django_db

FIXED = 16
WRITES_PER_CHANGE = 2  # the live row's UPDATE and its history row's INSERT


@pytest.fixture
def document(small_article):
    return import_text(small_article, "small.txt").document


def edit_claims(document, count, offset):
    claims = Claim.objects.filter(section__document=document).order_by("pk")[offset:]
    return [
        {"kind": ChangeKind.EDIT_CLAIM, "claim": claim, "payload": {"text": f"{claim.text} (ed.)"}}
        for claim in claims[:count]
    ]


def edit_sources(document, count, offset):
    sources = Source.objects.filter(document=document).order_by("pk")[offset:]
    return [
        {"kind": ChangeKind.EDIT_SOURCE, "source": source, "payload": {"title": f"Title {n}"}}
        for n, source in enumerate(sources[:count])
    ]


CHANGES = {"text edits": edit_claims, "source edits": edit_sources}


def approval_queries(document, editor, reviewer, changes) -> list[str]:
    """The SQL of approving one submitted proposal made of ``changes``."""
    assert changes, "the document is too small for this proposal"
    proposal = workflow.create_proposal(document=document, user=editor, rationale="Batch.")
    for change in changes:
        workflow.add_change(proposal=proposal, user=editor, **change)
    workflow.submit_proposal(proposal=proposal, user=editor)
    reviewer = User.objects.get(pk=reviewer.pk)  # as a request loads it: no cached permissions
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as queries:
        approved = workflow.approve_proposal(proposal=proposal, user=reviewer)
    assert approved.state == ProposalState.APPROVED
    assert len(approved.changes.all()) == len(changes)
    return [query["sql"] for query in queries.captured_queries]


def reads(queries: list[str]) -> int:
    return sum(1 for sql in queries if sql.lstrip().upper().startswith("SELECT"))


@pytest.mark.parametrize("kind", CHANGES)
def test_each_further_change_costs_only_its_writes(document, editor, reviewer, kind):
    five = approval_queries(document, editor, reviewer, CHANGES[kind](document, 5, offset=0))
    twenty = approval_queries(document, editor, reviewer, CHANGES[kind](document, 20, offset=5))

    assert reads(twenty) == reads(five), "a lookup per change (N+1)"
    per_change = (len(twenty) - len(five)) / 15
    assert per_change <= WRITES_PER_CHANGE
    total = len(twenty)
    assert total <= FIXED + 20 * WRITES_PER_CHANGE


def test_a_single_change_costs_the_fixed_overhead_and_its_writes(document, editor, reviewer):
    total = len(approval_queries(document, editor, reviewer, edit_claims(document, 1, offset=0)))
    assert total <= FIXED + WRITES_PER_CHANGE
