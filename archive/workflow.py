"""Every state change of the archive, one function each.

Callers (admin actions, views, management commands) only call these and report what they
raise. Each function runs in one transaction and leaves history rows naming the user and
the reason for every row it writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from . import importer
from .models import Citation, Claim, Document, Flag, ImportRun, Section, Source

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
    status: Literal["imported", "unchanged", "would import"]
    counts: dict[str, int]
    anomalies: list[importer.Anomaly] = field(default_factory=list)
    document: Document | None = None
    run: ImportRun | None = None


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

    A file whose text is already archived is reported as unchanged; a different text for an
    existing document is refused (with every other file) rather than overwriting it.
    """
    with transaction.atomic():
        plans = [(source, parsed, _plan(source, parsed)) for source, parsed in files]
        slugs = [outcome.slug for _, _, outcome in plans]
        for slug in {s for s in slugs if slugs.count(s) > 1}:
            names = [o.file_name for _, _, o in plans if o.slug == slug]
            raise ImportRefused(names[-1], f"{' and '.join(names)} are both the document {slug!r}")
        if dry_run:
            return [outcome for _, _, outcome in plans]
        user = user or importer_user()
        results = []
        for source, parsed, outcome in plans:
            if outcome.status == "would import":
                outcome = _load(source, parsed, user=user, slug=outcome.slug)
            results.append(outcome)
        return results


def _plan(source: importer.SourceFile, parsed: importer.ParsedDocument) -> ImportOutcome:
    slug = document_slug(parsed, source)
    outcome = ImportOutcome(source.name, slug, "would import", parsed.counts(), parsed.anomalies)
    existing = Document.objects.filter(slug=slug).first()
    if existing is None:
        return outcome
    last_run = existing.import_runs.order_by("-started_at", "-pk").first()
    if last_run and last_run.content_sha256 == parsed.content_sha256:
        outcome.status, outcome.document, outcome.run = "unchanged", existing, last_run
        return outcome
    raise ImportRefused(
        source.name,
        f"the document {slug!r} is already archived from a different text "
        f"(sha256 {existing.sha256[:12]}…); re-importing a changed version is not supported "
        "yet, so nothing was imported",
    )


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
