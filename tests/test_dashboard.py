"""The editorial dashboard on the admin index: queues, flags, statuses, coverage, decisions,
and each editor's own proposals (sent back, in conflict, decided since they last looked)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archive import workflow
from archive.models import ChangeProposal, Claim, DashboardVisit, Section

from .conftest import draft_edit, import_text, make_user

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def dashboard(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


def test_open_flags_and_review_statuses_of_the_seed(client, editor, seed_document):
    page = dashboard(client, editor)
    assert re.search(r"<td>citation needed</td><td>6</td><td>6</td><td>0</td><td>0</td>", page)
    assert re.search(r"<td>neutrality disputed</td><td>2</td>", page)
    assert re.search(r"<td>quotation needed</td><td>2</td>", page)
    assert re.search(r'<th scope="row">unreviewed</th><td>185</td>', page)
    assert re.search(r'<th scope="row">verified</th><td>0</td>', page)


def test_coverage_chart_has_one_bar_per_section_with_its_share(client, editor, seed_document):
    page = dashboard(client, editor)
    start = page.index('class="coverage-chart"')
    chart = page[start : page.index("</svg>", start)]
    sections = Section.objects.filter(document=seed_document, claims__isnull=False).distinct()
    assert chart.count('class="coverage-bar"') == sections.count() == 25
    lead = Section.objects.get(document=seed_document, position=1)
    claims = Claim.objects.filter(section=lead)
    cited = claims.filter(citations__isnull=False).distinct().count()
    assert f"(lead): {cited} of {claims.count()} claims cited" in chart
    assert f">{round(100 * cited / claims.count())}%<" in chart


def test_awaiting_review_lists_other_peoples_submitted_proposals(
    client, editor, reviewer, seed_document
):
    claim = Claim.objects.filter(section__document=seed_document).first()
    proposal = workflow.create_proposal(document=seed_document, user=editor, rationale="Tighter.")
    workflow.add_change(
        proposal=proposal, user=editor, kind="edit_claim", claim=claim, payload={"text": "New."}
    )
    assert f"#{proposal.pk}</a>" not in dashboard(client, reviewer)  # still a draft
    workflow.submit_proposal(proposal=proposal, user=editor)
    assert f"#{proposal.pk}</a>" in dashboard(client, reviewer)
    assert "Nothing is waiting for your review." in dashboard(client, editor)  # own proposal
    workflow.approve_proposal(proposal=proposal, user=reviewer, comment="Good.")
    page = dashboard(client, reviewer)
    decisions = page[page.index("Latest decisions") :]
    assert f"#{proposal.pk}</a>" in decisions
    assert re.search(r"<td>approved</td>\s*<td>rita</td>\s*<td>edna</td>", decisions)


def test_headings_are_escaped_in_the_chart(client, editor):
    import_text("Escapes\n\nIntro.\n\nHeading <b>bold</b>\n\nA cited claim.[1]\n", "e.txt")
    page = dashboard(client, editor)
    assert "Heading &lt;b&gt;bold&lt;/b&gt;" in page
    assert "<b>Bold</b>" not in page


def test_dashboard_query_count_does_not_grow_with_the_archive(
    client, editor, small_article, large_article
):
    client.force_login(editor)
    counts = []
    for name, article in (("small.txt", small_article), ("large.txt", large_article)):
        import_text(article, name)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("admin:index")).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_export_link_only_for_those_who_may_export(client, editor, reviewer, seed_document):
    assert "Export the audit history" not in dashboard(client, editor)
    assert "Export the audit history" in dashboard(client, reviewer)


# --------------------------------------------------------------------------- the editor's desk
#
# Each editor sees their own proposals that were sent back, are in conflict, or were decided
# since they last looked (a visit is recorded as the page is shown; a reload no longer
# lists those decisions as new).


def submitted(user, claim, text="New words."):
    proposal = draft_edit(user, claim, text)
    return workflow.submit_proposal(proposal=proposal, user=user)


def in_conflict(user, other, reviewer, claim):
    """``user``'s proposal on ``claim``, overtaken by ``other``'s approved edit of it."""
    stale = submitted(user, claim, "Mine.")
    workflow.approve_proposal(proposal=submitted(other, claim, "Theirs."), user=reviewer)
    return workflow.approve_proposal(proposal=stale, user=reviewer)


def panel(page: str, heading: str) -> str:
    """The dashboard panel under ``heading``, up to the end of its box."""
    start = page.index(f"<h2>{heading}</h2>")
    return page[start : page.index("</div>", start)]


def link(proposal) -> str:
    url = reverse("admin:archive_changeproposal_change", args=[proposal.pk])
    return f'<a href="{url}">#{proposal.pk}</a>'


SENT_BACK, CONFLICT, DECIDED = (
    "Sent back to you",
    "Your proposals in conflict",
    "Decided since you last looked",
)


@pytest.fixture
def claims(seed_document):
    return list(Claim.objects.filter(section__document=seed_document).order_by("pk"))


def test_a_proposal_sent_back_is_listed_with_the_reviewers_comment_and_a_link(
    client, editor, reviewer, claims
):
    proposal = submitted(editor, claims[0])
    workflow.request_changes(proposal=proposal, user=reviewer, comment="Cite the 1946 report.")

    sent_back = panel(dashboard(client, editor), SENT_BACK)
    assert link(proposal) in sent_back
    assert re.search(r"<td>rita</td>\s*<td[^>]*>Cite the 1946 report.</td>", sent_back)


def test_a_proposal_in_conflict_is_listed_with_what_changed(client, editor, reviewer, claims):
    proposal = in_conflict(editor, make_user("otto", "Editor"), reviewer, claims[0])
    assert proposal.state == "conflict"

    page = dashboard(client, editor)
    assert link(proposal) in panel(page, CONFLICT)
    assert f"claim #{claims[0].pk} changed since" in panel(page, CONFLICT)
    assert link(proposal) not in panel(page, SENT_BACK)


def test_a_decision_is_new_on_the_first_visit_after_it_and_not_on_the_next(
    client, editor, reviewer, claims
):
    proposal = submitted(editor, claims[0])
    dashboard(client, editor)  # Edna looks before the review
    workflow.approve_proposal(proposal=proposal, user=reviewer, comment="Well sourced.")

    decided = panel(dashboard(client, editor), DECIDED)
    assert link(proposal) in decided
    assert re.search(r"<td>approved</td>\s*<td>rita</td>\s*<td[^>]*>Well sourced.</td>", decided)
    assert "since your last visit" in decided

    reloaded = panel(dashboard(client, editor), DECIDED)
    assert link(proposal) not in reloaded
    assert "No new decisions on your proposals." in reloaded


def test_a_first_visit_shows_the_decisions_of_the_last_30_days(client, editor, reviewer, claims):
    recent = workflow.approve_proposal(proposal=submitted(editor, claims[0]), user=reviewer)
    old = workflow.reject_proposal(
        proposal=submitted(editor, claims[1]), user=reviewer, comment="No source."
    )
    ChangeProposal.objects.filter(pk=recent.pk).update(decided_at=timezone.now() - DAY * 29)
    ChangeProposal.objects.filter(pk=old.pk).update(decided_at=timezone.now() - DAY * 31)

    decided = panel(dashboard(client, editor), DECIDED)
    assert "Your first visit: decisions on your proposals in the last 30 days." in decided
    assert link(recent) in decided
    assert link(old) not in decided


def test_a_visit_is_recorded_once_per_user_and_never_goes_back(editor):
    first = timezone.now()
    assert workflow.note_dashboard_visit(editor, when=first) is None
    assert workflow.note_dashboard_visit(editor, when=first + DAY) == first
    assert workflow.note_dashboard_visit(editor, when=first) == first + DAY  # older: kept
    assert DashboardVisit.objects.get(user=editor).seen_at == first + DAY


def test_comments_are_shown_escaped(client, editor, reviewer, claims):
    sent_back = submitted(editor, claims[0])
    workflow.request_changes(proposal=sent_back, user=reviewer, comment="<b>Cite</b> it.")
    rejected = submitted(editor, claims[1])
    workflow.reject_proposal(
        proposal=rejected, user=reviewer, comment="<script>alert('x')</script>"
    )

    page = dashboard(client, editor)
    assert "&lt;b&gt;Cite&lt;/b&gt; it." in panel(page, SENT_BACK)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in panel(page, DECIDED)
    assert "<script>alert" not in page and "<b>Cite</b>" not in page


def test_other_editors_proposals_are_not_listed(client, editor, reviewer, claims):
    otto = make_user("otto", "Editor")
    mine = submitted(editor, claims[0])
    workflow.request_changes(proposal=mine, user=reviewer, comment="Shorter.")
    theirs_sent_back = submitted(otto, claims[1])
    workflow.request_changes(proposal=theirs_sent_back, user=reviewer, comment="Longer.")
    theirs_in_conflict = in_conflict(otto, make_user("olga", "Editor"), reviewer, claims[2])
    theirs_decided = workflow.approve_proposal(proposal=submitted(otto, claims[3]), user=reviewer)

    page = dashboard(client, editor)
    desk = panel(page, SENT_BACK) + panel(page, CONFLICT) + panel(page, DECIDED)
    assert link(mine) in desk
    for theirs in (theirs_sent_back, theirs_in_conflict, theirs_decided):
        assert link(theirs) not in desk
    assert "Longer." not in page


def test_the_desk_shows_only_to_people_with_proposals(client, editor, reviewer, claims):
    assert SENT_BACK not in dashboard(client, reviewer)
    workflow.create_proposal(document=claims[0].section.document, user=reviewer, rationale="Why.")
    page = dashboard(client, reviewer)  # reviewers propose too
    assert "Nothing of yours is sent back." in panel(page, SENT_BACK)
    assert "Nothing of yours is in conflict." in panel(page, CONFLICT)


def test_the_desk_makes_as_many_queries_for_many_proposals_as_for_few(client, reviewer, claims):
    otto = make_user("otto", "Editor")
    counts = []
    for name, each, at in (("edna", 1, 0), ("emil", 5, 10)):
        user = make_user(name, "Editor")
        dashboard(client, user)  # a first visit, so that what follows is new to them
        for offset in range(at, at + each):
            sent_back = submitted(user, claims[3 * offset])
            workflow.request_changes(proposal=sent_back, user=reviewer, comment="More.")
            in_conflict(user, otto, reviewer, claims[3 * offset + 1])
            workflow.approve_proposal(
                proposal=submitted(user, claims[3 * offset + 2]), user=reviewer
            )
        with CaptureQueriesContext(connection) as queries:
            page = dashboard(client, user)
        counts.append(len(queries.captured_queries))
        for heading in (SENT_BACK, CONFLICT, DECIDED):
            assert panel(page, heading).count("<tr>") == each + 1  # and the header row
    assert counts[0] == counts[1]
