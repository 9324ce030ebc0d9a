"""The admin site: login required, every model browsable, no query per row."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.models import Claim, Document, ImportRun, Section

from .conftest import import_text

pytestmark = pytest.mark.django_db

# Each changelist, with the filter that narrows it to one document.
CHANGELISTS = {
    "document": None,
    "section": "document__id__exact",
    "claim": "section__document__id__exact",
    "source": "document__id__exact",
    "citation": "claim__section__document__id__exact",
    "flag": "document",
    "importrun": "document__id__exact",
    "apparatus": "document__id__exact",
}


def changelist(model):
    return reverse(f"admin:archive_{model}_changelist")


@pytest.mark.parametrize("model", CHANGELISTS)
def test_anonymous_visitor_is_sent_to_the_login_page(client, seed_document, model):
    response = client.get(changelist(model))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", CHANGELISTS)
def test_logged_in_staff_without_permissions_cannot_browse(client, django_user_model, model):
    staff = django_user_model.objects.create_user(
        "visitor", password="a-long-test-password", is_staff=True
    )
    client.force_login(staff)
    assert client.get(changelist(model)).status_code == 403


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelist_query_count_does_not_grow_with_the_document(
    client, archivist, small_article, large_article, model, monkeypatch
):
    # One page holds the whole document, so a query per row could not hide behind paging.
    model_admin = admin.site._registry[apps.get_model("archive", model)]
    monkeypatch.setattr(model_admin, "list_per_page", 100_000)
    client.force_login(archivist)
    counts = []
    for name, article in [("small.txt", small_article), ("large.txt", large_article)]:
        document = import_text(article, name).document
        url = changelist(model)
        if CHANGELISTS[model]:
            url += f"?{CHANGELISTS[model]}={document.pk}"
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert response.context["cl"].result_count == len(response.context["cl"].result_list)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], f"{model}: {counts[0]} queries small, {counts[1]} large"


def test_claims_are_listed_in_document_order(client, archivist, seed_document):
    client.force_login(archivist)
    response = client.get(changelist("claim"))
    shown = list(response.context["cl"].result_list[:3])
    first_section = Section.objects.get(document=seed_document, position=1)
    assert [c.section_id for c in shown] == [first_section.pk] * 3
    assert [c.position for c in shown] == [1, 2, 3]


def test_claim_page_shows_citations_flags_and_the_exact_source_characters(
    client, archivist, seed_document
):
    client.force_login(archivist)
    claim = Claim.objects.get(text__startswith="During the siege, an estimated 50,000 women")
    response = client.get(reverse("admin:archive_claim_change", args=[claim.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "348–350" in page  # a citation's locator, in the citations inline
    assert "raped[53][54]:\u200a348–350\u200a[notes 2], though" in page  # provenance excerpt
    assert f"characters {claim.span_start}–{claim.span_end}" in page
    flagged = Claim.objects.filter(flags__kind="citation_needed").first()
    response = client.get(reverse("admin:archive_claim_change", args=[flagged.pk]))
    assert "citation needed" in response.content.decode()


def test_claim_history_names_the_import_run(client, archivist, seed_document):
    client.force_login(archivist)
    claim = Claim.objects.first()
    run = ImportRun.objects.get()
    response = client.get(reverse("admin:archive_claim_history", args=[claim.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert str(run) in page
    assert "archive-importer" in page


def test_import_run_is_view_only_and_lists_its_anomalies(client, archivist, seed_document):
    client.force_login(archivist)
    run = ImportRun.objects.get()
    response = client.get(reverse("admin:archive_importrun_change", args=[run.pk]))
    page = response.content.decode()
    assert "<li>line 102: <strong>repeated_paragraph</strong>" in page
    assert 'name="_save"' not in page
    assert client.post(reverse("admin:archive_importrun_delete", args=[run.pk])).status_code == 403


def test_user_written_text_is_escaped_in_the_admin(client, archivist):
    import_text("Escaping\n\nA claim with <script>alert(1)</script> inside.[1]\n", "x.txt")
    client.force_login(archivist)
    for model in ("claim", "citation"):
        page = client.get(changelist(model)).content.decode()
        assert "<script>alert(1)</script>" not in page
    page = client.get(changelist("claim")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert Document.objects.count() == 1


def test_section_page_lists_its_apparatus_and_source_page_its_entry_as_written(client, archivist):
    from pathlib import Path

    from archive.models import Source

    text = (Path(__file__).parent / "fixtures" / "exampleton_rendered.txt").read_text()
    document = import_text(text, "exampleton_rendered.txt").document
    client.force_login(archivist)
    references = Section.objects.get(document=document, heading="References")
    page = client.get(reverse("admin:archive_section_change", args=[references.pk]))
    html = page.content.decode()
    assert "entry of a reference list" in html  # the rule, beside each entry
    assert "^ Brown 1999." in html
    source = Source.objects.get(document=document, label="1")
    html = client.get(reverse("admin:archive_source_change", args=[source.pk])).content.decode()
    assert "line 33: ^ Smith, John (2005). The Ruritanian Wars." in html
    assert 'value="978-0-19-000000-0"' in html  # the ISBN read from it, editable
