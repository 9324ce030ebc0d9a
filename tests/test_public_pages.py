"""The public site as a reader meets it: documents, the article, claims, sources, search,
the feed and the JSON. Only approved content, everything escaped, a fixed number of queries.
"""

import json
import re
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive import workflow
from archive.models import ChangeKind, Claim, Flag, Source

from .conftest import import_text
from .public_helpers import approve, claim_with, clear_render_cache, public_urls, submit_pending

pytestmark = pytest.mark.django_db


def html(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def article_url(document) -> str:
    return reverse("public:document", args=[document.slug])


# --------------------------------------------------------------------------- front page


def test_front_page_lists_documents_with_their_figures(client, harbour, editor, reviewer):
    verify = claim_with("The strikes closed")
    approve(
        reviewer,
        _other_reviewer(),
        harbour,
        [
            {
                "kind": ChangeKind.SET_REVIEW_STATUS,
                "claim": verify,
                "payload": {"review_status": "verified"},
            }
        ],
    )
    page = html(client, reverse("public:index"))
    claims = Claim.objects.filter(section__document=harbour).count()
    sources = Source.objects.filter(document=harbour).count()
    assert f'href="{article_url(harbour)}"' in page
    assert f"<dd>{claims}</dd>" in page
    assert f"<dd>{sources}</dd>" in page
    assert f"<dd>{Flag.objects.filter(status='open').count()}</dd>" in page
    assert f"<dd>{100 / claims:.0f}%" in page


def _other_reviewer():
    from .conftest import make_user

    return make_user("rolf", "Reviewer")


def test_front_page_without_documents_says_so(client):
    assert "No documents have been imported yet." in html(client, reverse("public:index"))


# --------------------------------------------------------------------------- the article


def test_article_shows_headings_lost_headings_and_levels(client, harbour):
    page = html(client, article_url(harbour))
    assert page.count("<h1") == 1
    assert re.search(r"<h2[^>]*>Causes</h2>", page)
    assert re.search(r"<h3[^>]*>Wages</h3>", page)
    assert "Heading lost in the source copy" in page
    assert re.search(r"<h2[^>]*>Aftermath</h2>", page)


def test_article_styles_captions_and_quotations(client, harbour):
    page = html(client, article_url(harbour))
    caption = claim_with("Crowds outside the customs house")
    quotation = claim_with("We ask for bread")
    assert re.search(rf'<figure class="caption"><figcaption>.*id="claim-{caption.pk}"', page)
    assert re.search(rf'<blockquote class="quotation"><p><span[^>]*id="claim-{quotation.pk}"', page)


def test_citations_link_to_the_numbered_reference_list_with_locators(client, harbour):
    page = html(client, article_url(harbour))
    dockers = claim_with("Dockers in Port Elm")
    source_2 = Source.objects.get(document=harbour, label="2")
    source_3 = Source.objects.get(document=harbour, label="3")
    claim_html = re.search(
        rf'<span class="claim[^"]*" id="claim-{dockers.pk}">.*?</span>(?= |<)', page
    ).group(0)
    assert f'<a href="#source-{source_2.pk}"' in claim_html
    assert f'<a href="#source-{source_3.pk}"' in claim_html
    assert ": 14–15" in page
    assert f'<li id="source-{source_2.pk}"><span class="source-list__label">2</span>' in page
    note = Source.objects.get(document=harbour, kind="note")
    assert f'id="source-{note.pk}"' in page
    assert "The northern ports joined on 9 March." in page


def test_flags_show_inline_and_a_disputed_section_gets_a_banner(client, harbour):
    page = html(client, article_url(harbour))
    assert '<sup class="flag flag--citation_needed">[<a href=' in page
    assert ">citation needed</a>]</sup>" in page
    assert ">dubious – discuss</a>]</sup>" in page
    assert "The neutrality of this section is disputed." in page


def test_claims_are_addressable_and_link_to_their_pages(client, harbour):
    page = html(client, article_url(harbour))
    for claim in Claim.objects.filter(section__document=harbour):
        assert f'id="claim-{claim.pk}"' in page
        assert f'href="{reverse("public:claim", args=[claim.pk])}"' in page


def test_verified_and_disputed_claims_are_marked(client, harbour, reviewer):
    verified, disputed = claim_with("The strikes closed"), claim_with("Newspapers called it")
    approve(
        reviewer,
        _other_reviewer(),
        harbour,
        [
            {
                "kind": ChangeKind.SET_REVIEW_STATUS,
                "claim": verified,
                "payload": {"review_status": "verified"},
            },
            {
                "kind": ChangeKind.SET_REVIEW_STATUS,
                "claim": disputed,
                "payload": {"review_status": "disputed"},
            },
        ],
    )
    page = html(client, article_url(harbour))
    assert f'<span class="claim claim--verified" id="claim-{verified.pk}">' in page
    assert f'<span class="claim claim--disputed" id="claim-{disputed.pk}">' in page
    assert page.count('class="mark mark--verified" title=') == 1
    assert page.count('<span class="mark mark--disputed">[disputed]</span>') == 2  # + legend


def test_unknown_document_is_not_found(client):
    assert client.get(reverse("public:document", args=["no-such-thing"])).status_code == 404
    assert client.get(reverse("public:changes", args=["no-such-thing"])).status_code == 404
    response = client.get(reverse("public:document_json", args=["no-such-thing"]))
    assert response.status_code == 404
    assert response.json() == {"error": "no document with that name"}


# --------------------------------------------------------------------------- claim and source


def test_claim_page_shows_text_status_citations_and_flags(client, harbour):
    claim = claim_with("Historians disagree")
    page = html(client, reverse("public:claim", args=[claim.pk]))
    assert "Historians disagree about who won." in page
    assert '<span class="status status--unreviewed">unreviewed</span>' in page
    source = Source.objects.get(document=harbour, label="7")
    assert f'href="{reverse("public:source", args=[source.pk])}">[7]</a>' in page
    assert "<strong>who?</strong>" in page
    assert f'href="{article_url(harbour)}#claim-{claim.pk}"' in page


def test_claim_history_lists_every_version_with_date_who_proposal_and_reviewer(
    client, harbour, editor, reviewer
):
    claim = claim_with("Newspapers called it")
    first = approve(
        editor,
        reviewer,
        harbour,
        [
            {
                "kind": ChangeKind.EDIT_CLAIM,
                "claim": claim,
                "payload": {"text": "Newspapers called it a rising."},
            }
        ],
        rationale="The papers said rising, per the archive scan.",
    )
    second = approve(
        reviewer,
        _other_reviewer(),
        harbour,
        [
            {
                "kind": ChangeKind.SET_REVIEW_STATUS,
                "claim": claim,
                "payload": {"review_status": "verified"},
            },
            {
                "kind": ChangeKind.RESOLVE_FLAG,
                "flag": claim.flags.get(),
                "payload": {"reason": "Checked."},
            },
        ],
    )
    page = html(client, reverse("public:claim", args=[claim.pk]))
    events = re.findall(r'<li class="timeline__event">(.*?)</li>', page, re.S)
    assert [re.search(r"<strong>(.*?)</strong>", e).group(1) for e in events] == [
        "Added",
        "Text changed",
        "Review status changed",
        "Flag resolved",
    ]
    assert "Imported by archive-importer from <code>harbour_strikes.txt</code>" in events[0]
    assert "Cites [6]" in events[0] and "flagged “dubious – discuss”" in events[0]
    assert f"Proposed by edna in proposal #{first.pk}, approved by rita" in events[1]
    assert "Why: The papers said rising, per the archive scan." in events[1]
    assert "<del>revolt</del><ins>rising</ins>." in events[1]
    assert f"Proposed by rita in proposal #{second.pk}, approved by rolf" in events[2]
    assert "unreviewed → verified" in events[2]
    for event in events:
        assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', event)


def test_a_removed_claim_keeps_its_page_with_its_history(client, harbour, editor, reviewer):
    claim = claim_with("Newspapers called it")
    proposal = approve(
        editor, reviewer, harbour, [{"kind": ChangeKind.REMOVE_CLAIM, "claim": claim}]
    )
    page = html(client, reverse("public:claim", args=[claim.pk]), status=410)
    assert "This claim was removed from the article" in page
    assert f"by proposal #{proposal.pk}, approved by rita" in page
    assert "Newspapers called it a revolt." in page
    assert f"#claim-{claim.pk}" not in html(client, article_url(harbour))


def test_unknown_claim_and_source_are_not_found(client, harbour):
    assert client.get(reverse("public:claim", args=[999_999])).status_code == 404
    assert client.get(reverse("public:source", args=[999_999])).status_code == 404


def test_source_page_lists_every_claim_citing_it(client, harbour):
    source = Source.objects.get(document=harbour, label="3")
    page = html(client, reverse("public:source", args=[source.pk]))
    assert "<h1>Source [3]</h1>" in page
    assert "No bibliographic details recorded yet." in page
    dockers = claim_with("Dockers in Port Elm")
    assert f'href="{reverse("public:claim", args=[dockers.pk])}">Dockers in Port Elm' in page
    assert "(at 14–15)" in page


def test_a_claim_citing_a_source_twice_is_listed_once_with_both_locators(client):
    document = import_text("Twice\n\nOne claim, two pages.[1]: 3[1]: 9\n", "twice.txt").document
    source = Source.objects.get(document=document, label="1")
    page = html(client, reverse("public:source", args=[source.pk]))
    assert "Claims citing this source (1)" in page
    assert "(at 3, 9)" in page


def test_source_page_shows_details_an_editor_added(client, harbour, editor, reviewer):
    source = Source.objects.get(document=harbour, label="3")
    approve(
        editor,
        reviewer,
        harbour,
        [
            {
                "kind": ChangeKind.EDIT_SOURCE,
                "source": source,
                "payload": {
                    "title": "The Dock Strikes",
                    "author": "Moss, H.",
                    "url": "https://example.org/docks",
                },
            }
        ],
    )
    page = html(client, reverse("public:source", args=[source.pk]))
    link = '<a class="source__title" href="https://example.org/docks" rel="nofollow noopener">'
    assert f"{link}The Dock Strikes</a>" in page
    assert "Moss, H." in page


# --------------------------------------------------------------------------- search


def test_search_finds_live_claims_and_links_them_in_context(client, harbour):
    page = html(client, reverse("public:search") + "?q=harbour")
    claim = claim_with("The strikes closed every harbour")
    assert f'href="{article_url(harbour)}#claim-{claim.pk}"' in page
    assert "<mark>harbour</mark>" in page
    assert f'href="{reverse("public:claim", args=[claim.pk])}"' in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking needs PostgreSQL")
def test_search_ranks_by_relevance_and_stems_words_on_postgresql(client, harbour):
    from archive import selectors

    results, total = selectors.search_claims("strikes")
    texts = [claim.text for claim in results]
    # "strike" matches "strikes" through English stemming.
    assert any(text.startswith("The strike spread north") for text in texts)
    ranks = [claim.rank for claim in results]
    assert ranks == sorted(ranks, reverse=True)
    assert total == len(results)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes are PostgreSQL's")
def test_search_is_answered_from_the_text_search_index_on_postgresql(harbour):
    """Every query the search runs can use the GIN index (migration 0008) rather than
    computing every claim's vector; sequential scans are switched off so the planner
    says whether it could, whatever the table's size."""
    from archive import selectors

    with CaptureQueriesContext(connection) as queries:
        selectors.search_claims("harbour strikes")
    assert len(queries.captured_queries) == 2
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in queries.captured_queries:
            cursor.execute("EXPLAIN " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "archive_claim_text_search" in plan, plan


def test_search_without_words_shows_only_the_form(client, harbour):
    page = html(client, reverse("public:search"))
    assert 'id="search-q"' in page and "result-list" not in page


def test_search_that_matches_nothing_says_so(client, harbour):
    assert "No claim matches “zeppelin”." in html(client, reverse("public:search") + "?q=zeppelin")


def test_control_characters_in_a_search_are_ignored(client, harbour):
    page = html(client, reverse("public:search") + "?q=%00harbour%07")
    assert "<mark>harbour</mark>" in page
    assert "“harbour”" in page


def test_overlong_search_is_refused_with_a_clear_message(client, harbour):
    page = html(client, reverse("public:search") + "?q=" + "a" * 201, status=400)
    assert "Search for at most 200 characters (that was 201)" in page


# --------------------------------------------------------------------------- feed and JSON


def test_feed_lists_approved_changes_newest_first(client, harbour, editor, reviewer):
    claim = claim_with("Newspapers called it")
    proposal = approve(
        editor,
        reviewer,
        harbour,
        [
            {
                "kind": ChangeKind.EDIT_CLAIM,
                "claim": claim,
                "payload": {"text": "Newspapers called it a rising."},
            }
        ],
        rationale="Wording of the papers.",
    )
    response = client.get(reverse("public:feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = response.content.decode()
    entries = re.findall(r"<entry>(.*?)</entry>", feed, re.S)
    assert len(entries) == 2
    assert f"1 change approved (proposal #{proposal.pk})" in entries[0]
    assert "Proposed by edna, approved by rita" in entries[0]
    assert "Newspapers called it a rising." in entries[0]
    assert "imported from harbour_strikes.txt" in entries[1]
    link = re.search(r'<link href="([^"]+)"', entries[0]).group(1).replace("&amp;", "&")
    changes = html(client, link.removeprefix("http://testserver"))
    assert "<del>revolt</del><ins>rising</ins>." in changes


def test_json_has_sections_claims_citations_sources_flags_and_statuses(client, harbour):
    response = client.get(reverse("public:document_json", args=[harbour.slug]))
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["document"]["slug"] == harbour.slug and data["as_of"] is None
    headings = [s["heading"] for s in data["sections"]]
    assert "Causes" in headings and "Aftermath" in headings
    assert any(s["heading_missing"] for s in data["sections"])
    claims = [c for s in data["sections"] for c in s["claims"]]
    assert len(claims) == Claim.objects.filter(section__document=harbour).count()
    dockers = next(c for c in claims if c["text"].startswith("Dockers"))
    assert [(c["label"], c["locator"]) for c in dockers["citations"]] == [("2", ""), ("3", "14–15")]
    assert dockers["review_status"] == "unreviewed"
    assert dockers["url"] == reverse("public:claim", args=[dockers["id"]])
    aftermath = next(s for s in data["sections"] if s["heading"] == "Aftermath")
    assert [f["kind"] for f in aftermath["flags"]] == ["neutrality_disputed"]
    assert {s["label"] for s in data["sources"]} == set(
        Source.objects.filter(document=harbour).values_list("label", flat=True)
    )


# --------------------------------------------------------------------------- never public


def test_a_pending_proposal_appears_on_no_page_feed_or_api(client, harbour, editor, reviewer):
    # An approval first, so the feed and histories have proposals to show at all.
    approve(
        editor,
        reviewer,
        harbour,
        [
            {
                "kind": ChangeKind.EDIT_CLAIM,
                "claim": claim_with("Newspapers"),
                "payload": {"text": "Papers called it a rising."},
            }
        ],
    )
    marker = "Zqxv7pending"
    submit_pending(editor, harbour, marker)
    rejected = workflow.create_proposal(
        document=harbour, user=editor, rationale=f"Rejected {marker}"
    )
    workflow.add_change(
        proposal=rejected,
        user=editor,
        kind=ChangeKind.EDIT_CLAIM,
        claim=claim_with("Historians"),
        payload={"text": f"Rejected text {marker}."},
    )
    workflow.submit_proposal(proposal=rejected, user=editor)
    workflow.reject_proposal(proposal=rejected, user=reviewer, comment=f"No. {marker}")
    urls = [
        *public_urls(harbour, query=marker),
        reverse("public:claim", args=[claim_with("The strikes").pk]),
        reverse("public:document_json", args=[harbour.slug]) + "?as_of=" + _now_param(),
        reverse("public:changes", args=[harbour.slug]) + "?from=2000-01-01",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        if "?q=" in url:  # the search page repeats what was searched for, and finds nothing
            assert f"No claim matches “{marker}”." in body
            body = body.replace(f"“{marker}”", "").replace(f'value="{marker}"', "")
        assert marker.lower() not in body.lower(), url
        assert "@example.org" not in body, url


def _now_param():
    from django.utils import timezone

    return timezone.now().isoformat().replace("+", "%2B")


SCRIPT = "<script>alert(1)</script>"
ATOM = "{http://www.w3.org/2005/Atom}"


def test_user_written_text_is_escaped_on_every_page_the_feed_and_the_json(client, editor, reviewer):
    document = import_text(
        f"Escapes\n\nA claim {SCRIPT} with a source.[1]\n\nHeading {SCRIPT}\n\nAnother claim.[2]\n",
        "escapes.txt",
    )
    document = document.document
    source = Source.objects.get(document=document, label="1")
    claim = Claim.objects.get(text__startswith="Another claim")
    approve(
        editor,
        reviewer,
        document,
        [
            {"kind": ChangeKind.EDIT_CLAIM, "claim": claim, "payload": {"text": SCRIPT}},
            {
                "kind": ChangeKind.EDIT_SOURCE,
                "source": source,
                "payload": {"title": SCRIPT, "author": SCRIPT},
            },
            {
                "kind": ChangeKind.RAISE_FLAG,
                "claim": claim,
                "payload": {"kind": "other", "label": SCRIPT[:20], "reason": SCRIPT},
            },
        ],
        rationale=f"Rationale {SCRIPT}",
    )
    urls = [
        # Not "alert": PostgreSQL's parser skips what is inside <script> tags.
        *public_urls(document, query="claim"),
        reverse("public:claim", args=[claim.pk]),
        reverse("public:changes", args=[document.slug]) + "?from=2000-01-01",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "<script" not in body.lower(), url
        kind = response["Content-Type"].split(";")[0]
        if kind == "application/atom+xml":
            # The entry is HTML carried as XML text: escaped once for each.
            summaries = [e.text for e in ElementTree.fromstring(body).iter(ATOM + "summary")]
            assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in s for s in summaries)
        elif kind == "application/json":
            assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in body
        elif url != reverse("public:index"):  # the front page shows only titles and figures
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url
    data = client.get(reverse("public:document_json", args=[document.slug])).json()
    texts = [c["text"] for s in data["sections"] for c in s["claims"]]
    assert SCRIPT in texts
    assert f"Heading {SCRIPT}" in [s["heading"] for s in data["sections"]]


def test_public_pages_send_security_headers(client, harbour):
    for url in public_urls(harbour):
        response = client.get(url)
        assert "default-src 'none'" in response["Content-Security-Policy"], url
        assert "script-src" not in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]


def test_public_pages_need_no_login_and_set_no_cookies(client, harbour):
    for url in public_urls(harbour):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, url


# --------------------------------------------------------------------------- query counts


def _page_kind(url: str) -> str:
    return re.sub(r"/\d+/|/synthetic[^/?.]*", "/N", url.split("=")[0])


def page_queries(client, url: str) -> int:
    clear_render_cache()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries.captured_queries)


def test_every_page_makes_as_many_queries_for_a_ten_times_larger_document(
    client, editor, reviewer, small_article, large_article
):
    counts = []
    for name, article in (("small.txt", small_article), ("large.txt", large_article)):
        document = import_text(article, name).document
        claim = Claim.objects.filter(section__document=document).order_by("pk")[3]
        # Give both documents one approval, so claim histories and the feed have one too.
        approve(
            editor,
            reviewer,
            document,
            [{"kind": ChangeKind.EDIT_CLAIM, "claim": claim, "payload": {"text": "Changed."}}],
        )
        urls = public_urls(document, query="the")
        counts.append([(_page_kind(url), page_queries(client, url)) for url in urls])
    assert counts[0] == counts[1]
    json_response = json.loads(
        client.get(reverse("public:document_json", args=["synthetic-article-10x-seed-2"])).content
    )
    assert len(json_response["sections"]) > 50  # the large one really is large
