"""No query string and no stored text makes a public page answer 500.

Readers type dates into addresses by hand: ``?to=0001-01-05`` once made the changes page
fail with an OverflowError, since the default window (30 days before ``to``) fell before
year 1. Hypothesis tries dates at the edges of the calendar, times with offsets, and any
text at all, on every page that takes a date; each must answer a page or a clear 400 / 404.
"""

from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import workflow
from archive.models import ChangeProposal, Claim, Document, Source

from .conftest import draft_edit, import_text

pytestmark = pytest.mark.django_db

ANSWERS = {200, 400, 404}

dates = st.dates().map(lambda d: d.isoformat())
moments = st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat())
edge_dates = st.sampled_from(
    [
        "0001-01-01",
        "0001-01-05",
        "9999-12-31",
        "9999-12-31T23:59:59+14:00",
        "0001-01-01T00:00-12:00",
    ]
)
anything = st.text(max_size=40)
parameters = st.one_of(dates, moments, edge_dates, anything)


@pytest.fixture
def document(db):
    return import_text(
        "Harbour strikes\n\nThe dockers struck in May 1921.[1]\n", "harbour.txt"
    ).document


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(since=st.one_of(st.none(), parameters), until=st.one_of(st.none(), parameters))
def test_the_changes_page_answers_any_window(client, document, since, until):
    query = {key: value for key, value in (("from", since), ("to", until)) if value is not None}
    response = client.get(reverse("public:changes", args=[document.slug]), query)
    assert response.status_code in ANSWERS


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(as_of=parameters)
def test_the_article_and_its_json_answer_any_date(client, document, as_of):
    page = client.get(reverse("public:document", args=[document.slug]), {"as_of": as_of})
    data = client.get(reverse("public:document_json", args=[document.slug]), {"as_of": as_of})
    assert page.status_code in ANSWERS
    assert data.status_code in ANSWERS


def test_a_window_ending_near_year_one_is_a_page_not_an_error(client, document):
    response = client.get(reverse("public:changes", args=[document.slug]), {"to": "0001-01-05"})
    assert response.status_code == 404  # before the document's import: "not archived yet"
    assert b"not" in response.content.lower()


# Stored text the workflow and the importer would refuse (control characters, lone
# surrogates, markup) can still reach the database by other paths: a shell, a restore.
# (Not NUL or lone surrogates: PostgreSQL cannot store them at all.)
stored_texts = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
    min_size=1,
    max_size=60,
)


@pytest.fixture
def approved_edit(db, editor, reviewer, document):
    claim = document.sections.first().claims.first()
    proposal = draft_edit(editor, claim, claim.text + " It lasted a week.")
    workflow.submit_proposal(proposal=proposal, user=editor)
    workflow.approve_proposal(proposal=proposal, user=reviewer)
    return proposal, claim


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=stored_texts)
def test_no_stored_text_makes_a_public_page_fail(client, document, approved_edit, text):
    proposal, claim = approved_edit
    Claim.objects.filter(pk=claim.pk).update(text=text)
    ChangeProposal.objects.filter(pk=proposal.pk).update(rationale=text)
    Document.objects.filter(pk=document.pk).update(title=text)
    Source.objects.filter(document=document).update(title=text, note_text=text)
    caches[django_settings.ARCHIVE_RENDER_CACHE_ALIAS].clear()
    for url in [
        reverse("public:index"),
        reverse("public:feed"),
        reverse("public:document", args=[document.slug]),
        reverse("public:changes", args=[document.slug]),
        reverse("public:document_json", args=[document.slug]),
        reverse("public:claim", args=[claim.pk]),
        reverse("public:search") + "?q=" + quote(text[:20]),
    ]:
        assert client.get(url).status_code in ANSWERS, url
