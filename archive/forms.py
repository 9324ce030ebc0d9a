"""Forms of the editorial admin: one per kind of change an editor can propose on a record.

The forms only collect values. Whether a change is valid is decided once, in
``workflow.add_change``; its ``InvalidChange.errors`` are put back on the fields by
``add_workflow_errors``. So text fields carry no length limits or required flags of their
own: the workflow's messages ("at most 5,000 characters") are the ones people see.
Choice fields are limited to what belongs to the record (its document's sources, its own
citations and open flags), so a crafted POST cannot even name another document's source.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.urls import reverse
from django.utils.html import format_html

from . import roles, workflow
from .models import (
    ChangeKind,
    Citation,
    Claim,
    ClaimKind,
    Document,
    Flag,
    FlagKind,
    FlagStatus,
    ReviewStatus,
    Section,
    Source,
    SourceKind,
)
from .workflow import anchors
from .workflow.kinds.sources import NEW_SOURCE, NEW_SOURCE_FIELDS, source_line

TEXTAREA = {"rows": 3, "cols": 80}


def _text(label: str, rows: int = 3, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": rows}),
        **kwargs,
    )


def _line(label: str, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.TextInput(attrs={"size": 60}), **kwargs
    )


def add_workflow_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """Show the workflow's refusal on the fields it names; anything else above the form."""
    for name, messages in errors.items():
        form.add_error(name if name in form.fields else None, list(messages))


class ChangeForm(forms.Form):
    """One kind of change to one record; ``change_arguments`` feeds ``workflow.add_change``.

    ``draft`` is the proposer's open draft on the record's document. Without one, the form
    also asks why (the rationale of the proposal it starts).
    """

    verb: str = ""

    def __init__(self, *args, target, user, draft=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        self.user = user
        self.draft = draft
        self.setup()
        if draft is None:
            self.fields["rationale"] = _text(
                "Why is this needed?",
                rows=3,
                help_text="Starts a new proposal: say why, with the evidence. Later changes "
                "to this document are added to the same draft until you submit it.",
            )

    @classmethod
    def applies(cls, target, user) -> bool:
        return True

    def setup(self) -> None:
        """Limit choices and fill in current values for this target."""

    def change_arguments(self) -> dict:
        raise NotImplementedError

    @property
    def target_name(self) -> str:
        return type(self.target)._meta.model_name

    @property
    def change_kind(self) -> str:
        return kind_of(type(self))


# --------------------------------------------------------------------------- claim


class EditClaimForm(ChangeForm):
    """The new text; and, when it leaves a citation or flag without its words, where it goes.

    Markers follow their words (``workflow.marker_moves``). For each one the posted text
    leaves without them, the form grows a choice of the places a marker can stand in that
    text, shown with the words around each; the choice goes to the workflow as
    ``payload["anchors"]``. A choice names the text it was made for, so one made for an
    earlier wording is refused rather than put somewhere else.
    """

    verb = "edit the text"
    text = _text("New text", rows=4)

    def setup(self):
        self.fields["text"].initial = self.target.text
        self.places: list[tuple[str, workflow.MarkerMove]] = []
        new_text = str(self.data.get(self.add_prefix("text"), "")).strip()
        if not self.is_bound or not new_text or new_text == self.target.text:
            return
        moves = workflow.marker_moves(
            self.target.text,
            new_text,
            citations=self.target.citations.select_related("source").order_by("position"),
            flags=self.target.flags.order_by("pk"),
        )
        version = hashlib.sha256(new_text.encode()).hexdigest()[:12]
        choices = [("", "— choose where it goes —")] + [
            (f"{offset}@{version}", anchors.context_at(new_text, offset))
            for offset in anchors.positions(new_text)
        ]
        for move in moves:
            if not move.needs_place:
                continue
            name = f"place_{move.kind}_{move.marker.pk}"
            what = "citation" if move.kind == workflow.CITATIONS else "flag"
            self.fields[name] = forms.ChoiceField(
                label=f"Where does {what} {move.label} go?",
                choices=choices,
                required=False,
                help_text=f"It stood at “{move.relocation.anchor.context}”: the new text "
                "has none of the words around it.",
                error_messages={
                    "invalid_choice": "That place was chosen for another wording of the "
                    "text: choose again."
                },
            )
            self.places.append((name, move))

    def change_arguments(self):
        payload = {"text": self.cleaned_data["text"]}
        for name, move in self.places:
            if chosen := self.cleaned_data.get(name):
                offset = int(chosen.split("@")[0])
                placed = payload.setdefault(workflow.ANCHORS, {})
                placed.setdefault(move.kind, {})[str(move.marker.pk)] = offset
        return {"claim": self.target, "payload": payload}


# --------------------------------------------------------------------------- source picker


class SourcePicker(forms.Select):
    """The choice of a citation's source, each shown with its label, title and author. A
    small script (``archive/source_picker.js``) puts a text filter over the options; without
    it this is a plain select."""

    class Media:
        js = ("archive/source_picker.js",)

    def __init__(self, attrs=None, choices=()):
        super().__init__({"data-source-picker": "", **(attrs or {})}, choices)


NEW = "new-"  # a draft's new source among the choices: "new-<id of its add_source change>"


def _source_field(label: str = "Source") -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, widget=SourcePicker)


