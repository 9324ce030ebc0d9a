"""The article as it stood on any date, and what changed between two dates.

Approvals rewrite texts, headings, citations, flags, statuses and the order of claims; the
article as of a moment before them must be exactly the article as it was then, rebuilt from
simple-history alone. Dates readers type wrong get a clear message, never a server error.
"""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from archive import selectors
from archive.models import ChangeKind, Citation, Flag, Section, Source

from .conftest import make_user
from .public_helpers import approve, claim_with

pytestmark = pytest.mark.django_db


def as_json(client, document, as_of=None):
    url = reverse("public:document_json", args=[document.slug])
    if as_of is not None:
        url += "?as_of=" + quote(as_of.isoformat())
    response = client.get(url)
    assert response.status_code == 200, response.content
    data = response.json()
    data.pop("as_of")
    return data


def rewrite_everything(document, editor, reviewer):
    """Approvals touching every kind of record, including the order of claims."""
    lost = Section.objects.get(document=document, heading_missing=True)
    dockers = claim_with("Dockers in Port Elm")
    newspapers = claim_with("Newspapers called it")
    approve(
        editor,
        reviewer,
        document,
        [
            {
                "kind": ChangeKind.EDIT_CLAIM,
                "claim": dockers,
                "payload": {"text": "Dockers struck."},
            },
            {"kind": ChangeKind.EDIT_HEADING, "section": lost, "payload": {"heading": "Spread"}},
            {
                "kind": ChangeKind.ADD_CLAIM,
                "section": lost,
                "payload": {"text": "A new first sentence.", "position": 1},
            },
            {"kind": ChangeKind.REMOVE_CLAIM, "claim": claim_with("Historians disagree")},
            {
                "kind": ChangeKind.ADD_CITATION,
                "claim": newspapers,
                "source": Source.objects.get(document=document, label="1"),
                "payload": {"locator": "99"},
            },
            {
                "kind": ChangeKind.REMOVE_CITATION,
                "citation": Citation.objects.get(claim=dockers, source__label="3"),
            },
            {
                "kind": ChangeKind.RAISE_FLAG,
                "claim": dockers,
                "payload": {"kind": "citation_needed", "reason": "Which docks?"},
            },
            {
                "kind": ChangeKind.RESOLVE_FLAG,
                "flag": Flag.objects.get(claim=newspapers),
                "payload": {"reason": "Quoted in the paper."},
            },
            {
                "kind": ChangeKind.EDIT_SOURCE,
                "source": Source.objects.get(document=document, label="2"),
                "payload": {"title": "Port Elm Gazette"},
            },
        ],
    )
    approve(
        reviewer,
        make_user("rolf", "Reviewer"),
        document,
        [
            {
                "kind": ChangeKind.SET_REVIEW_STATUS,
                "claim": newspapers,
                "payload": {"review_status": "disputed"},
            }
        ],
    )


def test_as_of_before_approvals_is_the_article_exactly_as_it_was(client, harbour, editor, reviewer):
    original = as_json(client, harbour)
    before = timezone.now()
    rewrite_everything(harbour, editor, reviewer)
    current = as_json(client, harbour)
    assert current != original

    assert as_json(client, harbour, as_of=before) == original
    assert as_json(client, harbour, as_of=timezone.now()) == current


def test_as_of_keeps_the_order_of_claims_when_one_was_inserted_before_them(
    client, harbour, editor, reviewer
):
    lost = Section.objects.get(document=harbour, heading_missing=True)
    before = timezone.now()
    rewrite_everything(harbour, editor, reviewer)
    old = selectors.article_as_of(harbour, before)
    new = selectors.article_as_of(harbour, timezone.now())
    old_texts = [c.text for s in old.sections if s.id == lost.pk for c in s.claim_list]
    new_texts = [c.text for s in new.sections if s.id == lost.pk for c in s.claim_list]
    assert new_texts == ["A new first sentence.", *old_texts]


def test_as_of_page_shows_the_old_text_with_a_banner(client, harbour, editor, reviewer):
    before = timezone.now()
    rewrite_everything(harbour, editor, reviewer)
    url = reverse("public:document", args=[harbour.slug])
    old = client.get(url, {"as_of": before.isoformat()}).content.decode()
    assert "You are reading an earlier version." in old
    assert "Dockers in Port Elm walked out first." in old
    assert "Dockers struck." not in old
    assert "Heading lost in the source copy" in old
    assert "Historians disagree about who won." in old
    assert "claim--disputed" not in old
    now = client.get(url).content.decode()
    assert "Dockers struck." in now and re.search(r"<h\d[^>]*>Spread</h\d>", now)
    assert "Historians disagree" not in now
    assert 'class="claim claim--disputed"' in now


