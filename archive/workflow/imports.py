"""Imports: a parsed file becomes a document, or a proposal when it changes one."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Literal, NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Prefetch, Q
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.text import slugify as ascii_slugify

from .. import alignment, importer, roles
from ..models import (
    Apparatus,
    ChangeKind,
    ChangeProposal,
    Citation,
    Claim,
    Document,
    Flag,
    FlagStatus,
    ImportRun,
    ProposalState,
    Section,
    Source,
)
from ..slugs import is_slug
from ..slugs import slugify as unicode_slugify
from . import anchors
from .kinds import KINDS
from .proposals import add_change, create_proposal, submit_proposal
from .recording import InvalidChange, _Recorder

IMPORTER_USERNAME = "archive-importer"
# The rows an import writes, in the order they are written.
IMPORTED_MODELS = (Section, Source, Claim, Citation, Flag, Apparatus)

Writer = Callable[[type[models.Model], list[models.Model]], list[models.Model]]


class ImportRefused(Exception):
    """The file cannot be imported as it is: it would overwrite, duplicate or not fit archived
    content, or which document it is cannot be told. Names the file and, where it applies,
    the line."""

    def __init__(self, file_name: str, message: str, line: int | None = None):
        self.file_name = file_name
        self.message = message
        self.line = line
        where = f"{file_name}:{line}" if line else file_name
        super().__init__(f"{where}: {message}")


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
        # Only with ``new_only``: an archived document, left alone.
        "changed",  # the file differs from its last import: a proposal is for someone to make
        "pending",  # ... and a re-import proposal of the document is still undecided
        "ambiguous",  # which document the file is cannot be told (``summary`` says why)
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
    """The public identifier of a document: its title's letters in any script, else its file
    name's, else its file's hash."""
    return _slug(parsed, source, allow_unicode=True)


def _slug(parsed, source, *, allow_unicode: bool) -> str:
    limit = Document._meta.get_field("slug").max_length
    for candidate in (parsed.title, PurePath(source.name).stem):
        slug = (unicode_slugify(candidate) if allow_unicode else ascii_slugify(candidate))[
            :limit
        ].strip("-_")
        if slug:
            return slug
    return f"document-{source.sha256[:12]}"


def _same_title(one: str, other: str) -> bool:
    return " ".join(one.split()) == " ".join(other.split())


def import_documents(
    *,
    files: Sequence[tuple[importer.SourceFile, importer.ParsedDocument]],
    user=None,
    dry_run: bool = False,
    document: str | None = None,
    new_only: bool = False,
) -> list[ImportOutcome]:
    """Import parsed files all together or not at all.

    Which archived document a file is, is decided by identity: the document whose slug
    and title are the file's (see ``_identify``); when that cannot be told, nothing is
    imported and the refusal names the documents it could be. ``document`` (one file
    only) names the document instead: an archived slug makes the file its new version, a
    new slug a new document under that slug.

    A file whose text is the one last imported for its document is reported as unchanged.
    A changed version of an archived document writes no content: it is recorded as an
    import run and becomes one submitted proposal (the claims edited, added and removed,
    found by ``alignment``) that a reviewer other than ``user`` decides. ``user`` proposes
    it and so must be allowed to propose: a person named with ``--user``, never the
    system importer user, so every proposal has someone who answers for it, can revise it
    when changes are requested and can rebase it after a conflict.

    ``new_only`` imports only the files of documents the archive does not have yet, and
    reports the others' state (unchanged, changed, a re-import proposal pending,
    undecidable) without proposing or refusing anything: what seeding an archive needs.

    Every value an import would store is checked against its column before anything is
    written (``_check_stored_values``).
    """
    if document is not None:
        _check_document_option(document, files)
    with transaction.atomic():
        plans = [
            (source, parsed, _plan(source, parsed, document=document, new_only=new_only))
            for source, parsed in files
        ]
        slugs = [o.slug for _, _, o in plans if o.status not in ("ambiguous",)]
        for slug in {s for s in slugs if slugs.count(s) > 1}:
            names = [o.file_name for _, _, o in plans if o.slug == slug]
            raise ImportRefused(names[-1], f"{' and '.join(names)} are both the document {slug!r}")
        for source, parsed, outcome in plans:
            _check_stored_values(source, parsed, outcome)
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


def _plan(
    source: importer.SourceFile,
    parsed: importer.ParsedDocument,
    *,
    document: str | None = None,
    new_only: bool = False,
) -> ImportOutcome:
    if document is not None:
        # Named by the operator: that document, archived or new, whatever its title.
        slug = document
        existing = Document.objects.select_for_update().filter(slug=slug).first()
    else:
        slug = document_slug(parsed, source)
        existing, candidates = _identify(source, parsed, slug)
        if candidates:
            message = _ambiguity(source, parsed, slug, candidates, new_only=new_only)
            if not new_only:
                raise ImportRefused(source.name, message)
            outcome = ImportOutcome(
                source.name, slug, "ambiguous", parsed.counts(), parsed.anomalies
            )
            outcome.summary = message
            return outcome
    outcome = ImportOutcome(source.name, slug, "would import", parsed.counts(), parsed.anomalies)
    if existing is None:
        return outcome
    outcome.slug = existing.slug
    outcome.document = existing
    if not _same_title(existing.title, parsed.title):
        outcome.notes.append(
            f"the file's title is {parsed.title!r} and the archived one {existing.title!r}, "
            "which is kept: a title is not a change kind, so it is not proposed"
        )
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
    if new_only:
        outcome.run = last_run
        outcome.proposal = pending or (
            existing.proposals.filter(import_run__isnull=False).order_by("-pk").first()
        )
        if pending is not None:
            outcome.status = "pending"
            return outcome
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
    outcome.notes = outcome.notes + reimport.notes
    if not reimport.changes:
        outcome.status = "nothing to propose"
    else:
        outcome.status = "changed" if new_only else "would propose"
    return outcome


# --------------------------------------------------------------------------- identity
#
# A document is the same article as a file when its slug and its title are the file's
# (the title compared after collapsing whitespace). A slug alone is no identity: titles
# that differ only in case or punctuation share one, and before slugs kept non-ASCII
# letters every Cyrillic title shared the file-name fallback. So when the slug is taken by
# another title, or a document with another identity was imported from a file of the same
# name, the import stops and the operator says which document it is (``document=``).


def _identify(
    source: importer.SourceFile, parsed: importer.ParsedDocument, slug: str
) -> tuple[Document | None, list[Document]]:
    """The archived document the file is, or the documents it could be when that is unclear.

    Returns (document, []) for a match, (None, []) for a new document and (None, others)
    when the operator must choose. A document archived under the slug this archive made
    before slugs kept non-ASCII letters matches too, when its title is the file's.
    """
    slugs = {slug, _slug(parsed, source, allow_unicode=False)}
    # Locked so two imports of versions of one document queue instead of both proposing.
    by_slug = list(Document.objects.select_for_update().filter(slug__in=slugs).order_by("pk"))
    matches = [d for d in by_slug if _same_title(d.title, parsed.title)]
    taken = [d for d in by_slug if d.slug == slug and d not in matches]
    same_file = [
        d
        for d in Document.objects.filter(
            Q(file_name=source.name) | Q(import_runs__file_name=source.name)
        )
        .distinct()
        .order_by("pk")
        if d not in matches
    ]
    others = list(dict.fromkeys([*taken, *same_file]))
    if len(matches) == 1 and not others:
        return matches[0], []
    if not matches and not others:
        return None, []
    return None, list(dict.fromkeys([*matches, *others]))


def _ambiguity(source, parsed, slug: str, candidates: list[Document], *, new_only: bool) -> str:
    def why(document: Document) -> str:
        reasons = []
        if document.slug == slug:
            reasons.append("the same slug")
        if _same_title(document.title, parsed.title):
            reasons.append("the same title")
        else:
            reasons.append("another title")
        if (
            document.file_name == source.name
            or document.import_runs.filter(file_name=source.name).exists()
        ):
            reasons.append("imported from a file of this name")
        return (
            f"{document.slug!r} ({document.title!r}, from {document.file_name}: "
            f"{', '.join(reasons)})"
        )

    listed = "; ".join(why(document) for document in candidates)
    choices = " or ".join(f"--document {document.slug}" for document in candidates)
    fresh = _free_slug(slug)
    then = "skipped (--new-only imports only new documents)" if new_only else "nothing was imported"
    return (
        f"which document is this? Its title {parsed.title!r} (slug {slug!r}) could be the "
        f"archived {'document' if len(candidates) == 1 else 'documents'} {listed}. A file is "
        "matched to a document only when both the slug and the title are the same, so "
        f"{then}. Name the document with import_document --document SLUG: {choices} to make "
        f"this file a new version of it, or a slug no document has (such as --document "
        f"{fresh}) to import it as a new document"
    )


def _free_slug(slug: str) -> str:
    """A slug no document has: the file's own when it is free (the file is ambiguous only
    by its file name), else the first of ``slug-2``, ``slug-3`` ... that is."""
    limit = Document._meta.get_field("slug").max_length
    taken = set(
        Document.objects.filter(slug__startswith=slug[: limit - 4]).values_list("slug", flat=True)
    )
    if slug not in taken:
        return slug
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = slug[: limit - len(suffix)].rstrip("-_") + suffix
        if candidate not in taken:
            return candidate
        number += 1


def _check_document_option(document: str, files: Sequence) -> None:
    names = [source.name for source, _ in files]
    if len(names) != 1:
        raise ImportRefused(
            ", ".join(names) or "--document",
            f"--document names one document, so it takes exactly one file, not {len(names)}; "
            "nothing was imported",
        )
    limit = Document._meta.get_field("slug").max_length
    problem = ""
    if not is_slug(document):
        problem = (
            "a slug is letters, marks and digits of any script, hyphens and underscores, "
            "with no spaces or other punctuation (such as 'soviet-war-crimes' or "
            "'советские-военные-преступления')"
        )
    if not problem and len(document) > limit:
        problem = f"it is {len(document):,} characters; a slug has at most {limit}"
    if problem:
        raise ImportRefused(
            names[0],
            f"--document {document!r} is not a document slug: {problem}; nothing was imported",
        )
    # A slug typed in another case than the archived one would make a second document of
    # the same article (slugs the importer makes are lower-case), which cannot be undone.
    if not Document.objects.filter(slug=document).exists():
        same_letters = [
            slug
            for slug in Document.objects.annotate(length=Length("slug"))
            .filter(length=len(document))
            .order_by("slug")
            .values_list("slug", flat=True)
            if slug.lower() == document.lower()
        ]
        if same_letters:
            raise ImportRefused(
                names[0],
                f"--document {document!r} differs only in case from the archived document "
                f"{same_letters[0]!r}; name it exactly (--document {same_letters[0]}) to make "
                "this file its new version, or a slug no document has for a new document; "
                "nothing was imported",
            )


# --------------------------------------------------------------------------- what fits
#
# A value longer than its column would fail at the database (PostgreSQL) or be stored
# whole against the model's rule (SQLite), half-way through the import; so every value an
# import would store in a character column is checked first, against that column's own
# ``max_length``, and a value that does not fit refuses the whole call.


@dataclass(frozen=True)
class _Stored:
    model: type[models.Model]
    field: str
    value: str
    what: str
    line: Callable[[], int | None]


def _check_stored_values(source, parsed, outcome: ImportOutcome) -> None:
    if outcome.status == "would import":
        values = _values_of_document(source, parsed, outcome.slug)
    elif outcome.status == "would propose":
        values = _values_of_proposal(source, outcome)
    else:
        return
    for stored in values:
        problem = _does_not_fit(stored)
        if problem:
            raise ImportRefused(source.name, problem, stored.line())


def _does_not_fit(stored: _Stored) -> str:
    column = stored.model._meta.get_field(stored.field)
    if column.max_length is not None and len(stored.value) > column.max_length:
        return (
            f"{stored.what} is {len(stored.value):,} characters; the archive stores at most "
            f"{column.max_length:,}"
        )
    if isinstance(column, models.URLField) and stored.value:
        validator = URLValidator()
        try:
            validator(stored.value)
        except ValidationError:
            schemes = ", ".join(validator.schemes)
            return (
                f"{stored.what} {_short(stored.value, 80)!r} is not a URL the archive accepts "
                f"(an absolute address with one of the schemes {schemes})"
            )
    return ""


def _columns(model, record, what: str, line, *, skip=()) -> Iterator[_Stored]:
    """The record's values for each character column of ``model`` of the same name."""
    for column in model._meta.concrete_fields:
        if not isinstance(column, models.CharField) or column.name in skip:
            continue
        value = getattr(record, column.name, None)
        if isinstance(value, str):
            name = f"the {model._meta.verbose_name} {column.verbose_name}{what}"
            yield _Stored(model, column.name, value, name, line)


