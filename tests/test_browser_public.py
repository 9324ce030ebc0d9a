"""The public site in a real browser (Chromium through Playwright), on a phone and a desktop.

Each page type is opened at 390 px and 1280 px wide: it must have one h1, the page's
language, a main landmark and a skip link, and nothing may stick out sideways. A reader
follows a citation to the reference list and a claim to its page. Screenshots go to
test-output/screenshots/ for people to look at.
"""

import pytest
from django.urls import reverse

from archive import roles
from archive.models import ChangeKind, Claim, Source

from .conftest import make_user
from .public_helpers import approve, clear_render_cache

pytestmark = [
    # The live server runs in another thread, so the data must be committed; groups come
    # from a data migration, so a flushed database is restored for the next test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = {"phone": 390, "desktop": 1280}


@pytest.fixture
def archive(seed_document):
    """The seed with one approval: a claim reworded and verified, another disputed."""
    clear_render_cache()
    editor = make_user("edna", roles.EDITOR)
    reviewer = make_user("rita", roles.REVIEWER)
    claims = list(
        Claim.objects.filter(section__document=seed_document, citations__isnull=False)
        .distinct()
        .order_by("section__position", "position")[:2]
    )
    approve(
        editor,
        reviewer,
        seed_document,
        [
            {
                "kind": ChangeKind.EDIT_CLAIM,
                "claim": claims[0],
                "payload": {"text": claims[0].text.rstrip(".") + ", as the sources record."},
            }
        ],
        rationale="The sentence overstated what the sources say.",
    )
    # Review statuses are proposed by a reviewer and approved by another one.
    approve(
        reviewer,
        make_user("rolf", roles.REVIEWER),
        seed_document,
        [
            {
                "kind": ChangeKind.SET_REVIEW_STATUS,
                "claim": claim,
                "payload": {"review_status": status},
            }
            for claim, status in ((claims[0], "verified"), (claims[1], "disputed"))
        ],
    )
    return {"document": seed_document, "claim": claims[0]}


def pages(archive) -> dict[str, str]:
    document, claim = archive["document"], archive["claim"]
    source = Source.objects.filter(document=document, citations__isnull=False).first()
    return {
        "index": reverse("public:index"),
        "document": reverse("public:document", args=[document.slug]),
        "document-as-of": reverse("public:document", args=[document.slug])
        + f"?as_of={document.created_at:%Y-%m-%dT%H:%M:%S.%f}",
        "changes": reverse("public:changes", args=[document.slug]),
        "claim": reverse("public:claim", args=[claim.pk]),
        "source": reverse("public:source", args=[source.pk]),
        "search": reverse("public:search") + "?q=Red+Army",
        "bad-date": reverse("public:document", args=[document.slug]) + "?as_of=2020-02-30",
    }


def check_page_structure(page, width: int):
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").count() == 1
    assert page.locator("main").count() == 1
    assert page.locator("a.skip-link[href='#main']").count() == 1
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"the page is {overflow} px wide in a {width} px window"


@pytest.mark.parametrize("device", WIDTHS)
def test_every_page_type_reads_well_on_phone_and_desktop(
    browser, live_server, screenshot, archive, device
):
    width = WIDTHS[device]
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    try:
        for name, path in pages(archive).items():
            response = page.goto(live_server.url + path)
            assert response.status == (400 if name == "bad-date" else 200), name
            check_page_structure(page, width)
            screenshot(page, f"public-{name}-{width}")
            # Long pages shrink to a sliver when viewed whole: keep the first screen too.
            page.screenshot(path=str(screenshot_dir() / f"public-{name}-{width}-top.png"))
        page.goto(live_server.url + pages(archive)["document"])
        # The section holding the reworded, verified and disputed claims, close up.
        section = page.locator(f"section:has(#claim-{archive['claim'].pk})")
        section.screenshot(path=str(screenshot_dir() / f"public-document-marks-{width}.png"))
    finally:
        context.close()


def screenshot_dir():
    from .conftest import SCREENSHOTS

    return SCREENSHOTS


def test_a_reader_follows_a_citation_then_a_claim_to_its_history(
    browser, live_server, screenshot, archive
):
    context = browser.new_context(viewport={"width": 390, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + pages(archive)["document"])
        citation = page.locator("sup.cite a").first
        target = citation.get_attribute("href")
        citation.click()
        assert page.url.endswith(target)
        reference = page.locator(target)
        assert reference.is_visible()
        assert reference.locator("a.source-list__more").count() == 1
        page.screenshot(path=str(screenshot_dir() / "public-followed-citation-390.png"))

        claim = archive["claim"]
        page.locator(f"#claim-{claim.pk} a.claim__text").first.click()
        assert page.url.endswith(reverse("public:claim", args=[claim.pk]))
        assert page.locator("h1").inner_text() == f"Claim {claim.pk}"
        history = page.locator(".timeline__event")
        assert history.count() == 3  # imported, reworded, verified
        assert "approved by rita" in history.nth(1).inner_text()
        assert "approved by rolf" in history.nth(2).inner_text()
        screenshot(page, "public-followed-claim-390")
    finally:
        context.close()
