"""Invariants the database itself enforces, whatever code writes the rows."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from archive.models import Citation, Claim, Flag, Section, Source

pytestmark = pytest.mark.django_db


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_section_positions_are_unique_within_a_document(seed_document):
    refused(lambda: Section.objects.create(document=seed_document, position=1, heading="Twin"))


def test_claim_positions_are_unique_within_a_section(seed_document):
    claim = Claim.objects.first()
    refused(
        lambda: Claim.objects.create(
            section=claim.section, position=claim.position, paragraph=1, text="A twin claim."
        )
    )


def test_source_labels_are_unique_within_a_document(seed_document):
    refused(lambda: Source.objects.create(document=seed_document, label="39", position=999))


def test_citation_positions_are_unique_within_a_claim(seed_document):
    citation = Citation.objects.first()
    refused(
        lambda: Citation.objects.create(
            claim=citation.claim, source=citation.source, position=citation.position
        )
    )


@pytest.mark.parametrize(
    ("field", "value"), [("review_status", "approved-ish"), ("kind", "poem"), ("text", "")]
)
def test_claim_rejects_invalid_values(seed_document, field, value):
    claim = Claim.objects.first()
    setattr(claim, field, value)
    refused(claim.save_without_historical_record)


def test_flag_sits_on_exactly_one_of_claim_or_section(seed_document):
    claim = Claim.objects.first()
    both = Flag(
        claim=claim, section=claim.section, kind="other", label="x", raised_at=timezone.now()
    )
    neither = Flag(kind="other", label="x", raised_at=timezone.now())
    refused(both.save_without_historical_record)
    refused(neither.save_without_historical_record)


@pytest.mark.parametrize(("field", "value"), [("kind", "rumour"), ("status", "maybe")])
def test_flag_rejects_invalid_values(seed_document, field, value):
    flag = Flag.objects.first()
    setattr(flag, field, value)
    refused(flag.save_without_historical_record)


def test_resolved_flag_needs_a_resolution_time(seed_document):
    flag = Flag.objects.first()
    flag.status = Flag.Status.RESOLVED
    refused(flag.save_without_historical_record)


def test_missing_heading_means_an_empty_heading(seed_document):
    section = Section.objects.filter(heading_missing=True).first()
    section.heading = "Invented"
    refused(section.save_without_historical_record)


def test_claim_span_must_not_run_backwards(seed_document):
    claim = Claim.objects.first()
    claim.span_end = claim.span_start
    refused(claim.save_without_historical_record)
