"""Documents and their content: sections, claims, sources, citations, flags, import runs."""

import reversion
from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..slugs import validate_slug
from .choices import (
    ApparatusKind,
    ClaimKind,
    FlagKind,
    FlagStatus,
    ProposalState,
    ReviewStatus,
    SourceKind,
)


class HistoryProvenance(models.Model):
    """Extra columns on every historical row: what produced this version of the record."""

    history_import_run = models.ForeignKey(
        "archive.ImportRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="import run",
        help_text="The import run that wrote this version, if an import did.",
    )
    history_proposal = models.ForeignKey(
        "archive.ChangeProposal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="proposal",
        help_text="The approved proposal that wrote this version, if one did.",
    )

    class Meta:
        abstract = True


def history() -> HistoricalRecords:
    """History for a content model: who, why (a text reason) and which import or proposal."""
    return HistoricalRecords(bases=[HistoryProvenance], cascade_delete_history=False)


class ImportRunQuerySet(models.QuerySet):
    def public(self):
        """Imports a reader may see: a document's first import, and re-imports whose
        proposal was approved. A pending, rejected or withdrawn re-import is the admin's."""
        return self.filter(
            Q(proposals__isnull=True) | Q(proposals__state=ProposalState.APPROVED)
        ).distinct()


class ImportRun(models.Model):
    """One successful import of one file: the evidence every imported row points back to."""

    document = models.ForeignKey(
        "archive.Document", on_delete=models.PROTECT, related_name="import_runs"
    )
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField(help_text="Bytes, as read from disk.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the file's bytes.")
    content_sha256 = models.CharField(
        max_length=64,
        help_text="SHA-256 of the decoded text (BOM removed, line endings as \\n); "
        "character spans count characters of this text.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_runs"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    text = models.TextField(
        help_text="The decoded text as imported: claim, citation and flag spans index into it."
    )
    counts = models.JSONField(default=dict, help_text="Rows written, by kind.")
    anomalies = models.JSONField(
        default=list, help_text="Defects found in the file: kind, line, message."
    )

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finished_at__gte=models.F("started_at")),
                name="importrun_finished_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Import #{self.pk} of {self.file_name}"

    def excerpt(self, start: int | None, end: int | None) -> str:
        """The exact characters of the imported text between two offsets."""
        if start is None or end is None:
            return ""
        return self.text[start:end]

    @property
    def change_reason(self) -> str:
        """The reason written on every historical row this run produced."""
        return f"import run #{self.pk}: {self.file_name} (sha256 {self.sha256[:12]})"


@reversion.register()
class Document(models.Model):
    title = models.CharField(max_length=255)
    slug = models.CharField(
        max_length=200,
        unique=True,
        db_index=True,
        validators=[validate_slug],
        help_text="The document's identity: its title's letters in any script, or the slug "
        "the operator gave. Re-imports are matched by it.",
    )
    file_name = models.CharField(max_length=255, help_text="The imported file's name.")
    file_size = models.PositiveBigIntegerField(help_text="Bytes of the imported file.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the imported file.")
    created_at = models.DateTimeField()

    history = history()

    class Meta:
        ordering = ["title", "pk"]
        permissions = [
            ("import_document", "Can import documents"),
            ("revert_content", "Can revert records and recover deleted ones"),
            ("export_history", "Can export the audit history"),
        ]

    def __str__(self) -> str:
        return self.title


@reversion.register()
class Section(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField()
    heading = models.CharField(max_length=255, blank=True)
    heading_missing = models.BooleanField(
        default=False, help_text="The source lost this section's heading; editors may fill it in."
    )
    level = models.PositiveSmallIntegerField(default=2)
    rule = models.CharField(
        max_length=64,
        blank=True,
        help_text="The importer's rule that found this heading and its level.",
    )
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.PROTECT, related_name="sections"
    )
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)

    history = history()

    class Meta:
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "position"], name="section_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=6), name="section_level_range"
            ),
            models.CheckConstraint(
                condition=Q(heading_missing=False) | Q(heading=""),
                name="section_missing_heading_is_empty",
            ),
            models.CheckConstraint(
                condition=Q(span_start__isnull=True, span_end__isnull=True)
                | Q(span_start__isnull=False, span_end__gte=models.F("span_start")),
                name="section_span_valid",
            ),
        ]

    def __str__(self) -> str:
        if self.heading_missing:
            return f"(section {self.position}, heading lost)"
        return self.heading or "(lead)"


