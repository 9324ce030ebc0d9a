"""Two people carry a change from proposal to approval in a real browser (Chromium).

The editor and the reviewer each log in through the admin's login form, in their own
browser context (their own cookies), and only click and type what a person would.
"""

import re

import pytest
from django.urls import reverse

from archive.models import ChangeProposal, Claim, ProposalState

from .anchor_helpers import ENTERED, REWRITTEN
from .conftest import make_user

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a-long-test-password"  # what conftest.make_user gives everyone
ORIGINAL = "Those found guilty were executed."
NEW_TEXT = "Those found guilty were shot by firing squad."


@pytest.fixture
def people(db):
    return make_user("edna", "Editor"), make_user("rita", "Reviewer")


@pytest.fixture
def claim(seed_document):
    return Claim.objects.get(text=ORIGINAL)


@pytest.fixture
def login(browser, live_server):
    """A fresh browser context per person, logged in through the admin's own form."""
    contexts = []

    def as_user(user):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(live_server.url + reverse("admin:login"))
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(re.compile(r"/admin/$"))
        return page

    yield as_user
    for context in contexts:
        context.close()


def test_editor_proposes_a_text_change_and_a_reviewer_approves_it_in_the_browser(
    login, live_server, people, claim, screenshot
):
    editor, reviewer = people
    claim_page = live_server.url + reverse("admin:archive_claim_change", args=[claim.pk])

    # The editor proposes from the claim's page and submits.
    page = login(editor)
    page.goto(claim_page)
    page.click("text=Propose a change")
    page.fill("#id_text", NEW_TEXT)
    page.fill("#id_rationale", "The source [8] names the firing squad.")
    page.click("input[type=submit][value='Add to a new proposal']")
    page.wait_for_url(re.compile(r"/admin/archive/changeproposal/\d+/change/$"))
    assert page.locator(".proposal-state").inner_text() == "draft"
    page.fill("#id_move_comment", "Ready for review.")
    page.click("button.move-submit")
    assert page.locator(".proposal-state").inner_text() == "submitted"
    proposal = ChangeProposal.objects.get()
    assert proposal.state == ProposalState.SUBMITTED
    assert Claim.objects.get(pk=claim.pk).text == ORIGINAL  # nothing live before review

    # The reviewer finds it in the queue, reads the diff, approves with a comment.
    page = login(reviewer)
    page.goto(live_server.url + reverse("admin:archive_changeproposal_changelist"))
    page.click("text=awaiting my review")
    page.click(f"text=#{proposal.pk}")
    diff = page.locator("p.diff")
    assert diff.locator("del").all_inner_texts() == ["executed"]
    assert diff.locator("ins").all_inner_texts() == ["shot by firing squad"]
    screenshot(page, "proposal-page-for-review")
    page.fill("#id_move_comment", "Matches [8], p. 212.")
    page.click("button.move-approve")
    assert "approved and applied" in page.locator(".messagelist").inner_text()
    assert page.locator(".proposal-state").inner_text() == "approved"
    screenshot(page, "proposal-page-approved")

    # The new text is live, recorded as the reviewer's approval of this proposal.
    proposal.refresh_from_db()
    assert (proposal.state, proposal.reviewer, proposal.decision_comment) == (
        ProposalState.APPROVED,
        reviewer,
        "Matches [8], p. 212.",
    )
    live = Claim.objects.get(pk=claim.pk)
    assert live.text == NEW_TEXT
    assert (live.history.first().history_user, live.history.first().history_proposal) == (
        reviewer,
        proposal,
    )
    page.goto(claim_page)
    assert NEW_TEXT in page.locator("#content-main").inner_text()


def test_the_editor_places_a_citation_whose_words_are_gone_and_the_reviewer_sees_it_there(
    login, live_server, people, fall_of_berlin, screenshot
):
    editor, reviewer = people
    claim = Claim.objects.get(text=ENTERED)
    first = claim.citations.get(source__label="1")

    # The rewrite keeps none of the words around [1]: the form asks where it goes.
    page = login(editor)
    page.goto(live_server.url + reverse("admin:archive_claim_propose", args=[claim.pk]))
    page.fill("#id_text", REWRITTEN)
    page.fill("#id_rationale", "Shorter, as in Beevor.")
    page.click("input[type=submit]")
    assert "Citation [1] would lose its place" in page.locator("#propose-form").inner_text()
    assert not ChangeProposal.objects.exists()
    screenshot(page, "propose-asks-where-a-citation-goes")
    page.select_option(
        f"#id_place_citations_{first.pk}", label="The capital fell‸ after a two-week siege,…"
    )
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/archive/changeproposal/\d+/change/$"))
    page.click("button.move-submit")
    proposal = ChangeProposal.objects.get()

    # The reviewer reads the new text with [1] where the editor put it, marked as placed.
    page = login(reviewer)
    page.goto(live_server.url + reverse("admin:archive_changeproposal_change", args=[proposal.pk]))
    preview = page.locator("p.marker-text")
    assert preview.inner_text() == (
        "The capital fell[1] after a two-week siege, meeting little resistance.[2]"
    )
    assert preview.locator("sup.marker-placed").all_inner_texts() == ["[1]"]
    screenshot(page, "proposal-page-shows-a-placed-citation")
    page.click("button.move-approve")
    assert page.locator(".proposal-state").inner_text() == "approved"
    first.refresh_from_db()
    assert first.offset == len("The capital fell")
