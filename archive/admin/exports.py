"""The audit history download in the admin, for Reviewers and Archivists.

The same export as ``manage.py export_history`` (``archive.exports``), for people who work
in the admin rather than on the server: a form with the format and the filters, and the
file streamed as it is produced, so a large history never sits in the server's memory.

It is a view of its own, not a model admin (wrapped with
``admin.site.admin_view`` in ``archive_site/urls.py``). Who may
download is the ``archive.export_history`` permission (Archivists since migration 0003,
Reviewers since 0006). The form is a GET, so a filtered export is a link one can share.
"""

from datetime import date

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse

from .. import exports, roles
from ..models import Document

CONTENT_TYPES = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "jsonl": ("application/x-ndjson; charset=utf-8", "jsonl"),
    "prov-json": ("application/json; charset=utf-8", "prov.json"),
}


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        choices=[
            ("csv", "CSV (one row per changed field)"),
            ("jsonl", "JSON Lines (one object per change)"),
            ("prov-json", "W3C PROV-JSON"),
        ]
    )
    document = forms.ModelChoiceField(
        Document.objects.order_by("title", "pk"),
        to_field_name="slug",
        required=False,
        empty_label="every document",
    )
    since = forms.CharField(
        required=False, help_text="ISO 8601 date or date-time, UTC (2026-05-01T12:00)."
    )
    until = forms.CharField(required=False, help_text="A date alone includes that whole day.")

    def clean(self):
        data = super().clean()
        document = data.get("document")
        try:
            data["filters"] = exports.parse_filters(
                document=document.slug if document else None,
                since=data.get("since"),
                until=data.get("until"),
            )
        except exports.ExportError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return data


def export_history_view(request):
    if not request.user.has_perm(roles.EXPORT):
        raise PermissionDenied("Only reviewers and archivists can export the audit history.")
    form = ExportForm(request.GET if "format" in request.GET else None)
    if form.is_bound and form.is_valid():
        fmt = form.cleaned_data["format"]
        filters = form.cleaned_data["filters"]
        content_type, extension = CONTENT_TYPES[fmt]
        response = StreamingHttpResponse(exports.export(fmt, filters), content_type=content_type)
        slug = f"-{filters.document.slug}" if filters.document else ""
        name = f"audit-history{slug}-{date.today().isoformat()}.{extension}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context = {
        **admin.site.each_context(request),
        "title": "Export the audit history",
        "form": form,
        "formats": exports.FORMATS,
    }
    return TemplateResponse(
        request,
        "admin/archive/export_history.html",
        context,
        status=400 if form.is_bound else 200,
    )
