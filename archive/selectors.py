"""Reads that span models: what pages, the admin dashboard and exports show.

Each function bundles its joins and prefetches so callers make a fixed number of queries
whatever the size of the document.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from django.db import connection
from django.db.models import CharField, Count, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from . import diffs
from .models import (
    Apparatus,
    ApparatusKind,
    ChangeProposal,
    Citation,
    Claim,
    ClaimKind,
    CommentAction,
    Document,
    Flag,
    FlagKind,
    FlagStatus,
    ImportRun,
    ProposalState,
    ProposedChange,
    ReviewComment,
    ReviewStatus,
    Section,
    Source,
    SourceKind,
)
from .models.proposals import UNDECIDED
from .workflow.kinds import KINDS, TARGETS

# --------------------------------------------------------------------------- editorial dashboard

# Open flags are grouped by age: raised in the last week, the last month, or earlier.
WEEK, MONTH = timedelta(days=7), timedelta(days=30)
# Someone looking at the dashboard for the first time sees decisions on their proposals
# this far back; the list of decisions since a visit shows at most DECIDED_LIMIT.
FIRST_VISIT = timedelta(days=30)
DECIDED_LIMIT = 20


def proposals_awaiting_review(user, limit: int = 10):
    """Submitted proposals someone other than ``user`` wrote, oldest first."""
    return (
        ChangeProposal.objects.filter(state=ProposalState.SUBMITTED)
        .exclude(proposer=user)
        .select_related("document", "proposer")
        .annotate(change_count=Count("changes"))
        .order_by("submitted_at", "pk")[:limit]
    )


def open_flags_by_kind_and_age(now=None) -> list[dict]:
    """Open flags per kind, split by how long they have been open; one query."""
    now = now or timezone.now()
    week, month = now - WEEK, now - MONTH
    rows = (
        Flag.objects.filter(status="open")
        .values("kind")
        .annotate(
            total=Count("pk"),
            week=Count("pk", filter=Q(raised_at__gte=week)),
            month=Count("pk", filter=Q(raised_at__lt=week, raised_at__gte=month)),
            older=Count("pk", filter=Q(raised_at__lt=month)),
        )
        .order_by("-total", "kind")
    )
    labels = dict(FlagKind.choices)
    return [{**row, "label": labels.get(row["kind"], row["kind"])} for row in rows]


def claims_by_review_status() -> list[dict]:
    counts = dict(Claim.objects.values_list("review_status").annotate(n=Count("pk")).order_by())
    return [
        {"status": value, "label": label, "count": counts.get(value, 0)}
        for value, label in ReviewStatus.choices
    ]


def citation_coverage() -> list[dict]:
    """Per document, per section: the share of claims with at least one citation."""
    sections = (
        Section.objects.select_related("document")
        .annotate(
            total=Count("claims", distinct=True),
            cited=Count("claims", filter=Q(claims__citations__isnull=False), distinct=True),
        )
        .filter(total__gt=0)
        .order_by("document__title", "document", "position")
    )
    documents: dict[int, dict] = {}
    for section in sections:
        entry = documents.setdefault(
            section.document_id, {"document": section.document, "sections": []}
        )
        entry["sections"].append(
            {
                "section": section,
                "total": section.total,
                "cited": section.cited,
                "share": section.cited / section.total,
            }
        )
    return list(documents.values())


def latest_decisions(limit: int = 10):
    return (
        ChangeProposal.objects.filter(state__in=[ProposalState.APPROVED, ProposalState.REJECTED])
        .select_related("document", "proposer", "reviewer")
        .order_by("-decided_at", "-pk")[:limit]
    )


def my_proposals(user, last_visit: datetime | None, now: datetime | None = None) -> dict:
    """``user``'s own proposals that wait for them or were decided since they last looked.

    - ``sent_back``: sent back (changes requested), with the reviewer's comment;
    - ``in_conflict``: in conflict, with the note of what changed since;
    - ``decided``: approved or rejected after ``last_visit`` (the previous dashboard visit,
      ``workflow.note_dashboard_visit``; on a first visit, ``None``: the last
      ``FIRST_VISIT``), newest first, at most ``DECIDED_LIMIT``, with reviewer and comment.

    Three queries whatever the number of proposals.
    """
    since = last_visit or (now or timezone.now()) - FIRST_VISIT
    mine = ChangeProposal.objects.filter(proposer=user)
    # The reviewer's word that put the proposal where it is: the request or the conflict.
    word = ReviewComment.objects.filter(
        proposal=OuterRef("pk"),
        action__in=[CommentAction.REQUEST_CHANGES, CommentAction.CONFLICT],
    ).order_by("-created_at", "-pk")
    waiting = list(
        mine.filter(state__in=[ProposalState.CHANGES_REQUESTED, ProposalState.CONFLICT])
        .select_related("document")
        .annotate(
            word=Subquery(word.values("body")[:1]),
            word_by=Subquery(word.values("author__username")[:1]),
            word_at=Subquery(word.values("created_at")[:1]),
        )
        .order_by(F("word_at").desc(nulls_last=True), "-pk")
    )
    decided = (
        mine.filter(
            state__in=[ProposalState.APPROVED, ProposalState.REJECTED], decided_at__gt=since
        )
        .select_related("document", "reviewer")
        .order_by("-decided_at", "-pk")[:DECIDED_LIMIT]
    )
    return {
        "sent_back": [p for p in waiting if p.state == ProposalState.CHANGES_REQUESTED],
        "in_conflict": [p for p in waiting if p.state == ProposalState.CONFLICT],
        "decided": list(decided),
        "since": since,
        "first_visit": last_visit is None,
        "first_visit_days": FIRST_VISIT.days,
        "decided_limit": DECIDED_LIMIT,
        "any": mine.exists(),
    }


def dashboard(user, last_visit: datetime | None = None) -> dict:
    """Everything the admin index shows an editor, reviewer or archivist.

    ``last_visit``: when ``user`` looked before (``workflow.note_dashboard_visit``), None
    for never; it decides which decisions on their proposals are new to them.
    """
    return {
        "mine": my_proposals(user, last_visit),
        "awaiting_review": list(proposals_awaiting_review(user)),
        "open_flags": open_flags_by_kind_and_age(),
        "review_statuses": claims_by_review_status(),
        "coverage": citation_coverage(),
        "decisions": list(latest_decisions()),
        "documents": Document.objects.count(),
    }


# --------------------------------------------------------------------------- public site
#
# The public pages read only live rows (what approvals and imports wrote) and their
# simple-history rows; proposals appear only once approved, and only through the history
# rows they wrote. Every function makes a fixed number of queries whatever the document's
# size: rows are fetched per model in one query each and put together in Python.


@dataclass
class Article:
    """A document's content at one moment, in reading order, ready for a template or JSON.

    Rows are either live model instances or simple-history rows as of a date: both carry the
    same field names (``id`` is always the record's own id), so pages render either alike.
    """

    document: object
    sections: list
    sources: list
    as_of: datetime | None = None

    @property
    def references(self) -> list:
        return [s for s in self.sources if s.kind == SourceKind.REFERENCE]

    @property
    def notes(self) -> list:
        return [s for s in self.sources if s.kind == SourceKind.NOTE]

    @property
    def claims(self) -> list:
        return [claim for section in self.sections for claim in section.claim_list]

    @property
    def headed_sections(self) -> list:
        """Sections that have a heading, for the table of contents."""
        return [s for s in self.sections if (s.heading or s.heading_missing) and s.shown]


@dataclass
class Block:
    """Consecutive claims of one paragraph: rendered as a paragraph, caption or quotation."""

    kind: str
    claims: list = field(default_factory=list)


@dataclass
class Piece:
    """A stretch of a claim's text and the markers that stand right after it."""

    text: str
    citations: list = field(default_factory=list)
    flags: list = field(default_factory=list)


def claim_pieces(text: str, citations, flags) -> list[Piece]:
    """The claim's text cut where its citations and flags stand, so each renders in place.

    A marker without an offset (one an editor added) stands after the text, as do offsets
    past its end; a claim citing one source in two places shows it twice, where it was.
    """
    at: dict[int, Piece] = {}

    def place(offset) -> Piece:
        where = len(text) if offset is None else max(0, min(offset, len(text)))
        return at.setdefault(where, Piece(""))

    for citation in citations:
        place(citation.offset).citations.append(citation)
    for flag in flags:
        place(flag.offset).flags.append(flag)
    place(len(text))
    pieces = []
    cursor = 0
    for offset in sorted(at):
        piece = at[offset]
        piece.text = text[cursor:offset]
        cursor = offset
        pieces.append(piece)
    return pieces


def _blocks(claims) -> list[Block]:
    blocks: list[Block] = []
    last_paragraph = None
    for claim in claims:
        # Consecutive list items are one list, though each is a paragraph of its own.
        same_list = blocks and claim.kind == blocks[-1].kind == ClaimKind.LIST_ITEM
        if not blocks or (claim.paragraph != last_paragraph and not same_list):
            blocks.append(Block(kind=claim.kind))
        blocks[-1].claims.append(claim)
        last_paragraph = claim.paragraph
    return blocks


@dataclass
class _SectionApparatus:
    sections: set
    navigation: dict


def _section_apparatus(document) -> _SectionApparatus:
    """Which sections hold apparatus, and the text of their navigation lists; one query.

    Apparatus is written by imports only, so the live rows serve any date too.
    """
    rows = (
        Apparatus.objects.filter(document_id=document.pk)
        .order_by("position")
        .values_list("section_id", "kind", "text")
    )
    sections, navigation = set(), defaultdict(list)
    for section_id, kind, text in rows:
        sections.add(section_id)
        if kind == ApparatusKind.NAVIGATION:
            navigation[section_id].append(text)
    return _SectionApparatus(sections, navigation)


def _assemble(document, sections, claims, citations, flags, sources, as_of=None) -> Article:
    """Put one query's worth of rows per model together into an Article, in order."""
    apparatus = _section_apparatus(document)
    source_by_id = {source.id: source for source in sources}
    citations_by_claim: dict[int, list] = defaultdict(list)
    for citation in sorted(citations, key=lambda c: (c.claim_id, c.position, c.id)):
        citation.source_row = source_by_id.get(citation.source_id)
        if citation.source_row is not None:
            citations_by_claim[citation.claim_id].append(citation)
    flags_by_claim: dict[int, list] = defaultdict(list)
    flags_by_section: dict[int, list] = defaultdict(list)
    for flag in sorted(flags, key=lambda f: f.id):
        if flag.claim_id is not None:
            flags_by_claim[flag.claim_id].append(flag)
        elif flag.section_id is not None:
            flags_by_section[flag.section_id].append(flag)
    claims_by_section: dict[int, list] = defaultdict(list)
    for claim in sorted(claims, key=lambda c: (c.position, c.id)):
        claim.citation_list = citations_by_claim.get(claim.id, [])
        claim.flag_list = flags_by_claim.get(claim.id, [])
        claim.open_flags = [f for f in claim.flag_list if f.status == FlagStatus.OPEN]
        claim.pieces = claim_pieces(claim.text, claim.citation_list, claim.open_flags)
        claims_by_section[claim.section_id].append(claim)
    ordered = sorted(sections, key=lambda s: (s.position, s.id))
    for section in ordered:
        section.claim_list = claims_by_section.get(section.id, [])
        section.blocks = _blocks(section.claim_list)
        section.flag_list = flags_by_section.get(section.id, [])
        section.open_flags = [f for f in section.flag_list if f.status == FlagStatus.OPEN]
        section.navigation = apparatus.navigation.get(section.id, [])
        # A section holding only apparatus (a reference list, a bibliography) has nothing
        # for a reader beyond the sources list; a see-also list is shown as a list.
        section.shown = (
            bool(section.claim_list or section.flag_list or section.navigation)
            or section.id not in apparatus.sections
        )
        # h1 is the document's title, so even a level-1 heading renders as h2.
        section.heading_level = min(max(section.level, 2), 6)
    cited = {c.source_id for claim in claims for c in claim.citation_list}
    ordered_sources = sorted(sources, key=lambda s: (s.position, s.id))
    for source in ordered_sources:
        source.is_cited = source.id in cited
    return Article(document=document, sections=ordered, sources=ordered_sources, as_of=as_of)


CONTENT_MODELS = (Document, Section, Source, Claim, Citation, Flag, Apparatus)


def document_for_page(slug: str) -> Document | None:
    """The document by slug, with ``generation`` set for the render cache; one query."""
    return _with_generation(Document.objects.filter(slug=slug))


def claim_document_for_page(claim_id: int) -> Document | None:
    """The document of a live claim, with ``generation`` set; None if the claim is not live."""
    return _with_generation(Document.objects.filter(sections__claims__pk=claim_id))


def _with_generation(documents) -> Document | None:
    """Add the archive's generation: the newest history id of every content table.

    Any write anywhere makes a new history row, so an unchanged generation proves that
    nothing changed; the highest id of a table is one step down its primary key index, so
    this costs the same whatever the archive's size (``document_version`` is the
    per-document check). This runs on every cached page view, so the subqueries are plain
    SQL: composing them through the ORM cost more than the query itself.
    """
    quote = connection.ops.quote_name
    newest = [
        f"(SELECT MAX({quote('history_id')}) FROM {quote(_history_model(model)._meta.db_table)})"
        for model in CONTENT_MODELS
    ]
    concatenated = " || '-' || ".join(f"COALESCE({column}, 0)" for column in newest)
    document = documents.annotate(
        generation_ids=RawSQL(concatenated, (), output_field=CharField())
    ).first()
    if document is not None:
        document.generation = document.generation_ids
    return document


@cache
def _history_model(model):
    return model.history.model


def _history(model):
    """The history rows of ``model``; ``model.history`` builds a new manager class each time."""
    return _history_model(model)._default_manager


def document_version(document: Document) -> str:
    """The newest history row of each of the document's content tables, as one string.

    docs/design.md has every write of tracked rows (approvals, imports, an archivist's edit,
    revert or recovery) leave a simple-history row, so these ids name the last change that
    reached the document: a new one means every cached page of it is stale. One query, but
    it reads every history row of the document, so the render cache keeps its answer per
    generation instead of asking on every request.
    """
    parts = _version_parts()
    row = Document.objects.filter(pk=document.pk).annotate(**parts).values(*parts).first() or {}
    newest = "-".join(str(row.get(name) or 0) for name in parts)
    # created_at tells apart two databases (or a rebuilt one) that reuse the same ids.
    return f"{document.pk}-{document.created_at.timestamp():.6f}-{newest}"


def _version_parts() -> dict:
    """The newest history row of each content table, scoped to the outer document.

    docs/design.md has every write of tracked rows (approvals, imports, an archivist's edit,
    revert or recovery) leave a simple-history row, so the newest history ids name the last
    change that reached the document: a new one means every cached page of it is stale.
    """

    def document(depth: int):
        # Each subquery level needs its own OuterRef to reach the outer Document.
        ref = OuterRef("pk")
        for _ in range(depth):
            ref = OuterRef(ref)
        return ref

    def section_ids(depth: int):
        return _history(Section).filter(document_id=document(depth + 1)).values("id")

    def claim_ids(depth: int):
        return _history(Claim).filter(section_id__in=section_ids(depth + 1)).values("id")

    scopes = {
        "v_document": _history(Document).filter(id=document(0)),
        "v_section": _history(Section).filter(document_id=document(0)),
        "v_source": _history(Source).filter(document_id=document(0)),
        "v_claim": _history(Claim).filter(section_id__in=section_ids(0)),
        "v_citation": _history(Citation).filter(claim_id__in=claim_ids(0)),
        "v_flag": _history(Flag).filter(
            Q(claim_id__in=claim_ids(0)) | Q(section_id__in=section_ids(0))
        ),
    }
    return {
        name: Subquery(
            scope.order_by()
            .annotate(group=Value(1))
            .values("group")
            .annotate(newest=Max("history_id"))
            .values("newest")
        )
        for name, scope in scopes.items()
    }


def current_article(document: Document) -> Article:
    """The document as approved now: six queries, whatever its size."""
    sections = list(Section.objects.filter(document=document))
    claims = list(Claim.objects.filter(section__document=document).order_by())
    citations = list(Citation.objects.filter(claim__section__document=document).order_by())
    flags = list(
        Flag.objects.filter(Q(claim__section__document=document) | Q(section__document=document))
    )
    sources = list(Source.objects.filter(document=document))
    return _assemble(document, sections, claims, citations, flags, sources)


class NotYetArchived(Exception):
    """The document had no version at the requested time; ``since`` says when it arrived."""

    def __init__(self, since):
        self.since = since
        super().__init__(f"not archived before {since}")


def article_as_of(document: Document, when: datetime) -> Article:
    """The document exactly as it stood at ``when``, rebuilt from simple-history; 7 queries.

    For each record the newest history row at or before ``when`` is its state then (the
    highest history id wins, so two writes of one record in one approval, which share a
    timestamp, resolve to the later one); a deletion row means it was gone by then.
    """
    head = (
        _history(Document)
        .filter(id=document.pk, history_date__lte=when)
        .order_by("-history_date", "-history_id")
        .first()
    )
    if head is None or head.history_type == "-":
        first = document.created_at
        raise NotYetArchived(first)
    section_scope = _history(Section).filter(document_id=document.pk)
    section_ids = section_scope.values("id")
    claim_scope = _history(Claim).filter(section_id__in=section_ids)
    claim_ids = claim_scope.values("id")
    sections = list(_state_at(section_scope, when))
    claims = list(_state_at(claim_scope, when))
    citations = list(_state_at(_history(Citation).filter(claim_id__in=claim_ids), when))
    flags = list(
        _state_at(
            _history(Flag).filter(Q(claim_id__in=claim_ids) | Q(section_id__in=section_ids)),
            when,
        )
    )
    sources = list(_state_at(_history(Source).filter(document_id=document.pk), when))
    # Claims whose section was not there then would have nowhere to go; none is expected.
    return _assemble(head, sections, claims, citations, flags, sources, as_of=when)


def _state_at(scope, when):
    newest = (
        scope.filter(history_date__lte=when)
        .order_by()
        .values("id")
        .annotate(newest=Max("history_id"))
        .values("newest")
    )
    return scope.model.objects.filter(history_id__in=newest).exclude(history_type="-").order_by()


def documents_overview() -> list[Document]:
    """Every document with its counts for the front page; four queries in all."""
    documents = list(Document.objects.order_by("title", "pk"))
    claims = {
        row["section__document"]: row
        for row in Claim.objects.values("section__document")
        .annotate(total=Count("pk"), verified=Count("pk", filter=Q(review_status="verified")))
        .order_by()
    }
    sources = dict(Source.objects.values_list("document").annotate(total=Count("pk")).order_by())
    open_flags: dict[int, int] = defaultdict(int)
    for claim_document, section_document, total in (
        Flag.objects.filter(status=FlagStatus.OPEN)
        .values_list("claim__section__document", "section__document")
        .annotate(total=Count("pk"))
        .order_by()
    ):
        open_flags[claim_document or section_document] += total
    for document in documents:
        row = claims.get(document.pk, {"total": 0, "verified": 0})
        document.claim_count = row["total"]
        document.verified_count = row["verified"]
        document.verified_share = row["verified"] / row["total"] if row["total"] else 0.0
        document.source_count = sources.get(document.pk, 0)
        document.open_flag_count = open_flags.get(document.pk, 0)
    return documents


# ----------------------------------------------------------------- one claim, one source


@dataclass
class Event:
    """One entry of a claim's public history: what changed, when, by whom, on whose approval."""

    when: datetime
    order: int
    what: str
    detail: str = ""
    diff: list | None = None
    user: object = None
    proposal: object = None
    import_run: object = None
    reason: str = ""
    rank: int = 0  # the claim's own rows, then citations, then flags, at one moment
    notes: list = field(default_factory=list)


def claim_page(claim_id: int) -> dict | None:
    """A claim with its citations, flags and full history; None if it never existed.

    A removed claim is shown from its history (``removed`` is its deletion row). Six
    queries, whatever the number of versions.
    """
    claim = Claim.objects.select_related("section__document").filter(pk=claim_id).first()
    versions = list(_with_provenance(_history(Claim).filter(id=claim_id)))
    if claim is None and not versions:
        return None
    citations_history = list(
        _with_provenance(_history(Citation).filter(claim_id=claim_id)).select_related("source")
    )
    flags_history = list(_with_provenance(_history(Flag).filter(claim_id=claim_id)))
    removed = None
    if claim is None:
        removed = versions[-1] if versions[-1].history_type == "-" else None
        last = next((v for v in reversed(versions) if v.history_type != "-"), versions[-1])
        section = Section.objects.select_related("document").filter(pk=last.section_id).first()
        citations, flags, text = [], [], last
    else:
        section = claim.section
        citations = list(claim.citations.select_related("source").order_by("position"))
        flags = list(claim.flags.select_related("raised_by", "resolved_by").order_by("pk"))
        text = claim
    return {
        "claim": text,
        "live": claim is not None,
        "removed": removed,
        "section": section,
        "document": section.document if section else None,
        "citations": citations,
        "flags": flags,
        "events": _claim_events(versions, citations_history, flags_history),
    }


def _with_provenance(history):
    return (
        history.select_related(
            "history_user",
            "history_proposal__proposer",
            "history_proposal__reviewer",
            "history_import_run",
        )
        .defer("history_import_run__text")
        .order_by("history_date", "history_id")
    )


def _event(row, what: str, **extra) -> Event:
    return Event(
        when=row.history_date,
        order=row.history_id,
        what=what,
        user=row.history_user,
        proposal=row.history_proposal,
        import_run=row.history_import_run,
        reason=row.history_change_reason or "",
        **extra,
    )


def _claim_events(versions, citations, flags) -> list[Event]:
    """The claim's versions and its citations' and flags' versions as one timeline.

    What an import wrote together with the claim is told with its "added" event instead of
    as separate entries; within one moment the claim's own change comes first.
    """
    events = []
    previous = None
    created = None
    for row in versions:
        if row.history_type == "+":
            created = _event(row, "added", detail=row.text, rank=0)
            events.append(created)
        elif row.history_type == "-":
            events.append(_event(row, "removed", rank=0))
        else:
            if previous is not None and previous.text != row.text:
                events.append(
                    _event(
                        row, "text changed", diff=diffs.word_diff(previous.text, row.text), rank=0
                    )
                )
            if previous is not None and previous.review_status != row.review_status:
                events.append(
                    _event(
                        row,
                        "review status changed",
                        detail=f"{previous.review_status} → {row.review_status}",
                        rank=0,
                    )
                )
        previous = row
    imported = created.import_run.pk if created and created.import_run else None

    def with_claim(row) -> bool:
        return imported is not None and row.history_import_run_id == imported

    imported_cites: list[str] = []
    last_citation: dict[int, object] = {}
    for row in citations:
        label = f"[{row.source.label}]" if row.source else f"source #{row.source_id}"
        cited = f"{label}{': ' + row.locator if row.locator else ''}"
        before = last_citation.get(row.id)
        if row.history_type == "+" and with_claim(row):
            imported_cites.append(cited)
        elif row.history_type == "+":
            events.append(_event(row, "citation added", detail=cited, rank=1))
        elif row.history_type == "-":
            events.append(_event(row, "citation removed", detail=cited, rank=1))
        elif before is None or (before.source_id, before.locator, before.quotation) != (
            row.source_id,
            row.locator,
            row.quotation,
        ):
            events.append(_event(row, "citation changed", detail=cited, rank=1))
        last_citation[row.id] = row
    if imported_cites:
        created.notes.append("cites " + " ".join(imported_cites))
    last_flag: dict[int, object] = {}
    for row in flags:
        before = last_flag.get(row.id)
        if row.history_type == "+" and with_claim(row):
            created.notes.append(f"flagged “{row.label}”")
        elif row.history_type == "+":
            events.append(_event(row, "flag raised", detail=_flag_text(row), rank=2))
        elif row.history_type == "-":
            events.append(_event(row, "flag removed", detail=row.label, rank=2))
        elif before is not None and before.status != row.status:
            what = "flag resolved" if row.status == FlagStatus.RESOLVED else "flag reopened"
            detail = f"{row.label}: {row.resolution}" if row.resolution else row.label
            events.append(_event(row, what, detail=detail, rank=2))
        last_flag[row.id] = row
    return sorted(events, key=lambda e: (e.when, e.rank, e.order))


def _flag_text(flag) -> str:
    return f"{flag.label}: {flag.reason}" if flag.reason else flag.label


def source_page(source_id: int) -> dict | None:
    """A source with every live claim citing it once, in document order; two queries."""
    source = Source.objects.select_related("document").filter(pk=source_id).first()
    if source is None:
        return None
    citations = (
        Citation.objects.filter(source=source)
        .select_related("claim__section")
        .order_by("claim__section__position", "claim__position", "position")
    )
    claims: dict[int, Claim] = {}
    for citation in citations:
        claim = claims.setdefault(citation.claim_id, citation.claim)
        claim.locators = [*getattr(claim, "locators", []), citation.locator]
    for claim in claims.values():
        claim.locators = [locator for locator in claim.locators if locator]
    return {"source": source, "document": source.document, "claims": list(claims.values())}


# --------------------------------------------------------------------------- changes


@dataclass
class Change:
    what: str
    section: object = None
    claim: object = None
    detail: str = ""
    diff: list | None = None


def document_changes(document: Document, since: datetime, until: datetime) -> dict:
    """What changed in a document between two moments, and the approvals that did it.

    Both states are rebuilt from history (seven queries each) and compared record by
    record; one more query lists the approved proposals decided in between.
    """
    after = article_as_of(document, until)
    try:
        before = article_as_of(document, since)
    except NotYetArchived:
        before = Article(document=document, sections=[], sources=[], as_of=since)
    changes = _compare(before, after)
    proposals = list(
        ChangeProposal.objects.filter(
            document=document,
            state=ProposalState.APPROVED,
            decided_at__gt=since,
            decided_at__lte=until,
        )
        .select_related("proposer", "reviewer")
        .order_by("decided_at", "pk")
    )
    imports = list(
        document.import_runs.public()
        .filter(started_at__gte=since, started_at__lte=until)
        .select_related("user")
        .order_by("started_at", "pk")
    )
    return {
        "before": before,
        "after": after,
        "changes": changes,
        "proposals": proposals,
        "imports": imports,
    }


def _compare(before: Article, after: Article) -> list[Change]:
    changes: list[Change] = []
    old_sections = {s.id: s for s in before.sections}
    new_sections = {s.id: s for s in after.sections}
    old_claims = {c.id: c for c in before.claims}
    new_section_of = {}
    for section in after.sections:
        old = old_sections.get(section.id)
        if old is None:
            changes.append(Change("section added", section=section))
        elif (old.heading, old.heading_missing) != (section.heading, section.heading_missing):
            changes.append(
                Change(
                    "heading changed",
                    section=section,
                    diff=diffs.word_diff(old.heading or "(no heading)", section.heading),
                )
            )
        old_flags = {f.id: f for f in old.flag_list} if old else {}
        changes += _flag_changes(old_flags, section.flag_list, section=section)
        for claim in section.claim_list:
            new_section_of[claim.id] = section
            changes += _claim_changes(old_claims.get(claim.id), claim, section)
    for claim_id, claim in old_claims.items():
        if claim_id not in new_section_of:
            section = new_sections.get(claim.section_id) or old_sections.get(claim.section_id)
            changes.append(Change("claim removed", section=section, claim=claim, detail=claim.text))
    for section_id, section in old_sections.items():
        if section_id not in new_sections:
            changes.append(Change("section removed", section=section))
    old_sources = {s.id: s for s in before.sources}
    for source in after.sources:
        old = old_sources.get(source.id)
        if old is None:
            changes.append(Change("source added", detail=str_source(source)))
            continue
        fields = [
            name
            for name in ("title", "author", "publisher", "published", "url", "archive_url")
            if getattr(old, name) != getattr(source, name)
        ]
        if fields:
            changes.append(
                Change(
                    "source edited",
                    detail=f"[{source.label}]: " + ", ".join(fields),
                    diff=diffs.word_diff(str_source(old), str_source(source)),
                )
            )
    return changes


def str_source(source) -> str:
    """A source as one line of plain text: label, author, title, publisher, date."""
    parts = [source.author, source.title, source.publisher, source.published]
    text = ". ".join(p for p in parts if p)
    return f"[{source.label}] {text or source.note_text}".strip()


def _claim_changes(old, claim, section) -> list[Change]:
    if old is None:
        return [Change("claim added", section=section, claim=claim, detail=claim.text)]
    changes = []
    if old.text != claim.text:
        changes.append(
            Change(
                "text changed",
                section=section,
                claim=claim,
                diff=diffs.word_diff(old.text, claim.text),
            )
        )
    if old.review_status != claim.review_status:
        changes.append(
            Change(
                "review status changed",
                section=section,
                claim=claim,
                detail=f"{old.review_status} → {claim.review_status}",
            )
        )
    cited_before = [(c.source_row.label, c.locator) for c in old.citation_list]
    cited_after = [(c.source_row.label, c.locator) for c in claim.citation_list]
    if cited_before != cited_after:
        changes.append(
            Change(
                "citations changed",
                section=section,
                claim=claim,
                diff=diffs.word_diff(_citations_text(cited_before), _citations_text(cited_after)),
            )
        )
    changes += _flag_changes(
        {f.id: f for f in old.flag_list}, claim.flag_list, claim=claim, section=section
    )
    return changes


def _citations_text(cited) -> str:
    return " ".join(f"[{label}]{': ' + locator if locator else ''}" for label, locator in cited)


def _flag_changes(old_flags: dict, flags: list, **where) -> list[Change]:
    changes = []
    for flag in flags:
        old = old_flags.pop(flag.id, None)
        if old is None and flag.status == FlagStatus.OPEN:
            changes.append(Change("flag raised", detail=_flag_text(flag), **where))
        elif old is not None and old.status != flag.status:
            what = "flag resolved" if flag.status == FlagStatus.RESOLVED else "flag reopened"
            changes.append(Change(what, detail=flag.label, **where))
    for old in old_flags.values():
        changes.append(Change("flag removed", detail=old.label, **where))
    return changes


# --------------------------------------------------------------------------- search and feed

SEARCH_LIMIT = 50
# Markers the database puts around matches; the page escapes the text, then swaps them for
# <mark>, so a claim's own characters can never turn into markup.
MATCH_START, MATCH_END = "\x02", "\x03"


def search_claims(query: str, limit: int = SEARCH_LIMIT) -> tuple[list[Claim], int]:
    """Live claims matching ``query``, best first, and how many matched in all.

    PostgreSQL ranks with its full-text search (English stemming, websearch syntax); SQLite
    has none built in, so there every word must appear (case-insensitive) and results come
    in document order. Two queries either way.
    """
    claims = Claim.objects.select_related("section__document")
    if connection.vendor == "postgresql":
        # Imported here: django.contrib.postgres needs psycopg, which SQLite set-ups may lack.
        from django.contrib.postgres.search import (
            SearchHeadline,
            SearchQuery,
            SearchRank,
            SearchVector,
        )

        vector = SearchVector("text", config="english")
        search = SearchQuery(query, config="english", search_type="websearch")
        matches = claims.annotate(document_vector=vector).filter(document_vector=search)
        results = list(
            matches.annotate(
                rank=SearchRank(vector, search),
                headline=SearchHeadline(
                    "text",
                    search,
                    config="english",
                    start_sel=MATCH_START,
                    stop_sel=MATCH_END,
                    highlight_all=True,
                ),
            ).order_by("-rank", "section__document__title", "section__position", "position")[:limit]
        )
        return results, matches.count()
    words = query.split()
    matches = claims
    for word in words:
        matches = matches.filter(text__icontains=word)
    matches = matches.order_by("section__document__title", "section__position", "position")
    results = list(matches[:limit])
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
    for claim in results:
        claim.headline = (
            pattern.sub(lambda m: f"{MATCH_START}{m.group(0)}{MATCH_END}", claim.text)
            if pattern
            else claim.text
        )
    return results, matches.count()


FEED_LIMIT = 50


def approved_changes(limit: int = FEED_LIMIT) -> list:
    """The newest approvals and imports, newest first, for the Atom feed; three queries.

    Only approved proposals: drafts, pending, rejected and withdrawn ones never leave the
    admin, and neither do review comments.
    """
    proposals = list(
        ChangeProposal.objects.filter(state=ProposalState.APPROVED)
        .select_related("document", "proposer", "reviewer")
        .prefetch_related("changes")
        .order_by("-decided_at", "-pk")[:limit]
    )
    for proposal in proposals:
        proposal.feed_date = proposal.decided_at
    runs = list(
        ImportRun.objects.public()
        .select_related("document", "user")
        .defer("text")
        .order_by("-started_at", "-pk")[:limit]
    )
    for run in runs:
        run.feed_date = run.started_at
    entries = sorted(proposals + runs, key=lambda e: e.feed_date, reverse=True)
    return entries[:limit]


# --------------------------------------------------------------------------- competing proposals


@dataclass
class Touch:
    """A record another proposal changes: which one, and what the change does to it."""

    what: str  # "claim", "section", "source", "citation" or "flag"
    record_id: int
    record: object = None  # the live record; None once it is gone
    change: str = ""  # the change's kind as it reads ("edit a claim's text")


@dataclass
class CompetingProposal:
    proposal: ChangeProposal  # with its proposer and document
    touches: list[Touch] = field(default_factory=list)


@dataclass
class Competing:
    """The other open proposals on some records.

    ``proposals`` are shown in full, oldest first; ``drafts`` counts other people's drafts
    among them, whose content stays theirs: ``drafted`` lists only the records they touch.
    """

    proposals: list[CompetingProposal] = field(default_factory=list)
    drafts: int = 0
    drafted: list[Touch] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.proposals or self.drafts)


