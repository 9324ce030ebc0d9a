"""An edit of a claim's text moves its citations and flags with their words, or asks where.

Scenarios on one short article: edits that keep every marker's words are accepted and
their approval moves the markers, with history; an edit that leaves a citation or an open
flag without its words is refused until the proposer places it (``payload["anchors"]``);
markers that changed between proposal and approval put the approval in conflict.
"""

import pytest
from django.utils import timezone

from archive import workflow
from archive.models import ChangeKind, Citation, Claim, Flag, FlagStatus, ProposalState
from archive.workflow import InvalidChange, WorkflowError

from .anchor_helpers import ARTICLE, ENTERED, REWRITTEN, SURRENDERED, propose_edit, where
from .conftest import import_text, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def entered(fall_of_berlin):
    return Claim.objects.get(text=ENTERED)


@pytest.fixture
def surrendered(fall_of_berlin):
    return Claim.objects.get(text=SURRENDERED)


def cited(claim, label: str) -> Citation:
    return claim.citations.get(source__label=label)


def flagged(claim, label: str) -> Flag:
    return claim.flags.get(label=label)


# --------------------------------------------------------------------------- kept words


def test_an_edit_keeping_the_words_around_each_citation_moves_them_on_approval(
    editor, reviewer, entered
):
    first, second = cited(entered, "1"), cited(entered, "2")
    new = f"After a week of shelling, {ENTERED}"
    proposal = propose_edit(editor, entered, new)
    assert proposal.changes.get().payload == {"text": new}  # nothing to place
    assert (
        where(ENTERED, first)
        == "Soviet troops entered Berlin| on 21 April, meeting little resistance."
    )

    approved = workflow.approve_proposal(proposal=proposal, user=reviewer)

    assert approved.state == ProposalState.APPROVED
    assert where(new, first) == (
        "After a week of shelling, Soviet troops entered Berlin| on 21 April, meeting little "
        "resistance."
    )
    assert where(new, second) == new + "|"
    for citation in (first, second):
        latest = citation.history.first()
        assert (latest.offset, latest.history_type) == (citation.offset, "~")
        assert latest.history_proposal == approved
        assert latest.history_user == reviewer
        assert f"proposal #{approved.pk} approved by rita" in latest.history_change_reason
    written = {
        (v.content_type.model, int(v.object_id)) for v in approved.revision.version_set.all()
    }
    assert written == {("claim", entered.pk), ("citation", first.pk), ("citation", second.pk)}


def test_a_marker_whose_place_does_not_change_is_not_written_again(editor, reviewer, entered):
    first = cited(entered, "1")
    versions = first.history.count()
    new = "Soviet troops entered Berlin on 21 April, meeting little organised resistance."
    workflow.approve_proposal(proposal=propose_edit(editor, entered, new), user=reviewer)
    assert where(new, first).startswith("Soviet troops entered Berlin| on 21 April")
    assert first.history.count() == versions


def test_flags_move_with_their_words_as_citations_do(editor, reviewer, surrendered):
    who = flagged(surrendered, "who?")
    new = SURRENDERED.replace("some historians", "some military historians")
    workflow.approve_proposal(proposal=propose_edit(editor, surrendered, new), user=reviewer)
    assert "some military historians| call the fighting" in where(new, who)
    assert where(new, flagged(surrendered, "citation needed")) == new + "|"
    assert who.history.first().history_change_reason.startswith("proposal #")


# --------------------------------------------------------------------------- lost words


def test_an_edit_that_leaves_a_citation_without_its_words_is_refused_naming_it(editor, entered):
    proposal = workflow.create_proposal(
        document=entered.section.document, user=editor, rationale="Shorter."
    )
    with pytest.raises(InvalidChange) as refused:
        workflow.add_change(
            proposal=proposal,
            user=editor,
            kind=ChangeKind.EDIT_CLAIM,
            claim=entered,
            payload={"text": REWRITTEN},
        )
    (message,) = refused.value.errors["anchors"]  # [2] keeps "meeting little resistance."
    assert message == (
        "Citation [1] would lose its place: the words around it (“…et troops entered "
        "Berlin‸ on 21 April, meeting li…”) are not in the new text. Say where it goes in the "
        "new text."
    )
    assert not proposal.changes.exists()


def test_placing_the_citation_answers_and_approval_puts_it_there(editor, reviewer, entered):
    first, second = cited(entered, "1"), cited(entered, "2")
    after_fell = len("The capital fell")
    proposal = propose_edit(
        editor, entered, REWRITTEN, anchors={"citations": {first.pk: after_fell}}
    )
    change = proposal.changes.get()
    assert change.payload["anchors"] == {"citations": {str(first.pk): after_fell}}

    approved = workflow.approve_proposal(proposal=proposal, user=reviewer)

    assert where(REWRITTEN, first) == (
        "The capital fell| after a two-week siege, meeting little resistance."
    )
    assert where(REWRITTEN, second) == REWRITTEN + "|"
    assert first.history.first().history_proposal == approved


