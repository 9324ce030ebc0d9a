"""Two editors on one claim in a real browser (Chromium): one merge goes through, one
conflict is finished by hand. Screenshots at 1280 px: the proposal page with a competing
proposal in sight, and the edit-conflict page."""

import re

import pytest
from django.urls import reverse

from archive.models import ChangeProposal, Claim, ProposalState

from .conftest import make_user
from .test_browser_admin import login  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ORIGINAL = "Those found guilty were executed."


@pytest.fixture
def claim(seed_document):
    return Claim.objects.get(text=ORIGINAL)


def propose(page, live_server, claim, text, why):
    page.goto(live_server.url + reverse("admin:archive_claim_propose", args=[claim.pk]))
    page.fill("#id_text", text)
    page.fill("#id_rationale", why)
    page.click("input[type=submit][value='Add to a new proposal']")
    page.wait_for_url(re.compile(r"/admin/archive/changeproposal/\d+/change/$"))
    page.click("button.move-submit")
    assert page.locator("h1 .proposal-state").inner_text() == "submitted"
    return ChangeProposal.objects.order_by("-pk").first()


def open_proposal(page, live_server, proposal):
    page.goto(live_server.url + reverse("admin:archive_changeproposal_change", args=[proposal.pk]))


def test_one_merge_goes_through_and_one_conflict_is_finished_by_hand(
    login,  # noqa: F811
    live_server,
    claim,
    screenshot,
):
    edna, otto = make_user("edna", "Editor"), make_user("otto", "Editor")
    rita, rosa = make_user("rita", "Reviewer"), make_user("rosa", "Reviewer")
    as_edna, as_otto, as_rita = login(edna), login(otto), login(rita)

    # Two edits of different words: the second merges with the first.
    shot = propose(as_edna, live_server, claim, "Those found guilty were shot.", "Per [8].")
    all_ = propose(as_otto, live_server, claim, "All those found guilty were executed.", "All.")
    open_proposal(as_otto, live_server, all_)
    assert f"#{shot.pk}" in as_otto.locator("body").inner_text()  # the competing proposal
    screenshot(as_otto, "merge-proposal-with-competing-proposal")

    open_proposal(as_rita, live_server, shot)
    as_rita.click("button.move-approve")
    open_proposal(as_rita, live_server, all_)
    assert "will merge" in as_rita.locator(".change-outlook").inner_text()
    as_rita.click("button.move-approve")
    assert as_rita.locator("h1 .proposal-state").inner_text() == "approved"
    assert Claim.objects.get(pk=claim.pk).text == "All those found guilty were shot."

    # Two edits of the same word: the second needs its proposer.
    hanged = propose(as_edna, live_server, claim, "All those found guilty were hanged.", "Court.")
    dawn = propose(
        as_otto, live_server, claim, "All those found guilty were shot at dawn.", "Time."
    )
    open_proposal(as_rita, live_server, hanged)
    as_rita.click("button.move-approve")
    open_proposal(as_rita, live_server, dawn)
    assert "needs the proposer" in as_rita.locator(".change-outlook").inner_text()
    as_rita.click("button.move-approve")
    assert as_rita.locator("h1 .proposal-state").inner_text() == "conflict"
    assert Claim.objects.get(pk=claim.pk).text == "All those found guilty were hanged."

    open_proposal(as_otto, live_server, dawn)
    as_otto.click("button.move-rebase")
    as_otto.click("a.edit-change")  # "Finish the merge"
    as_otto.wait_for_url(re.compile(r"/changes/\d+/edit/$"))
    assert "Edit conflict" in as_otto.locator("h2").first.inner_text()
    assert as_otto.input_value("#id_text") == "All those found guilty were hanged."
    screenshot(as_otto, "merge-edit-conflict")
    as_otto.fill("#id_text", "All those found guilty were hanged at dawn.")
    as_otto.click("input[type=submit][value='Save the merge']")
    as_otto.wait_for_url(re.compile(r"/changeproposal/\d+/change/"))
    as_otto.click("button.move-submit")
    assert as_otto.locator("h1 .proposal-state").inner_text() == "submitted"

    as_rosa = login(rosa)
    open_proposal(as_rosa, live_server, dawn)
    as_rosa.click("button.move-approve")
    assert ChangeProposal.objects.get(pk=dawn.pk).state == ProposalState.APPROVED
    assert Claim.objects.get(pk=claim.pk).text == "All those found guilty were hanged at dawn."