def _values_of_run(source) -> Iterator[_Stored]:
    def no_line() -> None:
        return None

    for model in (Document, ImportRun):
        yield _Stored(model, "file_name", source.name, "the file name", no_line)
        yield _Stored(model, "sha256", source.sha256, "the file's SHA-256", no_line)


def _values_of_document(source, parsed, slug: str) -> Iterator[_Stored]:
    text = parsed.text

    def at(offset: int) -> Callable[[], int]:
        return lambda: text.count("\n", 0, offset) + 1

    def on(line: int | None) -> Callable[[], int | None]:
        return lambda: line

    def source_line(label: str) -> Callable[[], int | None]:
        def find() -> int | None:
            for item in parsed.apparatus:
                if item.source_label == label:
                    return item.line
            for citation in parsed.citations:
                if citation.label == label:
                    return text.count("\n", 0, citation.start) + 1
            return None

        return find

    title_line = at(parsed.title_span[0])
    yield _Stored(Document, "title", parsed.title, "the title", title_line)
    yield _Stored(Document, "slug", slug, "the document slug", title_line)
    yield from _values_of_run(source)
    for section in parsed.sections:
        yield from _columns(Section, section, "", on(section.line))
        for claim in section.claims:
            yield from _columns(Claim, claim, "", on(claim.line))
            for citation in claim.citations:
                yield from _columns(Citation, citation, "", at(citation.start))
    for flag in parsed.flags:
        yield from _columns(Flag, flag, "", at(flag.start))
    for parsed_source in parsed.sources:
        label = parsed_source.label
        yield from _columns(Source, parsed_source, f" of [{label}]", source_line(label))
    for item in parsed.apparatus:
        yield from _columns(Apparatus, item, "", on(item.line))


