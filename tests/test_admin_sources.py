"""New sources in the admin: proposed on the document's page, and the source picker of the
citation forms (label, title and author, the draft's new sources, a text filter)."""

import re

import pytest
from django.urls import reverse

from archive import workflow
from archive.models import ChangeKind, ChangeProposal, Claim, ProposedChange, Source

from .conftest import make_user
from .test_admin_workflow import ORIGINAL, client_for, page_url, propose_url

pytestmark = pytest.mark.django_db

NEW_SOURCE = {
    "label": "Beevor 2002",
    "kind": "reference",
    "title": "Berlin: The Downfall 1945",
    "author": "Antony Beevor",
    "url": "https://example.org/beevor",
    "note_text": "Beevor, Antony (2002). Berlin: The Downfall 1945.",
    "rationale": "Beevor describes the trials.",
}
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def claim(seed_document):
    return Claim.objects.get(text=ORIGINAL)


@pytest.fixture
def source_39(seed_document):
    """[39] with a title and an author someone typed markup into (set directly: the seed's
    sources have none, and this is the page's input, not what is tested)."""
    Source.objects.filter(document=seed_document, label="39").update(
        title=f"{SCRIPT} The Russians in Germany", author="Naimark & <b>Co</b>"
    )
    return Source.objects.get(document=seed_document, label="39")


def add_source_url(document) -> str:
    return propose_url(document, ChangeKind.ADD_SOURCE)


def inputs_without_label(page: str) -> list[str]:
    """The ids of the form's inputs, selects and textareas that no <label for> names."""
    form = page[page.index('id="propose-form"') :]
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', form)
    named = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', form))
    return [i for i in ids if i not in named]


def written() -> tuple[int, int]:
    return ChangeProposal.objects.count(), ProposedChange.objects.count()


# --------------------------------------------------------------------------- proposing a source


def test_an_editor_proposes_a_source_from_the_documents_page(editor, reviewer, seed_document):
    client = client_for(editor)
    document_page = client.get(reverse("admin:archive_document_change", args=[seed_document.pk]))
    assert propose_url(seed_document) in document_page.content.decode()  # "Propose a change"

    form_page = client.get(add_source_url(seed_document))
    assert form_page.status_code == 200
    assert form_page.context["verb"] == "add a source"
    assert inputs_without_label(form_page.content.decode()) == []

    response = client.post(add_source_url(seed_document), {**NEW_SOURCE, "title": SCRIPT})

    change = ProposedChange.objects.get()
    assert response.status_code == 302
    assert response.url == page_url(change.proposal)
    assert (change.kind, change.payload["label"], change.payload["title"]) == (
        "add_source",
        "Beevor 2002",
        SCRIPT,
    )
    review = client_for(reviewer).get(page_url(change.proposal)).content.decode()
    assert "Beevor 2002" in review
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in review
    assert SCRIPT not in review
    assert "reference text" in review  # FIELD_LABELS names note_text as people read it


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("no role", 403), ("editor", 200), ("reviewer", 200)],
)
def test_only_people_who_may_propose_open_the_source_form(seed_document, editor, who, status):
    users = {
        "anonymous": None,
        "no role": make_user("nora"),
        "editor": editor,
        "reviewer": make_user("rita", "Reviewer"),
    }
    client = client_for(users[who])
    page = client.get(add_source_url(seed_document))
    assert page.status_code == status
    posted = client.post(add_source_url(seed_document), NEW_SOURCE)
    assert posted.status_code == (302 if status == 200 else status)
    if who == "anonymous":
        assert page.url.startswith(reverse("admin:login"))
    if status != 200:
        assert written() == (0, 0)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"label": "39"}, "label", "The document already has a source labelled “39”."),
        ({"title": "x" * 501}, "title", "The title can be at most 500 characters (this is 501)."),
        ({"url": "example dot org"}, "url", "The URL is not a web address"),
        ({"author": "Beevor\x1b"}, "author", "The author contains control character U+001B"),
        ({"label": ""}, "label", "The label cannot be empty"),
    ],
)
def test_a_bad_source_comes_back_on_its_field_and_writes_nothing(
    editor, seed_document, data, field, message
):
    response = client_for(editor).post(add_source_url(seed_document), {**NEW_SOURCE, **data})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    assert written() == (0, 0)


# --------------------------------------------------------------------------- the source picker


