"""Every state change of the archive, one function each.

Callers (admin actions, views, management commands) only call these and report what they
raise. Each function runs in one transaction and leaves history rows naming the user and
the reason for every row it writes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.text import slugify
from reversion.models import Revision, Version

from . import alignment, importer, roles
from .models import (
    ChangeKind,
    ChangeProposal,
    Citation,
    Claim,
    ClaimKind,
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
)

IMPORTER_USERNAME = "archive-importer"

Writer = Callable[[type[models.Model], list[models.Model]], list[models.Model]]


class ImportRefused(Exception):
    """The file is valid but importing it would overwrite or duplicate archived content."""

    def __init__(self, file_name: str, message: str):
        self.file_name = file_name
        super().__init__(f"{file_name}: {message}")


@dataclass
class ImportOutcome:
    file_name: str
    slug: str
    status: Literal[
        "imported",
        "unchanged",
        "would import",
        "proposed",
        "would propose",
        "nothing to propose",
    ]
    counts: dict[str, int]
    anomalies: list[importer.Anomaly] = field(default_factory=list)
    document: Document | None = None
    run: ImportRun | None = None
    # A changed version of an archived document: the proposal it became, what it changes
    # ("3 claims changed, 1 added, 2 removed") and what it could not propose or placed
    # by approximation, for the person running the import and for the reviewer.
    proposal: ChangeProposal | None = None
    summary: str = ""
    notes: list[str] = field(default_factory=list)
    reimport: _Reimport | None = field(default=None, repr=False)


def importer_user():
    """The named system user that imports are attributed to when no person is given."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=IMPORTER_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def document_slug(parsed: importer.ParsedDocument, source: importer.SourceFile) -> str:
    """The public identifier of a document: from its title, else its file name."""
    for candidate in (parsed.title, source.name.rsplit(".", 1)[0]):
        slug = slugify(candidate)[:200].strip("-")
        if slug:
            return slug
    return f"document-{source.sha256[:12]}"


def import_documents(
    *,
    files: Sequence[tuple[importer.SourceFile, importer.ParsedDocument]],
    user=None,
    dry_run: bool = False,
) -> list[ImportOutcome]:
    """Import parsed files all together or not at all.

    A file whose text is the one last imported for its document is reported as unchanged.
    A changed version of an archived document writes no content: it is recorded as an
    import run and becomes one submitted proposal (the claims edited, added and removed,
    found by ``alignment``) that a reviewer other than ``user`` decides. ``user`` proposes
    it and so must be allowed to propose: a person named with ``--user``, never the
    system importer user, so every proposal has someone who answers for it, can revise it
    when changes are requested and can rebase it after a conflict.
    """
    with transaction.atomic():
        plans = [(source, parsed, _plan(source, parsed)) for source, parsed in files]
        slugs = [outcome.slug for _, _, outcome in plans]
        for slug in {s for s in slugs if slugs.count(s) > 1}:
            names = [o.file_name for _, _, o in plans if o.slug == slug]
            raise ImportRefused(names[-1], f"{' and '.join(names)} are both the document {slug!r}")
        for _, _, outcome in plans:
            if outcome.status == "would propose":
                _check_proposer(outcome, user)
        if dry_run:
            for source, parsed, outcome in plans:
                if outcome.status == "would propose":
                    _rehearse_proposal(source, parsed, outcome, user=user)
            return [outcome for _, _, outcome in plans]
        user = user or importer_user()
        results = []
        for source, parsed, outcome in plans:
            if outcome.status == "would import":
                outcome = _load(source, parsed, user=user, slug=outcome.slug)
            elif outcome.status == "would propose":
                outcome = _propose_reimport(source, parsed, outcome, user=user)
            results.append(outcome)
        return results


# A proposal from an earlier re-import in one of these states is still undecided.
_UNDECIDED = (
    ProposalState.DRAFT,
    ProposalState.SUBMITTED,
    ProposalState.CHANGES_REQUESTED,
    ProposalState.CONFLICT,
)


def _plan(source: importer.SourceFile, parsed: importer.ParsedDocument) -> ImportOutcome:
    slug = document_slug(parsed, source)
    outcome = ImportOutcome(source.name, slug, "would import", parsed.counts(), parsed.anomalies)
    # Locked so two imports of versions of one document queue instead of both proposing.
    existing = Document.objects.select_for_update().filter(slug=slug).first()
    if existing is None:
        return outcome
    outcome.document = existing
    # "Unchanged" means the same text as the file last imported, not the same as the live
    # text: editors' approved changes since then must not be proposed away each time the
    # same seed is imported again. A rejected re-import stays decided for that text too.
    last_run = existing.import_runs.order_by("-started_at", "-pk").first()
    if last_run and last_run.content_sha256 == parsed.content_sha256:
        outcome.status, outcome.run = "unchanged", last_run
        outcome.proposal = last_run.proposals.order_by("-pk").first()
        return outcome
    pending = (
        existing.proposals.filter(import_run__isnull=False, state__in=_UNDECIDED)
        .select_related("import_run")
        .order_by("pk")
        .first()
    )
    if pending is not None:
        # Two open re-import proposals would both add the same new sentences (additions
        # have no earlier version to conflict on), so one version is reviewed at a time.
        raise ImportRefused(
            source.name,
            f"proposal #{pending.pk} from the re-import of {pending.import_run.file_name} "
            f"(import run #{pending.import_run_id}) is still {pending.get_state_display()}; "
            "it must be approved, rejected or withdrawn before another version of "
            f"{slug!r} is imported, so nothing was imported",
        )
    reimport = _compare_with_live(existing, source, parsed)
    outcome.reimport = reimport
    outcome.summary = reimport.summary()
    outcome.notes = reimport.notes
    outcome.status = "would propose" if reimport.changes else "nothing to propose"
    return outcome


def _load(source, parsed, *, user, slug: str) -> ImportOutcome:
    now = timezone.now()
    document = Document(
        title=parsed.title,
        slug=slug,
        file_name=source.name,
        file_size=source.size,
        sha256=source.sha256,
        created_at=now,
    )
    try:
        with transaction.atomic():
            document.save_without_historical_record()
    except IntegrityError:
        raise ImportRefused(source.name, f"the document {slug!r} was imported meanwhile") from None
    run = ImportRun.objects.create(
        document=document,
        file_name=source.name,
        file_size=source.size,
        sha256=source.sha256,
        content_sha256=parsed.content_sha256,
        text=parsed.text,
        user=user,
        started_at=now,
        finished_at=now,
        counts=parsed.counts(),
        anomalies=[
            {"kind": a.kind, "line": a.line, "message": a.message} for a in parsed.anomalies
        ],
    )
    Document.history.bulk_history_create(
        [document],
        default_user=user,
        default_change_reason=run.change_reason,
        default_date=now,
        custom_historical_attrs={"history_import_run": run},
    )
    load_rows(
        parsed,
        document=document,
        run=run,
        now=now,
        write=lambda model, objs: model.objects.bulk_create(objs),
    )
    for model in (Section, Source, Claim, Citation, Flag):
        _copy_import_to_history(model, run=run, user=user, when=now)
    run.finished_at = max(timezone.now(), now)
    run.save(update_fields=["finished_at"])
    return ImportOutcome(
        source.name, slug, "imported", parsed.counts(), parsed.anomalies, document, run
    )


def _copy_import_to_history(model, *, run: ImportRun, user, when) -> None:
    """Write the "created" history row of every row an import wrote, in one statement.

    The database copies the rows it has just stored (``INSERT ... SELECT``), so history
    costs one statement per model instead of a Python object and its SQL parameters per row
    (simple-history's bulk path doubled the import's cost; this keeps it near the cost of
    the rows themselves). The rows are exactly what ``bulk_history_create`` would write.
    """
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history_model = model.history.model
    quote = connection.ops.quote_name
    meta = history_model._meta
    copied = ", ".join(quote(field.column) for field in history_model.tracked_fields)
    extra = ", ".join(
        quote(meta.get_field(name).column)
        for name in (
            "history_date",
            "history_change_reason",
            "history_type",
            "history_user",
            "history_import_run",
        )
    )
    source = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({copied}, {extra}) "
            f"SELECT {copied}, %s, %s, %s, %s, %s FROM {quote(source.db_table)} "
            f"WHERE {quote(source.get_field('import_run').column)} = %s "
            f"ORDER BY {quote(source.pk.column)}",
            [
                connection.ops.adapt_datetimefield_value(when),
                run.change_reason,
                "+",
                user.pk,
                run.pk,
                run.pk,
            ],
        )