def _values_of_proposal(source, outcome: ImportOutcome) -> Iterator[_Stored]:
    yield from _values_of_run(source)
    for planned in outcome.reimport.changes:
        # Where the change's payload values end up when the proposal is approved.
        model = KINDS[planned.kind].stores_in
        if model is None:
            continue
        payload = _Payload(planned.payload)
        yield from _columns(model, payload, "", lambda line=planned.line: line)


class _Payload:
    """A proposed change's payload read as attributes, like the parsed records."""

    def __init__(self, payload: dict):
        self.__dict__.update(payload)


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
    for model in IMPORTED_MODELS:
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
                rule=parsed_section.rule,
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
                **{name: getattr(parsed_source, name) for name in importer.references.FIELD_NAMES},
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
                rule=parsed_claim.rule,
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
                offset=parsed_citation.offset,
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
            offset=parsed_flag.offset,
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
    write(
        Apparatus,
        [
            Apparatus(
                document=document,
                section=sections[item.section],
                position=position,
                kind=item.kind,
                text=item.text,
                rule=item.rule,
                line=item.line,
                source=source_by_label.get(item.source_label) if item.source_label else None,
                import_run=run,
                span_start=item.start,
                span_end=item.end,
            )
            for position, item in enumerate(parsed.apparatus, start=1)
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
        citations = _pair_citations(claim, parsed_claim)
        if step.action == alignment.EDIT:
            payload = {"text": parsed_claim.text}
            placed = _file_placements(claim, parsed_claim, citations)
            if placed:
                payload["anchors"] = {"citations": placed}
            plan.propose(
                _K.EDIT_CLAIM,
                f"the new text of claim #{claim.pk}",
                parsed_claim.line,
                payload,
                claim=claim,
            )
        if parsed_claim.kind != claim.kind:
            plan.notes.append(
                f"line {parsed_claim.line}: claim #{claim.pk} is a {parsed_claim.kind} in the "
                f"file and a {claim.kind} in the archive; a claim's kind is not a change "
                "kind, so it is not proposed"
            )
        _sync_citations(
            plan, file_name, claim, parsed_claim, citations, sources, missing_sources, line_of
        )
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


class _CitationPairs(NamedTuple):
    """A claim's live citations and the file's markers, paired by label in order."""

    live: list[Citation]
    pairs: list[tuple[int, int]]
    live_left: list[int]
    file_left: list[int]


def _pair_citations(claim: Claim, parsed_claim) -> _CitationPairs:
    live = list(claim.citations.all())
    return _CitationPairs(
        live,
        *alignment.pair_in_order(
            [citation.source.label for citation in live],
            [marker.label for marker in parsed_claim.citations],
        ),
    )


def _file_placements(claim: Claim, parsed_claim, citations: _CitationPairs) -> dict[str, int]:
    """Where the file puts each live citation of an edited claim, where that differs from
    where its words would carry it: the file says where a marker stands, so a re-import
    proposes that place instead of leaving the marker to follow, or lose, its words."""
    live_citations, pairs = citations.live, citations.pairs
    moved = anchors.relocate(
        claim.text,
        parsed_claim.text,
        [_offset(live_citations[i], claim) for i, _ in pairs],
    )
    return {
        str(live_citations[i].pk): parsed_claim.citations[j].offset
        for (i, j), relocation in zip(pairs, moved, strict=True)
        if relocation.offset != parsed_claim.citations[j].offset
    }


def _offset(citation: Citation, claim: Claim) -> int:
    return len(claim.text) if citation.offset is None else citation.offset


def _sync_citations(
    plan, file_name, claim, parsed_claim, citations: _CitationPairs, sources, missing, line_of
) -> None:
    """Citations of a claim kept or edited: the file's markers against the live ones.

    Markers pair by label in order; a pair whose locator differs is a change. A live
    citation the file lacks is removed only if an import made it: one an editor added
    through a proposal is scholarship the file never carried, and is kept.
    """
    live_citations, pairs, old_left, new_left = citations
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
