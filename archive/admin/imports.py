"""Import runs: read-only evidence of what each file held and what the importer noted."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from ..models import (
    ImportRun,
)


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
