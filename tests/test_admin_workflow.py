"""The editorial workflow through the admin: who may see and move what, over HTTP.

Every permission is walked anonymous → no role → editor → reviewer → archivist, and every
forbidden write is also tried as a crafted POST that bypasses the buttons: it must end in a
403 (or a refusal message) with the database exactly as it was.
"""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Revision, Version

from archive import workflow
from archive.models import (
    ChangeProposal,
    Citation,
    Claim,
    Document,
    Flag,
    ProposalState,
    ProposedChange,
    ReviewComment,
    Section,
    Source,
)

from .conftest import draft_edit, import_text, make_user

pytestmark = pytest.mark.django_db

S = ProposalState
ORIGINAL = "Those found guilty were executed."


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def claim(seed_document):
    return Claim.objects.get(text=ORIGINAL)


@pytest.fixture
def nobody(db):
    """Staff who can log in to the admin but hold no editorial role."""
    return make_user("nora")


@pytest.fixture
def people(editor, reviewer, archivist_user, nobody):
    return {
        "anonymous": None,
        "no role": nobody,
        "editor": editor,
        "reviewer": reviewer,
        "archivist": archivist_user,
    }


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def draft(user, claim, text="Those found guilty were shot.", rationale="Plainer."):
    return draft_edit(user, claim, text, rationale)


def submitted(user, claim, **kwargs):
    return workflow.submit_proposal(proposal=draft(user, claim, **kwargs), user=user)


def approved(user, reviewer, claim, **kwargs):
    return workflow.approve_proposal(proposal=submitted(user, claim, **kwargs), user=reviewer)


def db_state() -> dict:
    """Everything a forbidden request could have written, to compare before and after."""
    histories = (Claim, Section, Source, Citation, Flag, Document, ChangeProposal, ProposedChange)
    return {
        "proposals": list(
            ChangeProposal.objects.order_by("pk").values_list(
                "pk", "state", "reviewer_id", "decision_comment", "rationale"
            )
        ),
        "changes": list(ProposedChange.objects.order_by("pk").values_list("pk", "payload")),
        "comments": ReviewComment.objects.count(),
        "claims": list(
            Claim.objects.order_by("pk").values_list("pk", "text", "position", "review_status")
        ),
        "sections": list(Section.objects.order_by("pk").values_list("pk", "heading")),
        "citations": list(Citation.objects.order_by("pk").values_list("pk", "locator")),
        "flags": list(Flag.objects.order_by("pk").values_list("pk", "status")),
        "history": [model.history.count() for model in histories],
        "revisions": Revision.objects.count(),
    }


def page_url(proposal):
    return reverse("admin:archive_changeproposal_change", args=[proposal.pk])


def move_url(proposal, name):
    return reverse("admin:archive_changeproposal_move", args=[proposal.pk, name])


def seen_on_page(client, proposal) -> str:
    """The fingerprint the proposal page carries, as a browser would send it back."""
    page = client.get(page_url(proposal))
    found = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page.content.decode())
    return found.group(1) if page.status_code == 200 and found else ""


def decide(client, proposal, name, comment="", seen=None):
    """A reviewer's button pressed on the proposal page (``seen``: an older page's)."""
    fingerprint = seen_on_page(client, proposal) if seen is None else seen
    return client.post(move_url(proposal, name), {"comment": comment, "fingerprint": fingerprint})


def propose_url(target, change=None):
    url = reverse(f"admin:archive_{target._meta.model_name}_propose", args=[target.pk])
    return f"{url}?change={change}" if change else url


def shown_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def redirected_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


# --------------------------------------------------------------------------- who sees what

SEES = {"anonymous": "login", "no role": 403, "editor": 200, "reviewer": 200, "archivist": 200}


@pytest.mark.parametrize("who", SEES)
def test_proposal_pages_are_for_the_editorial_roles(people, claim, who):
    proposal = submitted(people["editor"], claim)
    client = client_for(people[who])
    for url in (reverse("admin:archive_changeproposal_changelist"), page_url(proposal)):
        response = client.get(url)
        if SEES[who] == "login":
            assert redirected_to_login(response), url
        else:
            assert response.status_code == SEES[who], url


@pytest.mark.parametrize("who", SEES)
def test_propose_pages_are_for_the_editorial_roles(people, claim, who):
    section, source = claim.section, Source.objects.get(document=claim.section.document, label="8")
    client = client_for(people[who])
    for target in (claim, section, source):
        response = client.get(propose_url(target))
        if SEES[who] == "login":
            assert redirected_to_login(response)
        else:
            assert response.status_code == SEES[who], target


def test_claim_page_offers_propose_a_change_to_editors_but_not_to_staff_without_a_role(
    editor, nobody, claim
):
    nobody.user_permissions.add(*_view_permissions())
    url = reverse("admin:archive_claim_change", args=[claim.pk])
    assert "Propose a change" in client_for(editor).get(url).content.decode()
    assert "Propose a change" not in client_for(nobody).get(url).content.decode()


def _view_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename="view_claim")


def test_buttons_are_the_moves_the_workflow_allows_each_user(editor, reviewer, claim):
    proposal = draft(editor, claim)
    page = client_for(editor).get(page_url(proposal)).content.decode()
    assert 'formaction="{}"'.format(move_url(proposal, "submit")) in page
    assert move_url(proposal, "withdraw") in page
    assert move_url(proposal, "approve") not in page
    assert "Remove this change" in page

    page = client_for(reviewer).get(page_url(proposal)).content.decode()
    assert "Your decision" not in page  # a draft is its proposer's alone
    assert "Remove this change" not in page

    workflow.submit_proposal(proposal=proposal, user=editor)
    page = client_for(reviewer).get(page_url(proposal)).content.decode()
    for name in ("approve", "reject", "request_changes"):
        assert move_url(proposal, name) in page
        assert f">{workflow.TRANSITIONS[name].label}<" in page  # the button reads the table
    assert move_url(proposal, "submit") not in page
    page = client_for(editor).get(page_url(proposal)).content.decode()
    assert move_url(proposal, "approve") not in page
    assert move_url(proposal, "withdraw") in page


# --------------------------------------------------------------------------- moving


