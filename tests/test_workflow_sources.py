"""New sources through proposals: an editor proposes a source and cites it in the same
proposal, a second person approves, and every refusal names the field it is about."""

import pytest
from django.db.models import Max

from archive import workflow
from archive.models import (
    ChangeKind,
    Citation,
    Claim,
    ProposalState,
    ProposedChange,
    Source,
)
from archive.workflow import InvalidChange, WorkflowError

pytestmark = pytest.mark.django_db

S = ProposalState
BEEVOR = {
    "label": "Beevor 2002",
    "kind": "reference",
    "title": "Berlin: The Downfall 1945",
    "author": "Antony Beevor",
    "publisher": "Viking",
    "published": "2002",
    "url": "https://example.org/beevor",
    "archive_url": "https://web.archive.org/web/2020/https://example.org/beevor",
    "isbn": "978-0-670-88695-9",
    "doi": "10.1000/beevor",
    "note_text": "Beevor, Antony (2002). Berlin: The Downfall 1945. Viking.",
}


@pytest.fixture
def claim(seed_document):
    return Claim.objects.get(text__startswith="Those found guilty were executed.")


def add_source(user, document, **payload):
    """``user``'s draft on ``document`` gets a new source (started if need be)."""
    return workflow.propose_change(
        document=document,
        user=user,
        kind=ChangeKind.ADD_SOURCE,
        rationale="Cite Beevor.",
        payload={**BEEVOR, **payload},
    )


def cite_new(user, claim, adding, **payload):
    """A citation on ``claim`` of the source the change ``adding`` adds, in the same draft."""
    return workflow.add_change(
        proposal=adding.proposal,
        user=user,
        kind=ChangeKind.ADD_CITATION,
        claim=claim,
        payload={"new_source": adding.pk, "locator": "410", **payload},
    )


def refused(call) -> dict[str, list[str]]:
    with pytest.raises(InvalidChange) as refusal:
        call()
    return refusal.value.errors


def top_position(document) -> int:
    return Source.objects.filter(document=document).aggregate(top=Max("position"))["top"]


# --------------------------------------------------------------------------- the happy path


def test_an_editor_proposes_a_source_and_cites_it_and_a_reviewer_approves_both(
    editor, reviewer, claim, seed_document
):
    last = top_position(seed_document)
    adding = add_source(editor, seed_document)
    citing = cite_new(editor, claim, adding)
    proposal = workflow.submit_proposal(proposal=adding.proposal, user=editor)
    assert not Source.objects.filter(label="Beevor 2002").exists()  # nothing live yet

    approved = workflow.approve_proposal(proposal=proposal, user=reviewer)

    assert approved.state == S.APPROVED
    source = Source.objects.get(document=seed_document, label="Beevor 2002")
    assert source.position == last + 1  # at the end of the reference list
    assert {name: getattr(source, name) for name in BEEVOR} == BEEVOR
    citation = Citation.objects.get(claim=claim, source=source)
    assert (citation.locator, citation.position) == ("410", 3)  # after [8] and [9]
    adding.refresh_from_db()
    citing.refresh_from_db()
    assert (adding.result_id, citing.result_id) == (source.pk, citation.pk)
    for row in (source, citation):
        version = row.history.get()
        assert version.history_type == "+"
        assert version.history_user == reviewer
        assert version.history_proposal == approved
        assert f"proposal #{approved.pk} approved by rita" in version.history_change_reason
    written = {(v.content_type.model, v.object_id) for v in approved.revision.version_set.all()}
    assert {("source", str(source.pk)), ("citation", str(citation.pk))} <= written


def test_two_new_sources_of_one_proposal_go_to_the_end_in_order(editor, reviewer, seed_document):
    last = top_position(seed_document)
    first = add_source(editor, seed_document)
    add_source(editor, seed_document, label="Naimark 1995", title="The Russians in Germany")
    workflow.submit_proposal(proposal=first.proposal, user=editor)

    workflow.approve_proposal(proposal=first.proposal, user=reviewer)

    added = Source.objects.filter(position__gt=last).order_by("position")
    assert [(s.label, s.position) for s in added] == [
        ("Beevor 2002", last + 1),
        ("Naimark 1995", last + 2),
    ]


