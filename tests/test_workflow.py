"""Proposals from draft to decision: the transition table, four-eyes, conflicts, history."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from reversion.models import Version

from archive import workflow
from archive.models import (
    ChangeKind,
    ChangeProposal,
    Citation,
    Claim,
    Flag,
    ProposalState,
    ProposedChange,
    Section,
    Source,
)
from archive.workflow import TRANSITIONS, InvalidChange, WorkflowError

from .conftest import draft_edit, import_text, make_user

pytestmark = pytest.mark.django_db

S = ProposalState


@pytest.fixture
def claim(seed_document):
    return Claim.objects.get(text__startswith="Those found guilty were executed.")


def propose(user, document, kind=ChangeKind.EDIT_CLAIM, rationale="Better wording.", **change):
    proposal = workflow.create_proposal(document=document, user=user, rationale=rationale)
    workflow.add_change(proposal=proposal, user=user, kind=kind, **change)
    return proposal


def submitted(user, document, **change):
    proposal = propose(user, document, **change)
    return workflow.submit_proposal(proposal=proposal, user=user)


def edit(claim, text):
    return {"claim": claim, "payload": {"text": text}}


# --------------------------------------------------------------------------- the happy path


def test_editor_proposes_and_a_reviewer_approves_a_text_change(editor, reviewer, claim):
    proposal = submitted(editor, claim.section.document, **edit(claim, "The guilty were shot."))
    assert Claim.objects.get(pk=claim.pk).text == "Those found guilty were executed."

    approved = workflow.approve_proposal(proposal=proposal, user=reviewer, comment="Sourced.")

    assert approved.state == S.APPROVED
    assert approved.reviewer == reviewer
    claim.refresh_from_db()
    assert claim.text == "The guilty were shot."
    latest = claim.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == reviewer
    assert latest.history_proposal == approved
    assert f"proposal #{approved.pk} approved by rita" in latest.history_change_reason
    # Its markers [8][9] stood at the end of the old text and stand at the end of the new
    # one: the revision holds the claim and the two citations whose offsets moved.
    cited = list(claim.citations.order_by("position"))
    assert [c.offset for c in cited] == [len("The guilty were shot.")] * 2
    written = {(v.content_type.model, v.object_id) for v in approved.revision.version_set.all()}
    assert written == {("claim", str(claim.pk))} | {("citation", str(c.pk)) for c in cited}
    actions = list(approved.comments.values_list("action", "author__username"))
    assert actions == [("submit", "edna"), ("approve", "rita")]


def test_a_pending_proposal_changes_nothing_live(editor, claim):
    before = claim.history.count()
    submitted(editor, claim.section.document, **edit(claim, "Pending wording."))
    claim.refresh_from_db()
    assert claim.text == "Those found guilty were executed."
    assert claim.history.count() == before


# --------------------------------------------------------------------------- the table


def proposal_in(state, editor, claim):
    proposal = propose(editor, claim.section.document, **edit(claim, f"Text while {state}."))
    decided = {}
    if state in (S.APPROVED, S.REJECTED):
        decided = {"reviewer": make_user("decider", "Reviewer"), "decided_at": timezone.now()}
    ChangeProposal.objects.filter(pk=proposal.pk).update(state=state, **decided)
    proposal.refresh_from_db()
    return proposal


CALLS = {
    "submit": workflow.submit_proposal,
    "withdraw": workflow.withdraw_proposal,
    "request_changes": workflow.request_changes,
    "revise": workflow.revise_proposal,
    "approve": workflow.approve_proposal,
    "reject": workflow.reject_proposal,
    "rebase": workflow.rebase_proposal,
}


@pytest.mark.parametrize("state", S.values)
@pytest.mark.parametrize("name", TRANSITIONS)
def test_every_move_from_every_state(editor, reviewer, claim, state, name):
    proposal = proposal_in(state, editor, claim)
    move = TRANSITIONS[name]
    actor = editor if move.actor == workflow.PROPOSER else reviewer
    call = CALLS[name]
    if state in move.sources:
        result = call(proposal=proposal, user=actor, comment="Because.")
        assert result.state == move.target
        assert ChangeProposal.objects.get(pk=proposal.pk).state == move.target
        assert result.comments.last().action == move.action
    else:
        with pytest.raises(WorkflowError, match=f"#{proposal.pk} is"):
            call(proposal=proposal, user=actor, comment="Because.")
        assert ChangeProposal.objects.get(pk=proposal.pk).state == state
        assert not proposal.comments.exists()


def test_the_table_has_a_function_for_every_move_and_reaches_every_state():
    assert set(CALLS) == set(TRANSITIONS)
    reached = {move.target for move in TRANSITIONS.values()} | {S.DRAFT, S.CONFLICT}
    assert reached == set(S.values)


def test_propose_change_adds_to_the_editors_open_draft_or_starts_one(editor, claim):
    document = claim.section.document
    first = workflow.propose_change(
        document=document,
        user=editor,
        kind=ChangeKind.EDIT_CLAIM,
        rationale="Why.",
        **edit(claim, "Those found guilty were shot."),
    )
    other = Claim.objects.filter(section=claim.section).exclude(pk=claim.pk).first()
    second = workflow.propose_change(
        document=document, user=editor, kind=ChangeKind.REMOVE_CLAIM, claim=other
    )
    assert second.proposal == first.proposal  # no rationale asked: the draft has one
    assert [c.position for c in first.proposal.changes.order_by("position")] == [1, 2]


def test_propose_change_without_a_draft_needs_a_reason_and_leaves_nothing_behind(editor, claim):
    document = claim.section.document
    with pytest.raises(InvalidChange) as refused:
        workflow.propose_change(
            document=document, user=editor, kind=ChangeKind.EDIT_CLAIM, **edit(claim, "New.")
        )
    assert "rationale" in refused.value.errors
    with pytest.raises(InvalidChange) as refused:
        workflow.propose_change(
            document=document,
            user=editor,
            kind=ChangeKind.EDIT_CLAIM,
            rationale="Why.",
            **edit(claim, claim.text),
        )
    assert "text" in refused.value.errors
    assert not ChangeProposal.objects.exists()  # the draft it started is gone with it


def test_a_decision_is_bound_to_the_content_the_reviewer_saw(editor, reviewer, claim):
    proposal = submitted(editor, claim.section.document, **edit(claim, "Shot, all of them."))
    seen = workflow.content_fingerprint(proposal)
    workflow.request_changes(proposal=proposal, user=reviewer, comment="Plainer.", fingerprint=seen)
    workflow.revise_proposal(proposal=proposal, user=editor)
    workflow.add_change(
        proposal=proposal, user=editor, kind=ChangeKind.EDIT_CLAIM, **edit(claim, "They were shot.")
    )  # replaces the first edit
    workflow.submit_proposal(proposal=proposal, user=editor)
    assert workflow.content_fingerprint(proposal) != seen

    for decide in (workflow.approve_proposal, workflow.reject_proposal, workflow.request_changes):
        with pytest.raises(workflow.StaleReview, match=f"#{proposal.pk} changed since"):
            decide(proposal=proposal, user=reviewer, comment="Ok.", fingerprint=seen)
    assert ChangeProposal.objects.get(pk=proposal.pk).state == S.SUBMITTED
    assert Claim.objects.get(pk=claim.pk).text == claim.text

    # A trusted caller that names no fingerprint decides on the content as it stands.
    now = workflow.content_fingerprint(proposal)
    approved = workflow.approve_proposal(proposal=proposal, user=reviewer)
    assert approved.reviewed_fingerprint == now
    assert Claim.objects.get(pk=claim.pk).text == "They were shot."
    recorded = approved.history.order_by("history_id").values_list(
        "reviewed_fingerprint", flat=True
    )
    assert list(recorded)[-1] == now and seen in list(recorded)  # both decisions kept


def test_the_fingerprint_covers_rationale_payload_and_base(editor, claim):
    proposal = propose(editor, claim.section.document, **edit(claim, "Shot."))
    change = proposal.changes.get()
    first = workflow.content_fingerprint(proposal)
    assert workflow.content_fingerprint(proposal) == first  # stable
    for field, value in (("payload", {"text": "Hanged."}), ("base_version", 1), ("before", {})):
        setattr(change, field, value)
        assert workflow.content_fingerprint(proposal, [change]) != first, field
        change.refresh_from_db()
    proposal.rationale = "Another reason."
    assert workflow.content_fingerprint(proposal) != first


# --------------------------------------------------------------------------- who may move


@pytest.mark.parametrize("name", ["approve", "reject", "request_changes"])
def test_reviewer_cannot_decide_own_proposal(reviewer, claim, name):
    proposal = submitted(reviewer, claim.section.document, **edit(claim, "My own words."))
    with pytest.raises(PermissionDenied, match="four-eyes"):
        CALLS[name](proposal=proposal, user=reviewer, comment="Fine by me.")
    assert ChangeProposal.objects.get(pk=proposal.pk).state == S.SUBMITTED
    assert Claim.objects.get(pk=claim.pk).text == claim.text


def test_database_refuses_a_proposer_as_reviewer(editor, claim):
    proposal = submitted(editor, claim.section.document, **edit(claim, "Self-approved."))
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeProposal.objects.filter(pk=proposal.pk).update(reviewer=editor)


@pytest.mark.parametrize("name", ["approve", "reject", "request_changes"])
def test_editor_cannot_decide(editor, claim, name):
    other = make_user("otto", "Editor")
    proposal = submitted(other, claim.section.document, **edit(claim, "Otto's words."))
    with pytest.raises(PermissionDenied, match="Only a reviewer"):
        CALLS[name](proposal=proposal, user=editor, comment="Looks fine.")


@pytest.mark.parametrize("name", ["submit", "withdraw"])
def test_only_the_proposer_moves_a_draft(editor, reviewer, claim, name):
    proposal = propose(editor, claim.section.document, **edit(claim, "Edna's words."))
    with pytest.raises(PermissionDenied, match="Only its proposer"):
        CALLS[name](proposal=proposal, user=reviewer)


def test_user_without_a_role_cannot_propose(claim, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="a-long-test-password")
    with pytest.raises(PermissionDenied):
        workflow.create_proposal(document=claim.section.document, user=nobody, rationale="x")
    assert not ChangeProposal.objects.exists()


def test_only_the_proposer_edits_a_draft_and_only_while_draft(editor, reviewer, claim):
    proposal = propose(editor, claim.section.document, **edit(claim, "First words."))
    with pytest.raises(PermissionDenied):
        workflow.add_change(proposal=proposal, user=reviewer, kind="edit_claim", **edit(claim, "x"))
    workflow.submit_proposal(proposal=proposal, user=editor)
    with pytest.raises(WorkflowError, match="only drafts can be edited"):
        workflow.add_change(proposal=proposal, user=editor, kind="edit_claim", **edit(claim, "y"))
    assert proposal.changes.count() == 1


def test_rejecting_and_requesting_changes_need_a_reason(editor, reviewer, claim):
    proposal = submitted(editor, claim.section.document, **edit(claim, "Words."))
    for call in (workflow.reject_proposal, workflow.request_changes):
        with pytest.raises(InvalidChange, match="comment"):
            call(proposal=proposal, user=reviewer, comment="  ")
    assert ChangeProposal.objects.get(pk=proposal.pk).state == S.SUBMITTED


# --------------------------------------------------------------------------- conflicts


def test_stale_change_puts_the_proposal_in_conflict_instead_of_overwriting(editor, reviewer, claim):
    other_editor = make_user("otto", "Editor")
    document = claim.section.document
    first = submitted(editor, document, **edit(claim, "Edna's version."))
    second = submitted(other_editor, document, **edit(claim, "Otto's version."))
    workflow.approve_proposal(proposal=first, user=reviewer)

    result = workflow.approve_proposal(proposal=second, user=reviewer)

    assert result.state == S.CONFLICT
    assert Claim.objects.get(pk=claim.pk).text == "Edna's version."
    assert f"claim #{claim.pk} changed since" in result.comments.last().body

    # Both rewrote the whole sentence: the rebase cannot merge them and asks Otto.
    rebased = workflow.rebase_proposal(proposal=result, user=other_editor)
    assert rebased.state == S.DRAFT
    change = rebased.changes.get()
    assert change.conflict["fields"]["text"]["theirs"] == "Edna's version."
    assert change.conflict["fields"]["text"]["mine"] == "Otto's version."
    with pytest.raises(WorkflowError, match="change 1 is in conflict"):
        workflow.submit_proposal(proposal=rebased, user=other_editor)

    workflow.edit_change(change=change, user=other_editor, payload={"text": "Otto's, on Edna's."})
    change.refresh_from_db()
    assert change.conflict is None
    assert change.before["text"] == "Edna's version."
    assert change.base_version == claim.history.first().history_id
    workflow.submit_proposal(proposal=rebased, user=other_editor)
    assert workflow.approve_proposal(proposal=rebased, user=reviewer).state == S.APPROVED
    assert Claim.objects.get(pk=claim.pk).text == "Otto's, on Edna's."


def test_approving_twice_applies_once(editor, reviewer, second_reviewer, claim):
    proposal = submitted(editor, claim.section.document, **edit(claim, "Once only."))
    workflow.approve_proposal(proposal=proposal, user=reviewer)
    versions = claim.history.count()
    with pytest.raises(WorkflowError, match="approved"):
        workflow.approve_proposal(proposal=proposal, user=second_reviewer)
    assert claim.history.count() == versions


def test_rebase_drops_changes_whose_target_is_gone(editor, reviewer, claim):
    other_editor = make_user("otto", "Editor")
    document = claim.section.document
    removal = submitted(editor, document, kind=ChangeKind.REMOVE_CLAIM, claim=claim)
    edit_it = submitted(other_editor, document, **edit(claim, "Too late."))
    workflow.approve_proposal(proposal=removal, user=reviewer)
    conflicted = workflow.approve_proposal(proposal=edit_it, user=reviewer)
    assert conflicted.state == S.CONFLICT
    assert "no longer exists" in conflicted.comments.last().body
    rebased = workflow.rebase_proposal(proposal=conflicted, user=other_editor)
    assert not rebased.changes.exists()
    assert "change 1 dropped" in rebased.comments.last().body


# --------------------------------------------------------------------------- each kind


def approve(editor, reviewer, document, **change):
    proposal = submitted(editor, document, **change)
    return workflow.approve_proposal(proposal=proposal, user=reviewer)


def test_add_claim_makes_room_and_records_the_shift(editor, reviewer, claim):
    section = claim.section
    positions = list(section.claims.values_list("text", "position"))
    proposal = approve(
        editor,
        reviewer,
        section.document,
        kind=ChangeKind.ADD_CLAIM,
        section=section,
        payload={"text": "A new first sentence.", "position": 1},
    )
    new = Claim.objects.get(pk=proposal.changes.get().result_id)
    assert (new.position, new.section, new.text) == (1, section, "A new first sentence.")
    assert new.history.get().history_proposal == proposal
    for text, position in positions:
        shifted = section.claims.get(text=text)
        assert shifted.position == position + 1
        assert shifted.history.first().history_proposal == proposal


def test_remove_claim_removes_its_citations_and_flags_with_history(editor, reviewer, seed_document):
    claim = Claim.objects.filter(citations__isnull=False, flags__isnull=False).first()
    citation_ids = list(claim.citations.values_list("pk", flat=True))
    flag_ids = list(claim.flags.values_list("pk", flat=True))
    proposal = approve(editor, reviewer, seed_document, kind=ChangeKind.REMOVE_CLAIM, claim=claim)
    assert not Claim.objects.filter(pk=claim.pk).exists()
    gone = Claim.history.filter(id=claim.pk, history_type="-").get()
    assert (gone.history_user, gone.history_proposal) == (reviewer, proposal)
    for model, ids in ((Citation, citation_ids), (Flag, flag_ids)):
        deleted = model.history.filter(id__in=ids, history_type="-")
        assert deleted.count() == len(ids)
        assert set(deleted.values_list("history_proposal", flat=True)) == {proposal.pk}
    recorded = set(
        Version.objects.filter(revision=proposal.revision).values_list("object_id", flat=True)
    )
    assert {str(claim.pk), *map(str, citation_ids), *map(str, flag_ids)} <= recorded


def test_filling_in_a_lost_heading(editor, reviewer, seed_document):
    section = Section.objects.filter(heading_missing=True).first()
    approve(
        editor,
        reviewer,
        seed_document,
        kind=ChangeKind.EDIT_HEADING,
        section=section,
        payload={"heading": "Estonia"},
    )
    section.refresh_from_db()
    assert (section.heading, section.heading_missing) == ("Estonia", False)


def test_citations_added_changed_and_removed(editor, reviewer, claim):
    document = claim.section.document
    source = Source.objects.get(document=document, label="39")
    added = approve(
        editor,
        reviewer,
        document,
        kind=ChangeKind.ADD_CITATION,
        claim=claim,
        source=source,
        payload={"locator": "12–14", "quotation": "They were shot."},
    )
    citation = Citation.objects.get(pk=added.changes.get().result_id)
    assert (citation.claim, citation.source, citation.locator) == (claim, source, "12–14")
    assert citation.position == 3  # after [8] and [9]
    approve(
        editor,
        reviewer,
        document,
        kind=ChangeKind.CHANGE_CITATION,
        citation=citation,
        payload={"locator": "15", "quotation": ""},
    )
    citation.refresh_from_db()
    assert (citation.locator, citation.quotation) == ("15", "")
    approve(editor, reviewer, document, kind=ChangeKind.REMOVE_CITATION, citation=citation)
    assert not Citation.objects.filter(pk=citation.pk).exists()


def test_source_bibliographic_fields(editor, reviewer, seed_document):
    source = Source.objects.get(document=seed_document, label="39")
    fields = {
        "title": "The Russians in Germany",
        "author": "Norman M. Naimark",
        "published": "1995",
        "url": "https://example.org/naimark",
        "archive_url": "https://web.archive.org/web/2020/https://example.org/naimark",
    }
    approve(
        editor, reviewer, seed_document, kind=ChangeKind.EDIT_SOURCE, source=source, payload=fields
    )
    source.refresh_from_db()
    assert {name: getattr(source, name) for name in fields} == fields


def test_flags_raised_and_resolved(editor, reviewer, claim):
    document = claim.section.document
    raised = approve(
        editor,
        reviewer,
        document,
        kind=ChangeKind.RAISE_FLAG,
        claim=claim,
        payload={"kind": "citation_needed", "reason": "No source for the executions."},
    )
    flag = Flag.objects.get(pk=raised.changes.get().result_id)
    assert (flag.claim, flag.status, flag.label, flag.raised_by) == (
        claim,
        "open",
        "citation needed",
        editor,
    )
    approve(
        editor,
        reviewer,
        document,
        kind=ChangeKind.RESOLVE_FLAG,
        flag=flag,
        payload={"reason": "Source [8] covers it."},
    )
    flag.refresh_from_db()
    assert (flag.status, flag.resolution, flag.resolved_by) == (
        "resolved",
        "Source [8] covers it.",
        editor,
    )
    assert flag.resolved_at is not None


def test_review_status_is_proposed_by_one_reviewer_and_approved_by_another(
    reviewer, second_reviewer, editor, claim
):
    document = claim.section.document
    status = {"kind": ChangeKind.SET_REVIEW_STATUS, "claim": claim}
    with pytest.raises(InvalidChange, match="Only reviewers"):
        propose(editor, document, payload={"review_status": "verified"}, **status)
    approve(reviewer, second_reviewer, document, payload={"review_status": "verified"}, **status)
    assert Claim.objects.get(pk=claim.pk).review_status == "verified"


def test_changes_of_one_proposal_apply_together_or_not_at_all(editor, reviewer, claim):
    document = claim.section.document
    proposal = workflow.create_proposal(document=document, user=editor, rationale="Two steps.")
    workflow.add_change(proposal=proposal, user=editor, kind="remove_claim", claim=claim)
    workflow.add_change(proposal=proposal, user=editor, kind="edit_claim", **edit(claim, "Gone?"))
    workflow.submit_proposal(proposal=proposal, user=editor)
    with pytest.raises(WorkflowError, match="an earlier change removes"):
        workflow.approve_proposal(proposal=proposal, user=reviewer)
    assert Claim.objects.get(pk=claim.pk).text == "Those found guilty were executed."
    assert ChangeProposal.objects.get(pk=proposal.pk).state == S.SUBMITTED


# --------------------------------------------------------------------------- bad proposals


@pytest.mark.parametrize(
    ("kind", "change", "field", "message"),
    [
        ("edit_claim", {"payload": {"text": "   "}}, "text", "cannot be empty"),
        ("edit_claim", {"payload": {"text": "x" * 5001}}, "text", "at most 5,000"),
        ("raise_flag", {"payload": {"kind": "rumour", "reason": "?"}}, "kind", "Unknown kind"),
        ("raise_flag", {"payload": {"kind": "other", "reason": ""}}, "reason", "cannot be empty"),
        ("bogus", {}, "kind", "Unknown kind of change"),
    ],
)
def test_bad_changes_are_refused_with_field_errors(editor, claim, kind, change, field, message):
    proposal = workflow.create_proposal(
        document=claim.section.document, user=editor, rationale="Testing."
    )
    with pytest.raises(InvalidChange) as error:
        workflow.add_change(proposal=proposal, user=editor, kind=kind, claim=claim, **change)
    assert message in " ".join(error.value.errors[field])
    assert not ProposedChange.objects.exists()


def test_citing_another_documents_source_is_refused(editor, claim):
    other = import_text("Another article\n\nA claim of its own.[1]\n", "other.txt").document
    foreign = Source.objects.get(document=other, label="1")
    proposal = workflow.create_proposal(
        document=claim.section.document, user=editor, rationale="Cite it."
    )
    with pytest.raises(InvalidChange) as error:
        workflow.add_change(
            proposal=proposal, user=editor, kind="add_citation", claim=claim, source=foreign
        )
    assert error.value.errors == {"source": ["That source belongs to another document."]}
    assert not ProposedChange.objects.exists()


def test_bad_source_url_is_refused(editor, seed_document):
    source = Source.objects.get(document=seed_document, label="1")
    proposal = workflow.create_proposal(document=seed_document, user=editor, rationale="URL.")
    with pytest.raises(InvalidChange) as error:
        workflow.add_change(
            proposal=proposal,
            user=editor,
            kind="edit_source",
            source=source,
            payload={"url": "not a url"},
        )
    assert "url" in error.value.errors
    source.refresh_from_db()
    assert source.url == ""


def test_empty_rationale_is_refused(editor, seed_document):
    with pytest.raises(InvalidChange, match="rationale"):
        workflow.create_proposal(document=seed_document, user=editor, rationale=" ")
    assert not ChangeProposal.objects.exists()


def test_an_empty_proposal_cannot_be_submitted(editor, seed_document):
    proposal = workflow.create_proposal(document=seed_document, user=editor, rationale="Soon.")
    with pytest.raises(WorkflowError, match="no changes"):
        workflow.submit_proposal(proposal=proposal, user=editor)


@pytest.mark.parametrize("character", ["\x01", "\x1b", "\x7f", "\x85"])
def test_a_claim_text_with_a_control_character_is_refused_and_the_character_named(
    editor, seed_document, character
):
    claim = Claim.objects.filter(section__document=seed_document).first()
    with pytest.raises(InvalidChange) as refused:
        draft_edit(editor, claim, f"{claim.text} More{character}words.")
    (message,) = refused.value.errors["text"]
    assert f"U+{ord(character):04X}" in message and "at character" in message
    assert not ProposedChange.objects.exists()


def test_a_textarea_s_line_breaks_are_stored_as_newlines_not_refused(editor, seed_document):
    claim = Claim.objects.filter(section__document=seed_document).first()
    proposal = draft_edit(editor, claim, "First line.\r\nSecond line.\tTabbed.")
    assert proposal.changes.get().payload["text"] == "First line.\nSecond line.\tTabbed."


@pytest.mark.parametrize(
    "kind, payload, field",
    [
        ("edit_heading", {"heading": "Aftermath\x07"}, "heading"),
        ("change_citation", {"locator": "12\x00", "quotation": ""}, "locator"),
        ("edit_source", {"title": "A book\x9b"}, "title"),
    ],
)
def test_control_characters_are_refused_in_every_text_a_change_carries(
    editor, seed_document, kind, payload, field
):
    section = seed_document.sections.exclude(heading="").first()
    citation = Citation.objects.filter(claim__section__document=seed_document).first()
    target = {
        "edit_heading": {"section": section},
        "change_citation": {"citation": citation},
        "edit_source": {"source": citation.source},
    }[kind]
    proposal = workflow.create_proposal(document=seed_document, user=editor, rationale="Fix.")
    with pytest.raises(InvalidChange) as refused:
        workflow.add_change(proposal=proposal, user=editor, kind=kind, payload=payload, **target)
    assert "control character" in " ".join(refused.value.errors[field])


def test_a_rationale_with_a_control_character_is_refused(editor, seed_document):
    with pytest.raises(InvalidChange, match="U\\+0001"):
        workflow.create_proposal(document=seed_document, user=editor, rationale="Why\x01")
    assert not ChangeProposal.objects.exists()


def test_a_second_edit_of_a_claim_in_a_draft_replaces_the_first_in_its_place(
    editor, reviewer, seed_document
):
    first_claim, other = Claim.objects.filter(section__document=seed_document)[:2]
    proposal = draft_edit(editor, first_claim, first_claim.text + " First wording.")
    workflow.add_change(
        proposal=proposal,
        user=editor,
        kind="edit_claim",
        claim=other,
        payload={"text": other.text + " Other."},
    )
    again = workflow.add_change(
        proposal=proposal,
        user=editor,
        kind="edit_claim",
        claim=first_claim,
        payload={"text": first_claim.text + " Second wording."},
    )
    assert again.replaced_earlier and again.position == 1
    assert list(proposal.changes.order_by("position").values_list("position", "claim")) == [
        (1, first_claim.pk),
        (2, other.pk),
    ]
    workflow.submit_proposal(proposal=proposal, user=editor)
    workflow.approve_proposal(proposal=proposal, user=reviewer)
    texts = list(Claim.history.filter(id=first_claim.pk).values_list("text", flat=True))
    assert first_claim.text + " First wording." not in texts  # never applied, never public
    assert Claim.objects.get(pk=first_claim.pk).text == first_claim.text + " Second wording."


def test_two_claims_added_to_one_section_are_two_changes(editor, seed_document):
    section = seed_document.sections.first()
    proposal = workflow.create_proposal(document=seed_document, user=editor, rationale="More.")
    for text in ("One more claim.", "Another claim."):
        change = workflow.add_change(
            proposal=proposal,
            user=editor,
            kind="add_claim",
            section=section,
            payload={"text": text},
        )
        assert not change.replaced_earlier
    assert proposal.changes.count() == 2