def _touched(change) -> list[str]:
    """The fields naming the records ``change`` changes: its targets but any it only cites
    (``Kind.hidden_targets``: the source of a citation it adds or changes)."""
    kind = KINDS.get(change.kind)
    hidden = kind.hidden_targets if kind else ()
    return [n for n in TARGETS if getattr(change, f"{n}_id") is not None and n not in hidden]


def _citing_only(name: str) -> list[str]:
    """The kinds of change that name a record in field ``name`` without changing it."""
    return [kind for kind, declared in KINDS.items() if name in declared.hidden_targets]


def _touching(targets: dict) -> Q:
    """Changes that change any of ``targets``' records; ids as a list or a ``values("pk")``
    queryset (then a subquery)."""
    where = Q()
    for name, ids in targets.items():
        if name not in TARGETS:
            raise ValueError(f"Not a target of a change: {name!r}.")
        touches = Q(**{f"{name}_id__in": ids})
        if hiding := _citing_only(name):
            touches &= ~Q(kind__in=hiding)
        where |= touches
    return where


def competing_proposals(targets: dict, exclude=None, viewer=None) -> Competing:
    """The undecided proposals with a change on any of the records in ``targets``
    (``{"claim": [3], "citation": [7, 8]}``, as for ``ChangeProposal.objects.touching``),
    but ``exclude`` (a proposal, or its id), each with what of those records it changes.

    A change touches the records it changes, not a source it only cites: adding a citation
    of [8] to a claim touches the claim. Who sees what, on admin pages only (public pages
    never show proposals): submitted proposals, those sent back for changes and those in
    conflict are listed in full (proposer, state, rationale, what they touch) to everyone
    who can see proposals, as are ``viewer``'s own drafts. Other people's drafts are work
    in progress that may change or never be submitted: they are only counted, with the
    records they touch ("someone is drafting a change here"), never their proposer,
    rationale or changes.

    One query whatever the number of changes and proposals (none when ``targets`` holds
    no ids).
    """
    changes = (
        ProposedChange.objects.filter(proposal__state__in=UNDECIDED)
        .filter(_touching(targets))
        .select_related(
            "proposal__proposer",
            "proposal__document",
            "claim",
            "section",
            "source",
            "citation__source",
            "flag",
        )
        .order_by("proposal__created_at", "proposal_id", "position")
    )
    if exclude is not None:
        changes = changes.exclude(proposal=exclude)
    viewer_id = getattr(viewer, "pk", None)
    competing = Competing()
    shown: dict[int, CompetingProposal] = {}
    drafts: set[int] = set()
    drafted: dict[tuple[str, int], Touch] = {}
    for change in changes:
        proposal = change.proposal
        hidden = proposal.state == ProposalState.DRAFT and proposal.proposer_id != viewer_id
        for name in _touched(change):
            record_id = getattr(change, f"{name}_id")
            if hidden:
                drafts.add(proposal.pk)
                drafted.setdefault((name, record_id), Touch(name, record_id, getattr(change, name)))
                continue
            if proposal.pk not in shown:
                shown[proposal.pk] = CompetingProposal(proposal)
                competing.proposals.append(shown[proposal.pk])
            shown[proposal.pk].touches.append(
                Touch(name, record_id, getattr(change, name), change.get_kind_display())
            )
    competing.drafts = len(drafts)
    competing.drafted = list(drafted.values())
    return competing


