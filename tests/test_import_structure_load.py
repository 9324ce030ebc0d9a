"""An import stores the structure the parser found: apparatus, offsets, fields, rules."""

from pathlib import Path

import pytest
from django.urls import reverse

from archive.models import Apparatus, Citation, Claim, Section, Source
from tests.conftest import import_text

RENDERED = (Path(__file__).parent / "fixtures" / "exampleton_rendered.txt").read_text()
MID_SENTENCE = "Mid\n\nThe first army,[1] and then the second,[2] crossed the river.[1]\n"


@pytest.mark.django_db
def test_apparatus_is_stored_apart_with_its_span_section_and_history():
    document = import_text(RENDERED, "exampleton_rendered.txt").document
    rows = list(Apparatus.objects.filter(document=document).select_related("section", "source"))
    assert len(rows) == 28
    assert Apparatus.history.filter(document_id=document.pk).count() == 28
    run = document.import_runs.get()
    for row in rows:
        assert run.text[row.span_start : row.span_end] == row.text
    entry = next(row for row in rows if row.kind == "reference_entry")
    assert entry.section.heading == "References" and entry.source.label == "1"
    assert not Claim.objects.filter(text__contains="Jump to").exists()


@pytest.mark.django_db
def test_sources_keep_the_entry_text_and_the_fields_read_from_it():
    document = import_text(RENDERED, "exampleton_rendered.txt").document
    source = Source.objects.get(document=document, label="1")
    assert source.note_text.startswith("Smith, John (2005).")
    assert (source.author, source.published, source.isbn) == (
        "Smith, John",
        "2005",
        "978-0-19-000000-0",
    )
    assert Section.objects.get(document=document, heading="Fortifications").level == 3


@pytest.mark.django_db
def test_citation_offsets_are_stored_and_rendered_where_they_stand(client):
    document = import_text(MID_SENTENCE, "mid.txt").document
    claim = Claim.objects.get(section__document=document)
    assert [c.offset for c in Citation.objects.filter(claim=claim).order_by("position")] == [
        15,
        36,
        len(claim.text),
    ]
    html = client.get(reverse("public:document", args=[document.slug])).content.decode()
    body = html[html.index(f'id="claim-{claim.pk}"') :]
    first = body.index("The first army,")
    marker = body.index(">[1]</a>")
    second = body.index(" and then the second,")
    assert first < marker < second
    assert body.count(">[1]</a>") >= 2  # cited twice, shown twice

    data = client.get(reverse("public:document_json", args=[document.slug])).json()
    [json_claim] = [c for s in data["sections"] for c in s["claims"]]
    assert [c["offset"] for c in json_claim["citations"]] == [15, 36, len(claim.text)]


@pytest.mark.django_db
def test_list_items_render_as_a_list(client):
    document = import_text("L\n\nMembers:\n\n• Anna Berg\n• Carl Dahl\n", "l.txt").document
    html = client.get(reverse("public:document", args=[document.slug])).content.decode()
    assert '<ul class="claim-list"><li>' in html
    assert html.count('<li><span class="claim') == 2


def test_reference_field_limits_are_the_source_columns():
    """The pure parser leaves a field empty rather than over its column; same sizes."""
    from archive.importer import references

    assert {
        name: Source._meta.get_field(name).max_length for name in references.FIELD_NAMES
    } == references.FIELD_LIMITS


@pytest.mark.django_db
def test_reader_sees_see_also_as_a_list_and_no_empty_reference_section(client):
    document = import_text(RENDERED, "exampleton_rendered.txt").document
    html = client.get(reverse("public:document", args=[document.slug])).content.decode()
    body = html[html.index('class="document__body"') :]
    assert (
        '<ul class="navigation-list"><li>Ruritanian wars</li><li>List of battles</li></ul>' in body
    )
    references = Section.objects.get(document=document, heading="References")
    assert f'id="section-{references.pk}"' not in html  # its entries are the sources list
    assert body.count(">References</h2>") == 1
    # an entry is shown as written, once, not beside fields read from it
    assert body.count("The Ruritanian Wars") == 1
    assert "Smith, John (2005). The Ruritanian Wars. Oxford University Press. ISBN" in body
    for chrome in ("Jump to navigation", "Retrieved from", "Categories:", "Learn how"):
        assert chrome not in html
