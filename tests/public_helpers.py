"""Scenario helpers for the public-site tests: approvals, pending proposals, every URL."""

from datetime import timedelta

from django.core.cache import caches
from django.urls import reverse

from archive import workflow
from archive.models import ChangeKind, Claim, Document, Section, Source


def clear_render_cache():
    """Start from an empty cache: SQLite reuses ids after a rollback, Redis outlives runs."""
    from django.conf import settings

    caches[settings.ARCHIVE_RENDER_CACHE_ALIAS].clear()


def claim_with(text: str) -> Claim:
    return Claim.objects.get(text__startswith=text)


def approve(editor, reviewer, document, changes, rationale="Checked against the sources."):
    """One proposal with ``changes`` (dicts of add_change arguments), submitted and approved."""
    proposal = workflow.create_proposal(document=document, user=editor, rationale=rationale)
    for change in changes:
        workflow.add_change(proposal=proposal, user=editor, **change)
    workflow.submit_proposal(proposal=proposal, user=editor)
    return workflow.approve_proposal(proposal=proposal, user=reviewer, comment="Fine.")


def submit_pending(editor, document, marker: str):
    """A submitted (not approved) proposal carrying ``marker`` in every field it can."""
    claim = Claim.objects.filter(section__document=document).order_by("pk").first()
    section = Section.objects.filter(document=document).order_by("pk").first()
    source = Source.objects.filter(document=document).order_by("pk").first()
    proposal = workflow.create_proposal(
        document=document, user=editor, rationale=f"Rationale {marker}"
    )
    for change in [
        {"kind": ChangeKind.EDIT_CLAIM, "claim": claim, "payload": {"text": f"Edit {marker}."}},
        {"kind": ChangeKind.ADD_CLAIM, "section": section, "payload": {"text": f"New {marker}."}},
        {"kind": ChangeKind.EDIT_HEADING, "section": section, "payload": {"heading": marker}},
        {
            "kind": ChangeKind.RAISE_FLAG,
            "claim": claim,
            "payload": {"kind": "other", "label": marker, "reason": f"Reason {marker}"},
        },
        {"kind": ChangeKind.EDIT_SOURCE, "source": source, "payload": {"title": marker}},
    ]:
        workflow.add_change(proposal=proposal, user=editor, **change)
    workflow.comment_on_proposal(proposal=proposal, user=editor, body=f"Comment {marker}")
    return workflow.submit_proposal(proposal=proposal, user=editor)


def public_urls(document: Document, query: str = "the") -> list[str]:
    """Every kind of public page and response about ``document``."""
    slug = document.slug
    claim = Claim.objects.filter(section__document=document).order_by("pk").first()
    cited = Claim.objects.filter(section__document=document, citations__isnull=False).first()
    source = Source.objects.filter(document=document).order_by("pk").first()
    earlier = (document.created_at + timedelta(microseconds=1)).isoformat()
    return [
        reverse("public:index"),
        reverse("public:document", args=[slug]),
        reverse("public:document", args=[slug]) + f"?as_of={earlier.replace('+', '%2B')}",
        reverse("public:changes", args=[slug]),
        reverse("public:claim", args=[claim.pk]),
        *([reverse("public:claim", args=[cited.pk])] if cited else []),
        reverse("public:source", args=[source.pk]),
        reverse("public:search") + f"?q={query}",
        reverse("public:feed"),
        reverse("public:document_json", args=[slug]),
        reverse("public:document_json", args=[slug]) + f"?as_of={earlier.replace('+', '%2B')}",
    ]
