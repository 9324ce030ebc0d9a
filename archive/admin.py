"""The admin site: where editors, reviewers and archivists work on the archive.

Changelists are ordered by document and position and fetch related rows up front (one
query per page, whatever the document's size). Every content model shows its
simple-history trail, with the import run that wrote each version.
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from .models import Citation, Claim, Document, Flag, ImportRun, Section, Source

admin.site.site_header = "Provenance archive"
admin.site.site_title = "Provenance archive"
admin.site.index_title = "Editorial desk"

HISTORY_COLUMNS = ["history_import_run"]


def _link(obj, label=None):
    if obj is None:
        return "—"
    url = reverse(f"admin:archive_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label if label is not None else obj)


class ProvenanceMixin:
    """Read-only display of where an imported row came from, down to the characters."""

    provenance_fields = ["provenance", "import_run", "span_start", "span_end"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.provenance_fields]

    @admin.display(description="provenance")
    def provenance(self, obj):
        run = obj.import_run
        if run is None:
            return "—"
        return format_html(
            '{} · characters {}–{} of {}<pre class="provenance">{}</pre>',
            _link(run),
            obj.span_start,
            obj.span_end,
            run.file_name,
            run.excerpt(obj.span_start, obj.span_end),
        )


class CitationInline(admin.TabularInline):
    model = Citation
    extra = 0
    fields = ["position", "source", "locator", "quotation"]
    raw_id_fields = ["source"]
    ordering = ["position"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


class FlagInline(admin.TabularInline):
    model = Flag
    extra = 0
    fields = ["kind", "label", "status", "reason", "raised_at", "resolved_at"]
    readonly_fields = ["raised_at", "resolved_at"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}


class SectionFlagInline(FlagInline):
    fk_name = "section"


class ClaimFlagInline(FlagInline):
    fk_name = "claim"


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "slug", "file_name", "section_count", "claim_count", "created_at"]
    search_fields = ["title", "slug", "file_name"]
    readonly_fields = ["file_name", "file_size", "sha256", "created_at"]
    prepopulated_fields = {"slug": ["title"]}
    history_list_display = HISTORY_COLUMNS

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                section_count=Count("sections", distinct=True),
                claim_count=Count("sections__claims", distinct=True),
            )
        )

    @admin.display(description="sections", ordering="section_count")
    def section_count(self, obj):
        return obj.section_count

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, obj):
        return obj.claim_count


@admin.register(Section)
class SectionAdmin(ProvenanceMixin, SimpleHistoryAdmin):
    list_display = ["position", "heading_display", "document", "level", "claim_count"]
    list_display_links = ["position", "heading_display"]
    list_filter = ["document", "heading_missing", "level"]
    search_fields = ["heading"]
    list_select_related = ["document"]
    ordering = ["document", "position"]
    inlines = [SectionFlagInline]
    history_list_display = HISTORY_COLUMNS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_count=Count("claims"))

    @admin.display(description="heading", ordering="heading")
    def heading_display(self, obj):
        if obj.heading_missing:
            return format_html("<em>{}</em>", "(heading missing)")
        return obj.heading or format_html("<em>{}</em>", "(lead)")

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, obj):
        return obj.claim_count


@admin.register(Claim)
class ClaimAdmin(ProvenanceMixin, SimpleHistoryAdmin):
    list_display = [
        "excerpt",
        "document",
        "section_link",
        "position",
        "kind",
        "review_status",
        "citation_count",
        "open_flag_count",
    ]
    list_filter = ["review_status", "kind", "section__document"]
    search_fields = ["text"]
    list_select_related = ["section__document"]
    ordering = ["section__document", "section__position", "position"]
    raw_id_fields = ["section"]
    inlines = [CitationInline, ClaimFlagInline]
    history_list_display = HISTORY_COLUMNS

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                citation_count=Count("citations", distinct=True),
                open_flag_count=Count("flags", filter=Q(flags__status="open"), distinct=True),
            )
        )

    @admin.display(description="claim", ordering="text")
    def excerpt(self, obj):
        return Truncator(obj.text).chars(90)

    @admin.display(description="document", ordering="section__document__title")
    def document(self, obj):
        return obj.section.document

    @admin.display(description="section", ordering="section__position")
    def section_link(self, obj):
        return _link(obj.section)

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count

    @admin.display(description="open flags", ordering="open_flag_count")
    def open_flag_count(self, obj):
        return obj.open_flag_count


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["label", "document", "kind", "title", "author", "citation_count"]
    list_filter = ["kind", "document"]
    search_fields = ["label", "title", "author", "publisher", "note_text", "url"]
    list_select_related = ["document"]
    ordering = ["document", "position"]
    history_list_display = HISTORY_COLUMNS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=Count("citations"))

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count


@admin.register(Citation)
class CitationAdmin(ProvenanceMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "claim_excerpt", "document", "locator"]
    list_filter = ["claim__section__document"]
    search_fields = ["source__label", "locator", "quotation", "claim__text"]
    list_select_related = ["claim__section__document", "source"]
    ordering = ["claim__section__document", "claim__section__position", "claim__position"]
    raw_id_fields = ["claim", "source"]
    history_list_display = HISTORY_COLUMNS

    @admin.display(description="claim")
    def claim_excerpt(self, obj):
        return _link(obj.claim, Truncator(obj.claim.text).chars(70))

    @admin.display(description="document", ordering="claim__section__document__title")
    def document(self, obj):
        return obj.claim.section.document


class FlagDocumentFilter(admin.SimpleListFilter):
    """Flags sit on a claim or on a section; either way they belong to one document."""

    title = "document"
    parameter_name = "document"

    def lookups(self, request, model_admin):
        return Document.objects.values_list("pk", "title")

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(
            Q(claim__section__document=self.value()) | Q(section__document=self.value())
        )


@admin.register(Flag)
class FlagAdmin(ProvenanceMixin, SimpleHistoryAdmin):
    list_display = ["label", "kind", "status", "target", "document", "raised_at"]
    list_filter = ["status", "kind", FlagDocumentFilter]
    search_fields = ["label", "reason", "claim__text", "section__heading"]
    list_select_related = ["claim__section__document", "section__document"]
    raw_id_fields = ["claim", "section"]
    history_list_display = HISTORY_COLUMNS

    @admin.display(description="on")
    def target(self, obj):
        if obj.claim_id:
            return _link(obj.claim, Truncator(obj.claim.text).chars(70))
        return _link(obj.section)

    @admin.display(description="document")
    def document(self, obj):
        return (obj.claim.section if obj.claim_id else obj.section).document


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Import runs are evidence: viewable, never edited or deleted through the admin."""

    list_display = ["__str__", "document", "user", "started_at", "claim_count", "anomaly_count"]
    list_filter = ["document"]
    list_select_related = ["document", "user"]
    search_fields = ["file_name", "sha256"]
    fields = [
        "document",
        "file_name",
        "file_size",
        "sha256",
        "content_sha256",
        "user",
        "started_at",
        "finished_at",
        "counts",
        "anomaly_list",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="claims")
    def claim_count(self, obj):
        return obj.counts.get("claims", 0)

    @admin.display(description="anomalies")
    def anomaly_count(self, obj):
        return len(obj.anomalies)

    @admin.display(description="anomalies in the copy")
    def anomaly_list(self, obj):
        if not obj.anomalies:
            return "none"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>line {}: <strong>{}</strong> — {}</li>",
                ((a["line"], a["kind"], a["message"]) for a in obj.anomalies),
            ),
        )