def test_an_open_flag_without_its_words_is_asked_about_and_a_resolved_one_is_not(
    editor, reviewer, surrendered
):
    new = "The garrison surrendered on 2 May 1945, ending the battle for the city."
    with pytest.raises(InvalidChange, match=r"Flag \[who\?\] would lose its place"):
        propose_edit(editor, surrendered, new)

    # Resolved flags are not shown to readers: nobody is asked where one goes.
    who = flagged(surrendered, "who?")
    Flag.objects.filter(pk=who.pk).update(status=FlagStatus.RESOLVED, resolved_at=timezone.now())
    workflow.approve_proposal(proposal=propose_edit(editor, surrendered, new), user=reviewer)
    who.refresh_from_db()
    assert who.offset is None  # after the text, the old offset kept in its history
    assert who.history.all()[1].offset == len(
        "The garrison surrendered on 2 May 1945, and some historians"
    )


BAD_PLACEMENTS = {
    "not a mapping": (["1"], "Placements read"),
    "unknown kind": ({"tags": {}}, "Placements read"),
    "past the end": ({"citations": {"{first}": len(REWRITTEN) + 1}}, f"from 0 to {len(REWRITTEN)}"),
    "negative": ({"citations": {"{first}": -1}}, f"from 0 to {len(REWRITTEN)}"),
    "not a number": ({"citations": {"{first}": "16"}}, "whole number"),
    "a boolean": ({"citations": {"{first}": True}}, "whole number"),
    "another claim's citation": ({"citations": {"{other}": 3}}, "not one of this claim's"),
    "a citation as a flag": ({"flags": {"{first}": 3}}, "not one of this claim's flags"),
}


@pytest.mark.parametrize("anchors, message", BAD_PLACEMENTS.values(), ids=BAD_PLACEMENTS)
def test_placements_are_checked(editor, entered, surrendered, anchors, message):
    ids = {"{first}": str(cited(entered, "1").pk), "{other}": str(cited(surrendered, "3").pk)}
    if isinstance(anchors, dict):
        anchors = {
            kind: {ids.get(key, key): offset for key, offset in rows.items()}
            for kind, rows in anchors.items()
        }
    with pytest.raises(InvalidChange) as refused:
        propose_edit(editor, entered, REWRITTEN, anchors=anchors)
    assert any(message in text for text in refused.value.errors["anchors"])


# --------------------------------------------------------------------------- after proposing


def test_a_marker_moved_since_the_edit_was_written_puts_the_approval_in_conflict(
    editor, reviewer, archivist_user, entered
):
    new = "Soviet troops entered Berlin on 21 April; the defenders were exhausted."
    second = cited(entered, "2")
    proposal = propose_edit(editor, entered, new)  # [2] at the end: it stays at the end
    # An archivist puts [2] after "meeting" meanwhile: words the edit removes.
    second.offset = len("Soviet troops entered Berlin on 21 April, meeting")
    workflow.edit_record(obj=second, user=archivist_user, reason="Cites the meeting only.")

    result = workflow.approve_proposal(proposal=proposal, user=reviewer)

    assert result.state == ProposalState.CONFLICT
    note = result.comments.last().body
    assert note.startswith("change 1: Citation [2] would lose its place")
    assert Claim.objects.get(pk=entered.pk).text == ENTERED  # nothing applied

    rebased = workflow.rebase_proposal(proposal=result, user=editor)
    assert "Edit the change to say where." in rebased.comments.last().body
    with pytest.raises(WorkflowError, match="cannot be submitted: change 1: Citation \\[2\\]"):
        workflow.submit_proposal(proposal=rebased, user=editor)


def test_an_edit_written_against_an_older_text_merges_and_its_markers_move_from_the_newer(
    editor, reviewer, entered
):
    other_editor = make_user("otto", "Editor")
    first = cited(entered, "1")
    mine = "Soviet troops entered Berlin on 21 April, meeting little resistance at first."
    theirs = "Soviet troops finally entered Berlin on 21 April, meeting little resistance."
    late = propose_edit(other_editor, entered, mine)
    workflow.approve_proposal(proposal=propose_edit(editor, entered, theirs), user=reviewer)
    assert where(theirs, first).startswith("Soviet troops finally entered Berlin| on")

    # The two edits touch different words: the approval merges them, keeping both.
    approved = workflow.approve_proposal(proposal=late, user=reviewer)

    assert approved.state == ProposalState.APPROVED
    merged = "Soviet troops finally entered Berlin on 21 April, meeting little resistance at first."
    assert Claim.objects.get(pk=entered.pk).text == merged
    assert where(merged, first) == (
        "Soviet troops finally entered Berlin| on 21 April, meeting little resistance at first."
    )


def test_a_reimport_puts_a_citation_that_lost_its_words_where_the_file_has_it(
    editor, reviewer, entered
):
    # Nobody is asked: the file itself says where the marker now stands.
    changed = ARTICLE.replace(
        "Soviet troops entered Berlin[1] on 21 April, meeting little resistance.[2]",
        "Soviet troops took the capital in late April, meeting little resistance.[1][2]",
    )
    proposal = import_text(changed, "fall.txt", user=editor).proposal
    assert proposal.changes.filter(kind=ChangeKind.EDIT_CLAIM).count() == 1

    workflow.approve_proposal(proposal=proposal, user=reviewer)

    first, second = cited(entered, "1"), cited(entered, "2")
    text = Claim.objects.get(pk=entered.pk).text
    assert text == "Soviet troops took the capital in late April, meeting little resistance."
    assert first.offset == len(text)
    assert where(text, second) == text + "|"
