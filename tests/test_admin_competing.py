"""Competing proposals in sight: before two editors' proposals on one record collide at
approval, each sees the other's on the propose form, on the record's page and on the
proposal page (``selectors.competing_proposals``).

Submitted, sent-back and conflicting proposals are listed in full to everyone who may see
proposals; another person's draft only as "someone else is drafting" and the records it
touches; decided proposals not at all.
"""

import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive import selectors, workflow
from archive.models import ChangeProposal, Claim, ProposalState, Source

from .conftest import draft_edit, make_user
from .test_admin_workflow import ORIGINAL, client_for, page_url, propose_url, submitted

pytestmark = pytest.mark.django_db

S = ProposalState
OTHER = "The pogroms were vigorously condemned by the Red Army high command"


@pytest.fixture
def claim(seed_document):
    return Claim.objects.get(text=ORIGINAL)


@pytest.fixture
def other_editor(db):
    return make_user("otto", "Editor")


def claim_url(claim):
    return reverse("admin:archive_claim_change", args=[claim.pk])


def competing_box(page: str) -> str:
    """The page's list of other open proposals, or "" when it shows none."""
    found = re.search(r'<div class="module competing" id="competing">(.*?)</div>', page, re.S)
    return found.group(1) if found else ""


def listed(page: str) -> list[int]:
    """The proposals the page links to as competing, in the order shown."""
    links = re.findall(
        r'href="/admin/archive/changeproposal/(\d+)/change/" class="competing-link"',
        competing_box(page),
    )
    return [int(pk) for pk in links]


def pages_of(client, claim, proposal) -> dict[str, str]:
    """The three places an editor sees competing proposals on ``claim``."""
    return {
        "propose form": client.get(propose_url(claim)).content.decode(),
        "claim page": client.get(claim_url(claim)).content.decode(),
        "proposal page": client.get(page_url(proposal)).content.decode(),
    }


# --------------------------------------------------------------------------- two editors


def test_two_editors_editing_one_claim_each_see_the_others_proposal(editor, other_editor, claim):
    ednas = submitted(editor, claim, text="Those found guilty were shot.", rationale="Plainer.")
    ottos = submitted(
        other_editor, claim, text="The guilty were executed.", rationale="Shorter, per [8]."
    )
    for viewer, own, other in [(editor, ednas, ottos), (other_editor, ottos, ednas)]:
        client = client_for(viewer)
        for where, page in pages_of(client, claim, own).items():
            box = competing_box(page)
            assert other.pk in listed(page), (viewer, where)
            assert "Other open proposals on" in box
            assert f'by <strong class="competing-proposer">{other.proposer}</strong>' in box
            assert 'class="proposal-state state-submitted">submitted</span>' in box
            assert other.rationale in box
            assert "edit a claim" in box and claim_url(claim) in box  # what it touches
        # The link opens the other proposal's page.
        opened = client.get(page_url(other))
        assert opened.status_code == 200
        assert f"Proposal #{other.pk}" in opened.content.decode()
        # A proposal's own page does not list itself.
        assert own.pk not in listed(client.get(page_url(own)).content.decode())


def test_the_claim_page_and_form_also_list_proposals_on_the_claims_citations_and_flags(
    editor, other_editor, seed_document
):
    claim = Claim.objects.filter(citations__isnull=False, flags__status="open").first()
    citation, flag = claim.citations.first(), claim.flags.filter(status="open").first()
    proposal = workflow.create_proposal(document=seed_document, user=other_editor, rationale="R.")
    workflow.add_change(
        proposal=proposal,
        user=other_editor,
        kind="change_citation",
        citation=citation,
        payload={"locator": "99"},
    )
    workflow.add_change(
        proposal=proposal,
        user=other_editor,
        kind="resolve_flag",
        flag=flag,
        payload={"reason": "Cited now."},
    )
    workflow.submit_proposal(proposal=proposal, user=other_editor)
    client = client_for(editor)
    for url in (propose_url(claim), claim_url(claim)):
        box = competing_box(client.get(url).content.decode())
        assert f"/admin/archive/citation/{citation.pk}/change/" in box
        assert f"/admin/archive/flag/{flag.pk}/change/" in box