def record_targets(record) -> dict:
    """What "this record" covers when asking who else proposes on it: a claim with its
    citations and flags, a section with its own flags (not its claims), a source."""
    if isinstance(record, Claim):
        return {
            "claim": [record.pk],
            "citation": Citation.objects.filter(claim=record).values("pk"),
            "flag": Flag.objects.filter(claim=record).values("pk"),
        }
    if isinstance(record, Section):
        return {"section": [record.pk], "flag": Flag.objects.filter(section=record).values("pk")}
    if isinstance(record, Source):
        return {"source": [record.pk]}
    if isinstance(record, Document):
        return {"source": []}  # what is proposed on a document (a source) is new: no record
    raise TypeError(f"No proposals are written on a {type(record).__name__}.")


def open_proposals_on(record, viewer=None, exclude=None) -> Competing:
    """The undecided proposals on a claim, section or source (``record_targets``), as
    ``competing_proposals`` shows them to ``viewer``; one query."""
    return competing_proposals(record_targets(record), exclude=exclude, viewer=viewer)


def proposals_competing_with(proposal, viewer=None) -> Competing:
    """The other undecided proposals any of whose changes touch a record one of
    ``proposal``'s changes touches, as ``competing_proposals`` shows them to ``viewer``.

    ``proposal``'s records are read in subqueries of the same query: one query whatever
    the number of its changes.
    """
    own = ProposedChange.objects.filter(proposal=proposal)
    targets = {}
    for name in TARGETS:
        targets[name] = (
            own.filter(**{f"{name}_id__isnull": False})
            .exclude(kind__in=_citing_only(name))
            .values(f"{name}_id")
        )
    return competing_proposals(targets, exclude=proposal, viewer=viewer)
