"""Drafts edited in place and edit conflicts finished by hand, through the admin."""

import pytest
from django.urls import reverse

from archive import workflow
from archive.models import ChangeProposal, Claim, ProposalState

from .conftest import draft_edit, make_user
from .test_admin_workflow import client_for, move_url, page_url, seen_on_page

pytestmark = pytest.mark.django_db

S = ProposalState
ORIGINAL = "Those found guilty were executed."


@pytest.fixture
def claim(seed_document):
    return Claim.objects.get(text=ORIGINAL)


@pytest.fixture
def otto(db):
    return make_user("otto", "Editor")


def edit_url(change):
    return reverse("admin:archive_changeproposal_edit_change", args=[change.proposal_id, change.pk])


def submitted(user, claim, text):
    return workflow.submit_proposal(proposal=draft_edit(user, claim, text), user=user)


def in_conflict(editor, otto, reviewer, claim, theirs, mine):
    """Otto's edit written against ORIGINAL, and Edna's approved before it."""
    late = submitted(otto, claim, mine)
    workflow.approve_proposal(proposal=submitted(editor, claim, theirs), user=reviewer)
    client = client_for(reviewer)
    client.post(move_url(late, "approve"), {"fingerprint": seen_on_page(client, late)})
    return ChangeProposal.objects.get(pk=late.pk)


# --------------------------------------------------------------------------- editing


def test_a_change_is_edited_in_place_from_the_proposal_page(editor, claim):
    proposal = draft_edit(editor, claim, "Those guilty were shot.")
    change = proposal.changes.get()
    client = client_for(editor)
    page = client.get(page_url(proposal)).content.decode()
    assert edit_url(change) in page

    form = client.get(edit_url(change))
    assert form.status_code == 200
    assert "Those guilty were shot." in form.content.decode()  # filled in with the change

    answer = client.post(edit_url(change), {"text": "Those guilty were hanged."})
    assert answer.status_code == 302
    change.refresh_from_db()
    assert (change.position, change.payload["text"]) == (1, "Those guilty were hanged.")
    assert proposal.changes.count() == 1


def test_an_edit_refused_by_the_workflow_shows_its_sentence_and_changes_nothing(editor, claim):
    proposal = draft_edit(editor, claim, "Those guilty were shot.")
    change = proposal.changes.get()
    answer = client_for(editor).post(edit_url(change), {"text": "bad\x01text"})
    assert answer.status_code == 200
    assert "control character" in answer.content.decode()
    change.refresh_from_db()
    assert change.payload["text"] == "Those guilty were shot."


def test_only_the_proposer_opens_the_edit_page(editor, otto, reviewer, claim):
    change = draft_edit(editor, claim, "Those guilty were shot.").changes.get()
    assert client_for(otto).get(edit_url(change)).status_code == 403
    assert client_for(reviewer).post(edit_url(change), {"text": "Mine."}).status_code == 403
    anonymous = client_for(None).get(edit_url(change))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    change.refresh_from_db()
    assert change.payload["text"] == "Those guilty were shot."


def test_the_rationale_is_edited_on_the_draft_page(editor, claim):
    proposal = draft_edit(editor, claim, "Those guilty were shot.")
    url = reverse("admin:archive_changeproposal_rationale", args=[proposal.pk])
    client = client_for(editor)
    assert 'name="rationale"' in client.get(page_url(proposal)).content.decode()

    client.post(url, {"rationale": "The court record, p. 12."})
    refused = client.post(url, {"rationale": "bad\x01"}, follow=True).content.decode()

    assert "control character" in refused
    proposal.refresh_from_db()
    assert proposal.rationale == "The court record, p. 12."
    assert proposal.history.filter(history_change_reason__contains="rationale").count() == 1


# --------------------------------------------------------------------------- merging


def test_the_reviewer_sees_a_stale_change_will_merge_and_approves_the_merge(
    editor, otto, reviewer, claim
):
    late = submitted(otto, claim, "All those found guilty were executed.")
    workflow.approve_proposal(
        proposal=submitted(editor, claim, "Those found guilty were shot."), user=reviewer
    )
    client = client_for(reviewer)

    page = client.get(page_url(late)).content.decode()
    assert "will merge" in page
    assert "<del>Those</del><ins>All those</ins> found guilty were shot." in page  # merged

    client.post(move_url(late, "approve"), {"fingerprint": seen_on_page(client, late)})
    assert ChangeProposal.objects.get(pk=late.pk).state == S.APPROVED
    assert Claim.objects.get(pk=claim.pk).text == "All those found guilty were shot."


def test_a_reviewer_sees_an_overlap_needs_the_proposer(editor, otto, reviewer, claim):
    late = submitted(otto, claim, "Those found guilty were hanged.")
    workflow.approve_proposal(
        proposal=submitted(editor, claim, "Those found guilty were shot."), user=reviewer
    )
    page = client_for(reviewer).get(page_url(late)).content.decode()
    assert "needs the proposer" in page and "will merge" not in page


def test_an_edit_conflict_is_finished_by_hand_on_its_page(editor, otto, reviewer, claim):
    proposal = in_conflict(
        editor,
        otto,
        reviewer,
        claim,
        theirs="Those found guilty were shot <b>at dawn</b>.",
        mine="Those found guilty were hanged.",
    )
    assert proposal.state == S.CONFLICT
    client = client_for(otto)
    client.post(move_url(proposal, "rebase"))
    change = proposal.changes.get()
    assert change.conflict is not None

    page = client.get(page_url(proposal)).content.decode()
    assert "Finish the merge" in page
    conflict = client.get(edit_url(change)).content.decode()
    for column in ("Base: what you started from", "Theirs: as approved since", "Mine:"):
        assert column in conflict
    assert "<b>at dawn</b>" not in conflict and "&lt;b&gt;at dawn&lt;/b&gt;" in conflict
    # The merged draft in the form reads as approved where both changed the same words.
    assert "Those found guilty were shot &lt;b&gt;at dawn&lt;/b&gt;.</textarea>" in conflict
    refused = client.post(move_url(proposal, "submit"), follow=True).content.decode()
    assert "is in conflict" in refused

    client.post(edit_url(change), {"text": "Those found guilty were hanged at dawn."})
    change.refresh_from_db()
    assert change.conflict is None
    client.post(move_url(proposal, "submit"))
    reviewing = client_for(reviewer)
    reviewing.post(
        move_url(proposal, "approve"), {"fingerprint": seen_on_page(reviewing, proposal)}
    )
    assert Claim.objects.get(pk=claim.pk).text == "Those found guilty were hanged at dawn."