def load_rows(
    parsed: importer.ParsedDocument,
    *,
    document: Document,
    run: ImportRun | None,
    now,
    write: Writer,
) -> None:
    """Write a parsed document's rows, one bulk write per model, through ``write``.

    The writer decides how rows are recorded: with history for imports, bare for the
    benchmark's floor. Rows are built in file order so positions follow the text.
    """
    sections = write(
        Section,
        [
            Section(
                document=document,
                position=number,
                heading=parsed_section.heading,
                heading_missing=parsed_section.heading_missing,
                level=parsed_section.level,
                import_run=run,
                span_start=parsed_section.start,
                span_end=parsed_section.end,
            )
            for number, parsed_section in enumerate(parsed.sections, start=1)
        ],
    )
    sources = write(
        Source,
        [
            Source(
                document=document,
                label=parsed_source.label,
                kind=parsed_source.kind,
                position=number,
                note_text=parsed_source.note_text,
                import_run=run,
            )
            for number, parsed_source in enumerate(parsed.sources, start=1)
        ],
    )
    source_by_label = {source.label: source for source in sources}
    parsed_claims = parsed.claims
    claims = write(
        Claim,
        [
            Claim(
                section=section,
                position=position,
                paragraph=parsed_claim.paragraph,
                kind=parsed_claim.kind,
                text=parsed_claim.text,
                import_run=run,
                span_start=parsed_claim.start,
                span_end=parsed_claim.end,
            )
            for section, parsed_section in zip(sections, parsed.sections, strict=True)
            for position, parsed_claim in enumerate(parsed_section.claims, start=1)
        ],
    )
    write(
        Citation,
        [
            Citation(
                claim=claim,
                source=source_by_label[parsed_citation.label],
                position=position,
                locator=parsed_citation.locator,
                import_run=run,
                span_start=parsed_citation.start,
                span_end=parsed_citation.end,
            )
            for claim, parsed_claim in zip(claims, parsed_claims, strict=True)
            for position, parsed_citation in enumerate(parsed_claim.citations, start=1)
        ],
    )

    def flag(parsed_flag: importer.ParsedFlag, **target) -> Flag:
        return Flag(
            kind=parsed_flag.kind,
            label=parsed_flag.label,
            raised_at=now,
            import_run=run,
            span_start=parsed_flag.start,
            span_end=parsed_flag.end,
            **target,
        )

    write(
        Flag,
        [
            flag(parsed_flag, section=section)
            for section, parsed_section in zip(sections, parsed.sections, strict=True)
            for parsed_flag in parsed_section.flags
        ]
        + [
            flag(parsed_flag, claim=claim)
            for claim, parsed_claim in zip(claims, parsed_claims, strict=True)
            for parsed_flag in parsed_claim.flags
        ],
    )


# --------------------------------------------------------------------------- re-imports
#
# A changed version of an archived document never overwrites it: it is recorded as an
# import run and becomes one proposal, which changes the live text only when a reviewer
# approves it, like any editor's proposal. ``alignment`` matches the live claims with the
# file's; here its steps become the existing change kinds. What no change kind can express
# (new sections and sources, a claim's kind, citations of a claim that does not exist yet)
# is not proposed but written into the rationale, so the reviewer sees it.

_K = ChangeKind
MAX_RATIONALE_NOTES = 100


@dataclass
class _PlannedChange:
    """The arguments of one ``add_change``, and where in the file it comes from."""

    kind: str
    targets: dict[str, models.Model]
    payload: dict
    line: int | None
    what: str