@reversion.register()
class Claim(models.Model):
    Kind = ClaimKind

    ReviewStatus = ReviewStatus

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="claims")
    position = models.PositiveIntegerField(help_text="Order within the section.")
    paragraph = models.PositiveIntegerField(help_text="Paragraph number within the document.")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.STATEMENT)
    text = models.TextField(help_text="Plain text, citation markers and tags removed.")
    review_status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.UNREVIEWED
    )
    rule = models.CharField(
        max_length=64, blank=True, help_text="The importer's rule that decided the claim's kind."
    )
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    span_start = models.PositiveIntegerField(
        null=True, blank=True, help_text="First character of the claim in the imported text."
    )
    span_end = models.PositiveIntegerField(
        null=True, blank=True, help_text="One past the last character, markers included."
    )

    history = history()

    class Meta:
        ordering = ["section__document", "section__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["section", "position"], name="claim_unique_position"),
            models.CheckConstraint(condition=Q(kind__in=ClaimKind.values), name="claim_kind_valid"),
            models.CheckConstraint(
                condition=Q(review_status__in=ReviewStatus.values),
                name="claim_review_status_valid",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="claim_text_not_empty"),
            models.CheckConstraint(
                condition=Q(span_start__isnull=True, span_end__isnull=True)
                | Q(span_start__isnull=False, span_end__gt=models.F("span_start")),
                name="claim_span_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"


@reversion.register()
class Source(models.Model):
    Kind = SourceKind

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="sources")
    label = models.CharField(max_length=64, help_text="The label as cited: '39', 'notes 1'.")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.REFERENCE)
    position = models.PositiveIntegerField(help_text="Order in the reference list.")
    title = models.CharField(max_length=500, blank=True)
    author = models.CharField(max_length=255, blank=True)
    publisher = models.CharField(max_length=255, blank=True)
    published = models.CharField(
        max_length=64, blank=True, help_text="Publication date as given: '2005', 'May 1945'."
    )
    url = models.URLField(max_length=1000, blank=True)
    archive_url = models.URLField(max_length=1000, blank=True)
    isbn = models.CharField("ISBN", max_length=32, blank=True)
    doi = models.CharField("DOI", max_length=255, blank=True)
    note_text = models.TextField(
        blank=True,
        help_text="The entry's text as written in the file's reference or notes list.",
    )
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.PROTECT, related_name="sources"
    )

    history = history()

    class Meta:
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "label"], name="source_unique_label"),
            models.UniqueConstraint(fields=["document", "position"], name="source_unique_position"),
            models.CheckConstraint(
                condition=Q(kind__in=SourceKind.values), name="source_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(label=""), name="source_label_not_empty"),
        ]

    def __str__(self) -> str:
        return f"[{self.label}] {self.title}" if self.title else f"[{self.label}]"


@reversion.register()
class Citation(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    position = models.PositiveIntegerField(help_text="Order among the claim's citations.")
    locator = models.CharField(max_length=64, blank=True, help_text="Pages: '129', '348–350'.")
    quotation = models.TextField(blank=True)
    offset = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Where the marker stands in the claim's text (characters from its start); "
        "empty: after the text.",
    )
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.PROTECT, related_name="citations"
    )
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)

    history = history()

    class Meta:
        ordering = ["claim", "position"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "position"], name="citation_unique_position"),
            models.CheckConstraint(
                condition=Q(span_start__isnull=True, span_end__isnull=True)
                | Q(span_start__isnull=False, span_end__gt=models.F("span_start")),
                name="citation_span_valid",
            ),
        ]

    def __str__(self) -> str:
        locator = f": {self.locator}" if self.locator else ""
        return f"[{self.source.label}]{locator}"


@reversion.register()
class Flag(models.Model):
    Kind = FlagKind

    Status = FlagStatus

    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    label = models.CharField(max_length=100, help_text="The tag as written: 'citation needed'.")
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="flags_raised",
    )
    raised_at = models.DateTimeField()
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="flags_resolved",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True, help_text="Why the flag was resolved.")
    offset = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Where the tag stood in the claim's text; empty for a section's flag.",
    )
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.PROTECT, related_name="flags"
    )
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)

    history = history()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(claim__isnull=False, section__isnull=True)
                | Q(claim__isnull=True, section__isnull=False),
                name="flag_on_claim_or_section",
            ),
            models.CheckConstraint(condition=Q(kind__in=FlagKind.values), name="flag_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=FlagStatus.values), name="flag_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | Q(status="resolved", resolved_at__isnull=False),
                name="flag_resolved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.label}] ({self.status})"


@reversion.register()
class Apparatus(models.Model):
    """A piece of the imported text that is not article prose: kept, apart from claims.

    Tables of contents, hatnotes, reference and bibliography entries, navigation lists,
    category lines, page chrome, infobox residue, maintenance boxes and markup remnants are
    no statement an editor could dispute, so they are never claims; they are never dropped
    either, so the document's records together rebuild the text that was imported.
    """

    Kind = ApparatusKind

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="apparatus")
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.CASCADE, related_name="apparatus"
    )
    position = models.PositiveIntegerField(help_text="Order within the document.")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    text = models.TextField(help_text="The text as written in the imported file.")
    rule = models.CharField(
        max_length=64, blank=True, help_text="The importer's rule that classified it."
    )
    line = models.PositiveIntegerField(null=True, blank=True)
    source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
        help_text="The source this reference entry gave its text to.",
    )
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.PROTECT, related_name="apparatus"
    )
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)

    history = history()

    class Meta:
        verbose_name_plural = "apparatus"
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "position"], name="apparatus_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ApparatusKind.values), name="apparatus_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(span_start__isnull=True, span_end__isnull=True)
                | Q(span_start__isnull=False, span_end__gt=models.F("span_start")),
                name="apparatus_span_valid",
            ),
        ]

    def __str__(self) -> str:
        text = self.text if len(self.text) <= 60 else self.text[:59] + "…"
        return f"{self.get_kind_display()}: {text}"
