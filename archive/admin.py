"""The admin site: where editors, reviewers and archivists work on the archive.

Live content is read-only but for archivists (the groups give the others view permissions
only), and an archivist's direct edit asks for a reason that lands on the history row.
Everyone else changes content through proposals: "Propose a change" on a claim, section or
source page adds a change to the user's draft; the proposal page shows each change as a
word diff or a before/after table, with buttons for the moves the workflow allows.

The admin stays thin: every write is a ``workflow`` function, and what it raises is shown
as a message (or a 403 for ``PermissionDenied``). Changelists and the proposal page fetch
related rows up front, so their query counts do not grow with the content.
"""

from __future__ import annotations

import difflib
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timezone import localtime
from reversion.models import Version
from simple_history.admin import SimpleHistoryAdmin

from . import forms as change_forms
from . import roles, selectors, workflow
from .models import (
    Apparatus,
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
from .models.proposals import UNDECIDED

admin.site.site_header = "Provenance archive"
admin.site.site_title = "Provenance archive"
admin.site.index_title = "Editorial desk"


def _link(obj, label=None):
    if obj is None:
        return "—"
    url = reverse(f"admin:archive_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label if label is not None else obj)


def _url(view: str, *args) -> str:
    return reverse(f"admin:archive_{view}", args=args)


# --------------------------------------------------------------------------- diffs

# Words (with inner apostrophes or hyphens), runs of space, and single punctuation marks:
# a changed comma shows as one changed comma, not as a changed word.
_TOKENS = re.compile(r"\w+(?:['’\-]\w+)*|\s+|[^\w\s]", re.UNICODE)


def word_diff(old: str, new: str):
    """``new`` against ``old`` word by word: deletions in <del>, insertions in <ins>.

    Every piece of text is escaped; only the markers are HTML.
    """
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    parts = []
    for op, i1, i2, j1, j2 in _grouped(a, b):
        if op == "equal":
            parts.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(format_html("<del>{}</del>", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(format_html("<ins>{}</ins>", "".join(b[j1:j2])))
    return mark_safe("".join(parts))  # each part is escaped above


def _grouped(a: list[str], b: list[str]) -> list[tuple]:
    """difflib's opcodes, with neighbouring changes joined into one.

    Two changed words share the space between them ("an estimated" → "at least"); left
    alone, the diff interleaves them ("an at estimated least"). A run of space between two
    changes is taken into the change, so the old words read together, then the new ones.
    """
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    grouped: list[tuple] = []
    for index, (op, i1, i2, j1, j2) in enumerate(ops):
        inner = 0 < index < len(ops) - 1
        if (
            op == "equal"
            and inner
            and ops[index - 1][0] != "equal"
            and ops[index + 1][0] != "equal"
            and "".join(a[i1:i2]).isspace()
        ):
            op = "replace"
        if op != "equal" and grouped and grouped[-1][0] != "equal":
            _, first_i, _, first_j, _ = grouped[-1]
            grouped[-1] = ("replace", first_i, i2, first_j, j2)
        else:
            grouped.append((op, i1, i2, j1, j2))
    return grouped


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
            _link(run),
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


class ContentAdmin(HistoryAdmin):
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
        return _link(record.history_import_run) if record.history_import_run_id else "—"

    @admin.display(description="proposal")
    def history_proposal_link(self, record):
        return _link(record.history_proposal) if record.history_proposal_id else "—"

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
        context = {"versions_url": _url(f"{name}_versions", object_id)}
        if self.model in change_forms.FORMS and request.user.has_perm(roles.PROPOSE):
            context["propose_url"] = _url(f"{name}_propose", object_id)
        return super().change_view(
            request, object_id, form_url, {**context, **(extra_context or {})}
        )

    def changelist_view(self, request, extra_context=None):
        context = dict(extra_context or {})
        if request.user.has_perm(roles.REVERT):
            context["recover_url"] = _url(f"{self.opts.model_name}_recover")
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
                history_url=_url(f"{self.opts.model_name}_history", obj.pk),
            ),
        )

    def revert_view(self, request, object_id, version_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        version = get_object_or_404(
            Version.objects.get_for_object_reference(self.model, unquote(object_id)),
            pk=version_id,
        )
        back = _url(f"{self.opts.model_name}_versions", object_id)
        try:
            obj = workflow.revert_record(
                version=version, user=request.user, reason=request.POST.get("reason", "")
            )
        except workflow.WorkflowError as error:
            messages.error(request, _message(error))
            return redirect(back)
        messages.success(request, f"{obj} is back to version #{version.pk}; history records it.")
        return redirect(_url(f"{self.opts.model_name}_history", obj.pk))

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
            messages.error(request, _message(error))
            return redirect(_url(f"{self.opts.model_name}_recover"))
        messages.success(request, f"Recovered {obj}; history records it.")
        return redirect(_url(f"{self.opts.model_name}_change", obj.pk))

    # ---- proposing a change

    def propose_view(self, request, object_id):
        if self.model not in change_forms.FORMS:
            raise Http404
        if not request.user.has_perm(roles.PROPOSE):
            raise PermissionDenied
        target = self.get_object(request, unquote(object_id))
        if target is None:
            raise Http404
        if not self.has_view_permission(request, target):
            raise PermissionDenied
        kinds = change_forms.forms_for(target, request.user)
        wanted = request.GET.get("change") or change_forms.kind_of(kinds[0])
        form_class = change_forms.form_for(wanted) if wanted in workflow.KINDS else None
        if form_class not in kinds:
            raise Http404(f"No change of kind {wanted!r} can be proposed here.")
        document = Document.objects.get(pk=_document_id(target))
        draft = ChangeProposal.objects.draft_of(request.user, document)
        options = {"target": target, "user": request.user, "draft": draft}
        initial = {
            k: v for k, v in request.GET.items() if k in ("citation", "flag") and v.isdigit()
        }
        if request.method == "POST":
            form = form_class(request.POST, initial=initial, **options)
            if form.is_valid():
                proposal = _propose(request, form, document)
                if proposal is not None:
                    messages.success(
                        request,
                        f"Added to proposal #{proposal.pk}. Add more changes from other "
                        "pages, or submit it for review below.",
                    )
                    return redirect(_url("changeproposal_change", proposal.pk))
        else:
            form = form_class(initial=initial, **options)
        base = _url(f"{self.opts.model_name}_propose", target.pk)
        return TemplateResponse(
            request,
            "admin/archive/propose.html",
            self._context(
                request,
                target,
                title=f"Propose a change to this {self.opts.verbose_name}",
                target=target,
                document=document,
                draft=draft,
                form=form,
                verb=form_class.verb,
                action=f"{base}?{request.GET.urlencode()}" if request.GET else base,
                kinds=[
                    (k.verb, f"{base}?change={change_forms.kind_of(k)}", k is form_class)
                    for k in kinds
                ],
                picks=_picks(target, base, form_class, request.GET),
            ),
        )


def _document_id(target) -> int:
    return target.section.document_id if isinstance(target, Claim) else target.document_id


def _propose(request, form, document):
    """Add the change to the user's draft (started if need be); errors go on the form."""
    try:
        change = workflow.propose_change(
            document=document,
            user=request.user,
            kind=form.change_kind,
            rationale=form.cleaned_data.get("rationale", ""),
            **form.change_arguments(),
        )
    except workflow.InvalidChange as invalid:
        change_forms.add_workflow_errors(form, invalid.errors)
        return None
    except workflow.WorkflowError as error:
        form.add_error(None, str(error))
        return None
    if change.replaced_earlier:
        messages.info(
            request,
            f"Proposal #{change.proposal.pk} already had “{change.get_kind_display()}” here, "
            f"as change {change.position}: that change now holds what you just wrote "
            "(one change per target in a proposal).",
        )
    return change.proposal


def _picks(target, base: str, form_class, query) -> list[tuple[str, str, bool]]:
    """Links that choose the citation or flag a form is about, filled in with its values."""
    if form_class in (change_forms.ChangeCitationForm, change_forms.RemoveCitationForm):
        name, rows = "citation", target.citations.select_related("source").order_by("position")
    elif form_class is change_forms.ResolveFlagForm:
        name, rows = "flag", target.flags.filter(status="open").order_by("pk")
    else:
        return []
    return [
        (
            str(row),
            f"{base}?change={change_forms.kind_of(form_class)}&{name}={row.pk}",
            query.get(name) == str(row.pk),
        )
        for row in rows
    ]


def _message(error: Exception) -> str:
    if isinstance(error, workflow.InvalidChange):
        return " ".join(message for messages_ in error.errors.values() for message in messages_)
    return str(error)


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
class SectionAdmin(ProvenanceMixin, ContentAdmin):
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
class ClaimAdmin(ProvenanceMixin, ContentAdmin):
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
        return _link(obj.section)

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count

    @admin.display(description="open flags", ordering="open_flag_count")
    def open_flag_count(self, obj):
        return obj.open_flag_count


@admin.register(Source)
class SourceAdmin(ContentAdmin):
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
class FlagAdmin(ProvenanceMixin, ContentAdmin):
    list_display = ["label", "kind", "status", "target", "document", "raised_at"]
    list_filter = ["status", "kind", FlagDocumentFilter]
    search_fields = ["label", "reason", "claim__text", "section__heading"]
    list_select_related = ["claim__section__document", "section__document"]
    raw_id_fields = ["claim", "section"]

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


# =========================================================================== proposals


class QueueFilter(admin.SimpleListFilter):
    """The work queues: what waits for my review, what I proposed, what is in conflict."""

    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        queues = [("mine", "my proposals"), ("conflict", "in conflict")]
        if request.user.has_perm(roles.REVIEW):
            queues.insert(0, ("review", "awaiting my review"))
        return queues

    def queryset(self, request, queryset):
        user = request.user
        if self.value() == "review" and user.has_perm(roles.REVIEW):
            return queryset.filter(state=ProposalState.SUBMITTED).exclude(proposer=user)
        if self.value() == "mine":
            return queryset.filter(proposer=user)
        if self.value() == "conflict":
            return queryset.filter(state=ProposalState.CONFLICT)
        return queryset


# In the order the buttons show: the move that carries the proposal forward first, the
# ones that stop it last.


@admin.register(ChangeProposal)
class ChangeProposalAdmin(HistoryAdmin):
    """Proposals are read here and moved by buttons; never edited through a model form."""

    list_display = [
        "summary",
        "state_badge",
        "document",
        "proposer",
        "reviewer",
        "change_count",
        "created",
    ]
    list_display_links = ["summary"]
    list_filter = [QueueFilter, "state", "document"]
    list_select_related = ["document", "proposer", "reviewer"]
    search_fields = ["rationale", "proposer__username", "reviewer__username"]

    def has_add_permission(self, request):
        return False  # proposals start from "Propose a change" on a record's page

    def has_change_permission(self, request, obj=None):
        return False  # state, reviewer, decision: only workflow functions write them

    def has_delete_permission(self, request, obj=None):
        return False  # proposals are part of the record

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(change_count=Count("changes"))

    @admin.display(description="state", ordering="state")
    def state_badge(self, obj):
        return format_html(
            '<span class="proposal-state state-{}">{}</span>', obj.state, obj.get_state_display()
        )

    @admin.display(description="created", ordering="created_at")
    def created(self, obj):
        return date_format(localtime(obj.created_at), "j M Y")

    @admin.display(description="proposal")
    def summary(self, obj):
        return f"#{obj.pk} · {Truncator(obj.rationale).chars(60)}"

    @admin.display(description="changes", ordering="change_count")
    def change_count(self, obj):
        return obj.change_count

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/move/<str:name>/",
                wrap(self.move_view),
                name="archive_changeproposal_move",
            ),
            path(
                "<int:object_id>/comment/",
                wrap(self.comment_view),
                name="archive_changeproposal_comment",
            ),
            path(
                "<int:object_id>/changes/<int:change_id>/remove/",
                wrap(self.remove_change_view),
                name="archive_changeproposal_remove_change",
            ),
            *super().get_urls(),
        ]

    def _proposal(self, request, object_id) -> ChangeProposal:
        proposal = self.get_object(request, unquote(str(object_id)))
        if proposal is None:
            raise Http404
        if not self.has_view_permission(request, proposal):
            raise PermissionDenied
        return proposal

    def get_object(self, request, object_id, from_field=None):
        queryset = ChangeProposal.objects.select_related("document", "proposer", "reviewer")
        try:
            return queryset.get(pk=int(object_id))
        except (ValueError, ChangeProposal.DoesNotExist):
            return None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method != "GET":
            raise PermissionDenied  # moves have their own URLs; nothing is saved from here
        proposal = self._proposal(request, object_id)
        user = request.user
        changes = list(
            proposal.changes.select_related(
                "claim__section",
                "section",
                "source",
                "citation__source",
                "flag",
            )
            .prefetch_related(  # for where an edit puts the claim's markers
                Prefetch(
                    "claim__citations",
                    queryset=Citation.objects.select_related("source").order_by("position"),
                ),
                Prefetch("claim__flags", queryset=Flag.objects.order_by("pk")),
            )
            .order_by("position")
        )
        comments = list(proposal.comments.select_related("author").order_by("created_at", "pk"))
        editable = proposal.state == ProposalState.DRAFT and user.pk == proposal.proposer_id
        moves = [
            {
                "name": name,
                "label": workflow.TRANSITIONS[name].label,
                "url": _url("changeproposal_move", proposal.pk, name),
                "needs_comment": workflow.TRANSITIONS[name].needs_comment,
            }
            for name in workflow.allowed_moves(proposal, user)
        ]
        conflict = next(
            (c.body for c in reversed(comments) if c.action == "conflict"),
            "",
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": proposal,
            "needs_comment": [move["label"] for move in moves if move["needs_comment"]],
            "title": f"Proposal #{proposal.pk}",
            "proposal": proposal,
            "changes": [_describe(change, editable) for change in changes],
            "comments": comments,
            "moves": moves,
            "can_comment": user.has_perm(roles.COMMENT),
            "editable": editable,
            "conflict": conflict if proposal.state == ProposalState.CONFLICT else "",
            "is_proposer": user.pk == proposal.proposer_id,
            "history_url": _url("changeproposal_history", proposal.pk),
            "document_pages": [
                (label, f"{_url(f'{model}_changelist')}?{lookup}={proposal.document_id}")
                for label, model, lookup in (
                    ("claims", "claim", "section__document__id__exact"),
                    ("sections", "section", "document__id__exact"),
                    ("sources", "source", "document__id__exact"),
                )
            ],
        }
        return TemplateResponse(request, "admin/archive/proposal.html", context)

    def move_view(self, request, object_id, name):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if name not in workflow.TRANSITIONS:
            raise Http404
        proposal = self._proposal(request, object_id)
        try:
            result = workflow.make_move(
                name, proposal=proposal, user=request.user, comment=request.POST.get("comment", "")
            )
        except workflow.WorkflowError as error:  # InvalidChange too; PermissionDenied is a 403
            messages.error(request, _message(error))
        else:
            if result.state == ProposalState.CONFLICT:
                note = result.comments.filter(action="conflict").order_by("-pk").first()
                messages.warning(
                    request,
                    f"Proposal #{result.pk} is in conflict and nothing was applied: what it "
                    f"changes moved on since it was written ({note.body if note else ''}). "
                    "Its proposer can rebase it onto the current content and submit it again.",
                )
            else:
                outcome = workflow.TRANSITIONS[name].outcome
                messages.success(request, f"Proposal #{result.pk} {outcome}.")
        return redirect(_url("changeproposal_change", proposal.pk))

    def comment_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        proposal = self._proposal(request, object_id)
        try:
            workflow.comment_on_proposal(
                proposal=proposal, user=request.user, body=request.POST.get("body", "")
            )
        except workflow.WorkflowError as error:
            messages.error(request, _message(error))
        else:
            messages.success(request, "Your comment was added.")
        return redirect(_url("changeproposal_change", proposal.pk) + "#conversation")

    def remove_change_view(self, request, object_id, change_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        proposal = self._proposal(request, object_id)
        change = get_object_or_404(proposal.changes, pk=change_id)
        try:
            workflow.remove_change(change=change, user=request.user)
        except workflow.WorkflowError as error:
            messages.error(request, _message(error))
        else:
            messages.success(request, f"Change {change.position} was removed from the proposal.")
        return redirect(_url("changeproposal_change", proposal.pk))


# --------------------------------------------------------------------------- describing

FIELD_LABELS = {
    "review_status": "review status",
    "new_paragraph": "starts a paragraph",
    "archive_url": "archive URL",
    "url": "URL",
}


def _shown(value):
    """A value for the before/after table: empty and missing values say so."""
    if value is None:
        return format_html('<span class="diff-none">{}</span>', "—")
    if value == "":
        return format_html('<span class="diff-none">{}</span>', "(empty)")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _how(old, new) -> str:
    """How a value changes, so the table colours only what does."""
    if str(old) == str(new):
        return "same"
    if old in (None, ""):
        return "added"
    if new in (None, ""):
        return "removed"
    return "changed"


def _target_link(change, name: str):
    pk = getattr(change, f"{name}_id")
    if pk is None:
        return None
    obj = getattr(change, name)
    if obj is None:  # the target is gone (removed by this or a later approval)
        return format_html("{} #{} <em>(no longer exists)</em>", name, pk)
    label = Truncator(obj.text).chars(90) if isinstance(obj, Claim) else str(obj)
    return _link(obj, label)


def _describe(change, editable: bool) -> dict:
    """What the proposal page shows for one change: target, diff, before/after rows."""
    kind = workflow.KINDS[change.kind]
    description = kind.describe(change)
    rows = [
        (FIELD_LABELS.get(field, field), _shown(old), _shown(new), _how(old, new))
        for field, old, new in description.rows
    ]
    diff = word_diff(*description.diff) if description.diff is not None else None
    markers = _markers_after(change) if description.markers else None
    targets = [
        (name, link)
        for name in ("claim", "section", "source", "citation", "flag")
        if (link := _target_link(change, name)) is not None
        and name not in kind.hidden_targets  # shown in the table instead
    ]
    result = None
    if change.result_id and kind.creates:
        model = kind.creates
        result = format_html(
            '<a href="{}">{} #{}</a>',
            _url(f"{model}_change", change.result_id),
            model,
            change.result_id,
        )
    return {
        "change": change,
        "label": change.get_kind_display(),
        "targets": targets,
        "diff": diff,
        "markers": markers,
        "context": description.context,
        "rows": rows,
        "result": result,
        "remove_url": (
            _url("changeproposal_remove_change", change.proposal_id, change.pk)
            if editable
            else None
        ),
    }


# What the reviewer reads on each marker of an edited claim (its title and its class).
_MARKER_NOTES = {
    "placed": "placed here by the proposer",
    "lost": "its words are gone and nobody placed it: it stands after the text",
    "follows": "stays with its words",
}


def _markers_after(change) -> dict | None:
    """The new text of an edited claim with each marker where approving it puts it.

    Citations and open flags, as readers see them; a marker the proposer placed is marked.
    The text is escaped, only the markers are HTML. Worked out against the live claim, as
    the approval will be, while the proposal is undecided; when the claim changed since the
    change was written, the approval goes to conflict instead, and the page says so.
    """
    claim = change.claim
    if claim is None or change.proposal.state not in UNDECIDED:
        return None
    if claim.text != (change.before or {}).get("text"):
        return {"stale": True}
    moves = workflow.marker_moves(
        claim.text,
        change.payload["text"],
        citations=claim.citations.all(),
        flags=claim.flags.all(),
        placements=change.payload.get(workflow.ANCHORS),
    )
    cited = workflow.CITATIONS
    shown = [m for m in moves if m.kind == cited or m.marker.status == FlagStatus.OPEN]
    if not shown:
        return None
    pieces = selectors.claim_pieces(
        change.payload["text"],
        [m for m in shown if m.kind == cited],
        [m for m in shown if m.kind != cited],
    )

    def note(move) -> str:
        return "placed" if move.placed else "lost" if move.lost else "follows"

    html = format_html_join(
        "",
        "{}{}",
        (
            (
                piece.text,
                format_html_join(
                    "",
                    '<sup class="marker marker-{}" title="{}">{}</sup>',
                    (
                        (note(m), _MARKER_NOTES[note(m)], m.label)
                        for m in (*piece.citations, *piece.flags)
                    ),
                ),
            )
            for piece in pieces
        ),
    )
    return {
        "html": html,
        "placed": [m.label for m in shown if m.placed],
        "lost": [m.label for m in shown if m.lost],
    }


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