def test_a_date_means_the_end_of_that_day(client, harbour):
    today = timezone.now().date().isoformat()
    response = client.get(reverse("public:document", args=[harbour.slug]), {"as_of": today})
    assert response.status_code == 200
    assert "You are reading an earlier version." in response.content.decode()


def test_an_offset_typed_unencoded_into_the_address_still_works(client, harbour):
    moment = (harbour.created_at + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S.%f")
    url = reverse("public:document", args=[harbour.slug]) + f"?as_of={moment}+02:00"
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "value, message",
    [
        ("yesterday", "“yesterday” is not a date the archive understands"),
        ("2024-02-30", "“2024-02-30” is not a date the archive understands"),
        ("2024-13-01T10:00", "is not a date the archive understands"),
        ("9999-12-31", "9999-12-31 is in the future"),
        ("2999-01-01T00:00:00Z", "2999-01-01 00:00:00 UTC is in the future"),
        ("0001-01-01T00:00:00+05:00", "is not a date the archive understands"),
        ("1" * 41, "too long to be a date"),
    ],
)
def test_a_bad_or_future_date_gets_a_clear_message_not_an_error(client, harbour, value, message):
    response = client.get(reverse("public:document", args=[harbour.slug]), {"as_of": value})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'href="{reverse("public:document", args=[harbour.slug])}"' in page
    api = client.get(reverse("public:document_json", args=[harbour.slug]), {"as_of": value})
    assert api.status_code == 400
    assert message in api.json()["error"]


def test_a_date_before_the_import_says_when_the_document_arrived(client, harbour):
    response = client.get(reverse("public:document", args=[harbour.slug]), {"as_of": "2001-01-01"})
    assert response.status_code == 404
    assert "was not yet in the archive then: it was first imported on" in response.content.decode()
    api = client.get(reverse("public:document_json", args=[harbour.slug]), {"as_of": "2001-01-01"})
    assert api.status_code == 404
    assert api.json()["error"].startswith("not yet in the archive then")


# --------------------------------------------------------------------------- changes


def changes_page(client, document, status=200, **params) -> str:
    response = client.get(reverse("public:changes", args=[document.slug]), params)
    assert response.status_code == status, response.content[:300]
    return response.content.decode()


def test_changes_page_shows_every_kind_of_change_as_a_readable_diff(
    client, harbour, editor, reviewer
):
    before = timezone.now()
    rewrite_everything(harbour, editor, reviewer)
    page = changes_page(client, harbour, **{"from": before.isoformat()})
    assert "Dockers <del>in Port Elm walked out first</del><ins>struck</ins>." in page
    for what in [
        "Heading changed",
        "Claim added",
        "Claim removed",
        "Citations changed",
        "Flag raised",
        "Flag resolved",
        "Review status changed",
        "Source edited",
    ]:
        assert f"<strong>{what}</strong>" in page, what
    assert "unreviewed → disputed" in page
    assert "Proposed by edna, approved by rita" not in page  # wording of the claim page
    assert "proposed by edna, approved by rita" in page
    assert "proposed by rita, approved by rolf" in page


def test_changes_before_the_import_are_counted_from_the_import(client, harbour):
    page = changes_page(client, harbour, **{"from": "2001-01-01"})
    assert "counted from the document's import" in page
    assert "Nothing changed in this period." in page
    assert "Imported from <code>harbour_strikes.txt</code>" in page


def test_changes_by_default_cover_the_last_thirty_days(client, harbour, editor, reviewer):
    rewrite_everything(harbour, editor, reviewer)
    page = changes_page(client, harbour)
    assert "<ins>struck</ins>." in page


def test_changes_up_to_a_moment_before_the_approvals_show_none_of_them(
    client, harbour, editor, reviewer
):
    before = timezone.now()
    rewrite_everything(harbour, editor, reviewer)
    page = changes_page(client, harbour, to=before.isoformat())
    assert "Nothing changed in this period." in page


@pytest.mark.parametrize(
    "params, message",
    [
        ({"from": "soon"}, "“soon” is not a date the archive understands (from)"),
        ({"to": "2999-01-01"}, "2999-01-01 is in the future"),
        (
            {"from": "2024-05-02", "to": "2024-05-01"},
            "The start (2024-05-02 00:00) is after the end",
        ),
    ],
)
def test_bad_change_ranges_get_a_clear_message(client, harbour, params, message):
    assert message in changes_page(client, harbour, status=400, **params)


def test_changes_ending_before_the_import_say_when_the_document_arrived(client, harbour):
    page = changes_page(client, harbour, status=404, to="2001-01-01")
    assert "was not yet in the archive then: it was first imported on" in page
