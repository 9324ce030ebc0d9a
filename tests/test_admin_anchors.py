"""Citation anchors in the admin: the proposer is asked where a marker goes, the reviewer
sees where every marker will stand, in the new text, escaped.
"""

import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse

from archive import workflow
from archive.models import ChangeProposal, Claim, Flag

from .anchor_helpers import ARTICLE, ENTERED, REWRITTEN, SURRENDERED, draft_edit, propose_edit
from .conftest import import_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def entered(fall_of_berlin):
    return Claim.objects.get(text=ENTERED)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def review_page(user, proposal) -> str:
    url = reverse("admin:archive_changeproposal_change", args=[proposal.pk])
    response = client_for(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def preview(page: str) -> str:
    """The new text with its markers, as the review page shows it."""
    return re.search(r'<p class="marker-text">(.*?)</p>', page, re.S).group(1)


def sup(label: str, how: str) -> str:
    title = {
        "follows": "stays with its words",
        "placed": "placed here by the proposer",
        "lost": "its words are gone and nobody placed it: it stands after the text",
    }[how]
    return f'<sup class="marker marker-{how}" title="{title}">{label}</sup>'


# --------------------------------------------------------------------------- the review page


def test_the_reviewer_sees_each_marker_where_it_will_stand_and_all_text_escaped(
    editor, reviewer, fall_of_berlin
):
    surrendered = Claim.objects.get(text=SURRENDERED)
    Flag.objects.filter(claim=surrendered, label="who?").update(label="<b>who?</b>")
    new = SURRENDERED.replace("some historians", "some <script>alert(1)</script> historians")
    page = review_page(reviewer, propose_edit(editor, surrendered, new))

    assert preview(page) == (
        f"The garrison surrendered on 2 May 1945{sup('[3]', 'follows')}, and some "
        f"&lt;script&gt;alert(1)&lt;/script&gt; historians"
        f"{sup('[&lt;b&gt;who?&lt;/b&gt;]', 'follows')} call the fighting the bloodiest of "
        f"the war.{sup('[citation needed]', 'follows')}"
    )
    assert "<script>alert(1)" not in page and "<b>who?" not in page
    assert "Placed by the proposer" not in page


def test_a_marker_the_proposer_placed_is_shown_there_and_marked(editor, reviewer, entered):
    first = entered.citations.get(source__label="1")
    proposal = propose_edit(
        editor, entered, REWRITTEN, anchors={"citations": {first.pk: len("The capital fell")}}
    )
    page = review_page(reviewer, proposal)

    assert preview(page) == (
        f"The capital fell{sup('[1]', 'placed')} after a two-week siege, meeting little "
        f"resistance.{sup('[2]', 'follows')}"
    )
    assert re.search(r"Placed by the proposer: <span[^>]*>\[1\]</span>", page)


def test_a_reimport_shows_each_citation_where_the_file_has_it(editor, reviewer, entered):
    new = "Soviet troops took the capital in late April, meeting little resistance."
    changed = ARTICLE.replace(
        "Soviet troops entered Berlin[1] on 21 April, meeting little resistance.[2]",
        f"{new}[1][2]",
    )
    page = review_page(reviewer, import_text(changed, "fall.txt", user=editor).proposal)
    # [1] lost its words; the file puts it after the text, before [2].
    assert preview(page) == f"{new}{sup('[1]', 'placed')}{sup('[2]', 'follows')}"
    assert re.search(r"Placed where the imported file has it: <span[^>]*>\[1\]</span>", page)
    assert "Placed by the proposer" not in page


def test_after_the_claim_changed_the_page_says_the_places_will_be_worked_out_again(
    editor, reviewer, archivist_user, entered
):
    proposal = propose_edit(editor, entered, f"{ENTERED} It was 1945.")
    entered.text = "Soviet troops entered Berlin on 21 April."
    workflow.edit_record(obj=entered, user=archivist_user, reason="Trimmed.")
    page = review_page(reviewer, proposal)
    assert 'class="marker-text"' not in page
    assert "The claim's text changed since this change was written" in page


def test_a_decided_proposal_shows_no_places_to_come(editor, reviewer, entered):
    proposal = propose_edit(editor, entered, f"After a week of shelling, {ENTERED}")
    assert 'class="marker-text"' in review_page(reviewer, proposal)
    workflow.approve_proposal(proposal=proposal, user=reviewer)
    page = review_page(reviewer, proposal)
    assert 'class="marker-text"' not in page and "changed since" not in page


# --------------------------------------------------------------------------- the propose form


def propose_url(claim) -> str:
    return reverse("admin:archive_claim_propose", args=[claim.pk]) + "?change=edit_claim"


def test_the_form_asks_where_a_citation_goes_and_the_answer_lands_in_the_payload(editor, entered):
    client = client_for(editor)
    first = entered.citations.get(source__label="1")
    asked = client.post(propose_url(entered), {"text": REWRITTEN, "rationale": "Shorter."})

    assert asked.status_code == 200 and not ChangeProposal.objects.exists()
    page = asked.content.decode()
    assert "Citation [1] would lose its place" in page
    field = f"place_citations_{first.pk}"
    assert f'name="{field}"' in page
    assert "Where does citation [1] go?" in page
    version = hashlib.sha256(REWRITTEN.encode()).hexdigest()[:12]
    after_fell = len("The capital fell")
    option = f'<option value="{after_fell}@{version}">'
    assert f"{option}The capital fell‸ after a two-week siege,…</option>" in page

    answered = client.post(
        propose_url(entered),
        {"text": REWRITTEN, "rationale": "Shorter.", field: f"{after_fell}@{version}"},
    )

    assert answered.status_code == 302
    change = ChangeProposal.objects.get().changes.get()
    assert change.payload == {
        "text": REWRITTEN,
        "anchors": {"citations": {str(first.pk): after_fell}},
    }


def test_a_place_chosen_for_another_wording_is_asked_again(editor, entered):
    first = entered.citations.get(source__label="1")
    stale = f"16@{hashlib.sha256(REWRITTEN.encode()).hexdigest()[:12]}"
    other = REWRITTEN.replace("two-week", "long")
    response = client_for(editor).post(
        propose_url(entered),
        {"text": other, "rationale": "Shorter.", f"place_citations_{first.pk}": stale},
    )
    assert response.status_code == 200 and not ChangeProposal.objects.exists()
    assert "That place was chosen for another wording of the text" in response.content.decode()


def test_an_edit_that_keeps_every_markers_words_asks_nothing(editor, entered):
    draft_edit(editor, entered, f"{ENTERED} It was spring.")  # a draft to add to
    response = client_for(editor).post(
        propose_url(entered), {"text": f"After a week of shelling, {ENTERED}"}
    )
    assert response.status_code == 302