@pytest.mark.parametrize(
    ("who", "outcome"),
    [
        ("anonymous", "login"),
        ("no role", 403),
        ("editor", 403),  # the proposer: four-eyes
        ("other editor", 403),
        ("reviewer", S.APPROVED),
        ("archivist", S.APPROVED),
    ],
)
def test_approving_over_http_walks_the_roles(people, claim, who, outcome):
    people["other editor"] = make_user("otto", "Editor")
    proposal = submitted(people["editor"], claim)
    before = db_state()

    response = decide(client_for(people[who]), proposal, "approve", "Fine.")

    if outcome == "login":
        assert redirected_to_login(response)
    elif outcome == 403:
        assert response.status_code == 403
    if outcome in ("login", 403):
        assert db_state() == before
        return
    assert response.status_code == 302
    assert response["Location"] == page_url(proposal)
    assert ChangeProposal.objects.get(pk=proposal.pk).state == outcome
    assert Claim.objects.get(pk=claim.pk).text == "Those found guilty were shot."
    assert shown_messages(response) == [f"Proposal #{proposal.pk} approved and applied."]


def test_reviewer_cannot_approve_own_proposal_by_crafted_post(reviewer, claim):
    proposal = submitted(reviewer, claim)
    before = db_state()
    for name in ("approve", "reject", "request_changes"):
        response = decide(client_for(reviewer), proposal, name, "Mine, fine.")
        assert response.status_code == 403, name
    assert db_state() == before


def test_editor_cannot_decide_by_crafted_post(editor, claim):
    proposal = submitted(make_user("otto", "Editor"), claim)
    before = db_state()
    for name in ("approve", "reject", "request_changes"):
        response = decide(client_for(editor), proposal, name, "Looks fine.")
        assert response.status_code == 403, name
    assert db_state() == before


def test_reviewer_cannot_move_or_edit_someone_elses_draft(editor, reviewer, claim):
    proposal = draft(editor, claim)
    change = proposal.changes.get()
    before = db_state()
    client = client_for(reviewer)
    assert client.post(move_url(proposal, "submit"), {"comment": ""}).status_code == 403
    assert client.post(move_url(proposal, "withdraw"), {"comment": ""}).status_code == 403
    remove = reverse("admin:archive_changeproposal_remove_change", args=[proposal.pk, change.pk])
    assert client.post(remove).status_code == 403
    assert db_state() == before