def test_section_and_source_pages_list_proposals_on_them_but_not_on_what_only_cites_them(
    editor, other_editor, claim
):
    section = claim.section
    source = Source.objects.get(document=section.document, label="8")
    heading = workflow.create_proposal(document=section.document, user=other_editor, rationale="H.")
    workflow.add_change(
        proposal=heading,
        user=other_editor,
        kind="edit_heading",
        section=section,
        payload={"heading": "Trials"},
    )
    workflow.submit_proposal(proposal=heading, user=other_editor)
    citing = make_user("cora", "Editor")
    adds = workflow.create_proposal(document=section.document, user=citing, rationale="Cite.")
    workflow.add_change(
        proposal=adds,
        user=citing,
        kind="add_citation",
        claim=claim,
        source=source,
        payload={"locator": "12"},
    )
    workflow.submit_proposal(proposal=adds, user=citing)
    retitle = workflow.create_proposal(document=section.document, user=citing, rationale="T.")
    workflow.add_change(
        proposal=retitle, user=citing, kind="edit_source", source=source, payload={"title": "T"}
    )
    workflow.submit_proposal(proposal=retitle, user=citing)

    client = client_for(editor)
    section_url = reverse("admin:archive_section_change", args=[section.pk])
    source_url = reverse("admin:archive_source_change", args=[source.pk])
    for url in (section_url, propose_url(section)):
        assert listed(client.get(url).content.decode()) == [heading.pk]
    for url in (source_url, propose_url(source)):
        assert listed(client.get(url).content.decode()) == [retitle.pk]
    assert listed(client.get(claim_url(claim)).content.decode()) == [adds.pk]


# --------------------------------------------------------------------------- what is listed


def test_a_proposal_on_another_claim_is_not_listed(editor, other_editor, claim):
    mine = submitted(editor, claim)
    elsewhere = Claim.objects.get(text__startswith=OTHER)
    assert elsewhere.section_id == claim.section_id  # same section, same document
    ottos = submitted(
        other_editor, elsewhere, text="The pogroms were condemned.", rationale="Shorter."
    )
    pages = pages_of(client_for(editor), claim, mine)
    for where, page in pages.items():
        assert ottos.pk not in listed(page), where
    assert competing_box(pages["proposal page"]) == ""  # nothing else competes with hers
    assert ottos.pk in listed(client_for(editor).get(claim_url(elsewhere)).content.decode())


@pytest.mark.parametrize("outcome", [S.APPROVED, S.REJECTED, S.WITHDRAWN])
def test_a_decided_proposal_is_not_listed(editor, other_editor, reviewer, claim, outcome):
    ottos = submitted(other_editor, claim, text="The guilty were executed.", rationale="Short.")
    if outcome == S.APPROVED:
        workflow.approve_proposal(proposal=ottos, user=reviewer)
        claim.refresh_from_db()
    elif outcome == S.REJECTED:
        workflow.reject_proposal(proposal=ottos, user=reviewer, comment="Not better.")
    else:
        workflow.withdraw_proposal(proposal=ottos, user=other_editor)
    mine = submitted(editor, claim, text="Those guilty were executed.", rationale="Mine.")
    assert ChangeProposal.objects.get(pk=ottos.pk).state == outcome
    for where, page in pages_of(client_for(editor), claim, mine).items():
        assert ottos.pk not in listed(page), where


def test_sent_back_and_conflicting_proposals_are_listed_with_their_state(
    editor, other_editor, reviewer, claim
):
    sent_back = submitted(other_editor, claim, text="The guilty were shot.", rationale="A.")
    workflow.request_changes(proposal=sent_back, user=reviewer, comment="Cite it.")
    third = make_user("tess", "Editor")
    stale = submitted(third, claim, text="Those found guilty were hanged.", rationale="B.")
    moved_on = submitted(editor, claim, text="Those found guilty were killed.", rationale="C.")
    workflow.approve_proposal(proposal=moved_on, user=reviewer)
    stale = workflow.approve_proposal(proposal=stale, user=reviewer)
    assert stale.state == S.CONFLICT
    mine = submitted(
        editor, Claim.objects.get(pk=claim.pk), text="Those found guilty died.", rationale="D."
    )
    page = client_for(editor).get(page_url(mine)).content.decode()
    assert listed(page) == [sent_back.pk, stale.pk]  # oldest first; the approved one is gone
    box = competing_box(page)
    assert 'state-changes_requested">changes requested</span>' in box
    assert 'state-conflict">conflict</span>' in box


