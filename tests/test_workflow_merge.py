"""Two editors on the same records: three-way merges, conflicts finished by hand, drafts
edited in place, and decisions bound to what the reviewer saw."""

import pytest

from archive import workflow
from archive.models import (
    ChangeKind,
    ChangeProposal,
    Claim,
    Flag,
    ProposalState,
    ProposedChange,
    Section,
    Source,
)
from archive.workflow import InvalidChange, StaleReview, WorkflowError

from .conftest import make_user

pytestmark = pytest.mark.django_db

S = ProposalState
BASE = "Those found guilty were executed."


@pytest.fixture
def claim(seed_document):
    return Claim.objects.get(text__startswith=BASE)


@pytest.fixture
def otto(db):
    return make_user("otto", "Editor")


def draft(user, document, kind=ChangeKind.EDIT_CLAIM, **change):
    proposal = workflow.create_proposal(document=document, user=user, rationale="Sources say.")
    workflow.add_change(proposal=proposal, user=user, kind=kind, **change)
    return proposal


def submitted(user, document, kind=ChangeKind.EDIT_CLAIM, **change):
    return workflow.submit_proposal(proposal=draft(user, document, kind, **change), user=user)


def edit(claim, text):
    return {"claim": claim, "payload": {"text": text}}


def text_of(claim):
    return Claim.objects.get(pk=claim.pk).text


# --------------------------------------------------------------------------- claim texts


def test_edits_of_different_words_by_two_editors_both_survive_rebase_and_approval(
    editor, otto, reviewer, claim
):
    document = claim.section.document
    first = submitted(editor, document, **edit(claim, "Those found guilty were shot."))
    second = submitted(otto, document, **edit(claim, "All those found guilty were executed."))
    workflow.approve_proposal(proposal=first, user=reviewer)

    # The reviewer had second's page open from before: that decision is refused...
    stale_page = workflow.content_fingerprint(second)
    third = submitted(editor, document, **edit(claim, "Those found guilty were shot at dawn."))
    workflow.approve_proposal(proposal=third, user=reviewer)
    with pytest.raises(StaleReview, match="changed since the page you decided on"):
        workflow.approve_proposal(proposal=second, user=reviewer, fingerprint=stale_page)
    assert text_of(claim) == "Those found guilty were shot at dawn."

    # ...and on the page as it is now, the approval merges Otto's words into the new text.
    seen = workflow.content_fingerprint(second)
    approved = workflow.approve_proposal(proposal=second, user=reviewer, fingerprint=seen)
    assert approved.state == S.APPROVED
    assert text_of(claim) == "All those found guilty were shot at dawn."
    change = approved.changes.get()
    assert change.payload["text"] == "All those found guilty were shot at dawn."
    assert change.before["text"] == "Those found guilty were shot at dawn."


def test_a_rebase_merges_what_does_not_overlap_and_says_so(editor, otto, reviewer, claim):
    document = claim.section.document
    mine = draft(otto, document, **edit(claim, "Those found guilty were executed by the NKVD."))
    workflow.approve_proposal(
        proposal=submitted(editor, document, **edit(claim, "All found guilty were executed.")),
        user=reviewer,
    )
    workflow.submit_proposal(proposal=mine, user=otto)
    in_conflict = ChangeProposal.objects.get(pk=mine.pk)
    in_conflict.state = S.CONFLICT  # as an approval on a page rendered before would leave it
    in_conflict.save(update_fields=["state"])

    rebased = workflow.rebase_proposal(proposal=in_conflict, user=otto)

    assert rebased.state == S.DRAFT
    assert "change 1 merged with what changed since" in rebased.comments.last().body
    change = rebased.changes.get()
    assert change.conflict is None
    assert change.payload["text"] == "All found guilty were executed by the NKVD."
    workflow.submit_proposal(proposal=rebased, user=otto)
    workflow.approve_proposal(proposal=rebased, user=reviewer)
    assert text_of(claim) == "All found guilty were executed by the NKVD."


