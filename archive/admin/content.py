"""The admins of live content: documents, sections, claims, sources, citations, flags and
apparatus. Read-only but for archivists; everyone else proposes.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, Q
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from .. import roles, selectors
from ..models import (
    Apparatus,
    Citation,
    Claim,
    Document,
    Flag,
    Section,
    Source,
)
from .base import ContentAdmin, ProvenanceMixin
from .links import link


class CompetingMixin:
    """A record's page lists the other open proposals on it (``selectors.open_proposals_on``)
    above its fields, for whoever may see proposals."""

    change_form_template = "admin/archive/competing_change_form.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and request.user.has_perm(roles.VIEW_PROPOSALS):
            context["competing"] = selectors.open_proposals_on(obj, viewer=request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)


class CitationInline(admin.TabularInline):
    model = Citation
    extra = 0
    fields = ["position", "source", "offset", "locator", "quotation"]
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


class ApparatusInline(admin.TabularInline):
    """The section's apparatus beside its claims: what the importer kept apart, and why."""

    model = Apparatus
    fk_name = "section"
    extra = 0
    fields = ["position", "kind", "text", "rule", "line", "source"]
    readonly_fields = fields
    ordering = ["position"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


@admin.register(Document)
class DocumentAdmin(ContentAdmin):
    list_display = ["title", "slug", "file_name", "section_count", "claim_count", "created_at"]
    search_fields = ["title", "slug", "file_name"]
    readonly_fields = ["file_name", "file_size", "sha256", "created_at"]
    prepopulated_fields = {"slug": ["title"]}

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
class SectionAdmin(CompetingMixin, ProvenanceMixin, ContentAdmin):
    list_display = ["position", "heading_display", "document", "level", "claim_count"]
    list_display_links = ["position", "heading_display"]
    list_filter = ["document", "heading_missing", "level"]
    search_fields = ["heading"]
    list_select_related = ["document"]
    ordering = ["document", "position"]
    readonly_fields = ["rule"]
    inlines = [SectionFlagInline, ApparatusInline]

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
class ClaimAdmin(CompetingMixin, ProvenanceMixin, ContentAdmin):
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
    readonly_fields = ["rule"]
    inlines = [CitationInline, ClaimFlagInline]

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
        return link(obj.section)

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count

    @admin.display(description="open flags", ordering="open_flag_count")
    def open_flag_count(self, obj):
        return obj.open_flag_count


@admin.register(Source)
class SourceAdmin(CompetingMixin, ContentAdmin):
    list_display = ["label", "document", "kind", "title", "author", "citation_count"]
    list_filter = ["kind", "document"]
    search_fields = ["label", "title", "author", "publisher", "note_text", "url"]
    list_select_related = ["document"]
    ordering = ["document", "position"]
    readonly_fields = ["entry_text"]

    @admin.display(description="as written in the file")
    def entry_text(self, obj):
        """The reference entries as imported, beside the fields read from them."""
        entries = list(obj.entries.order_by("position"))
        if not entries:
            return "—"
        return format_html_join(
            "", '<pre class="provenance">line {}: {}</pre>', ((e.line, e.text) for e in entries)
        )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=Count("citations"))

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count


@admin.register(Citation)
class CitationAdmin(ProvenanceMixin, ContentAdmin):
    list_display = ["__str__", "claim_excerpt", "document", "locator"]
    list_filter = ["claim__section__document"]
    search_fields = ["source__label", "locator", "quotation", "claim__text"]
    list_select_related = ["claim__section__document", "source"]
    ordering = ["claim__section__document", "claim__section__position", "claim__position"]
    raw_id_fields = ["claim", "source"]

    @admin.display(description="claim")
    def claim_excerpt(self, obj):
        return link(obj.claim, Truncator(obj.claim.text).chars(70))

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
class FlagAdmin(ProvenanceMixin, ContentAdmin):
    list_display = ["label", "kind", "status", "target", "document", "raised_at"]
    list_filter = ["status", "kind", FlagDocumentFilter]
    search_fields = ["label", "reason", "claim__text", "section__heading"]
    list_select_related = ["claim__section__document", "section__document"]
    raw_id_fields = ["claim", "section"]

    @admin.display(description="on")
    def target(self, obj):
        if obj.claim_id:
            return link(obj.claim, Truncator(obj.claim.text).chars(70))
        return link(obj.section)

    @admin.display(description="document")
    def document(self, obj):
        return (obj.claim.section if obj.claim_id else obj.section).document


@admin.register(Apparatus)
class ApparatusAdmin(ProvenanceMixin, ContentAdmin):
    """Apparatus is kept as imported; archivists may correct it like any content."""

    list_display = ["position", "kind", "excerpt", "document", "section", "rule", "line"]
    list_filter = ["kind", "document"]
    search_fields = ["text"]
    list_select_related = ["document", "section"]
    ordering = ["document", "position"]
    raw_id_fields = ["section", "source"]
    readonly_fields = ["rule", "line"]

    @admin.display(description="text", ordering="text")
    def excerpt(self, obj):
        return Truncator(obj.text).chars(90)