def test_other_peoples_drafts_are_only_counted_and_ones_own_draft_is_shown(
    editor, other_editor, claim
):
    ottos = draft_edit(other_editor, claim, "The guilty were shot.", "Otto's secret reasons.")
    mine = submitted(editor, claim)
    for where, page in pages_of(client_for(editor), claim, mine).items():
        box = competing_box(page)
        # Her own submitted proposal is listed where she might add to it, Otto's is not.
        assert listed(page) == ([] if where == "proposal page" else [mine.pk]), where
        assert "A draft by someone else, shown here once submitted" in box, where
        assert claim_url(claim) in box  # which record, a live one
        assert "otto" not in box and "secret" not in page and page_url(ottos) not in page, where
    # Otto sees his own draft on the claim's page, but not on the form that adds to it.
    client = client_for(other_editor)
    claim_page = client.get(claim_url(claim)).content.decode()
    assert listed(claim_page) == [ottos.pk, mine.pk]
    assert "otto</strong> (you)" in competing_box(claim_page)
    assert ottos.pk not in listed(client.get(propose_url(claim)).content.decode())


def test_staff_who_may_not_see_proposals_get_no_list_and_public_pages_show_none(
    client, other_editor, claim
):
    submitted(other_editor, claim, text="The guilty were shot.", rationale="Pending reasons.")
    viewer = make_user("nora")  # staff without a role, allowed to see claims only
    viewer.user_permissions.add(*Permission.objects.filter(codename="view_claim"))
    page = client_for(type(viewer).objects.get(pk=viewer.pk)).get(claim_url(claim))
    assert page.status_code == 200
    assert competing_box(page.content.decode()) == ""
    public = client.get(reverse("public:claim", args=[claim.pk])).content.decode()
    assert "Pending reasons" not in public and "The guilty were shot." not in public


# --------------------------------------------------------------------------- escaping


def test_a_script_in_a_rationale_or_a_username_is_escaped(editor, claim):
    mallory = make_user("<script>alert(1)</script>", "Editor")
    submitted(
        mallory, claim, text="The guilty were shot.", rationale="<img src=x onerror=alert(2)>"
    )
    mine = submitted(editor, claim)
    for where, page in pages_of(client_for(editor), claim, mine).items():
        box = competing_box(page)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in box, where
        assert "&lt;img src=x onerror=alert(2)&gt;" in box, where
        assert "<script>alert(1)" not in page and "<img src=x" not in page, where


# --------------------------------------------------------------------------- query counts


def proposal_of(user, document, changes: int):
    """A submitted proposal of exactly ``changes`` changes, on distinct records of every
    kind: claims, citations, flags raised on claims, sources."""
    proposal = workflow.create_proposal(document=document, user=user, rationale="Many.")
    claims = list(
        Claim.objects.filter(section__document=document, citations__isnull=False)
        .distinct()
        .order_by("pk")
    )
    sources = list(Source.objects.filter(document=document).order_by("pk"))
    for number in range(changes):
        claim = claims[number]
        change = [
            {"kind": "edit_claim", "claim": claim, "payload": {"text": f"{claim.text} {number}."}},
            {
                "kind": "change_citation",
                "citation": claim.citations.order_by("pk").first(),
                "payload": {"locator": "1"},
            },
            {"kind": "raise_flag", "claim": claim, "payload": {"kind": "other", "reason": "y"}},
            {"kind": "edit_source", "source": sources[number], "payload": {"title": "T"}},
        ][number % 4]
        workflow.add_change(proposal=proposal, user=user, **change)
    assert proposal.changes.count() == changes
    return workflow.submit_proposal(proposal=proposal, user=user)


def test_query_counts_stay_flat_from_a_proposal_of_one_change_to_one_of_ten(
    editor, reviewer, seed_document, django_assert_num_queries
):
    client = client_for(reviewer)
    client.get(reverse("admin:index"))  # session and permission caches warmed alike
    counts = []
    for changes in (1, 10):
        proposal = proposal_of(make_user(f"e{changes}", "Editor"), seed_document, changes)
        # A rival with the same changes, and as many again with one each: every change of
        # the proposal competes.
        proposal_of(make_user(f"r{changes}", "Editor"), seed_document, changes)
        for other in range(changes):
            proposal_of(make_user(f"r{changes}-{other}", "Editor"), seed_document, 1)
        with django_assert_num_queries(1):
            competing = selectors.proposals_competing_with(proposal, viewer=reviewer)
            assert len(competing.proposals) >= changes + 1
        assert max(len(p.touches) for p in competing.proposals) == changes
        first = proposal.changes.order_by("position").first()
        claim = first.claim
        measured = []
        for url in (page_url(proposal), claim_url(claim), propose_url(claim)):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200
            assert listed(response.content.decode()), url
            measured.append(len(queries.captured_queries))
        counts.append(measured)
    assert counts[0] == counts[1], (
        f"proposal, claim, propose: {counts[0]} for 1, {counts[1]} for 10"
    )