def test_a_changed_citation_can_move_to_a_new_source(editor, reviewer, claim, seed_document):
    old = claim.citations.get(position=1)
    adding = add_source(editor, seed_document)
    workflow.add_change(
        proposal=adding.proposal,
        user=editor,
        kind=ChangeKind.CHANGE_CITATION,
        citation=old,
        payload={"new_source": adding.pk, "locator": "411"},
    )
    workflow.submit_proposal(proposal=adding.proposal, user=editor)

    workflow.approve_proposal(proposal=adding.proposal, user=reviewer)

    old.refresh_from_db()
    assert (old.source.label, old.locator) == ("Beevor 2002", "411")


def test_the_review_page_and_the_feed_describe_the_new_source(editor, claim, seed_document):
    adding = add_source(editor, seed_document, publisher="", isbn="")
    citing = cite_new(editor, claim, adding)
    kinds = workflow.KINDS

    rows = kinds[ChangeKind.ADD_SOURCE].describe(adding).rows
    assert rows[:3] == [
        ("label", None, "Beevor 2002"),
        ("kind", None, "reference"),
        ("title", None, "Berlin: The Downfall 1945"),
    ]
    assert "publisher" not in {name for name, _, _ in rows}  # empty fields say nothing
    assert ("note_text", None, BEEVOR["note_text"]) in rows
    line = "[Beevor 2002] Berlin: The Downfall 1945 — Antony Beevor"
    assert kinds[ChangeKind.ADD_SOURCE].summary(adding) == line
    shown = dict(
        (name, new) for name, _, new in kinds[ChangeKind.ADD_CITATION].describe(citing).rows
    )
    assert shown["source"] == f"{line} (new: change 1)"


# --------------------------------------------------------------------------- refusals


def test_a_label_the_document_has_is_refused_on_the_label(editor, seed_document):
    errors = refused(lambda: add_source(editor, seed_document, label="39"))
    assert errors == {"label": ["The document already has a source labelled “39”."]}
    assert not ProposedChange.objects.exists()


def test_a_label_another_change_of_the_proposal_adds_is_refused(editor, seed_document):
    add_source(editor, seed_document)
    errors = refused(lambda: add_source(editor, seed_document, title="Another book"))
    assert errors == {
        "label": ["Change 1 of this proposal already adds a source labelled “Beevor 2002”."]
    }


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("label", "x" * 65, "The label can be at most 64 characters (this is 65)."),
        ("title", "x" * 501, "The title can be at most 500 characters (this is 501)."),
        ("author", "x" * 256, "The author can be at most 255 characters (this is 256)."),
        ("published", "x" * 65, "The published can be at most 64 characters (this is 65)."),
        ("isbn", "9" * 33, "The ISBN can be at most 32 characters (this is 33)."),
        ("doi", "x" * 256, "The DOI can be at most 255 characters (this is 256)."),
        ("url", "https://e.org/" + "x" * 990, "The URL can be at most 1,000 characters"),
        ("note_text", "x" * 5001, "reference text can be at most 5,000 characters (this is 5,001)"),
    ],
)
def test_an_over_long_field_is_refused_on_that_field(editor, seed_document, name, value, message):
    errors = refused(lambda: add_source(editor, seed_document, **{name: value}))
    assert list(errors) == [name]
    assert message in errors[name][0]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("url", "not a web address", "The URL is not a web address"),
        ("archive_url", "javascript:alert(1)", "The archive URL is not a web address"),
        ("title", "Berlin\x07", "The title contains control character U+0007 (BEL)"),
        ("note_text", "Beevor\x00", "The reference text contains control character U+0000"),
        ("label", "Beevor\n2002", "The label must be one line."),
        ("label", "   ", "The label cannot be empty"),
        ("kind", "rumour", "Unknown kind of source: 'rumour'"),
    ],
)
def test_a_bad_value_is_refused_on_its_field(editor, seed_document, name, value, message):
    errors = refused(lambda: add_source(editor, seed_document, **{name: value}))
    assert message in " ".join(errors[name]), errors


def test_a_source_that_says_nothing_of_itself_is_refused(editor, seed_document):
    errors = refused(
        lambda: add_source(editor, seed_document, title="", url="", archive_url="", note_text="")
    )
    assert errors == {
        "title": ["Say what the source is: its title, its URL or its reference text."]
    }


