"""The propose page of a claim, section or source: the form of the kind chosen, added
to the editor's draft by ``workflow.propose_change``, under the other open proposals on
the record (``selectors.open_proposals_on``), so the editor sees them before competing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from .. import forms as change_forms
from .. import roles, selectors, workflow
from ..models import (
    ChangeProposal,
    Claim,
    Document,
)
from .links import admin_url


class ProposeMixin:
    """The propose page of a content admin (its URL is in ``ContentAdmin.get_urls``)."""

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
                    return redirect(admin_url("changeproposal_change", proposal.pk))
        else:
            form = form_class(initial=initial, **options)
        base = admin_url(f"{self.opts.model_name}_propose", target.pk)
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
                competing=selectors.open_proposals_on(target, viewer=request.user, exclude=draft),
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
    if isinstance(target, Document):  # what is proposed on it is new: a source
        return target.pk
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