def test_overlapping_edits_conflict_until_the_proposer_finishes_the_merge(
    editor, otto, reviewer, claim
):
    document = claim.section.document
    first = submitted(editor, document, **edit(claim, "Those found guilty were shot by the NKVD."))
    second = submitted(otto, document, **edit(claim, "Those found guilty were hanged in 1945."))
    workflow.approve_proposal(proposal=first, user=reviewer)

    result = workflow.approve_proposal(proposal=second, user=reviewer)
    assert result.state == S.CONFLICT
    assert f"claim #{claim.pk} changed since (text)" in result.comments.last().body
    assert text_of(claim) == "Those found guilty were shot by the NKVD."

    rebased = workflow.rebase_proposal(proposal=result, user=otto)
    change = rebased.changes.get()
    conflict = change.conflict["fields"]["text"]
    assert conflict["base"] == BASE
    assert conflict["theirs"] == "Those found guilty were shot by the NKVD."
    assert conflict["mine"] == "Those found guilty were hanged in 1945."
    # The draft keeps the approved words where both changed the same ones.
    assert conflict["draft"] == "Those found guilty were shot by the NKVD."
    assert conflict["overlaps"] == [
        {"base": "executed", "theirs": "shot by the NKVD", "mine": "hanged in 1945"}
    ]
    assert "change 1 in conflict (text" in rebased.comments.last().body
    with pytest.raises(WorkflowError, match="change 1 is in conflict"):
        workflow.submit_proposal(proposal=rebased, user=otto)

    workflow.edit_change(
        change=change,
        user=otto,
        payload={"text": "Those found guilty were shot by the NKVD in 1945."},
    )
    workflow.submit_proposal(proposal=rebased, user=otto)
    workflow.approve_proposal(proposal=rebased, user=reviewer)
    assert text_of(claim) == "Those found guilty were shot by the NKVD in 1945."


def test_a_review_status_set_since_does_not_stop_a_text_edit(editor, reviewer, claim):
    document = claim.section.document
    text_edit = submitted(editor, document, **edit(claim, "Those found guilty were shot."))
    status = submitted(
        reviewer,
        document,
        ChangeKind.SET_REVIEW_STATUS,
        claim=claim,
        payload={"review_status": "disputed"},
    )
    workflow.approve_proposal(proposal=status, user=make_user("rosa", "Reviewer"))

    workflow.approve_proposal(proposal=text_edit, user=reviewer)

    claim.refresh_from_db()
    assert (claim.text, claim.review_status) == ("Those found guilty were shot.", "disputed")


def test_removing_a_claim_someone_edited_since_needs_the_proposer(editor, otto, reviewer, claim):
    document = claim.section.document
    removal = submitted(otto, document, ChangeKind.REMOVE_CLAIM, claim=claim)
    workflow.approve_proposal(
        proposal=submitted(editor, document, **edit(claim, "Those found guilty were shot.")),
        user=reviewer,
    )

    assert workflow.approve_proposal(proposal=removal, user=reviewer).state == S.CONFLICT
    assert Claim.objects.filter(pk=claim.pk).exists()
    rebased = workflow.rebase_proposal(proposal=removal, user=otto)
    assert rebased.changes.get().conflict["fields"]["text"]["theirs"] == (
        "Those found guilty were shot."
    )


# --------------------------------------------------------------------------- other fields


def test_source_fields_merge_field_by_field(editor, otto, reviewer, seed_document):
    source = Source.objects.get(document=seed_document, label="39")
    fields = {name: getattr(source, name) for name in workflow.SOURCE_FIELDS}
    publisher = submitted(
        editor,
        seed_document,
        ChangeKind.EDIT_SOURCE,
        source=source,
        payload={**fields, "publisher": "Ullstein"},
    )
    author = submitted(
        otto,
        seed_document,
        ChangeKind.EDIT_SOURCE,
        source=source,
        payload={**fields, "author": "A. Historian"},
    )
    workflow.approve_proposal(proposal=publisher, user=reviewer)

    assert workflow.approve_proposal(proposal=author, user=reviewer).state == S.APPROVED

    source.refresh_from_db()
    assert (source.publisher, source.author) == ("Ullstein", "A. Historian")


def test_one_heading_changed_differently_by_two_editors_conflicts(
    editor, otto, reviewer, seed_document
):
    section = seed_document.sections.exclude(heading="").first()
    document = section.document
    first = submitted(
        editor, document, ChangeKind.EDIT_HEADING, section=section, payload={"heading": "One"}
    )
    second = submitted(
        otto, document, ChangeKind.EDIT_HEADING, section=section, payload={"heading": "Two"}
    )
    workflow.approve_proposal(proposal=first, user=reviewer)

    assert workflow.approve_proposal(proposal=second, user=reviewer).state == S.CONFLICT
    rebased = workflow.rebase_proposal(proposal=second, user=otto)
    assert rebased.changes.get().conflict["fields"]["heading"] == {
        "base": section.heading,
        "theirs": "One",
        "mine": "Two",
    }
    assert Section.objects.get(pk=section.pk).heading == "One"