def test_proposal_cannot_be_edited_through_a_model_form(editor, reviewer, archivist_user, claim):
    proposal = submitted(editor, claim)
    before = db_state()
    forged = {"state": "approved", "reviewer": reviewer.pk, "rationale": "Forged."}
    for user in (editor, reviewer, archivist_user):
        client = client_for(user)
        assert client.post(page_url(proposal), forged).status_code == 403
        add = reverse("admin:archive_changeproposal_add")
        assert (
            client.post(add, {**forged, "document": claim.section.document_id}).status_code == 403
        )
        delete = reverse("admin:archive_changeproposal_delete", args=[proposal.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    assert db_state() == before


def test_moves_are_posts_with_a_csrf_token(editor, reviewer, claim):
    proposal = submitted(editor, claim)
    before = db_state()
    assert client_for(reviewer).get(move_url(proposal, "approve")).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reviewer)
    assert strict.post(move_url(proposal, "approve"), {"comment": "ok"}).status_code == 403
    assert db_state() == before


def test_unknown_move_and_unknown_proposal_are_not_found(editor, reviewer, claim):
    proposal = submitted(editor, claim)
    client = client_for(reviewer)
    assert client.post(move_url(proposal, "publish")).status_code == 404
    missing = reverse("admin:archive_changeproposal_move", args=[proposal.pk + 1000, "approve"])
    assert client.post(missing).status_code == 404
    assert client.get(page_url(ChangeProposal(pk=proposal.pk + 1000))).status_code == 404


def test_a_move_the_state_does_not_allow_is_reported_and_changes_nothing(
    editor, reviewer, second_reviewer, claim
):
    proposal = approved(editor, reviewer, claim)
    before = db_state()
    response = decide(client_for(second_reviewer), proposal, "approve", "x")
    assert response.status_code == 302
    assert shown_messages(response) == [
        f"Proposal #{proposal.pk} is approved; it cannot be approved now."
    ]
    assert db_state() == before


def test_rejecting_without_a_reason_is_refused_with_a_message(editor, reviewer, claim):
    proposal = submitted(editor, claim)
    before = db_state()
    response = decide(client_for(reviewer), proposal, "reject", "  ")
    assert shown_messages(response) == ["Say why the proposal is rejected."]
    assert db_state() == before


def test_submitting_an_empty_draft_is_refused_with_a_message(editor, claim):
    proposal = draft(editor, claim)
    workflow.remove_change(change=proposal.changes.get(), user=editor)
    response = client_for(editor).post(move_url(proposal, "submit"))
    assert shown_messages(response) == [f"Proposal #{proposal.pk} has no changes to submit."]
    assert ChangeProposal.objects.get(pk=proposal.pk).state == S.DRAFT


def test_a_stale_approval_warns_of_the_conflict_and_applies_nothing(editor, reviewer, claim):
    stale = submitted(make_user("otto", "Editor"), claim, text="Otto's words.")
    approved(editor, reviewer, claim, text="Edna's words.")

    response = decide(client_for(reviewer), stale, "approve", "ok")

    assert ChangeProposal.objects.get(pk=stale.pk).state == S.CONFLICT
    assert Claim.objects.get(pk=claim.pk).text == "Edna's words."
    (warning,) = get_messages(response.wsgi_request)
    assert warning.level_tag == "warning"
    assert "in conflict and nothing was applied" in warning.message
    assert f"claim #{claim.pk} changed since" in warning.message
    page = client_for(stale.proposer).get(page_url(stale)).content.decode()
    assert "In conflict:" in page
    assert move_url(stale, "rebase") in page


def test_an_approval_from_a_page_older_than_the_proposal_is_refused(
    editor, reviewer, second_reviewer, claim
):
    """The reviewer reads a one-change proposal; meanwhile another reviewer sends it back,
    its proposer adds a removal and resubmits. Approve on the old page applies nothing."""
    proposal = submitted(editor, claim)
    as_reviewer = client_for(reviewer)
    old_page = seen_on_page(as_reviewer, proposal)
    workflow.request_changes(proposal=proposal, user=second_reviewer, comment="More.")
    workflow.revise_proposal(proposal=proposal, user=editor)
    other = Claim.objects.filter(section=claim.section).exclude(pk=claim.pk).first()
    workflow.add_change(proposal=proposal, user=editor, kind="remove_claim", claim=other)
    workflow.submit_proposal(proposal=proposal, user=editor)
    before = db_state()

    response = decide(as_reviewer, proposal, "approve", "Fine.", seen=old_page)

    assert db_state() == before
    (message,) = shown_messages(response)
    assert f"Proposal #{proposal.pk} changed since the page you decided on was shown" in message
    # Read again, the same button goes through and records what was seen.
    fresh = seen_on_page(as_reviewer, proposal)
    assert fresh != old_page
    decide(as_reviewer, proposal, "approve", "Fine.", seen=fresh)
    proposal.refresh_from_db()
    assert (proposal.state, proposal.reviewed_fingerprint) == (S.APPROVED, fresh)
    assert not Claim.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("name", ["approve", "reject", "request_changes"])
def test_a_decision_posted_without_the_pages_fingerprint_is_refused(editor, reviewer, claim, name):
    proposal = submitted(editor, claim)
    before = db_state()
    response = decide(client_for(reviewer), proposal, name, "Because.", seen="")
    assert "changed since the page you decided on was shown" in shown_messages(response)[0]
    assert db_state() == before


def test_request_changes_revise_and_resubmit_over_http(editor, reviewer, claim):
    proposal = submitted(editor, claim)
    as_reviewer, as_editor = client_for(reviewer), client_for(editor)
    decide(as_reviewer, proposal, "request_changes", "Cite it.")
    assert ChangeProposal.objects.get(pk=proposal.pk).state == S.CHANGES_REQUESTED
    as_editor.post(move_url(proposal, "revise"))
    as_editor.post(move_url(proposal, "submit"), {"comment": "Cited."})
    assert ChangeProposal.objects.get(pk=proposal.pk).state == S.SUBMITTED
    actions = list(proposal.comments.values_list("action", flat=True))
    assert actions == ["submit", "request_changes", "revise", "submit"]


def test_comments_are_for_editorial_roles_and_need_text(editor, reviewer, nobody, claim):
    proposal = submitted(editor, claim)
    url = reverse("admin:archive_changeproposal_comment", args=[proposal.pk])
    assert client_for(nobody).post(url, {"body": "Hi"}).status_code == 403
    response = client_for(reviewer).post(url, {"body": "  "})
    assert shown_messages(response) == ["A comment needs some text."]
    client_for(reviewer).post(url, {"body": "Which page of [8]?"})
    page = client_for(editor).get(page_url(proposal)).content.decode()
    assert "Which page of [8]?" in page
    assert proposal.comments.filter(action="comment").count() == 1


def test_proposer_removes_a_change_from_the_draft(editor, claim):
    proposal = draft(editor, claim)
    change = proposal.changes.get()
    url = reverse("admin:archive_changeproposal_remove_change", args=[proposal.pk, change.pk])
    assert client_for(editor).get(url).status_code == 405
    response = client_for(editor).post(url)
    assert response.status_code == 302
    assert not proposal.changes.exists()
    deleted = ProposedChange.history.get(id=change.pk, history_type="-")
    assert deleted.history_user == editor


def test_a_change_of_another_proposal_cannot_be_removed_through_this_one(editor, claim):
    mine = draft(editor, claim)
    other_document = import_text("Other\n\nA claim of its own.[1]\n", "other.txt").document
    other = workflow.create_proposal(document=other_document, user=editor, rationale="Other.")
    workflow.add_change(
        proposal=other,
        user=editor,
        kind="edit_claim",
        claim=Claim.objects.get(section__document=other_document),
        payload={"text": "Changed."},
    )
    url = reverse(
        "admin:archive_changeproposal_remove_change", args=[mine.pk, other.changes.get().pk]
    )
    assert client_for(editor).post(url).status_code == 404
    assert other.changes.count() == 1


# --------------------------------------------------------------------------- queues


def test_queues_awaiting_my_review_my_proposals_and_in_conflict(editor, reviewer, claim):
    otto = make_user("otto", "Editor")
    mine_to_review = submitted(editor, claim, text="For review.")
    own = submitted(reviewer, Claim.objects.exclude(pk=claim.pk).first(), text="Rita's.")
    conflicted = submitted(otto, claim, text="Otto's.")
    ChangeProposal.objects.filter(pk=conflicted.pk).update(state=S.CONFLICT)
    changelist = reverse("admin:archive_changeproposal_changelist")

    def listed(user, queue):
        response = client_for(user).get(f"{changelist}?queue={queue}")
        return {p.pk for p in response.context["cl"].result_list}

    assert listed(reviewer, "review") == {mine_to_review.pk}  # not Rita's own, not conflict
    assert listed(reviewer, "mine") == {own.pk}
    assert listed(editor, "mine") == {mine_to_review.pk}
    assert listed(editor, "conflict") == {conflicted.pk}
    editor_page = client_for(editor).get(changelist).content.decode()
    assert "awaiting my review" not in editor_page  # editors review nothing
    assert "awaiting my review" in client_for(reviewer).get(changelist).content.decode()


# --------------------------------------------------------------------------- proposing


def test_editor_proposes_a_text_change_from_the_claim_page(editor, claim):
    response = client_for(editor).post(
        propose_url(claim), {"text": "The guilty were shot.", "rationale": "Plainer, per [8]."}
    )
    proposal = ChangeProposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == page_url(proposal)
    assert (proposal.proposer, proposal.state, proposal.rationale) == (
        editor,
        S.DRAFT,
        "Plainer, per [8].",
    )
    change = proposal.changes.get()
    assert (change.kind, change.claim, change.payload) == (
        "edit_claim",
        claim,
        {"text": "The guilty were shot."},
    )
    assert Claim.objects.get(pk=claim.pk).text == ORIGINAL  # nothing live until approved


def test_further_changes_join_the_open_draft_without_asking_again(editor, claim):
    client = client_for(editor)
    client.post(propose_url(claim), {"text": "The guilty were shot.", "rationale": "Plainer."})
    proposal = ChangeProposal.objects.get()
    form_page = client.get(propose_url(claim.section, "edit_heading")).content.decode()
    assert "rationale" not in form_page
    assert f"proposal #{proposal.pk}" in form_page

    client.post(propose_url(claim.section, "edit_heading"), {"heading": "Pogroms"})

    assert ChangeProposal.objects.count() == 1
    assert list(proposal.changes.values_list("kind", flat=True)) == ["edit_claim", "edit_heading"]


def test_every_kind_of_change_can_be_proposed_from_its_record(editor, reviewer, seed_document):
    claim = Claim.objects.filter(citations__isnull=False, flags__status="open").first()
    citation = claim.citations.first()
    flag = claim.flags.filter(status="open").first()
    section = claim.section
    source = Source.objects.get(document=seed_document, label="39")
    posts = [
        (claim, "edit_claim", {"text": "Reworded.", "rationale": "Why."}),
        (claim, "add_citation", {"source": source.pk, "locator": "12"}),
        (claim, "change_citation", {"citation": citation.pk, "locator": "99"}),
        (claim, "remove_citation", {"citation": citation.pk}),
        (claim, "raise_flag", {"kind": "neutrality_disputed", "reason": "One-sided."}),
        (claim, "resolve_flag", {"flag": flag.pk, "reason": "Cited now."}),
        (claim, "remove_claim", {}),
        (section, "edit_heading", {"heading": "New heading"}),
        (section, "add_claim", {"text": "A new claim.", "position": "1", "kind": "statement"}),
        (section, "raise_flag", {"kind": "other", "label": "outdated", "reason": "Old."}),
        (source, "edit_source", {"title": "The Russians in Germany", "published": "1995"}),
        (seed_document, "add_source", {"label": "Beevor 2002", "title": "Berlin: The Downfall"}),
    ]
    client = client_for(editor)
    for target, kind, data in posts:
        response = client.post(propose_url(target, kind), data)
        assert response.status_code == 302, (
            kind,
            response.context and response.context["form"].errors,
        )
    proposal = ChangeProposal.objects.get()
    assert list(proposal.changes.values_list("kind", flat=True)) == [kind for _, kind, _ in posts]
    # Only reviewers are offered the review status; the workflow refuses it from editors too.
    assert client.get(propose_url(claim, "set_review_status")).status_code == 404
    as_reviewer = client_for(reviewer)
    response = as_reviewer.post(
        propose_url(claim, "set_review_status"), {"review_status": "verified", "rationale": "OK."}
    )
    assert response.status_code == 302


def test_choosing_a_citation_fills_in_its_current_values(editor, seed_document):
    claim = Claim.objects.get(text__startswith="During the siege, an estimated 50,000 women")
    citation = claim.citations.get(locator="348–350")
    page = client_for(editor).get(
        propose_url(claim, "change_citation") + f"&citation={citation.pk}"
    )
    assert page.context["form"]["locator"].value() == "348–350"
    assert f"citation={citation.pk}" in page.content.decode()  # the pick links


def _form_errors(response):
    return response.context["form"].errors


@pytest.mark.parametrize(
    ("change", "data", "field", "message"),
    [
        ("edit_claim", {"text": "   "}, "text", "The claim text cannot be empty."),
        ("edit_claim", {"text": "x" * 5001}, "text", "at most 5,000 characters (this is 5,001)"),
        ("edit_claim", {"text": ORIGINAL}, "text", "same as the current text"),
        ("raise_flag", {"kind": "rumour", "reason": "?"}, "kind", "Select a valid choice"),
        ("raise_flag", {"kind": "other", "reason": ""}, "reason", "The reason cannot be empty."),
        ("add_citation", {"source": ""}, "source", "Choose the source this change is about."),
    ],
)
def test_bad_changes_come_back_as_form_errors_and_write_nothing(
    editor, claim, change, data, field, message
):
    before = db_state()
    response = client_for(editor).post(propose_url(claim, change), {**data, "rationale": "Why."})
    assert response.status_code == 200
    errors = _form_errors(response)
    assert message in " ".join(errors[field]), errors
    assert db_state() == before  # not even the proposal the form would have started


def test_a_citation_to_another_documents_source_is_a_form_error(editor, claim):
    other = import_text("Another article\n\nA claim of its own.[1]\n", "other.txt").document
    foreign = Source.objects.get(document=other, label="1")
    before = db_state()
    response = client_for(editor).post(
        propose_url(claim, "add_citation"), {"source": foreign.pk, "rationale": "Cite it."}
    )
    assert "Select a valid choice" in " ".join(_form_errors(response)["source"])
    assert db_state() == before


def test_a_citation_of_another_claim_cannot_be_changed_from_this_one(editor, seed_document):
    claim = Claim.objects.filter(citations__isnull=False).first()
    elsewhere = Citation.objects.exclude(claim=claim).first()
    before = db_state()
    response = client_for(editor).post(
        propose_url(claim, "remove_citation"), {"citation": elsewhere.pk, "rationale": "Gone."}
    )
    assert "citation" in _form_errors(response)
    assert db_state() == before


def test_a_bad_source_url_is_a_form_error_on_that_field(editor, seed_document):
    source = Source.objects.get(document=seed_document, label="39")
    before = db_state()
    response = client_for(editor).post(
        propose_url(source), {"url": "not a url", "rationale": "Link it."}
    )
    assert "Enter a valid URL." in _form_errors(response)["url"]
    assert db_state() == before


def test_an_empty_rationale_is_a_form_error_and_starts_no_proposal(editor, claim):
    before = db_state()
    response = client_for(editor).post(propose_url(claim), {"text": "New.", "rationale": " "})
    assert _form_errors(response)["rationale"] == ["Say why the change is needed."]
    assert db_state() == before


def test_a_bad_change_leaves_the_open_draft_as_it_was(editor, claim):
    proposal = draft(editor, claim)
    before = db_state()
    response = client_for(editor).post(propose_url(claim.section, "edit_heading"), {"heading": ""})
    assert "The heading cannot be empty." in _form_errors(response)["heading"]
    assert db_state() == before
    assert proposal.changes.count() == 1


def test_a_kind_not_offered_on_a_record_is_not_found(editor, claim, seed_document):
    source = Source.objects.get(document=seed_document, label="39")
    client = client_for(editor)
    assert client.get(propose_url(source, "edit_claim")).status_code == 404
    assert client.post(propose_url(claim, "bogus"), {"rationale": "x"}).status_code == 404
    # A document's page offers what is new on it, a source, and nothing about its records.
    document = reverse("admin:archive_document_propose", args=[seed_document.pk])
    assert client.get(f"{document}?change=edit_claim").status_code == 404
    assert client.get(f"{document}?change=edit_source").status_code == 404
    assert client.get(document).context["verb"] == "add a source"
    assert not ChangeProposal.objects.exists()


# --------------------------------------------------------------------------- the page


def test_proposal_page_shows_the_diff_and_escapes_script_text(editor, reviewer, claim):
    proposal = submitted(
        editor,
        claim,
        text="Those found <script>alert(1)</script> guilty were shot.",
        rationale="<img src=x onerror=alert(2)>",
    )
    page = client_for(reviewer).get(page_url(proposal)).content.decode()
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt; </ins>" in page
    assert "<del>executed</del><ins>shot</ins>" in page
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page


def test_proposal_page_shows_before_and_after_of_citations_flags_status_and_sources(
    editor, reviewer, seed_document
):
    claim = Claim.objects.get(text__startswith="During the siege, an estimated 50,000 women")
    citation = claim.citations.get(locator="348–350")
    source = Source.objects.get(document=seed_document, label="39")
    proposal = workflow.create_proposal(document=seed_document, user=reviewer, rationale="Tidy.")
    for kind, change in [
        ("change_citation", {"citation": citation, "payload": {"locator": "351"}}),
        ("raise_flag", {"claim": claim, "payload": {"kind": "quotation_needed", "reason": "Q?"}}),
        ("set_review_status", {"claim": claim, "payload": {"review_status": "disputed"}}),
        ("edit_source", {"source": source, "payload": {"author": "N. M. Naimark"}}),
    ]:
        workflow.add_change(proposal=proposal, user=reviewer, kind=kind, **change)

    page = client_for(editor).get(page_url(proposal)).content.decode()

    def row(how, field, old, new):
        return (
            f'<tr class="{how}"><th scope="row">{field}</th><td class="before">{old}</td>'
            f'<td class="after">{new}</td></tr>'
        )

    none, empty = '<span class="diff-none">—</span>', '<span class="diff-none">(empty)</span>'
    assert row("same", "source", "[54]", "[54]") in page
    assert row("changed", "locator", "348–350", "351") in page
    assert row("added", "kind", none, "quotation needed") in page
    assert row("changed", "review status", "unreviewed", "disputed") in page
    assert row("added", "author", empty, "N. M. Naimark") in page
    assert 'change-target-kind">source</span> <a href="/admin/archive/source/' in page


def test_an_approved_proposal_links_what_it_created(editor, reviewer, claim):
    proposal = workflow.create_proposal(
        document=claim.section.document, user=editor, rationale="More."
    )
    workflow.add_change(
        proposal=proposal,
        user=editor,
        kind="add_claim",
        section=claim.section,
        payload={"text": "A new claim."},
    )
    workflow.submit_proposal(proposal=proposal, user=editor)
    workflow.approve_proposal(proposal=proposal, user=reviewer)
    new = Claim.objects.get(text="A new claim.")
    page = client_for(editor).get(page_url(proposal)).content.decode()
    assert reverse("admin:archive_claim_change", args=[new.pk]) in page
    assert "Remove this change" not in page


def _proposal_of(user, document, changes: int) -> ChangeProposal:
    """A proposal touching every kind of target, so no kind can hide a query per row."""
    proposal = workflow.create_proposal(document=document, user=user, rationale="Many.")
    claims = list(Claim.objects.filter(section__document=document, citations__isnull=False))
    sources = list(Source.objects.filter(document=document))
    for number in range(changes):
        claim = claims[number]
        kind = number % 4
        if kind == 0:
            # Appended, so every marker keeps its words (an orphan would be refused).
            text = f"{claim.text} Text {number}."
            change = {"kind": "edit_claim", "claim": claim, "payload": {"text": text}}
        elif kind == 1:
            citation = claim.citations.first()
            change = {"kind": "change_citation", "citation": citation, "payload": {"locator": "1"}}
        elif kind == 2:
            change = {
                "kind": "raise_flag",
                "section": claim.section,
                "payload": {"kind": "other", "label": "x", "reason": "y"},
            }
        else:
            change = {"kind": "edit_source", "source": sources[number], "payload": {"title": "T"}}
        workflow.add_change(proposal=proposal, user=user, **change)
    return workflow.submit_proposal(proposal=proposal, user=user)


def test_proposal_page_and_changelist_query_counts_do_not_grow_with_changes(
    editor, reviewer, seed_document
):
    client = client_for(reviewer)
    client.get(reverse("admin:index"))  # session and permission caches warmed alike
    counts = []
    for changes in (1, 20):
        proposal = _proposal_of(make_user(f"e{changes}", "Editor"), seed_document, changes)
        for other in range(changes - 1):  # and as many proposals in the list
            _proposal_of(make_user(f"e{changes}-{other}", "Editor"), seed_document, 1)
        measured = []
        for url in (page_url(proposal), reverse("admin:archive_changeproposal_changelist")):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200
            measured.append(len(queries.captured_queries))
        counts.append(measured)
        assert len(response.context["cl"].result_list) == ChangeProposal.objects.count()
    assert counts[0] == counts[1], f"page, changelist: {counts[0]} for 1, {counts[1]} for 20"


# --------------------------------------------------------------------------- live content


def test_live_content_is_read_only_for_editors_and_reviewers(editor, reviewer, claim):
    citation = claim.citations.first()
    before = db_state()
    for user in (editor, reviewer):
        client = client_for(user)
        change = reverse("admin:archive_claim_change", args=[claim.pk])
        page = client.get(change).content.decode()
        assert 'name="_save"' not in page
        assert 'name="citations-0-locator"' not in page  # the inline is read-only too
        forged = {
            "text": "Forged.",
            "change_reason": "x",
            "citations-TOTAL_FORMS": "1",
            "citations-INITIAL_FORMS": "1",
            "citations-0-id": citation.pk,
            "citations-0-locator": "forged",
        }
        assert client.post(change, forged).status_code == 403
        assert client.post(reverse("admin:archive_claim_add"), forged).status_code == 403
        delete = reverse("admin:archive_claim_delete", args=[claim.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
        source = Source.objects.get(document=claim.section.document, label="8")
        edit_source = reverse("admin:archive_source_change", args=[source.pk])
        assert client.post(edit_source, {"title": "Forged"}).status_code == 403
    assert db_state() == before


def test_nobody_writes_through_the_history_form(editor, archivist_user, claim):
    approved(make_user("otto", "Editor"), make_user("rolf", "Reviewer"), claim)
    imported = claim.history.order_by("history_id").first()
    url = reverse("admin:archive_claim_simple_history", args=[claim.pk, imported.history_id])
    before = db_state()
    for user in (editor, archivist_user):
        client = client_for(user)
        assert client.get(url).status_code == 200  # viewing an old version is fine
        data = {"text": ORIGINAL, "section": claim.section_id, "position": claim.position}
        assert client.post(url, {**data, "paragraph": 1, "kind": "statement"}).status_code == 403
    assert db_state() == before


def _claim_form(claim, **changes):
    data = {
        "section": claim.section_id,
        "position": claim.position,
        "paragraph": claim.paragraph,
        "kind": claim.kind,
        "text": claim.text,
        "review_status": claim.review_status,
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
        "flags-TOTAL_FORMS": "0",
        "flags-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_archivist_edits_live_content_only_with_a_reason_that_lands_in_history(
    archivist_user, claim
):
    client = client_for(archivist_user)
    url = reverse("admin:archive_claim_change", args=[claim.pk])
    before = db_state()
    response = client.post(url, _claim_form(claim, text="Fixed typo.", change_reason="  "))
    assert response.status_code == 200
    assert "change_reason" in response.context["adminform"].form.errors
    assert db_state() == before

    response = client.post(
        url, _claim_form(claim, text="Fixed typo.", change_reason="Typo in the copy, p. 3.")
    )
    assert response.status_code == 302
    latest = Claim.objects.get(pk=claim.pk).history.first()
    assert (latest.text, latest.history_user, latest.history_change_reason) == (
        "Fixed typo.",
        archivist_user,
        "Typo in the copy, p. 3.",
    )


def test_archivists_inline_edits_share_the_reason(archivist_user, claim):
    citation = claim.citations.order_by("position").first()
    data = _claim_form(
        claim,
        change_reason="Locator from the printed edition.",
        **{
            "citations-TOTAL_FORMS": "1",
            "citations-INITIAL_FORMS": "1",
            "citations-0-id": citation.pk,
            "citations-0-claim": claim.pk,
            "citations-0-position": citation.position,
            "citations-0-source": citation.source_id,
            "citations-0-locator": "77",
            "citations-0-quotation": "",
        },
    )
    response = client_for(archivist_user).post(
        reverse("admin:archive_claim_change", args=[claim.pk]), data
    )
    assert response.status_code == 302
    latest = Citation.objects.get(pk=citation.pk).history.first()
    assert (latest.locator, latest.history_change_reason, latest.history_user) == (
        "77",
        "Locator from the printed edition.",
        archivist_user,
    )


def _inline_citation(claim, citation, **changes):
    data = {
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "1",
        "citations-0-id": citation.pk,
        "citations-0-claim": claim.pk,
        "citations-0-position": citation.position,
        "citations-0-source": citation.source_id,
        "citations-0-locator": citation.locator,
        "citations-0-quotation": citation.quotation,
    }
    data.update({f"citations-0-{name}": value for name, value in changes.items()})
    return data


def test_a_citation_removed_on_the_claim_page_can_be_recovered(archivist_user, claim):
    citation = claim.citations.order_by("position").first()
    locator, source = citation.locator, citation.source_id
    data = _claim_form(
        claim,
        change_reason="Cites the wrong edition.",
        **_inline_citation(claim, citation, DELETE="on"),
    )
    response = client_for(archivist_user).post(
        reverse("admin:archive_claim_change", args=[claim.pk]), data
    )
    assert response.status_code == 302
    assert not Citation.objects.filter(pk=citation.pk).exists()
    removal = Citation.history.filter(id=citation.pk).first()
    assert (removal.history_type, removal.history_change_reason) == (
        "-",
        "Cites the wrong edition.",
    )

    (kept,) = Version.objects.get_deleted(Citation).filter(object_id=str(citation.pk))
    assert kept.revision.comment == "edited by arno: Cites the wrong edition."
    workflow.recover_record(version=kept, user=archivist_user, reason="It was the right one.")

    back = Citation.objects.get(pk=citation.pk)
    assert (back.claim_id, back.source_id, back.locator) == (claim.pk, source, locator)


def test_a_direct_edit_is_one_revision_of_the_record_and_its_inline_rows(archivist_user, claim):
    citation = claim.citations.order_by("position").first()
    data = _claim_form(
        claim,
        text="Those found guilty were shot.",
        change_reason="Matches the printed edition.",
        **_inline_citation(claim, citation, locator="p. 12"),
    )
    client_for(archivist_user).post(reverse("admin:archive_claim_change", args=[claim.pk]), data)

    revision = Revision.objects.get(comment="edited by arno: Matches the printed edition.")
    assert revision.user == archivist_user
    held = {(v.content_type.model, v.object_id): v.field_dict for v in revision.version_set.all()}
    assert held[("claim", str(claim.pk))]["text"] == "Those found guilty were shot."
    assert held[("citation", str(citation.pk))]["locator"] == "p. 12"
    assert len(held) == 2


# --------------------------------------------------------------------------- history


def test_history_shows_each_versions_proposal_and_reviewer(editor, reviewer, claim):
    proposal = approved(editor, reviewer, claim)
    page = client_for(editor).get(reverse("admin:archive_claim_history", args=[claim.pk]))
    html = page.content.decode()
    assert '<th scope="col">proposal</th>' in html
    assert '<th scope="col">reviewed by</th>' in html
    link = f'<a href="{page_url(proposal)}">{proposal}</a>'
    assert f'<td class="history-history_proposal_link">{link}</td>' in html
    assert '<td class="history-history_reviewer">rita</td>' in html
    assert "Import #" in html  # the imported version still names its run


def test_history_page_query_count_does_not_grow_with_versions(editor, reviewer, seed_document):
    quiet, busy = Claim.objects.filter(section__document=seed_document)[:2]
    approved(editor, reviewer, quiet, text="Once.")
    for number in range(10):
        approved(editor, reviewer, busy, text=f"Version {number}.")
    client = client_for(reviewer)
    client.get(reverse("admin:archive_claim_history", args=[quiet.pk]))  # warm caches
    counts = []
    for claim in (quiet, busy):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("admin:archive_claim_history", args=[claim.pk]))
        assert response.status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


# --------------------------------------------------------------------------- revert, recover


def _version_of(obj, revision):
    return Version.objects.get_for_object(obj).get(revision=revision)


def test_archivist_reverts_a_claim_to_an_earlier_approved_version(
    editor, reviewer, archivist_user, claim
):
    first = approved(editor, reviewer, claim, text="First wording.")
    approved(editor, reviewer, claim, text="Second wording.")
    version = _version_of(claim, first.revision)
    revisions = Revision.objects.count()

    reverted = workflow.revert_record(
        version=version, user=archivist_user, reason="Second was wrong."
    )

    assert reverted.text == Claim.objects.get(pk=claim.pk).text == "First wording."
    latest = claim.history.first()
    assert latest.history_user == archivist_user
    assert latest.history_change_reason.startswith(f"reverted to version #{version.pk}")
    assert latest.history_change_reason.endswith("by arno: Second was wrong.")
    assert latest.history_proposal is None
    assert Revision.objects.count() == revisions + 1
    revision = Revision.objects.order_by("-pk").first()
    assert (revision.user, revision.comment) == (archivist_user, latest.history_change_reason)
    assert _version_of(claim, revision).field_dict["text"] == "First wording."


def test_a_revert_keeps_the_claim_where_later_approvals_moved_it(
    editor, reviewer, archivist_user, claim
):
    first = approved(editor, reviewer, claim, text="Edited.")
    workflow.approve_proposal(
        proposal=_submitted_add(editor, claim.section, "Inserted first.", position=1),
        user=reviewer,
    )
    moved = Claim.objects.get(pk=claim.pk)
    approved(editor, reviewer, moved, text="Edited again.")
    workflow.revert_record(
        version=_version_of(claim, first.revision), user=archivist_user, reason="Back."
    )
    reverted = Claim.objects.get(pk=claim.pk)
    assert (reverted.text, reverted.position) == ("Edited.", moved.position)


def _submitted_add(user, section, text, position):
    proposal = workflow.create_proposal(document=section.document, user=user, rationale="Add.")
    workflow.add_change(
        proposal=proposal,
        user=user,
        kind="add_claim",
        section=section,
        payload={"text": text, "position": position},
    )
    return workflow.submit_proposal(proposal=proposal, user=user)


def test_revert_and_recover_need_an_archivist_and_a_reason(editor, reviewer, archivist_user, claim):
    proposal = approved(editor, reviewer, claim)
    version = _version_of(claim, proposal.revision)
    before = db_state()
    for call in (workflow.revert_record, workflow.recover_record):
        for user in (editor, reviewer):
            with pytest.raises(PermissionDenied):
                call(version=version, user=user, reason="Because.")
        with pytest.raises(workflow.InvalidChange, match="reason"):
            call(version=version, user=archivist_user, reason=" ")
    assert db_state() == before


def test_reverting_to_the_current_values_or_a_deleted_record_is_refused(
    editor, reviewer, archivist_user, claim
):
    proposal = approved(editor, reviewer, claim)
    version = _version_of(claim, proposal.revision)
    with pytest.raises(workflow.WorkflowError, match="nothing to revert"):
        workflow.revert_record(version=version, user=archivist_user, reason="x")
    removal = _approved_removal(editor, reviewer, claim)
    gone = _version_of(claim, removal.revision)
    with pytest.raises(workflow.WorkflowError, match="recover it instead"):
        workflow.revert_record(version=gone, user=archivist_user, reason="x")


def _approved_removal(editor, reviewer, claim):
    proposal = workflow.create_proposal(
        document=claim.section.document, user=editor, rationale="Duplicate."
    )
    workflow.add_change(proposal=proposal, user=editor, kind="remove_claim", claim=claim)
    workflow.submit_proposal(proposal=proposal, user=editor)
    return workflow.approve_proposal(proposal=proposal, user=reviewer)


def test_archivist_recovers_a_removed_claim_with_its_citations_and_flags(
    editor, reviewer, archivist_user, seed_document
):
    claim = Claim.objects.filter(citations__isnull=False, flags__isnull=False).first()
    citations = list(claim.citations.values_list("pk", "source_id", "locator", "position"))
    flags = list(claim.flags.values_list("pk", "kind", "status"))
    removal = _approved_removal(editor, reviewer, claim)
    (version,) = Version.objects.get_deleted(Claim)
    assert version.revision == removal.revision

    recovered = workflow.recover_record(
        version=version, user=archivist_user, reason="Removed by mistake."
    )

    assert recovered.pk == claim.pk
    back = Claim.objects.get(pk=claim.pk)
    assert (back.text, back.section_id, back.position) == (
        claim.text,
        claim.section_id,
        claim.position,
    )
    assert list(back.citations.values_list("pk", "source_id", "locator", "position")) == citations
    assert list(back.flags.values_list("pk", "kind", "status")) == flags
    for model, pks in ((Claim, [claim.pk]), (Citation, [c[0] for c in citations])):
        created = model.history.filter(id__in=pks).order_by("-history_id")[: len(pks)]
        for row in created:
            assert row.history_type == "+"
            assert row.history_user == archivist_user
            assert row.history_change_reason.startswith(f"recovered from version #{version.pk}")
    revision = Revision.objects.order_by("-pk").first()
    assert "recovered from version" in revision.comment
    recorded = set(revision.version_set.values_list("object_id", flat=True))
    assert {str(claim.pk), *(str(c[0]) for c in citations)} <= recorded
    assert not Version.objects.get_deleted(Claim).exists()


def test_a_recovered_claim_makes_room_when_its_position_was_taken(
    editor, reviewer, archivist_user, claim
):
    section, position = claim.section, claim.position
    _approved_removal(editor, reviewer, claim)
    workflow.approve_proposal(
        proposal=_submitted_add(editor, section, "Took its place.", position=position),
        user=reviewer,
    )
    newcomer = Claim.objects.get(text="Took its place.")
    assert newcomer.position == position
    (version,) = Version.objects.get_deleted(Claim)

    workflow.recover_record(version=version, user=archivist_user, reason="Wrongly removed.")

    assert Claim.objects.get(pk=claim.pk).position == position
    newcomer.refresh_from_db()
    assert newcomer.position == position + 1
    assert "recovered from version" in newcomer.history.first().history_change_reason
    positions = list(section.claims.values_list("position", flat=True))
    assert len(positions) == len(set(positions))


def test_recovering_a_record_that_exists_is_refused(editor, reviewer, archivist_user, claim):
    proposal = approved(editor, reviewer, claim)
    with pytest.raises(workflow.WorkflowError, match="revert it to a version instead"):
        workflow.recover_record(
            version=_version_of(claim, proposal.revision), user=archivist_user, reason="x"
        )


def test_revert_walks_the_roles_over_http(people, claim):
    editor, reviewer = people["editor"], people["reviewer"]
    first = approved(editor, reviewer, claim, text="First wording.")
    approved(editor, reviewer, claim, text="Second wording.")
    version = _version_of(claim, first.revision)
    url = reverse("admin:archive_claim_revert", args=[claim.pk, version.pk])
    versions_page = reverse("admin:archive_claim_versions", args=[claim.pk])
    before = db_state()
    assert redirected_to_login(client_for(None).post(url, {"reason": "x"}))
    for who in ("no role", "editor", "reviewer"):
        assert client_for(people[who]).post(url, {"reason": "x"}).status_code == 403, who
    assert "Revert to this version" not in client_for(editor).get(versions_page).content.decode()
    archivist = client_for(people["archivist"])
    assert archivist.get(url).status_code == 405
    response = archivist.post(url, {"reason": ""})
    assert shown_messages(response) == ["Say why, for the record's history."]
    assert db_state() == before

    assert "Revert to this version" in archivist.get(versions_page).content.decode()
    response = archivist.post(url, {"reason": "Second was wrong."})
    assert response.status_code == 302
    assert Claim.objects.get(pk=claim.pk).text == "First wording."
    history = archivist.get(response["Location"]).content.decode()
    assert "reverted to version" in history
    assert "Second was wrong." in history


def test_recover_walks_the_roles_over_http(people, claim):
    editor, reviewer = people["editor"], people["reviewer"]
    _approved_removal(editor, reviewer, claim)
    (version,) = Version.objects.get_deleted(Claim)
    listing = reverse("admin:archive_claim_recover")
    url = reverse("admin:archive_claim_recover_version", args=[version.pk])
    before = db_state()
    assert redirected_to_login(client_for(None).get(listing))
    for who in ("no role", "editor", "reviewer"):
        client = client_for(people[who])
        assert client.get(listing).status_code == 403, who
        assert client.post(url, {"reason": "x"}).status_code == 403, who
    changelist = reverse("admin:archive_claim_changelist")
    assert "Recover deleted" not in client_for(reviewer).get(changelist).content.decode()
    assert db_state() == before

    archivist = client_for(people["archivist"])
    assert "Recover deleted" in archivist.get(changelist).content.decode()
    assert ORIGINAL in archivist.get(listing).content.decode()
    response = archivist.post(url, {"reason": "Removed by mistake."})
    assert response["Location"] == reverse("admin:archive_claim_change", args=[claim.pk])
    assert Claim.objects.get(pk=claim.pk).text == ORIGINAL
    assert "No deleted claims to recover." in archivist.get(listing).content.decode()
    response = archivist.post(url, {"reason": "Again."})
    assert "exists; revert it" in shown_messages(response)[0]


def test_archivist_deletes_only_with_a_reason_and_the_deletion_can_be_recovered(
    editor, archivist_user, seed_document
):
    claim = Claim.objects.filter(citations__isnull=False, flags__isnull=False).first()
    citation_ids = set(claim.citations.values_list("pk", flat=True))
    flag_ids = set(claim.flags.values_list("pk", flat=True))
    with pytest.raises(PermissionDenied):
        workflow.delete_record(obj=claim, user=editor, reason="Duplicate.")
    client = client_for(archivist_user)
    url = reverse("admin:archive_claim_delete", args=[claim.pk])
    assert 'name="change_reason"' in client.get(url).content.decode()
    before = db_state()
    response = client.post(url, {"post": "yes", "change_reason": " "})
    assert shown_messages(response) == ["Say why you delete it: the reason goes on its history."]
    assert db_state() == before

    response = client.post(url, {"post": "yes", "change_reason": "Duplicate of the one before."})

    assert response.status_code == 302
    assert not Claim.objects.filter(pk=claim.pk).exists()
    for model, ids in ((Claim, {claim.pk}), (Citation, citation_ids), (Flag, flag_ids)):
        deleted = model.history.filter(id__in=ids, history_type="-")
        assert set(deleted.values_list("id", flat=True)) == ids
        assert set(deleted.values_list("history_user", "history_change_reason")) == {
            (archivist_user.pk, "deleted by arno: Duplicate of the one before.")
        }
    (version,) = Version.objects.get_deleted(Claim)
    workflow.recover_record(version=version, user=archivist_user, reason="Not a duplicate.")
    back = Claim.objects.get(pk=claim.pk)
    assert set(back.citations.values_list("pk", flat=True)) == citation_ids
    assert set(back.flags.values_list("pk", flat=True)) == flag_ids


def test_nobody_writes_a_proposal_through_its_history_form(editor, reviewer, claim):
    proposal = submitted(make_user("otto", "Editor"), claim)
    version = proposal.history.order_by("history_id").first()
    url = reverse(
        "admin:archive_changeproposal_simple_history", args=[proposal.pk, version.history_id]
    )
    forged = {
        "document": claim.section.document_id,
        "rationale": "Forged.",
        "state": "approved",
        "proposer": proposal.proposer_id,
        "reviewer": reviewer.pk,
        "created_at_0": "2026-01-01",
        "created_at_1": "00:00:00",
        "decided_at_0": "2026-01-01",
        "decided_at_1": "00:00:00",
    }
    before = db_state()
    for user in (editor, reviewer):
        assert client_for(user).post(url, forged).status_code == 403
    assert db_state() == before


def test_proposing_a_claim_twice_in_a_draft_says_the_first_change_now_holds_the_second(
    client, editor, seed_document
):
    claim = Claim.objects.filter(section__document=seed_document).first()
    client.force_login(editor)
    url = reverse("admin:archive_claim_propose", args=[claim.pk])
    for wording in ("First wording.", "Second wording."):
        response = client.post(
            url, {"text": f"{claim.text} {wording}", "rationale": "Clearer."}, follow=True
        )
    assert "now holds what you just wrote" in response.content.decode()
    change = ChangeProposal.objects.get().changes.get()
    assert change.payload["text"].endswith("Second wording.")