def test_a_new_source_names_no_record_and_no_other_field(editor, claim, seed_document):
    errors = refused(
        lambda: workflow.propose_change(
            document=seed_document,
            user=editor,
            kind=ChangeKind.ADD_SOURCE,
            rationale="Cite.",
            claim=claim,
            payload=BEEVOR,
        )
    )
    assert errors == {"claim": ["A new source is about no existing record: leave the claim out."]}
    errors = refused(lambda: add_source(editor, seed_document, position=1))
    assert errors == {"payload": ["Not a field of a source: position."]}


def test_a_citation_of_no_change_or_of_another_kind_of_change_is_refused(
    editor, claim, seed_document
):
    adding = add_source(editor, seed_document)
    edit = workflow.add_change(
        proposal=adding.proposal,
        user=editor,
        kind=ChangeKind.EDIT_CLAIM,
        claim=claim,
        payload={"text": "Those found guilty were shot."},
    )
    for ref, message in [
        (10**9, "No change of this proposal adds the source it cites"),
        (edit.pk, "Change 2 of this proposal does not add a source."),
        ("1", "A new source is named by the change of this proposal that adds it."),
    ]:
        errors = refused(lambda ref=ref: cite_new(editor, claim, adding, new_source=ref))
        assert list(errors) == ["source"]
        assert message in errors["source"][0]


def test_a_citation_of_another_proposals_new_source_is_refused(
    editor, reviewer, claim, seed_document
):
    theirs = add_source(reviewer, seed_document)
    mine = workflow.propose_change(
        document=seed_document,
        user=editor,
        kind=ChangeKind.EDIT_CLAIM,
        rationale="Reword.",
        claim=claim,
        payload={"text": "Those found guilty were shot."},
    )
    errors = refused(
        lambda: workflow.add_change(
            proposal=mine.proposal,
            user=editor,
            kind=ChangeKind.ADD_CITATION,
            claim=claim,
            payload={"new_source": theirs.pk},
        )
    )
    assert "No change of this proposal adds the source it cites" in errors["source"][0]


def test_a_citation_of_a_source_a_later_change_adds_is_refused(editor, claim, seed_document):
    citing = workflow.propose_change(
        document=seed_document,
        user=editor,
        kind=ChangeKind.ADD_CITATION,
        rationale="Cite.",
        claim=claim,
        source=Source.objects.get(document=seed_document, label="39"),
        payload={"locator": "1"},
    )
    later = add_source(editor, seed_document)
    assert (citing.position, later.position) == (1, 2)

    errors = refused(
        lambda: workflow.edit_change(
            change=citing, user=editor, payload={"new_source": later.pk}, source=None
        )
    )

    assert errors == {
        "source": [
            "Change 2 adds that source after this change (1): a citation can only cite a "
            "source an earlier change of the proposal adds."
        ]
    }


def test_a_citation_of_a_source_there_is_and_a_new_one_is_refused(editor, claim, seed_document):
    adding = add_source(editor, seed_document)
    source = Source.objects.get(document=seed_document, label="39")
    errors = refused(
        lambda: workflow.add_change(
            proposal=adding.proposal,
            user=editor,
            kind=ChangeKind.ADD_CITATION,
            claim=claim,
            source=source,
            payload={"new_source": adding.pk},
        )
    )
    assert errors == {"source": ["Cite a source there is or a new one of this proposal, not both."]}


def test_a_citation_needs_a_source_there_is_or_a_new_one(editor, claim, seed_document):
    errors = refused(
        lambda: workflow.propose_change(
            document=seed_document,
            user=editor,
            kind=ChangeKind.ADD_CITATION,
            rationale="Cite.",
            claim=claim,
            payload={"locator": "1"},
        )
    )
    assert errors == {"source": ["Choose the source this change is about."]}


# --------------------------------------------------------------------------- at approval