@dataclass
class _Reimport:
    changes: list[_PlannedChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tally: Counter = field(default_factory=Counter)

    def propose(self, kind, what: str, line: int | None, payload=None, **targets) -> None:
        self.changes.append(_PlannedChange(kind, targets, payload or {}, line, what))
        self.tally[kind] += 1

    def summary(self) -> str:
        tally = self.tally
        text = (
            f"{_plural(tally[_K.EDIT_CLAIM], 'claim')} changed, {tally[_K.ADD_CLAIM]} added, "
            f"{tally[_K.REMOVE_CLAIM]} removed"
        )
        others = [
            (_K.EDIT_HEADING, "heading", "changed"),
            (_K.ADD_CITATION, "citation", "added"),
            (_K.CHANGE_CITATION, "citation", "changed"),
            (_K.REMOVE_CITATION, "citation", "removed"),
            (_K.RAISE_FLAG, "flag", "raised"),
            (_K.RESOLVE_FLAG, "flag", "resolved"),
        ]
        extra = [
            f"{_plural(tally[kind], noun)} {verb}" for kind, noun, verb in others if tally[kind]
        ]
        return "; ".join([text, ", ".join(extra)]) if extra else text

    def counts(self) -> dict[str, int]:
        return {
            "claims_changed": self.tally[_K.EDIT_CLAIM],
            "claims_added": self.tally[_K.ADD_CLAIM],
            "claims_removed": self.tally[_K.REMOVE_CLAIM],
            "changes_proposed": len(self.changes),
        }


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section_name(heading: str, position: int | None = None) -> str:
    if position is None:
        return f"the section {heading!r}" if heading else "a section without a heading"
    return f"section {position} ({heading!r})" if heading else f"section {position} (no heading)"


def _compare_with_live(
    document: Document, source: importer.SourceFile, parsed: importer.ParsedDocument
) -> _Reimport:
    """The changes that make the live text read as the file: nothing is written here."""
    sections = list(
        document.sections.order_by("position").prefetch_related(
            Prefetch("flags", queryset=Flag.objects.order_by("pk"))
        )
    )
    by_section: dict[int, list[Claim]] = defaultdict(list)
    claims = (
        Claim.objects.filter(section__document=document)
        .select_related("section")
        .prefetch_related(
            Prefetch(
                "citations",
                queryset=Citation.objects.select_related("source").order_by("position"),
            ),
            Prefetch("flags", queryset=Flag.objects.order_by("pk")),
        )
        .order_by("section__position", "position")
    )
    for claim in claims:
        by_section[claim.section_id].append(claim)
    live = [by_section[section.pk] for section in sections]
    sources = {row.label: row for row in document.sources.all()}
    result = alignment.align_document(
        [
            alignment.SectionText(section.heading, [claim.text for claim in live[i]])
            for i, section in enumerate(sections)
        ],
        [
            alignment.SectionText(section.heading, [claim.text for claim in section.claims])
            for section in parsed.sections
        ],
    )
    plan = _Reimport()
    file_name = source.name

    def line_of(offset: int) -> int:
        return parsed.text.count("\n", 0, offset) + 1

    def new_claim(place: tuple[int, int]) -> importer.ParsedClaim:
        return parsed.sections[place[0]].claims[place[1]]

    # Sections first (headings, section tags), then each kept or edited claim with its
    # citations and tags, then additions, then removals: see the ordering of additions.
    for i, j in result.sections:
        section, new_section = sections[i], parsed.sections[j]
        if new_section.heading and new_section.heading != section.heading:
            plan.propose(
                _K.EDIT_HEADING,
                f"the heading of section {section.position}",
                new_section.line,
                {"heading": new_section.heading},
                section=section,
            )
        elif section.heading and not new_section.heading:
            plan.notes.append(
                f"line {new_section.line}: the file has no heading for "
                f"{_section_name(section.heading, section.position)}; a re-import never "
                "removes a heading"
            )
        if new_section.level != section.level:
            plan.notes.append(
                f"line {new_section.line}: {_section_name(section.heading, section.position)} "
                f"is at level {new_section.level} in the file and {section.level} in the "
                "archive; a heading's level is not a change kind, so it is not proposed"
            )
        section_flags = list(section.flags.all())
        _sync_flags(plan, file_name, section_flags, new_section.flags, line_of, section=section)

    counterpart: dict[tuple[int, int], tuple[int, int]] = {}
    missing_sources: Counter = Counter()
    for step in result.steps:
        if step.action not in (alignment.KEEP, alignment.EDIT):
            continue
        claim, parsed_claim = live[step.old[0]][step.old[1]], new_claim(step.new)
        counterpart[step.old] = step.new
        if step.action == alignment.EDIT:
            plan.propose(
                _K.EDIT_CLAIM,
                f"the new text of claim #{claim.pk}",
                parsed_claim.line,
                {"text": parsed_claim.text},
                claim=claim,
            )
        if parsed_claim.kind != claim.kind:
            plan.notes.append(
                f"line {parsed_claim.line}: claim #{claim.pk} is a {parsed_claim.kind} in the "
                f"file and a {claim.kind} in the archive; a claim's kind is not a change "
                "kind, so it is not proposed"
            )
        _sync_citations(plan, file_name, claim, parsed_claim, sources, missing_sources, line_of)
        claim_flags = list(claim.flags.all())
        _sync_flags(plan, file_name, claim_flags, parsed_claim.flags, line_of, claim=claim)

    # An addition at position p moves the claims from p on one place down. So additions
    # are applied from the end of each section backwards, and a run of new claims in one
    # place in reverse order, all at the same position: no addition then moves the place
    # of one applied after it.
    def anchor(step: alignment.ClaimStep) -> Claim | None:
        return live[step.into][step.after] if step.after is not None else None

    additions = sorted(
        (step for step in result.steps if step.action == alignment.ADD),
        key=lambda step: (
            sections[step.into].position,
            -(anchor(step).position if anchor(step) else 0),
            -step.order,
        ),
    )
    for step in additions:
        section, parsed_claim, after = sections[step.into], new_claim(step.new), anchor(step)
        position = after.position + 1 if after else 1
        # It joins the paragraph of the claim it follows when the file has them in one
        # paragraph; otherwise it starts a paragraph (add_claim can do no more).
        twin = counterpart.get((step.into, step.after)) if after else None
        same_paragraph = twin is not None and new_claim(twin).paragraph == parsed_claim.paragraph
        plan.propose(
            _K.ADD_CLAIM,
            f"the new claim {_short(parsed_claim.text)!r}",
            parsed_claim.line,
            {
                "text": parsed_claim.text,
                "position": position,
                "kind": parsed_claim.kind,
                "new_paragraph": not same_paragraph,
            },
            section=section,
        )
        marks = [f"[{c.label}]" for c in parsed_claim.citations]
        marks += [f"[{f.label}]" for f in parsed_claim.flags]
        if marks:
            plan.notes.append(
                f"line {parsed_claim.line}: the new claim {_short(parsed_claim.text)!r} "
                f"carries {' '.join(marks)}; these are not proposed, since the claim has no "
                "record to cite from until this proposal is approved: propose them then"
            )

    for step in result.steps:
        if step.action == alignment.REMOVE:
            claim = live[step.old[0]][step.old[1]]
            plan.propose(_K.REMOVE_CLAIM, f"the removal of claim #{claim.pk}", None, claim=claim)

    for j, host in result.hosted_sections.items():
        new_section, section = parsed.sections[j], sections[host]
        tags = " ".join(f"[{tag.label}]" for tag in new_section.flags)
        plan.notes.append(
            f"line {new_section.line}: {_section_name(new_section.heading)} is new in the "
            f"file: its claims ({len(new_section.claims)}) are proposed in "
            f"{_section_name(section.heading, section.position)}, the nearest matched one, "
            "since adding a section is not a change kind"
            + (f"; its tags {tags} are not proposed" if tags else "")
        )
    for i in result.removed_sections:
        section = sections[i]
        plan.notes.append(
            f"{_section_name(section.heading, section.position)} is not in the file: its "
            f"claims ({len(live[i])}) are proposed for removal and the section stays, "
            "empty, since removing a section is not a change kind"
        )
        _sync_flags(plan, file_name, list(section.flags.all()), [], line_of, section=section)

    for label, count in sorted(missing_sources.items()):
        plan.notes.append(
            f"[{label}] is cited in the file ({_plural(count, 'citation')} on kept or "
            f"edited claims), but the archive has no source {label!r}: adding a source is "
            "not a change kind, so these citations are not proposed"
        )
    listed = set()
    for parsed_source in parsed.sources:
        listed.add(parsed_source.label)
        row = sources.get(parsed_source.label)
        if row is None and parsed_source.label not in missing_sources:
            plan.notes.append(
                f"source [{parsed_source.label}] is new in the file; adding a source is not "
                "a change kind, so it is not proposed"
            )
        elif row is not None and parsed_source.note_text != row.note_text:
            plan.notes.append(
                f"the text of note [{parsed_source.label}] differs from the archived one; a "
                "note's text is not a field a proposal edits, so it is not proposed"
            )
    for label in sources:
        if label not in listed:
            plan.notes.append(
                f"source [{label}] is no longer in the file; sources are kept (removing one "
                "is not a change kind)"
            )
    return plan


def _sync_citations(plan, file_name, claim, parsed_claim, sources, missing, line_of) -> None:
    """Citations of a claim kept or edited: the file's markers against the live ones.

    Markers pair by label in order; a pair whose locator differs is a change. A live
    citation the file lacks is removed only if an import made it: one an editor added
    through a proposal is scholarship the file never carried, and is kept.
    """
    live_citations = list(claim.citations.all())
    pairs, old_left, new_left = alignment.pair_in_order(
        [citation.source.label for citation in live_citations],
        [marker.label for marker in parsed_claim.citations],
    )
    for i, j in pairs:
        citation, marker = live_citations[i], parsed_claim.citations[j]
        if citation.locator != marker.locator:
            plan.propose(
                _K.CHANGE_CITATION,
                f"the locator of citation [{marker.label}] on claim #{claim.pk}",
                line_of(marker.start),
                {"locator": marker.locator, "quotation": citation.quotation},
                citation=citation,
            )
    for i in old_left:
        citation = live_citations[i]
        if citation.import_run_id is None:
            plan.notes.append(
                f"claim #{claim.pk} keeps citation [{citation.source.label}], which an "
                f"editor added and {file_name} does not have"
            )
            continue
        plan.propose(
            _K.REMOVE_CITATION,
            f"the removal of citation [{citation.source.label}] from claim #{claim.pk}",
            parsed_claim.line,
            citation=citation,
        )
    for j in new_left:
        marker = parsed_claim.citations[j]
        row = sources.get(marker.label)
        if row is None:
            missing[marker.label] += 1
            continue
        plan.propose(
            _K.ADD_CITATION,
            f"the citation [{marker.label}] on claim #{claim.pk}",
            line_of(marker.start),
            {"locator": marker.locator, "quotation": ""},
            claim=claim,
            source=row,
        )


def _sync_flags(plan, file_name, live_flags, tags, line_of, *, claim=None, section=None) -> None:
    """Flags of a claim or section against the file's tags there.

    Tags pair with flags of the same kind and label whatever their status, so a flag an
    editor resolved is not raised again while the copy still has its tag. An open flag
    whose tag left the file is resolved if an import raised it; one an editor raised is
    their judgement, not the file's, and is kept.
    """
    target = {"claim": claim} if claim is not None else {"section": section}
    where = f"claim #{claim.pk}" if claim is not None else f"section {section.position}"
    _, old_left, new_left = alignment.pair_in_order(
        [(flag.kind, flag.label) for flag in live_flags], [(tag.kind, tag.label) for tag in tags]
    )
    for j in new_left:
        tag = tags[j]
        line = line_of(tag.start)
        plan.propose(
            _K.RAISE_FLAG,
            f"the tag [{tag.label}] on {where}",
            line,
            {
                "kind": tag.kind,
                "label": tag.label,
                "reason": f"The tag [{tag.label}] is in {file_name}, line {line}.",
            },
            **target,
        )
    for i in old_left:
        flag = live_flags[i]
        if flag.status != FlagStatus.OPEN:
            continue
        if flag.import_run_id is None:
            plan.notes.append(
                f"{where} keeps the open flag [{flag.label}], which an editor raised and "
                f"{file_name} does not have"
            )
            continue
        plan.propose(
            _K.RESOLVE_FLAG,
            f"resolving the flag [{flag.label}] on {where}",
            None,
            {"reason": f"The tag [{flag.label}] is no longer in {file_name}."},
            flag=flag,
        )


def _check_proposer(outcome: ImportOutcome, user) -> None:
    if user is not None and user.has_perm(roles.PROPOSE):
        return
    what = (
        f"is a changed version of the archived document {outcome.slug!r} ({outcome.summary}), "
        "which becomes a proposal for review"
    )
    if user is None:
        raise ImportRefused(
            outcome.file_name,
            f"{what}; a proposal needs a person who proposes it, so name one who may propose "
            "(import_document --user NAME, an Editor, Reviewer or Archivist); nothing was "
            "imported",
        )
    raise ImportRefused(
        outcome.file_name,
        f"{what}, but {user.get_username()!r} may not propose changes (only Editors, "
        "Reviewers and Archivists may); nothing was imported",
    )


class _Rehearsal(Exception):
    """Rolls back a dry run's rehearsal of a proposal."""


def _rehearse_proposal(source, parsed, outcome: ImportOutcome, *, user) -> None:
    """Make the proposal and roll it back, so a dry run refuses whatever a real run would.

    The changes are validated by ``add_change`` itself (text limits, positions); checking
    them a second way here could only drift from it.
    """
    try:
        with transaction.atomic():
            _propose_reimport(source, parsed, outcome, user=user)
            raise _Rehearsal
    except _Rehearsal:
        pass


def _propose_reimport(source, parsed, outcome: ImportOutcome, *, user) -> ImportOutcome:
    plan = outcome.reimport
    document = outcome.document
    now = timezone.now()
    run = ImportRun.objects.create(
        document=document,
        file_name=source.name,
        file_size=source.size,
        sha256=source.sha256,
        content_sha256=parsed.content_sha256,
        text=parsed.text,
        user=user,
        started_at=now,
        finished_at=now,
        counts=parsed.counts() | plan.counts(),
        anomalies=[
            {"kind": a.kind, "line": a.line, "message": a.message} for a in parsed.anomalies
        ],
    )
    proposal = create_proposal(
        document=document, user=user, rationale=_reimport_rationale(source, run, outcome)
    )
    proposal.import_run = run
    _Recorder(user=user, reason=f"proposal #{proposal.pk} made by {run.change_reason}").save(
        proposal, update_fields=["import_run"]
    )
    for planned in plan.changes:
        try:
            add_change(
                proposal=proposal,
                user=user,
                kind=planned.kind,
                payload=planned.payload,
                **planned.targets,
            )
        except InvalidChange as error:
            where = f"line {planned.line}: " if planned.line else ""
            raise ImportRefused(
                source.name,
                f"{where}{planned.what} cannot be proposed: {str(error).rstrip('.')}; "
                "nothing was imported",
            ) from None
    proposal = submit_proposal(
        proposal=proposal, user=user, comment=f"Proposed by the import of {source.name}."
    )
    run.finished_at = max(timezone.now(), now)
    run.save(update_fields=["finished_at"])
    return ImportOutcome(
        source.name,
        outcome.slug,
        "proposed",
        outcome.counts,
        parsed.anomalies,
        document,
        run,
        proposal,
        outcome.summary,
        outcome.notes,
    )


def _reimport_rationale(source, run: ImportRun, outcome: ImportOutcome) -> str:
    lines = [
        f"Re-import of {source.name} (sha256 {source.sha256}), import run #{run.pk}: "
        f"{outcome.summary}.",
        "The changes were found by aligning the file's claims with the live text "
        "(archive/alignment.py); approving them makes the live claims read as the "
        "file's, except as noted below.",
    ]
    if outcome.notes:
        lines += ["", "Not proposed, or placed by approximation:"]
        lines += [f"- {note}" for note in outcome.notes[:MAX_RATIONALE_NOTES]]
        if len(outcome.notes) > MAX_RATIONALE_NOTES:
            lines.append(f"- … and {len(outcome.notes) - MAX_RATIONALE_NOTES} more")
    return "\n".join(lines)


# =========================================================================== proposals
#
# Editors change the archive only through proposals; a different person approves them.
# Every function below is one transition: it locks its rows, checks the state (TRANSITIONS)
# and the user's role, writes, and records history and the review conversation.

PROPOSER, REVIEWER = "proposer", "reviewer"
MAX_TEXT = 5000


class WorkflowError(Exception):
    """A move the rules do not allow; the message says why, for the person who tried it."""


class InvalidChange(WorkflowError):
    """A proposed change with bad values; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str
    actor: str
    action: str  # the ReviewComment action recorded


_S = ProposalState
TRANSITIONS: dict[str, Move] = {
    "submit": Move(frozenset({_S.DRAFT}), _S.SUBMITTED, PROPOSER, "submit"),
    "withdraw": Move(
        frozenset({_S.DRAFT, _S.SUBMITTED, _S.CHANGES_REQUESTED, _S.CONFLICT}),
        _S.WITHDRAWN,
        PROPOSER,
        "withdraw",
    ),
    "request_changes": Move(
        frozenset({_S.SUBMITTED}), _S.CHANGES_REQUESTED, REVIEWER, "request_changes"
    ),
    "revise": Move(frozenset({_S.CHANGES_REQUESTED}), _S.DRAFT, PROPOSER, "revise"),
    # An approval whose targets moved on ends in CONFLICT instead (see approve_proposal).
    "approve": Move(frozenset({_S.SUBMITTED}), _S.APPROVED, REVIEWER, "approve"),
    "reject": Move(frozenset({_S.SUBMITTED, _S.CONFLICT}), _S.REJECTED, REVIEWER, "reject"),
    "rebase": Move(frozenset({_S.CONFLICT}), _S.DRAFT, PROPOSER, "rebase"),
}
EDITABLE = frozenset({_S.DRAFT})


def allowed_moves(proposal: ChangeProposal, user) -> list[str]:
    """The transitions ``user`` may make on ``proposal`` now (for buttons; no locking)."""
    return [
        name
        for name, move in TRANSITIONS.items()
        if proposal.state in move.sources and _may_act(move.actor, proposal, user)
    ]


def _may_act(actor: str, proposal: ChangeProposal, user) -> bool:
    if actor == PROPOSER:
        return user.pk == proposal.proposer_id and user.has_perm(roles.PROPOSE)
    return user.pk != proposal.proposer_id and user.has_perm(roles.REVIEW)


def _check_move(name: str, proposal: ChangeProposal, user) -> Move:
    move = TRANSITIONS[name]
    verb = name.replace("_", " ")
    if move.actor == REVIEWER and user.pk == proposal.proposer_id:
        raise PermissionDenied(
            f"You proposed #{proposal.pk}; someone else must {verb} it (four-eyes rule)."
        )
    if not _may_act(move.actor, proposal, user):
        who = "its proposer" if move.actor == PROPOSER else "a reviewer"
        raise PermissionDenied(f"Only {who} can {verb} proposal #{proposal.pk}.")
    if proposal.state not in move.sources:
        raise WorkflowError(
            f"Proposal #{proposal.pk} is {proposal.get_state_display()}; it cannot be "
            f"{_PAST[name]} now."
        )
    return move


_PAST = {
    "submit": "submitted",
    "withdraw": "withdrawn",
    "request_changes": "sent back for changes",
    "revise": "reopened",
    "approve": "approved",
    "reject": "rejected",
    "rebase": "rebased",
}


class _Recorder:
    """Writes rows the workflow's way: history naming user, reason and proposal; revision."""

    def __init__(self, *, user, reason: str, proposal=None, when=None):
        self.user = user
        self.reason = reason
        self.when = when or timezone.now()
        self.provenance = {"history_proposal": proposal} if proposal else {}
        self.saved: dict[tuple[type, int], models.Model] = {}
        # Deleted rows as they were: (model, pk, serialized row, label), for the revision.
        self.deleted: list[tuple[type[models.Model], int, str, str]] = []

    def _mark(self, obj):
        obj._history_user = self.user
        obj._change_reason = self.reason
        obj._history_date = self.when
        obj._history_provenance = self.provenance

    def save(self, obj, **kwargs):
        self._mark(obj)
        obj.save(**kwargs)
        self.saved[(type(obj), obj.pk)] = obj
        return obj

    def delete(self, obj):
        self.saved.pop((type(obj), obj.pk), None)
        data = serializers.serialize("json", [obj])
        self.deleted.append((type(obj), obj.pk, data, str(obj)))
        self._mark(obj)
        obj.delete()

    def revision(self, comment: str) -> Revision | None:
        """One reversion revision holding every row written, deleted ones as they were."""
        versions = [
            (type(obj), obj.pk, serializers.serialize("json", [obj]), str(obj))
            for obj in self.saved.values()
        ]
        versions += self.deleted
        if not versions:
            return None
        revision = Revision.objects.create(
            date_created=self.when, user=self.user, comment=comment[:1000]
        )
        Version.objects.bulk_create(
            [
                Version(
                    revision=revision,
                    object_id=str(pk),
                    content_type=ContentType.objects.get_for_model(model),
                    db="default",
                    format="json",
                    serialized_data=data,
                    object_repr=label[:191],
                )
                for model, pk, data, label in versions
            ]
        )
        return revision


def _comment(proposal, user, action: str, body: str = "", when=None) -> ReviewComment:
    return ReviewComment.objects.create(
        proposal=proposal, author=user, action=action, body=body, created_at=when or timezone.now()
    )


def _lock(proposal: ChangeProposal) -> ChangeProposal:
    # of=("self",): lock the proposal only. Locking the joined proposer's user row too made
    # two reviewers approving each other's proposals deadlock on their own user rows (the
    # history, comment and reviewer foreign keys take a share lock on them at commit).
    return (
        ChangeProposal.objects.select_for_update(of=("self",))
        .select_related("proposer")
        .get(pk=proposal.pk)
    )


def _move(name: str, proposal: ChangeProposal, user, comment: str, **fields) -> ChangeProposal:
    """Lock, check, change state, record history and the comment; all or nothing."""
    with transaction.atomic():
        proposal = _lock(proposal)
        move = _check_move(name, proposal, user)
        now = timezone.now()
        proposal.state = move.target
        for field_name, value in fields.items():
            setattr(proposal, field_name, now if value is _NOW else value)
        _Recorder(user=user, reason=_reason(name, proposal, comment), when=now).save(proposal)
        _comment(proposal, user, move.action, comment, now)
        return proposal


_NOW = object()


def _reason(name: str, proposal, comment: str) -> str:
    reason = f"proposal #{proposal.pk} {_PAST[name]}"
    return f"{reason}: {comment}" if comment else reason


# --------------------------------------------------------------------------- drafting


def create_proposal(*, document: Document, user, rationale: str) -> ChangeProposal:
    """Open a draft proposal on a document."""
    if not user.has_perm(roles.PROPOSE):
        raise PermissionDenied("Only editors can propose changes.")
    rationale = (rationale or "").strip()
    if not rationale:
        raise InvalidChange({"rationale": ["Say why the change is needed."]})
    now = timezone.now()
    with transaction.atomic():
        proposal = ChangeProposal(
            document=document, rationale=rationale, proposer=user, created_at=now
        )
        _Recorder(user=user, reason="proposal drafted", when=now).save(proposal)
        return proposal


def add_change(
    *,
    proposal: ChangeProposal,
    user,
    kind: str,
    claim: Claim | None = None,
    section: Section | None = None,
    source: Source | None = None,
    citation: Citation | None = None,
    flag: Flag | None = None,
    payload: dict | None = None,
) -> ProposedChange:
    """Add one change to a draft, recording the version of its target it is written against."""
    with transaction.atomic():
        proposal = _lock(proposal)
        _check_drafting(proposal, user)
        change = ProposedChange(
            proposal=proposal,
            kind=kind,
            claim=claim,
            section=section,
            source=source,
            citation=citation,
            flag=flag,
            payload=dict(payload or {}),
        )
        _validate_change(change, proposal.document, user)
        target = _target(change)
        change.base_version = _latest_version(target) if target is not None else None
        change.before = _snapshot(change)
        last = proposal.changes.order_by("-position").values_list("position", flat=True).first()
        change.position = (last or 0) + 1
        _Recorder(user=user, reason=f"change added to proposal #{proposal.pk}").save(change)
        return change


def remove_change(*, change: ProposedChange, user) -> None:
    with transaction.atomic():
        proposal = _lock(change.proposal)
        _check_drafting(proposal, user)
        _Recorder(user=user, reason=f"change removed from proposal #{proposal.pk}").delete(change)


def comment_on_proposal(*, proposal: ChangeProposal, user, body: str) -> ReviewComment:
    body = (body or "").strip()
    if not user.has_perm(roles.COMMENT):
        raise PermissionDenied("Only editors and reviewers can comment on proposals.")
    if not body:
        raise InvalidChange({"body": ["A comment needs some text."]})
    return _comment(proposal, user, ReviewComment.Action.COMMENT, body)


def _check_drafting(proposal: ChangeProposal, user) -> None:
    if user.pk != proposal.proposer_id or not user.has_perm(roles.PROPOSE):
        raise PermissionDenied(f"Only the proposer can edit proposal #{proposal.pk}.")
    if proposal.state not in EDITABLE:
        raise WorkflowError(
            f"Proposal #{proposal.pk} is {proposal.get_state_display()}; only drafts can be edited."
        )


# --------------------------------------------------------------------------- transitions


def submit_proposal(*, proposal: ChangeProposal, user, comment: str = "") -> ChangeProposal:
    if not proposal.changes.exists():
        raise WorkflowError(f"Proposal #{proposal.pk} has no changes to submit.")
    return _move("submit", proposal, user, comment, submitted_at=_NOW)


def withdraw_proposal(*, proposal: ChangeProposal, user, comment: str = "") -> ChangeProposal:
    return _move("withdraw", proposal, user, comment)


def request_changes(*, proposal: ChangeProposal, user, comment: str) -> ChangeProposal:
    _require_comment(comment, "Say what needs to change.")
    return _move(
        "request_changes", proposal, user, comment, reviewer=user, decision_comment=comment
    )


def revise_proposal(*, proposal: ChangeProposal, user, comment: str = "") -> ChangeProposal:
    return _move("revise", proposal, user, comment)


def reject_proposal(*, proposal: ChangeProposal, user, comment: str) -> ChangeProposal:
    _require_comment(comment, "Say why the proposal is rejected.")
    return _move(
        "reject",
        proposal,
        user,
        comment,
        reviewer=user,
        decided_at=_NOW,
        decision_comment=comment,
    )


def _require_comment(comment: str, message: str) -> None:
    if not (comment or "").strip():
        raise InvalidChange({"comment": [message]})


def approve_proposal(*, proposal: ChangeProposal, user, comment: str = "") -> ChangeProposal:
    """Apply every change of a submitted proposal, or none.

    Targets are locked, then their versions compared with the ones the changes were
    written against: if any moved on (or is gone) the proposal goes to CONFLICT and nothing
    is applied. Otherwise all changes are applied with history naming the proposal and the
    reviewer, and one reversion revision holds every row written.
    """
    with transaction.atomic():
        proposal = _lock(proposal)
        _check_move("approve", proposal, user)
        changes = list(proposal.changes.order_by("position"))
        if not changes:
            raise WorkflowError(f"Proposal #{proposal.pk} has no changes to approve.")
        targets = _lock_targets(changes)
        stale = _stale(changes, targets)
        now = timezone.now()
        if stale:
            proposal.state = ProposalState.CONFLICT
            note = "; ".join(stale)
            _Recorder(user=user, reason=f"proposal #{proposal.pk} in conflict: {note}").save(
                proposal
            )
            _comment(proposal, user, ReviewComment.Action.CONFLICT, note, now)
            return proposal
        reason = f"proposal #{proposal.pk} approved by {user.get_username()}"
        recorder = _Recorder(user=user, reason=reason, proposal=proposal, when=now)
        bookkeeping = _Recorder(user=user, reason=reason, when=now)
        for change in changes:
            APPLY[change.kind](change, targets, recorder)
            if change.result_id:
                bookkeeping.save(change, update_fields=["result_id"])
        proposal.revision = recorder.revision(f"{reason}: {proposal.rationale}")
        proposal.state = ProposalState.APPROVED
        proposal.reviewer = user
        proposal.decided_at = now
        proposal.decision_comment = comment
        _Recorder(user=user, reason=_reason("approve", proposal, comment), when=now).save(proposal)
        _comment(proposal, user, ReviewComment.Action.APPROVE, comment, now)
        return proposal


def rebase_proposal(*, proposal: ChangeProposal, user, comment: str = "") -> ChangeProposal:
    """Bring a proposal in conflict up to date: re-read its targets, back to draft.

    Changes whose target is gone are dropped (the comment says which); the rest are now
    written against the current versions, so the proposer can check them and resubmit.
    """
    with transaction.atomic():
        proposal = _lock(proposal)
        _check_move("rebase", proposal, user)
        recorder = _Recorder(user=user, reason=f"proposal #{proposal.pk} rebased")
        notes = []
        for change in proposal.changes.order_by("position"):
            if _target_missing(change):
                notes.append(f"change {change.position} dropped: its target no longer exists")
                recorder.delete(change)
                continue
            target = _target(change)
            change.base_version = _latest_version(target) if target is not None else None
            change.before = _snapshot(change)
            recorder.save(change)
        body = "; ".join(filter(None, [comment, *notes]))
        return _move_locked("rebase", proposal, user, body)


def _move_locked(name: str, proposal: ChangeProposal, user, comment: str) -> ChangeProposal:
    move = TRANSITIONS[name]
    proposal.state = move.target
    now = timezone.now()
    _Recorder(user=user, reason=_reason(name, proposal, comment), when=now).save(proposal)
    _comment(proposal, user, move.action, comment, now)
    return proposal


# --------------------------------------------------------------------------- targets

_TARGET_ORDER = ("section", "claim", "source", "citation", "flag")
_TARGET_MODELS = {
    "section": Section,
    "claim": Claim,
    "source": Source,
    "citation": Citation,
    "flag": Flag,
}
# Which field names the record a change is written against (its version is checked).
_VERSIONED_TARGET = {
    ChangeKind.EDIT_CLAIM: "claim",
    ChangeKind.ADD_CLAIM: None,
    ChangeKind.REMOVE_CLAIM: "claim",
    ChangeKind.EDIT_HEADING: "section",
    ChangeKind.ADD_CITATION: "claim",
    ChangeKind.CHANGE_CITATION: "citation",
    ChangeKind.REMOVE_CITATION: "citation",
    ChangeKind.EDIT_SOURCE: "source",
    ChangeKind.RAISE_FLAG: None,  # claim or section, whichever is set
    ChangeKind.RESOLVE_FLAG: "flag",
    ChangeKind.SET_REVIEW_STATUS: "claim",
}


def _target_field(change: ProposedChange) -> str | None:
    if change.kind == ChangeKind.RAISE_FLAG:
        return "claim" if change.claim_id else "section"
    return _VERSIONED_TARGET[change.kind]


def _target(change: ProposedChange):
    field_name = _target_field(change)
    return getattr(change, field_name) if field_name else None


def _target_missing(change: ProposedChange) -> bool:
    field_name = _target_field(change)
    if field_name is None:
        return not Section.objects.filter(pk=change.section_id).exists()
    model = _TARGET_MODELS[field_name]
    return not model.objects.filter(pk=getattr(change, f"{field_name}_id")).exists()


def _latest_version(obj) -> int | None:
    return (
        type(obj)
        .history.filter(id=obj.pk)
        .order_by("-history_id")
        .values_list("history_id", flat=True)
        .first()
    )


def _lock_targets(changes: list[ProposedChange]) -> dict[tuple[str, int], models.Model]:
    """Lock every row the changes touch, in one global order so approvals cannot deadlock.

    That includes rows a change writes besides its target: the claims an insertion
    renumbers, the citations and flags removed with their claim. Unlocked, they were read
    before a concurrent approval committed and written back after it, undoing its edit.
    """
    wanted: dict[str, set[int]] = {name: set() for name in _TARGET_ORDER}
    for change in changes:
        for name in _TARGET_ORDER:
            pk = getattr(change, f"{name}_id")
            if pk is not None:
                wanted[name].add(pk)
    growing = {c.section_id for c in changes if c.kind == ChangeKind.ADD_CLAIM}
    removed = {c.claim_id for c in changes if c.kind == ChangeKind.REMOVE_CLAIM}
    # Looked up once their parent rows are locked, so no other approval adds to them.
    dependents = {"claim": ("section", growing), "citation": ("claim", removed)}
    dependents["flag"] = dependents["citation"]
    locked = {}
    for name in _TARGET_ORDER:
        parent, parent_ids = dependents.get(name, ("", ()))
        if parent_ids:
            rows = _TARGET_MODELS[name].objects.filter(**{f"{parent}__in": parent_ids})
            wanted[name].update(rows.order_by().values_list("pk", flat=True))
        if wanted[name]:
            rows = _TARGET_MODELS[name].objects.select_for_update().filter(pk__in=wanted[name])
            for row in rows.order_by("pk"):
                locked[(name, row.pk)] = row
    return locked


def _stale(changes, targets) -> list[str]:
    """What moved on since the changes were written: one line per stale change."""
    latest: dict[str, dict[int, int]] = {}
    for name in _TARGET_ORDER:
        ids = [pk for (kind, pk) in targets if kind == name]
        if ids:
            rows = (
                _TARGET_MODELS[name]
                .history.filter(id__in=ids)
                .values("id")
                .annotate(latest=Max("history_id"))
            )
            latest[name] = {row["id"]: row["latest"] for row in rows}
    stale = []
    for change in changes:
        for name in _TARGET_ORDER:
            pk = getattr(change, f"{name}_id")
            if pk is not None and (name, pk) not in targets:
                stale.append(f"change {change.position}: {name} #{pk} no longer exists")
        field_name = _target_field(change)
        if field_name and change.base_version is not None:
            pk = getattr(change, f"{field_name}_id")
            current = latest.get(field_name, {}).get(pk)
            if current is not None and current != change.base_version:
                stale.append(f"change {change.position}: {field_name} #{pk} changed since")
    return stale


# --------------------------------------------------------------------------- validation


def _validate_change(change: ProposedChange, document: Document, user) -> None:
    errors: dict[str, list[str]] = {}

    def error(field_name, message):
        errors.setdefault(field_name, []).append(message)

    kind, payload = change.kind, change.payload
    if kind not in ChangeKind.values:
        raise InvalidChange({"kind": [f"Unknown kind of change: {kind!r}."]})
    needs = {
        ChangeKind.EDIT_CLAIM: ["claim"],
        ChangeKind.ADD_CLAIM: ["section"],
        ChangeKind.REMOVE_CLAIM: ["claim"],
        ChangeKind.EDIT_HEADING: ["section"],
        ChangeKind.ADD_CITATION: ["claim", "source"],
        ChangeKind.CHANGE_CITATION: ["citation"],
        ChangeKind.REMOVE_CITATION: ["citation"],
        ChangeKind.EDIT_SOURCE: ["source"],
        ChangeKind.RESOLVE_FLAG: ["flag"],
        ChangeKind.SET_REVIEW_STATUS: ["claim"],
        ChangeKind.RAISE_FLAG: [],
    }[kind]
    for name in needs:
        if getattr(change, name) is None:
            error(name, f"Choose the {name} this change is about.")
    if kind == ChangeKind.RAISE_FLAG and (change.claim is None) == (change.section is None):
        error("claim", "A flag goes on either a claim or a section.")
    for name in _TARGET_ORDER:
        obj = getattr(change, name)
        if obj is not None and _document_of(obj) != document.pk:
            error(name, f"That {name} belongs to another document.")
    if errors:
        raise InvalidChange(errors)

    if kind in (ChangeKind.EDIT_CLAIM, ChangeKind.ADD_CLAIM):
        text = _text(payload, "text", error, "claim text")
        if kind == ChangeKind.EDIT_CLAIM and text and text == change.claim.text:
            error("text", "The new text is the same as the current text.")
        payload["text"] = text
    if kind == ChangeKind.ADD_CLAIM:
        # Positions only order claims; removals leave gaps, so "at the end" is one past
        # the highest position, not the number of claims.
        top = change.section.claims.aggregate(top=Max("position"))["top"] or 0
        position = payload.get("position", top + 1)
        if not isinstance(position, int) or not 1 <= position <= top + 1:
            error("position", f"Position must be a whole number from 1 to {top + 1}.")
        payload["position"] = position
        claim_kind = payload.setdefault("kind", ClaimKind.STATEMENT)
        if claim_kind not in ClaimKind.values:
            error("kind", f"Unknown kind of claim: {claim_kind!r}.")
        payload["new_paragraph"] = bool(payload.get("new_paragraph", False))
    if kind == ChangeKind.EDIT_HEADING:
        heading = _text(payload, "heading", error, "heading", limit=255)
        if "\n" in heading:
            error("heading", "A heading is one line.")
        payload["heading"] = heading
    if kind in (ChangeKind.ADD_CITATION, ChangeKind.CHANGE_CITATION):
        for name, limit in (("locator", 64), ("quotation", MAX_TEXT)):
            value = str(payload.get(name, "") or "").strip()
            if len(value) > limit:
                error(name, f"At most {limit} characters (this is {len(value)}).")
            payload[name] = value
        if kind == ChangeKind.CHANGE_CITATION and change.source is not None:
            payload["source"] = change.source.pk
    if kind == ChangeKind.EDIT_SOURCE:
        _validate_source_fields(change, payload, error)
    if kind == ChangeKind.RAISE_FLAG:
        flag_kind = payload.get("kind")
        if flag_kind not in FlagKind.values:
            error("kind", f"Unknown kind of flag: {flag_kind!r}.")
        label = str(payload.get("label") or "").strip() or (
            FlagKind(flag_kind).label if flag_kind in FlagKind.values else ""
        )
        if len(label) > 100:
            error("label", "At most 100 characters.")
        payload["label"] = label
        payload["reason"] = _text(payload, "reason", error, "reason")
    if kind == ChangeKind.RESOLVE_FLAG:
        if change.flag.status != FlagStatus.OPEN:
            error("flag", "That flag is already resolved.")
        payload["reason"] = _text(payload, "reason", error, "reason")
    if kind == ChangeKind.SET_REVIEW_STATUS:
        status = payload.get("review_status")
        if status not in ReviewStatus.values:
            error("review_status", f"Unknown review status: {status!r}.")
        elif status == change.claim.review_status:
            error("review_status", f"The claim is already {status}.")
        if not user.has_perm(roles.REVIEW):
            error("review_status", "Only reviewers can propose a review status.")
    if errors:
        raise InvalidChange(errors)


SOURCE_FIELDS = ("title", "author", "publisher", "published", "url", "archive_url")


def _validate_source_fields(change, payload, error) -> None:
    unknown = set(payload) - set(SOURCE_FIELDS)
    if unknown:
        error("source", f"Not a field editors can change: {', '.join(sorted(unknown))}.")
    changed = False
    for name in SOURCE_FIELDS:
        if name not in payload:
            continue
        value = str(payload[name] or "").strip()
        try:
            Source._meta.get_field(name).clean(value, change.source)
        except ValidationError as invalid:
            for message in invalid.messages:
                error(name, message)
        payload[name] = value
        changed = changed or value != getattr(change.source, name)
    if not changed and not unknown:
        error("source", "Nothing would change: every value is the same as now.")


def _text(payload, name, error, what, limit=MAX_TEXT) -> str:
    value = str(payload.get(name) or "").strip()
    if not value:
        error(name, f"The {what} cannot be empty.")
    elif len(value) > limit:
        error(name, f"The {what} can be at most {limit:,} characters (this is {len(value):,}).")
    return value


def _document_of(obj) -> int:
    if isinstance(obj, (Section, Source)):
        return obj.document_id
    if isinstance(obj, Claim):
        return obj.section.document_id
    if isinstance(obj, Citation):
        return obj.claim.section.document_id
    if isinstance(obj, Flag):
        return obj.claim.section.document_id if obj.claim_id else obj.section.document_id
    raise TypeError(obj)


def _snapshot(change: ProposedChange) -> dict:
    """The target's values now, so reviewers see before and after side by side."""
    kind = change.kind
    if kind in (ChangeKind.EDIT_CLAIM, ChangeKind.REMOVE_CLAIM):
        return {"text": change.claim.text, "review_status": change.claim.review_status}
    if kind == ChangeKind.SET_REVIEW_STATUS:
        return {"review_status": change.claim.review_status, "text": change.claim.text}
    if kind == ChangeKind.ADD_CITATION:
        return {"text": change.claim.text}
    if kind == ChangeKind.EDIT_HEADING:
        return {
            "heading": change.section.heading,
            "heading_missing": change.section.heading_missing,
        }
    if kind in (ChangeKind.CHANGE_CITATION, ChangeKind.REMOVE_CITATION):
        c = change.citation
        return {"source": c.source.label, "locator": c.locator, "quotation": c.quotation}
    if kind == ChangeKind.EDIT_SOURCE:
        return {name: getattr(change.source, name) for name in SOURCE_FIELDS}
    if kind == ChangeKind.RESOLVE_FLAG:
        f = change.flag
        return {"kind": f.kind, "label": f.label, "reason": f.reason, "status": f.status}
    if kind == ChangeKind.RAISE_FLAG and change.claim is not None:
        return {"text": change.claim.text}
    return {}


# --------------------------------------------------------------------------- applying


def _get(targets, name, pk, change):
    try:
        return targets[(name, pk)]
    except KeyError:
        raise WorkflowError(
            f"Change {change.position} needs {name} #{pk}, which an earlier change removes."
        ) from None


def _apply_edit_claim(change, targets, recorder):
    claim = _get(targets, "claim", change.claim_id, change)
    claim.text = change.payload["text"]
    # The span located the imported text; it does not locate this one. The import run
    # stays as the claim's origin and history keeps the span of the imported version.
    claim.span_start = claim.span_end = None
    recorder.save(claim)


def _apply_add_claim(change, targets, recorder):
    section = _get(targets, "section", change.section_id, change)
    position = change.payload["position"]
    siblings = list(section.claims.order_by("-position"))
    # Make room from the end backwards, so no two claims ever share a position.
    for sibling in siblings:
        if sibling.position >= position:
            sibling.position += 1
            recorder.save(sibling)
            # A later change of this proposal must write the claim at its new position.
            targets[("claim", sibling.pk)] = sibling
    # The claim it follows: siblings run from the last position down.
    before = next((c for c in siblings if c.position < position), None)
    if change.payload["new_paragraph"] or before is None:
        paragraph = (
            Claim.objects.filter(section__document=section.document_id).aggregate(
                top=Max("paragraph")
            )["top"]
            or 0
        ) + 1
    else:
        paragraph = before.paragraph
    claim = Claim(
        section=section,
        position=position,
        paragraph=paragraph,
        kind=change.payload["kind"],
        text=change.payload["text"],
    )
    recorder.save(claim)
    targets[("claim", claim.pk)] = claim
    change.result_id = claim.pk


def _apply_remove_claim(change, targets, recorder):
    claim = _get(targets, "claim", change.claim_id, change)
    for citation in claim.citations.all():
        recorder.delete(citation)
    for flag in claim.flags.all():
        recorder.delete(flag)
    recorder.delete(claim)
    del targets[("claim", change.claim_id)]


def _apply_edit_heading(change, targets, recorder):
    section = _get(targets, "section", change.section_id, change)
    section.heading = change.payload["heading"]
    section.heading_missing = False
    recorder.save(section)


def _apply_add_citation(change, targets, recorder):
    claim = _get(targets, "claim", change.claim_id, change)
    last = claim.citations.aggregate(top=Max("position"))["top"] or 0
    citation = Citation(
        claim=claim,
        source=_get(targets, "source", change.source_id, change),
        position=last + 1,
        locator=change.payload["locator"],
        quotation=change.payload["quotation"],
    )
    recorder.save(citation)
    change.result_id = citation.pk


def _apply_change_citation(change, targets, recorder):
    citation = _get(targets, "citation", change.citation_id, change)
    citation.locator = change.payload["locator"]
    citation.quotation = change.payload["quotation"]
    if change.source_id:
        citation.source = _get(targets, "source", change.source_id, change)
    recorder.save(citation)


def _apply_remove_citation(change, targets, recorder):
    recorder.delete(_get(targets, "citation", change.citation_id, change))
    del targets[("citation", change.citation_id)]


def _apply_edit_source(change, targets, recorder):
    source = _get(targets, "source", change.source_id, change)
    for name, value in change.payload.items():
        setattr(source, name, value)
    recorder.save(source)


def _apply_raise_flag(change, targets, recorder):
    target = (
        {"claim": _get(targets, "claim", change.claim_id, change)}
        if change.claim_id
        else {"section": _get(targets, "section", change.section_id, change)}
    )
    flag = Flag(
        kind=change.payload["kind"],
        label=change.payload["label"],
        reason=change.payload["reason"],
        raised_by=change.proposal.proposer,
        raised_at=recorder.when,
        **target,
    )
    recorder.save(flag)
    change.result_id = flag.pk


def _apply_resolve_flag(change, targets, recorder):
    flag = _get(targets, "flag", change.flag_id, change)
    flag.status = FlagStatus.RESOLVED
    flag.resolved_by = change.proposal.proposer
    flag.resolved_at = recorder.when
    flag.resolution = change.payload["reason"]
    recorder.save(flag)


def _apply_set_review_status(change, targets, recorder):
    claim = _get(targets, "claim", change.claim_id, change)
    claim.review_status = change.payload["review_status"]
    recorder.save(claim)


APPLY: dict[str, Callable] = {
    ChangeKind.EDIT_CLAIM: _apply_edit_claim,
    ChangeKind.ADD_CLAIM: _apply_add_claim,
    ChangeKind.REMOVE_CLAIM: _apply_remove_claim,
    ChangeKind.EDIT_HEADING: _apply_edit_heading,
    ChangeKind.ADD_CITATION: _apply_add_citation,
    ChangeKind.CHANGE_CITATION: _apply_change_citation,
    ChangeKind.REMOVE_CITATION: _apply_remove_citation,
    ChangeKind.EDIT_SOURCE: _apply_edit_source,
    ChangeKind.RAISE_FLAG: _apply_raise_flag,
    ChangeKind.RESOLVE_FLAG: _apply_resolve_flag,
    ChangeKind.SET_REVIEW_STATUS: _apply_set_review_status,
}


# =========================================================================== revert, recover
#
# Archivists repair what went wrong: put a record back to the values an earlier reversion
# version holds, or bring back a deleted record as the revision that deleted it kept it.
# Each is one transaction through _Recorder, so the record's history names the archivist
# and says it was a revert or a recovery and why, and one reversion revision holds every
# row written (a revert can itself be reverted).

_RESTORABLE = (Document, Section, Claim, Source, Citation, Flag)
# Where a record sits among its siblings: (the parent's field, the position). A revert
# leaves a record where it is now, because later approvals may have moved it for good
# reasons (an added claim shifts the ones after it); a recovery puts it back at its old
# position and makes room there.
_PLACE = {Section: "document_id", Claim: "section_id", Source: "document_id", Citation: "claim_id"}
# What goes with a record when it is deleted (_apply_remove_claim, the database cascades),
# in the order it comes back: sources before the citations that point at them.
_DEPENDENTS = {
    Document: ((Source, "document_id"), (Section, "document_id")),
    Section: ((Claim, "section_id"), (Flag, "section_id")),
    Claim: ((Citation, "claim_id"), (Flag, "claim_id")),
}


def revert_record(*, version: Version, user, reason: str) -> models.Model:
    """Put a live record back to the values ``version`` holds; its place stays as it is."""
    model = _check_restore(version, user, reason)
    with transaction.atomic():
        obj = model.objects.select_for_update().filter(pk=version.object_id).first()
        if obj is None:
            raise WorkflowError(
                f"{_record_name(model, version.object_id)} was deleted; recover it instead."
            )
        values = _version_values(version, model)
        for name in ("id", "position", _PLACE.get(model)):
            values.pop(name, None)
        changed = {name: value for name, value in values.items() if getattr(obj, name) != value}
        if not changed:
            raise WorkflowError(
                f"{_record_name(model, obj.pk)} already holds the values of version "
                f"#{version.pk}; there is nothing to revert."
            )
        for name, value in changed.items():
            setattr(obj, name, value)
        note = _restore_note("reverted to", version, user, reason)
        recorder = _Recorder(user=user, reason=note)
        _save_restored(recorder, obj)
        recorder.revision(note)
        return obj


def recover_record(*, version: Version, user, reason: str) -> models.Model:
    """Bring back a deleted record as ``version`` holds it, with what was deleted with it.

    A claim comes back with the citations and flags its removal deleted (they are in the
    same revision). If another record has taken its position meanwhile, the ones from
    there on move down one, as when a claim is added.
    """
    model = _check_restore(version, user, reason)
    with transaction.atomic():
        if model.objects.filter(pk=version.object_id).exists():
            raise WorkflowError(
                f"{_record_name(model, version.object_id)} exists; revert it to a version "
                "instead of recovering it."
            )
        note = _restore_note("recovered from", version, user, reason)
        recorder = _Recorder(user=user, reason=note)
        obj = _recover(version, model, recorder, cache={})
        recorder.revision(note)
        return obj


def _check_restore(version: Version, user, reason: str) -> type[models.Model]:
    if not user.has_perm(roles.REVERT):
        raise PermissionDenied("Only archivists can revert or recover records.")
    if not (reason or "").strip():
        raise InvalidChange({"reason": ["Say why, for the record's history."]})
    model = version.content_type.model_class()
    if model not in _RESTORABLE or version.db != "default":
        raise WorkflowError(f"Version #{version.pk} is not a version of archived content.")
    return model


def _restore_note(verb: str, version: Version, user, reason: str) -> str:
    return (
        f"{verb} version #{version.pk} (revision #{version.revision_id}) by "
        f"{user.get_username()}: {reason.strip()}"
    )


def _record_name(model, pk) -> str:
    return f"{model._meta.verbose_name} #{pk}"


def _version_values(version: Version, model) -> dict:
    from reversion.errors import RevertError

    try:
        return dict(version.field_dict)
    except RevertError as error:
        raise WorkflowError(f"Version #{version.pk} cannot be read: {error}") from None


def _recover(version: Version, model, recorder: _Recorder, cache: dict) -> models.Model:
    obj = model(**_version_values(version, model))
    _make_room(obj, recorder)
    _save_restored(recorder, obj, force_insert=True)
    for child_model, parent_field in _DEPENDENTS.get(model, ()):
        for child in _deleted_with(version.revision_id, child_model, parent_field, obj.pk, cache):
            _recover(child, child_model, recorder, cache)
    return obj


def _deleted_with(revision_id: int, model, parent_field: str, parent_pk, cache) -> list[Version]:
    """Versions of ``model`` in the revision that hung on ``parent_pk`` and are gone now."""
    key = (revision_id, model)
    if key not in cache:
        versions = list(
            Version.objects.filter(
                revision_id=revision_id,
                content_type=ContentType.objects.get_for_model(model),
                db="default",
            ).order_by("pk")
        )
        live = set(
            model.objects.filter(pk__in=[v.object_id for v in versions]).values_list(
                "pk", flat=True
            )
        )
        cache[key] = [v for v in versions if int(v.object_id) not in live]
    return [v for v in cache[key] if v.field_dict.get(parent_field) == parent_pk]


def _make_room(obj: models.Model, recorder: _Recorder) -> None:
    parent_field = _PLACE.get(type(obj))
    if parent_field is None:
        return
    siblings = (
        type(obj).objects.select_for_update().filter(**{parent_field: getattr(obj, parent_field)})
    )
    if not siblings.filter(position=obj.position).exists():
        return
    # From the end backwards, so no two rows ever share a position.
    for sibling in siblings.filter(position__gte=obj.position).order_by("-position"):
        sibling.position += 1
        recorder.save(sibling)


def _save_restored(recorder: _Recorder, obj: models.Model, **kwargs) -> None:
    for relation in obj._meta.concrete_fields:
        if not relation.is_relation or relation.related_model is None:
            continue
        pk = getattr(obj, relation.attname)
        if pk is not None and not relation.related_model._base_manager.filter(pk=pk).exists():
            raise WorkflowError(
                f"{_record_name(type(obj), obj.pk)} needs "
                f"{_record_name(relation.related_model, pk)}, which no longer exists."
            )
    try:
        with transaction.atomic():
            recorder.save(obj, **kwargs)
    except IntegrityError as error:
        raise WorkflowError(
            f"{_record_name(type(obj), obj.pk)} cannot be restored as it was: it clashes with "
            f"a record made since ({error})."
        ) from None


def delete_record(*, obj: models.Model, user, reason: str) -> None:
    """An archivist deletes a live record directly, with what goes with it, recoverably.

    The database's cascades would delete a claim's citations and flags without a reason on
    their history or a reversion version to recover them from; deleting them here first
    gives every row both, so ``recover_record`` can bring them all back.
    """
    model = type(obj)
    if model not in _RESTORABLE or not user.has_perm(f"archive.delete_{model._meta.model_name}"):
        raise PermissionDenied("Only archivists can delete live content.")
    if not (reason or "").strip():
        raise InvalidChange({"reason": ["Say why, for the record's history."]})
    with transaction.atomic():
        obj = model.objects.select_for_update().get(pk=obj.pk)
        note = f"deleted by {user.get_username()}: {reason.strip()}"
        recorder = _Recorder(user=user, reason=note)
        _delete_with_dependents(obj, recorder)
        recorder.revision(note)


def _delete_with_dependents(obj: models.Model, recorder: _Recorder) -> None:
    # Dependents in reverse order of recovery: citations go before the sources they cite.
    for child_model, parent_field in reversed(_DEPENDENTS.get(type(obj), ())):
        for child in child_model.objects.filter(**{parent_field: obj.pk}).order_by("pk"):
            _delete_with_dependents(child, recorder)
    recorder.delete(obj)