def test_resolving_a_flag_someone_resolved_since_needs_the_proposer(editor, otto, reviewer, claim):
    document = claim.section.document
    flag = (
        workflow.approve_proposal(
            proposal=submitted(
                editor,
                document,
                ChangeKind.RAISE_FLAG,
                claim=claim,
                payload={"kind": "citation_needed", "reason": "Which court?"},
            ),
            user=reviewer,
        )
        .changes.get()
        .result_id
    )
    flag = Flag.objects.get(pk=flag)
    mine = submitted(otto, document, ChangeKind.RESOLVE_FLAG, flag=flag, payload={"reason": "A"})
    theirs = submitted(
        editor, document, ChangeKind.RESOLVE_FLAG, flag=flag, payload={"reason": "B"}
    )
    workflow.approve_proposal(proposal=theirs, user=reviewer)

    assert workflow.approve_proposal(proposal=mine, user=reviewer).state == S.CONFLICT
    assert Flag.objects.get(pk=flag.pk).resolution == "B"


# --------------------------------------------------------------------------- drafts


def test_a_second_edit_of_a_claim_in_a_draft_replaces_the_first(editor, claim):
    proposal = draft(editor, claim.section.document, **edit(claim, "First wording."))
    change = workflow.propose_change(
        document=claim.section.document,
        user=editor,
        kind=ChangeKind.EDIT_CLAIM,
        **edit(claim, "Second wording."),
    )
    assert change.replaced_earlier and change.proposal == proposal
    assert list(proposal.changes.values_list("position", "payload")) == [
        (1, {"text": "Second wording."})
    ]


def test_a_change_is_edited_in_place_and_positions_stay_compact(editor, claim):
    document = claim.section.document
    other = Claim.objects.filter(section__document=document, citations=None, flags=None).first()
    proposal = draft(editor, document, **edit(claim, "First."))
    workflow.add_change(proposal=proposal, user=editor, kind="edit_claim", **edit(other, "Two."))
    third = workflow.add_change(
        proposal=proposal,
        user=editor,
        kind="raise_flag",
        claim=other,
        payload={"kind": "citation_needed", "reason": "Which?"},
    )

    workflow.edit_change(
        change=third, user=editor, payload={"kind": "citation_needed", "reason": "Which one?"}
    )
    assert proposal.changes.get(position=3).payload["reason"] == "Which one?"
    with pytest.raises(InvalidChange) as refused:
        workflow.edit_change(change=third, user=editor, payload={"kind": "nonsense", "reason": "x"})
    assert "kind" in refused.value.errors
    assert proposal.changes.get(position=3).payload["reason"] == "Which one?"

    workflow.remove_change(change=proposal.changes.get(position=1), user=editor)
    assert list(proposal.changes.order_by("position").values_list("position", "kind")) == [
        (1, "edit_claim"),
        (2, "raise_flag"),
    ]


def test_only_the_proposer_edits_a_change_and_only_in_a_draft(editor, otto, claim):
    proposal = draft(editor, claim.section.document, **edit(claim, "First."))
    change = proposal.changes.get()
    with pytest.raises(Exception, match="Only the proposer"):
        workflow.edit_change(change=change, user=otto, payload={"text": "Mine."})
    workflow.submit_proposal(proposal=proposal, user=editor)
    with pytest.raises(WorkflowError, match="only drafts can be edited"):
        workflow.edit_change(change=change, user=editor, payload={"text": "Later."})
    assert ProposedChange.objects.get(pk=change.pk).payload == {"text": "First."}


def test_the_rationale_is_editable_until_submitted_and_every_wording_is_kept(editor, claim):
    proposal = draft(editor, claim.section.document, **edit(claim, "First."))
    workflow.edit_rationale(proposal=proposal, user=editor, rationale="The court record says.")
    with pytest.raises(InvalidChange, match="control character"):
        workflow.edit_rationale(proposal=proposal, user=editor, rationale="bad\x01")
    with pytest.raises(InvalidChange) as too_long:
        workflow.edit_rationale(proposal=proposal, user=editor, rationale="x" * 10_001)
    assert "rationale" in too_long.value.errors
    workflow.submit_proposal(proposal=proposal, user=editor)
    with pytest.raises(WorkflowError, match="only drafts"):
        workflow.edit_rationale(proposal=proposal, user=editor, rationale="Too late.")

    wordings = list(proposal.history.order_by("history_id").values_list("rationale", flat=True))
    assert wordings[0] == "Sources say."
    assert "The court record says." in wordings
    assert ChangeProposal.objects.get(pk=proposal.pk).rationale == "The court record says."