def test_a_citation_whose_new_source_was_removed_from_the_draft_is_refused_at_approval(
    editor, reviewer, claim, seed_document
):
    adding = add_source(editor, seed_document)
    cite_new(editor, claim, adding)
    proposal = adding.proposal
    # remove_change refuses this (next test); the approval does not rely on that alone.
    ProposedChange.objects.filter(pk=adding.pk).delete()
    ProposedChange.objects.filter(proposal=proposal).update(position=1)
    workflow.submit_proposal(proposal=proposal, user=editor)

    with pytest.raises(WorkflowError) as refusal:
        workflow.approve_proposal(proposal=proposal, user=reviewer)

    assert str(refusal.value) == (
        "Change 1 cannot be applied: No change of this proposal adds the source it cites "
        "(was that change removed?): choose its source again."
    )
    proposal.refresh_from_db()
    assert proposal.state == S.SUBMITTED
    assert not Source.objects.filter(label="Beevor 2002").exists()
    assert claim.citations.count() == 2


def test_removing_a_new_source_a_citation_cites_is_refused_by_its_kind(
    editor, claim, seed_document
):
    adding = add_source(editor, seed_document)
    cite_new(editor, claim, adding)
    with pytest.raises(WorkflowError, match="Change 1 adds the source “Beevor 2002” that change 2"):
        workflow.KINDS[ChangeKind.ADD_SOURCE].check_removal(adding)


def test_removing_a_new_source_a_citation_cites_is_refused(editor, claim, seed_document):
    adding = add_source(editor, seed_document)
    cite_new(editor, claim, adding)
    with pytest.raises(WorkflowError, match="that change 2 cites"):
        workflow.remove_change(change=adding, user=editor)


def test_a_label_taken_since_puts_the_approval_in_conflict(
    editor, reviewer, second_reviewer, claim, seed_document
):
    adding = add_source(editor, seed_document)
    cite_new(editor, claim, adding)
    workflow.submit_proposal(proposal=adding.proposal, user=editor)
    # Someone else's source of the same label is approved first.
    theirs = add_source(reviewer, seed_document, title="Another Beevor")
    workflow.submit_proposal(proposal=theirs.proposal, user=reviewer)
    workflow.approve_proposal(proposal=theirs.proposal, user=second_reviewer)

    outcome = workflow.approve_proposal(proposal=adding.proposal, user=second_reviewer)

    assert outcome.state == S.CONFLICT
    note = outcome.comments.get(action="conflict").body
    assert "change 1: the label “Beevor 2002” of the new source is taken" in note
    assert list(Source.objects.filter(label="Beevor 2002").values_list("title", flat=True)) == [
        "Another Beevor"
    ]
    assert claim.citations.count() == 2


def test_an_added_source_can_be_edited_in_the_draft(editor, seed_document):
    adding = add_source(editor, seed_document)
    edited = workflow.edit_change(
        change=adding, user=editor, payload={**BEEVOR, "title": "Berlin 1945"}
    )
    assert edited.payload["title"] == "Berlin 1945"


def test_a_citation_moved_to_a_new_source_conflicts_with_another_source_chosen_since(
    editor, reviewer, second_reviewer, claim, seed_document
):
    old = claim.citations.get(position=1)
    adding = add_source(editor, seed_document)
    workflow.add_change(
        proposal=adding.proposal,
        user=editor,
        kind=ChangeKind.CHANGE_CITATION,
        citation=old,
        payload={"new_source": adding.pk, "locator": old.locator},
    )
    workflow.submit_proposal(proposal=adding.proposal, user=editor)
    theirs = workflow.propose_change(
        document=seed_document,
        user=reviewer,
        kind=ChangeKind.CHANGE_CITATION,
        rationale="It is [39].",
        citation=old,
        source=Source.objects.get(document=seed_document, label="39"),
        payload={"locator": old.locator},
    )
    workflow.submit_proposal(proposal=theirs.proposal, user=reviewer)
    workflow.approve_proposal(proposal=theirs.proposal, user=second_reviewer)

    outcome = workflow.approve_proposal(proposal=adding.proposal, user=second_reviewer)

    assert outcome.state == S.CONFLICT  # [39] chosen since is not overwritten silently
    assert (
        f"change 2: citation #{old.pk} changed since (source)"
        in outcome.comments.get(action="conflict").body
    )
    old.refresh_from_db()
    assert old.source.label == "39"
    assert not Source.objects.filter(label="Beevor 2002").exists()
