"""What every content admin shares: history with provenance, archivists' direct edits
with a reason, reversion's versions, revert and recover.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from reversion.models import Version
from simple_history.admin import SimpleHistoryAdmin

from .. import forms as change_forms
from .. import roles, workflow
from .links import admin_url, link, message_of
from .proposing import ProposeMixin

# --------------------------------------------------------------------------- content


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
            link(run),
            obj.span_start,
            obj.span_end,
            run.file_name,
            run.excerpt(obj.span_start, obj.span_end),
        )


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's admin, its history pages for reading only.

    Its "revert" form saves whatever is posted to it, checking only the view permission:
    an editor could have written any field of a record or a proposal through it. Records
    go back to earlier values through "Versions" (archivists, recorded); proposals only
    move through the workflow.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ContentAdmin(ProposeMixin, HistoryAdmin):
    """Live content: history with provenance, archivists' reasons, proposals, revert/recover.

    Editors and reviewers hold only view permissions on content, so Django renders these
    pages read-only for them (inlines too: they check the inline model's permissions).
    """

    form = change_forms.ArchivistEditForm
    object_history_list_template = "admin/archive/object_history_list.html"
    history_list_display = ["history_import_run_link", "history_proposal_link", "history_reviewer"]
    history_columns = [
        ("history_import_run_link", "import run"),
        ("history_proposal_link", "proposal"),
        ("history_reviewer", "reviewed by"),
    ]
    # Deletions go through the delete page, one record at a time.
    actions = None

    # ---- archivists' direct edits

    def get_form(self, request, obj=None, change=False, **kwargs):
        writable = (
            self.has_change_permission(request, obj)
            if obj is not None
            else self.has_add_permission(request)
        )
        if not writable:
            # Read-only pages render every field from the model; the reason is not one.
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        # Saved with its inline rows in save_related, which Django calls next: one edit,
        # one revision.
        pass

    def delete_view(self, request, object_id, extra_context=None):
        # The confirmation page asks why; an archivist who gives no reason is sent back.
        reason = request.POST.get("change_reason", "").strip()
        if request.method == "POST" and not reason and self.has_delete_permission(request):
            messages.error(request, "Say why you delete it: the reason goes on its history.")
            return redirect(request.path)
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        workflow.delete_record(
            obj=obj, user=request.user, reason=request.POST.get("change_reason", "")
        )

    def save_related(self, request, form, formsets, change):
        # Rows edited, added or deleted in an inline share the edit's reason and revision.
        rows, deleted = [], []
        for formset in formsets:
            rows += formset.save(commit=False)
            deleted += formset.deleted_objects
        workflow.edit_record(
            obj=form.instance,
            user=request.user,
            reason=form.cleaned_data.get("change_reason", ""),
            rows=rows,
            deleted=deleted,
        )
        form.save_m2m()
        for formset in formsets:
            formset.save_m2m()

    # ---- history

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        queryset = super().get_history_queryset(request, history_manager, pk_name, object_id)
        queryset = queryset.select_related("history_import_run", "history_proposal__reviewer")
        # An import run holds the whole imported text; a history page needs only its name.
        heavy = ["history_import_run__text"]
        if any(f.name == "import_run" for f in history_manager.model._meta.fields):
            heavy.append("import_run__text")
        return queryset.defer(*heavy)

    def history_view(self, request, object_id, extra_context=None):
        context = {"history_columns": self.history_columns, **(extra_context or {})}
        return super().history_view(request, object_id, extra_context=context)

    @admin.display(description="import run")
    def history_import_run_link(self, record):
        return link(record.history_import_run) if record.history_import_run_id else "—"

    @admin.display(description="proposal")
    def history_proposal_link(self, record):
        return link(record.history_proposal) if record.history_proposal_id else "—"

    @admin.display(description="reviewed by")
    def history_reviewer(self, record):
        proposal = record.history_proposal
        return proposal.reviewer if proposal is not None else "—"

    # ---- extra pages

    def get_urls(self):
        name = self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path("recover/", wrap(self.recover_list_view), name=f"archive_{name}_recover"),
            path(
                "recover/<int:version_id>/",
                wrap(self.recover_view),
                name=f"archive_{name}_recover_version",
            ),
            path(
                "<path:object_id>/versions/",
                wrap(self.versions_view),
                name=f"archive_{name}_versions",
            ),
            path(
                "<path:object_id>/versions/<int:version_id>/revert/",
                wrap(self.revert_view),
                name=f"archive_{name}_revert",
            ),
            path(
                "<path:object_id>/propose/",
                wrap(self.propose_view),
                name=f"archive_{name}_propose",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        name = self.opts.model_name
        context = {"versions_url": admin_url(f"{name}_versions", object_id)}
        if self.model in change_forms.FORMS and request.user.has_perm(roles.PROPOSE):
            context["propose_url"] = admin_url(f"{name}_propose", object_id)
        return super().change_view(
            request, object_id, form_url, {**context, **(extra_context or {})}
        )

    def changelist_view(self, request, extra_context=None):
        context = dict(extra_context or {})
        if request.user.has_perm(roles.REVERT):
            context["recover_url"] = admin_url(f"{self.opts.model_name}_recover")
        return super().changelist_view(request, context)

    def _context(self, request, obj=None, **context):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            **context,
        }

    # ---- reversion: versions, revert, recover (archivists)

    def versions_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        versions = (
            Version.objects.get_for_object(obj).select_related("revision__user").order_by("-pk")
        )
        return TemplateResponse(
            request,
            "admin/archive/versions.html",
            self._context(
                request,
                obj,
                title=f"Versions of {obj}",
                versions=versions,
                can_revert=request.user.has_perm(roles.REVERT),
                history_url=admin_url(f"{self.opts.model_name}_history", obj.pk),
            ),
        )

    def revert_view(self, request, object_id, version_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        version = get_object_or_404(
            Version.objects.get_for_object_reference(self.model, unquote(object_id)),
            pk=version_id,
        )
        back = admin_url(f"{self.opts.model_name}_versions", object_id)
        try:
            obj = workflow.revert_record(
                version=version, user=request.user, reason=request.POST.get("reason", "")
            )
        except workflow.WorkflowError as error:
            messages.error(request, message_of(error))
            return redirect(back)
        messages.success(request, f"{obj} is back to version #{version.pk}; history records it.")
        return redirect(admin_url(f"{self.opts.model_name}_history", obj.pk))

    def recover_list_view(self, request):
        if not request.user.has_perm(roles.REVERT):
            raise PermissionDenied
        deleted = (
            Version.objects.get_deleted(self.model)
            .select_related("revision__user")
            .order_by("-pk")[:200]
        )
        return TemplateResponse(
            request,
            "admin/archive/recover.html",
            self._context(
                request,
                title=f"Recover deleted {self.opts.verbose_name_plural}",
                versions=deleted,
            ),
        )

    def recover_view(self, request, version_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        version = get_object_or_404(Version.objects.get_for_model(self.model), pk=version_id)
        try:
            obj = workflow.recover_record(
                version=version, user=request.user, reason=request.POST.get("reason", "")
            )
        except workflow.WorkflowError as error:
            messages.error(request, message_of(error))
            return redirect(admin_url(f"{self.opts.model_name}_recover"))
        messages.success(request, f"Recovered {obj}; history records it.")
        return redirect(admin_url(f"{self.opts.model_name}_change", obj.pk))
