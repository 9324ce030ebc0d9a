"""Proposals: the work queues, the proposal page and its moves."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.timezone import localtime

from .. import forms as change_forms
from .. import roles, selectors, workflow
from ..models import (
    ChangeProposal,
    Citation,
    Flag,
    ProposalState,
)
from ..workflow.kinds import TARGETS
from . import editing
from .base import HistoryAdmin
from .describing import conflict_rows, describe_change
from .links import admin_url, message_of


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
            path(
                "<int:object_id>/changes/<int:change_id>/edit/",
                wrap(self.edit_change_view),
                name="archive_changeproposal_edit_change",
            ),
            path(
                "<int:object_id>/rationale/",
                wrap(self.rationale_view),
                name="archive_changeproposal_rationale",
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
                "url": admin_url("changeproposal_move", proposal.pk, name),
                "needs_comment": workflow.TRANSITIONS[name].needs_comment,
            }
            for name in workflow.allowed_moves(proposal, user)
        ]
        conflict = next(
            (c.body for c in reversed(comments) if c.action == "conflict"),
            "",
        )
        latest = workflow.latest_versions(changes)
        outlook = (
            workflow.merge_outlook(changes, latest)
            if proposal.state in (ProposalState.SUBMITTED, ProposalState.DRAFT)
            else {}
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": proposal,
            "needs_comment": [move["label"] for move in moves if move["needs_comment"]],
            "title": f"Proposal #{proposal.pk}",
            "proposal": proposal,
            "changes": [
                describe_change(change, editable, outlook.get(change.pk)) for change in changes
            ],
            "fingerprint": workflow.content_fingerprint(proposal, changes, latest),
            "comments": comments,
            "moves": moves,
            "can_comment": user.has_perm(roles.COMMENT),
            "editable": editable,
            "conflict": conflict if proposal.state == ProposalState.CONFLICT else "",
            "is_proposer": user.pk == proposal.proposer_id,
            "competing": selectors.proposals_competing_with(proposal, viewer=user),
            "history_url": admin_url("changeproposal_history", proposal.pk),
            "document_pages": [
                (label, f"{admin_url(f'{model}_changelist')}?{lookup}={proposal.document_id}")
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
                name,
                proposal=proposal,
                user=request.user,
                comment=request.POST.get("comment", ""),
                fingerprint=request.POST.get("fingerprint", ""),
            )
        except workflow.WorkflowError as error:  # InvalidChange too; PermissionDenied is a 403
            messages.error(request, message_of(error))
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
        return redirect(admin_url("changeproposal_change", proposal.pk))

    def comment_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        proposal = self._proposal(request, object_id)
        try:
            workflow.comment_on_proposal(
                proposal=proposal, user=request.user, body=request.POST.get("body", "")
            )
        except workflow.WorkflowError as error:
            messages.error(request, message_of(error))
        else:
            messages.success(request, "Your comment was added.")
        return redirect(admin_url("changeproposal_change", proposal.pk) + "#conversation")

    def edit_change_view(self, request, object_id, change_id):
        """A change of a draft, edited in place: its kind's form, filled in with what it
        holds. A change in conflict shows base, theirs and mine side by side, and the form
        holds the merged draft to finish by hand (as a wiki's edit-conflict page does)."""
        proposal = self._proposal(request, object_id)
        change = get_object_or_404(
            proposal.changes.select_related("claim", "section", "source", "citation", "flag"),
            pk=change_id,
        )
        if request.user.pk != proposal.proposer_id:
            raise PermissionDenied(f"Only the proposer can edit proposal #{proposal.pk}.")
        target = editing.target_of(change, proposal)
        if target is None:
            messages.error(
                request,
                f"Change {change.position} is about a record that no longer exists: remove "
                "it instead.",
            )
            return redirect(admin_url("changeproposal_change", proposal.pk))
        form_class = change_forms.form_for(change.kind)
        options = {"target": target, "user": request.user, "draft": proposal}
        initial = editing.initial_of(change)
        if request.method == "POST":
            form = form_class(request.POST, initial=initial, **options)
            if form.is_valid():
                arguments = form.change_arguments()
                try:
                    workflow.edit_change(
                        change=change,
                        user=request.user,
                        payload=arguments.pop("payload", {}),
                        **{k: v for k, v in arguments.items() if k in TARGETS},
                    )
                except workflow.InvalidChange as invalid:
                    change_forms.add_workflow_errors(form, invalid.errors)
                except workflow.WorkflowError as error:
                    form.add_error(None, message_of(error))
                else:
                    messages.success(request, f"Change {change.position} was edited.")
                    return redirect(
                        admin_url("changeproposal_change", proposal.pk)
                        + f"#change-{change.position}"
                    )
        else:
            form = form_class(initial=initial, **options)
        return TemplateResponse(
            request,
            "admin/archive/edit_change.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": f"Change {change.position} of proposal #{proposal.pk}",
                "proposal": proposal,
                "change": change,
                "form": form,
                "verb": form_class.verb,
                "conflict": conflict_rows(change),
                "editable": proposal.state == ProposalState.DRAFT,
            },
        )

    def rationale_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        proposal = self._proposal(request, object_id)
        try:
            workflow.edit_rationale(
                proposal=proposal, user=request.user, rationale=request.POST.get("rationale", "")
            )
        except workflow.WorkflowError as error:
            messages.error(request, message_of(error))
        else:
            messages.success(request, "The rationale was saved; its history keeps every wording.")
        return redirect(admin_url("changeproposal_change", proposal.pk))

    def remove_change_view(self, request, object_id, change_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        proposal = self._proposal(request, object_id)
        change = get_object_or_404(proposal.changes, pk=change_id)
        try:
            workflow.remove_change(change=change, user=request.user)
        except workflow.WorkflowError as error:
            messages.error(request, message_of(error))
        else:
            messages.success(request, f"Change {change.position} was removed from the proposal.")
        return redirect(admin_url("changeproposal_change", proposal.pk))
