"""The editorial dashboard on the admin index: queues, flags, statuses, coverage, decisions."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive import workflow
from archive.models import Claim, Section

from .conftest import import_text

pytestmark = pytest.mark.django_db


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
