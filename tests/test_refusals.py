"""A refused move says why, on a styled page with status 403, and changes nothing.

The workflow refuses with a sentence ("You proposed #6; someone else must approve it
(four-eyes rule)."); Django's own 403 page drops it and shows a bare "403 Forbidden".
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from archive import workflow
from archive.errors import permission_denied
from archive.models import Claim, ProposalState

from .conftest import draft_edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(seed_document, reviewer):
    claim = Claim.objects.filter(section__document=seed_document).first()
    proposal = draft_edit(reviewer, claim, claim.text + " Reworded.")
    return workflow.submit_proposal(proposal=proposal, user=reviewer)


def test_approving_one_s_own_proposal_shows_the_four_eyes_rule_in_the_admin(
    client, reviewer, submitted
):
    client.force_login(reviewer)
    page = reverse("admin:archive_changeproposal_change", args=[submitted.pk])
    response = client.post(
        reverse("admin:archive_changeproposal_move", args=[submitted.pk, "approve"]),
        {"comment": ""},
        HTTP_REFERER="http://testserver" + page,
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert f"You proposed #{submitted.pk}; someone else must approve it" in html
    assert 'id="site-name"' in html  # the admin's own layout, not a bare page
    assert f'href="http://testserver{page}"' in html
    submitted.refresh_from_db()
    assert submitted.state == ProposalState.SUBMITTED


def test_a_back_link_to_another_site_is_not_offered(client, reviewer, submitted):
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:archive_changeproposal_move", args=[submitted.pk, "approve"]),
        HTTP_REFERER="https://evil.example/phish",
    )
    assert response.status_code == 403
    assert b"evil.example" not in response.content


def test_the_refusal_is_escaped(rf, reviewer):
    request = rf.get("/admin/archive/")
    request.user = reviewer
    response = permission_denied(request, PermissionDenied("<script>alert(1)</script>"))
    response.render()
    assert response.status_code == 403
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;" in response.content