def test_the_picker_shows_label_title_and_author_escaped(editor, claim, source_39):
    page = client_for(editor).get(propose_url(claim, "add_citation")).content.decode()

    assert (
        f'<option value="{source_39.pk}">[39] &lt;script&gt;alert(1)&lt;/script&gt; The Russians '
        "in Germany — Naimark &amp; &lt;b&gt;Co&lt;/b&gt;</option>"
    ) in page
    assert SCRIPT not in page
    assert "<b>Co</b>" not in page
    assert re.search(r'<select name="source"[^>]*data-source-picker', page)
    assert inputs_without_label(page) == []
    # The filter is a static script (the form's media), no inline script anywhere.
    assert '<script src="/static/archive/source_picker.js"></script>' in page
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", page))
    # Not listed: the help links to proposing it on the document's page.
    assert f'href="{add_source_url(claim.section.document)}"' in page


def test_the_filter_script_is_served(client):
    response = client.get("/static/archive/source_picker.js")
    assert response.status_code == 200
    assert b"data-source-picker" in b"".join(response.streaming_content)


def test_the_picker_offers_the_drafts_new_sources_and_a_citation_cites_one(
    editor, reviewer, claim, seed_document
):
    client = client_for(editor)
    client.post(add_source_url(seed_document), {**NEW_SOURCE, "title": f"{SCRIPT} Berlin"})
    adding = ProposedChange.objects.get()

    for kind in ("add_citation", "change_citation"):
        page = client.get(propose_url(claim, kind)).content.decode()
        assert f'<optgroup label="New in your draft, proposal #{adding.proposal_id}">' in page
        assert (
            f'<option value="new-{adding.pk}">[Beevor 2002] &lt;script&gt;alert(1)&lt;/script&gt; '
            "Berlin — Antony Beevor (new: change 1)</option>"
        ) in page

    response = client.post(
        propose_url(claim, "add_citation"), {"source": f"new-{adding.pk}", "locator": "410"}
    )

    assert response.status_code == 302
    citing = ProposedChange.objects.get(kind="add_citation")
    assert (citing.source_id, citing.payload) == (
        None,
        {"locator": "410", "quotation": "", "new_source": adding.pk},
    )
    review = client_for(reviewer).get(page_url(adding.proposal)).content.decode()
    assert "[Beevor 2002] &lt;script&gt;alert(1)&lt;/script&gt; Berlin — Antony Beevor" in review


def test_a_new_source_of_someone_elses_draft_is_not_a_choice(editor, claim, seed_document):
    reviewer = make_user("rita", "Reviewer")
    theirs = workflow.propose_change(
        document=seed_document,
        user=reviewer,
        kind=ChangeKind.ADD_SOURCE,
        rationale="Beevor.",
        payload={"label": "Beevor 2002", "title": "Berlin"},
    )
    client = client_for(editor)
    assert f"new-{theirs.pk}" not in client.get(propose_url(claim, "add_citation")).content.decode()

    response = client.post(
        propose_url(claim, "add_citation"), {"source": f"new-{theirs.pk}", "rationale": "Cite."}
    )

    assert "Select a valid choice" in " ".join(response.context["form"].errors["source"])
    assert written() == (1, 1)  # only the reviewer's draft


# --------------------------------------------------------------------------- in a browser


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_typing_in_the_filter_narrows_the_sources_offered(
    browser, live_server, claim, source_39, screenshot
):
    editor = make_user("edna", "Editor")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_default_timeout(15_000)
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", editor.username)
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto(live_server.url + propose_url(claim, "add_citation"))
    options = page.locator("#id_source option")
    everything = options.count()
    assert everything == 1 + Source.objects.filter(document=claim.section.document).count()

    page.get_by_label("Filter sources:").fill("russians  GERMANY")

    assert options.all_inner_texts() == [
        "---------",
        "[39] <script>alert(1)</script> The Russians in Germany — Naimark & <b>Co</b>",
    ]
    assert page.get_by_role("status").inner_text() == f"1 of {everything - 1} sources shown"
    screenshot(page, "source-picker-filtered")
    page.select_option("#id_source", str(source_39.pk))
    page.get_by_label("Filter sources:").fill("")
    assert options.count() == everything
    assert page.locator("#id_source").input_value() == str(source_39.pk)  # still chosen
    assert dialogs == []  # the title's script never ran
    context.close()