class _CitesSource:
    """A form whose ``source`` picks one of the document's sources or a new source of the
    draft (one of its add_source changes), which the workflow gets as
    ``payload["new_source"]``."""

    empty_label = "---------"

    def setup_sources(self, document_id: int) -> None:
        sources = Source.objects.filter(document_id=document_id).order_by("position")
        self.sources = {str(source.pk): source for source in sources}
        choices = [(key, source_line(source)) for key, source in self.sources.items()]
        adding = (
            self.draft.changes.filter(kind=ChangeKind.ADD_SOURCE).order_by("position")
            if self.draft is not None
            else []
        )
        new = [
            (f"{NEW}{change.pk}", f"{source_line(change.payload)} (new: change {change.position})")
            for change in adding
        ]
        if new:
            choices = [
                ("Sources of the document", choices),
                (f"New in your draft, proposal #{self.draft.pk}", new),
            ]
        field = self.fields["source"]
        field.choices = [("", self.empty_label), *choices]
        url = reverse("admin:archive_document_propose", args=[document_id])
        field.help_text = format_html(
            'Not listed? <a href="{}">Propose it as a new source</a> first: it is then '
            "listed here, under your draft.",
            f"{url}?change={ChangeKind.ADD_SOURCE}",
        )
        if (ref := self.initial.get(NEW_SOURCE)) is not None:
            self.initial["source"] = f"{NEW}{ref}"

    def clean_source(self):
        value = self.cleaned_data["source"]
        return self.sources.get(value, value)

    def source_arguments(self, payload: dict) -> dict:
        """``change_arguments``' source, and the new source's change in ``payload``."""
        chosen = self.cleaned_data["source"]
        if isinstance(chosen, Source):
            return {"source": chosen}
        if chosen.startswith(NEW):
            payload[NEW_SOURCE] = int(chosen.removeprefix(NEW))
        return {"source": None}


class AddCitationForm(_CitesSource, ChangeForm):
    verb = "add a citation"
    source = _source_field()
    locator = _line("Locator", help_text="Pages, as cited: 129, 348–350.")
    quotation = _text("Quotation", rows=2)

    def setup(self):
        self.setup_sources(self.target.section.document_id)

    def change_arguments(self):
        data = self.cleaned_data
        payload = {"locator": data["locator"], "quotation": data["quotation"]}
        return {"claim": self.target, **self.source_arguments(payload), "payload": payload}


class _OneCitationForm(ChangeForm):
    citation = forms.ModelChoiceField(queryset=Citation.objects.none(), required=False)

    @classmethod
    def applies(cls, target, user):
        return target.citations.exists()

    def setup(self):
        citations = self.target.citations.select_related("source").order_by("position")
        self.fields["citation"].queryset = citations
        chosen = next(
            (c for c in citations if str(c.pk) == str(self.initial.get("citation"))), None
        )
        if chosen is not None:
            self.fields["citation"].initial = chosen.pk
            for name in ("locator", "quotation"):
                if name in self.fields:
                    self.fields[name].initial = getattr(chosen, name)


class ChangeCitationForm(_CitesSource, _OneCitationForm):
    verb = "change a citation"
    empty_label = "(keep its source)"
    source = _source_field("New source")
    locator = _line("Locator", help_text="Pages, as cited: 129, 348–350.")
    quotation = _text("Quotation", rows=2)

    def setup(self):
        super().setup()
        self.setup_sources(self.target.section.document_id)

    def change_arguments(self):
        data = self.cleaned_data
        payload = {"locator": data["locator"], "quotation": data["quotation"]}
        return {"citation": data["citation"], **self.source_arguments(payload), "payload": payload}


class RemoveCitationForm(_OneCitationForm):
    verb = "remove a citation"

    def change_arguments(self):
        return {"citation": self.cleaned_data["citation"]}


class RaiseFlagForm(ChangeForm):
    verb = "raise a flag"
    kind = forms.ChoiceField(
        label="Kind of flag", choices=[("", "---------"), *FlagKind.choices], required=False
    )
    label = _line("Label", help_text="For kind other: the tag as it should read.")
    reason = _text("Reason", rows=2)

    def change_arguments(self):
        data = self.cleaned_data
        return {
            self.target_name: self.target,
            "payload": {"kind": data["kind"], "label": data["label"], "reason": data["reason"]},
        }


class ResolveFlagForm(ChangeForm):
    verb = "resolve a flag"
    flag = forms.ModelChoiceField(queryset=Flag.objects.none(), required=False)
    reason = _text("Why it is resolved", rows=2)

    @classmethod
    def applies(cls, target, user):
        return target.flags.filter(status=FlagStatus.OPEN).exists()

    def setup(self):
        flags = self.target.flags.filter(status=FlagStatus.OPEN).order_by("pk")
        self.fields["flag"].queryset = flags

    def change_arguments(self):
        data = self.cleaned_data
        return {"flag": data["flag"], "payload": {"reason": data["reason"]}}


class SetReviewStatusForm(ChangeForm):
    verb = "set the review status"
    review_status = forms.ChoiceField(choices=ReviewStatus.choices, required=False)

    @classmethod
    def applies(cls, target, user):
        return user.has_perm(roles.REVIEW)

    def setup(self):
        self.fields["review_status"].initial = self.target.review_status

    def change_arguments(self):
        return {
            "claim": self.target,
            "payload": {"review_status": self.cleaned_data["review_status"]},
        }


class RemoveClaimForm(ChangeForm):
    verb = "remove the claim"

    def change_arguments(self):
        return {"claim": self.target}


# --------------------------------------------------------------------------- section


class EditHeadingForm(ChangeForm):
    verb = "edit the heading"
    heading = _line("Heading")

    def setup(self):
        self.fields["heading"].initial = self.target.heading

    def change_arguments(self):
        return {"section": self.target, "payload": {"heading": self.cleaned_data["heading"]}}


class AddClaimForm(ChangeForm):
    verb = "add a claim"
    text = _text("Text", rows=4)
    position = forms.IntegerField(
        required=False, help_text="Where in the section: 1 is first; empty puts it last."
    )
    kind = forms.ChoiceField(
        label="Kind of claim", choices=ClaimKind.choices, initial=ClaimKind.STATEMENT
    )
    new_paragraph = forms.BooleanField(
        required=False,
        label="Starts a new paragraph",
        help_text="Otherwise it joins the paragraph of the claim before it.",
    )

    def change_arguments(self):
        data = self.cleaned_data
        payload = {
            "text": data["text"],
            "kind": data["kind"],
            "new_paragraph": data["new_paragraph"],
        }
        if data["position"] is not None:
            payload["position"] = data["position"]
        return {"section": self.target, "payload": payload}


# --------------------------------------------------------------------------- source


class EditSourceForm(ChangeForm):
    verb = "edit the bibliographic fields"
    FIELDS = ("title", "author", "publisher", "published", "url", "archive_url")
    title = _line("Title")
    author = _line("Author")
    publisher = _line("Publisher")
    published = _line("Published", help_text="As given: 2005, May 1945.")
    url = _line("URL")
    archive_url = _line("Archive URL")

    def setup(self):
        for name in self.FIELDS:
            self.fields[name].initial = getattr(self.target, name)

    def change_arguments(self):
        return {
            "source": self.target,
            "payload": {name: self.cleaned_data[name] for name in self.FIELDS},
        }


# --------------------------------------------------------------------------- document


class AddSourceForm(ChangeForm):
    """A new source at the end of the document's reference list; citations of the same
    draft can cite it before it is approved."""

    verb = "add a source"
    FIELDS = NEW_SOURCE_FIELDS
    label = _line(
        "Label", help_text="As the text cites it: 39, a, notes 1. Unique in the document."
    )
    kind = forms.ChoiceField(
        label="Kind of source",
        choices=SourceKind.choices,
        initial=SourceKind.REFERENCE,
        required=False,
    )
    title = _line("Title")
    author = _line("Author")
    publisher = _line("Publisher")
    published = _line("Published", help_text="As given: 2005, May 1945.")
    url = _line("URL")
    archive_url = _line("Archive URL")
    isbn = _line("ISBN")
    doi = _line("DOI")
    note_text = _text(
        "Reference text", rows=3, help_text="The entry as a reference list writes it, if known."
    )

    def change_arguments(self):
        return {"payload": {name: self.cleaned_data[name] for name in self.FIELDS}}


FORMS: dict[type, list[type[ChangeForm]]] = {
    Claim: [
        EditClaimForm,
        AddCitationForm,
        ChangeCitationForm,
        RemoveCitationForm,
        RaiseFlagForm,
        ResolveFlagForm,
        SetReviewStatusForm,
        RemoveClaimForm,
    ],
    Section: [EditHeadingForm, AddClaimForm, RaiseFlagForm, ResolveFlagForm],
    Source: [EditSourceForm],
    Document: [AddSourceForm],
}


def forms_for(target, user) -> list[type[ChangeForm]]:
    """The kinds of change ``user`` may propose on ``target``, most common first."""
    return [form for form in FORMS[type(target)] if form.applies(target, user)]


def form_for(kind: str) -> type[ChangeForm]:
    """The form that proposes a kind of change, as its kind names it (``Kind.form``)."""
    return globals()[workflow.KINDS[kind].form]


def kind_of(form_class: type[ChangeForm]) -> str:
    """The kind of change a form proposes: the kind that names it."""
    return next(name for name, kind in workflow.KINDS.items() if kind.form == form_class.__name__)


# --------------------------------------------------------------------------- the rest


class ArchivistEditForm(forms.ModelForm):
    """An archivist's direct edit of live content: the reason goes on the history row."""

    change_reason = forms.CharField(
        label="Reason for this edit",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="Required: recorded with your name on the record's history.",
    )

    def clean_change_reason(self):
        reason = self.cleaned_data["change_reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why you edit live content directly.")
        return reason


class RestoreForm(forms.Form):
    """The reason an archivist gives for a revert or a recovery."""

    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))
