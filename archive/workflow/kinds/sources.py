"""Changes of sources: the bibliographic fields editors may correct, and new sources."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Max, URLField

from ...models import ChangeKind, Document, ProposedChange, Source, SourceKind
from ..recording import WorkflowError
from .base import MAX_TEXT, TARGETS, Description, Kind, choice_label, get, refuse_controls
from .registry import register

SOURCE_FIELDS = ("title", "author", "publisher", "published", "url", "archive_url")


@register
class EditSource(Kind):
    name = ChangeKind.EDIT_SOURCE
    form = "EditSourceForm"
    target = "source"
    needs = ("source",)
    one_per_target = True
    merges = SOURCE_FIELDS

    def validate(self, change, payload, error, user):
        unknown = set(payload) - set(SOURCE_FIELDS)
        if unknown:
            error("source", f"Not a field editors can change: {', '.join(sorted(unknown))}.")
        changed = False
        for name in SOURCE_FIELDS:
            if name not in payload:
                continue
            value = str(payload[name] or "").strip()
            try:
                Source._meta.get_field(name).clean(value, change.source)
            except ValidationError as invalid:
                for message in invalid.messages:
                    error(name, message)
            refuse_controls(value, name, name.replace("_", " "), error)
            payload[name] = value
            changed = changed or value != getattr(change.source, name)
        if not changed and not unknown:
            error("source", "Nothing would change: every value is the same as now.")

    def snapshot(self, change):
        return {name: getattr(change.source, name) for name in SOURCE_FIELDS}

    def apply(self, change, targets, recorder):
        source = get(targets, "source", change.source_id, change)
        for name, value in change.payload.items():
            setattr(source, name, value)
        recorder.save(source)

    def describe(self, change):
        before, after = change.before or {}, change.payload or {}
        return Description(
            rows=[
                (name, before.get(name), after[name])
                for name in SOURCE_FIELDS
                if name in after and after[name] != before.get(name)
            ]
        )


# --------------------------------------------------------------------------- new sources

# What an editor writes of a new source: its label as cited, its kind, the bibliographic
# fields and the entry as a reference list would read (``Source.note_text``).
NEW_SOURCE_FIELDS = ("label", "kind", *SOURCE_FIELDS, "isbn", "doi", "note_text")
_ONE_LINE = ("label", *SOURCE_FIELDS, "isbn", "doi")
_WHAT = {
    "url": "URL",
    "archive_url": "archive URL",
    "isbn": "ISBN",
    "doi": "DOI",
    "note_text": "reference text",
}
# A citation of the same proposal may cite the source an earlier add_source change adds:
# its payload names that change (by id, which stays when positions move up on a removal).
NEW_SOURCE = "new_source"
# An approval's ``targets`` also hold each source it has added, as (NEW_SOURCES, change id).
NEW_SOURCES = "add_source"


def _what(name: str) -> str:
    return _WHAT.get(name, name.replace("_", " "))


def source_line(values) -> str:
    """A source as people pick it: "[label] title — author" (the reference text when it
    has no title). ``values``: a Source or an add_source change's payload."""
    read = values.get if isinstance(values, dict) else lambda name: getattr(values, name)
    what = read("title") or " ".join(str(read("note_text") or "").split())
    if len(what) > 120:
        what = what[:119].rstrip() + "…"
    line = f"[{read('label')}] {what}".rstrip()
    return f"{line} — {read('author')}" if read("author") else line


@register
class AddSource(Kind):
    """A new entry at the end of the document's reference list.

    Written against no record (it has no version to conflict with): it belongs to the
    proposal's document. Its label is its identity there, so a label another source took
    since the change was written puts the approval in conflict (``unplaced``).
    """

    name = ChangeKind.ADD_SOURCE
    form = "AddSourceForm"
    creates = "source"
    stores_in = Source

    def check_targets(self, change, error):
        for name in TARGETS:
            if getattr(change, name) is not None:
                error(name, f"A new source is about no existing record: leave the {name} out.")

    def validate(self, change, payload, error, user):
        unknown = set(payload) - set(NEW_SOURCE_FIELDS)
        if unknown:
            error("payload", f"Not a field of a source: {', '.join(sorted(unknown))}.")
        for name in _ONE_LINE:
            payload[name] = _one_line(payload, name, error)
        note = str(payload.get("note_text") or "").replace("\r\n", "\n").replace("\r", "\n")
        payload["note_text"] = note = note.strip()
        if len(note) > MAX_TEXT:
            error(
                "note_text",
                f"The reference text can be at most {MAX_TEXT:,} characters "
                f"(this is {len(note):,}).",
            )
        refuse_controls(note, "note_text", "reference text", error)
        source_kind = payload.get("kind") or SourceKind.REFERENCE
        if source_kind not in SourceKind.values:
            error("kind", f"Unknown kind of source: {source_kind!r} (a reference or a note).")
        payload["kind"] = source_kind
        label = payload["label"]
        if not label:
            error("label", "The label cannot be empty: give it as the text cites it (39, a).")
        elif Source.objects.filter(document_id=change.proposal.document_id, label=label).exists():
            error("label", f"The document already has a source labelled “{label}”.")
        else:
            for other in _new_sources(change.proposal_id).exclude(pk=change.pk):
                if (other.payload or {}).get("label") == label:
                    error(
                        "label",
                        f"Change {other.position} of this proposal already adds a source "
                        f"labelled “{label}”.",
                    )
        if not (payload["title"] or payload["url"] or payload["note_text"]):
            error("title", "Say what the source is: its title, its URL or its reference text.")

    def apply(self, change, targets, recorder):
        document_id = change.proposal.document_id
        # Locked: two approvals adding sources to one document queue for the next position
        # and see each other's labels.
        Document.objects.select_for_update().only("pk").get(pk=document_id)
        if taken := self.unplaced_now(change):
            raise WorkflowError(f"Change {change.position}: {taken[0]}")
        top = Source.objects.filter(document_id=document_id).aggregate(top=Max("position"))
        source = Source(
            document_id=document_id,
            position=(top["top"] or 0) + 1,
            **{name: change.payload[name] for name in NEW_SOURCE_FIELDS},
        )
        recorder.save(source)
        # Later changes of the approval cite it (``new_source_of``).
        targets[("source", source.pk)] = source
        targets[(NEW_SOURCES, change.pk)] = source
        change.result_id = source.pk

    def unplaced(self, change, targets):
        return self.unplaced_now(change)

    def unplaced_now(self, change):
        label = (change.payload or {}).get("label")
        if Source.objects.filter(document_id=change.proposal.document_id, label=label).exists():
            return [
                f"the label “{label}” of the new source is taken: a source of that label was "
                "added to the document since. Choose another label."
            ]
        return []

    def check_removal(self, change):
        citing = [
            other.position
            for other in ProposedChange.objects.filter(
                proposal_id=change.proposal_id,
                kind__in=(ChangeKind.ADD_CITATION, ChangeKind.CHANGE_CITATION),
            ).order_by("position")
            if (other.payload or {}).get(NEW_SOURCE) == change.pk
        ]
        if citing:
            which = ", ".join(str(position) for position in citing)
            raise WorkflowError(
                f"Change {change.position} adds the source “{change.payload.get('label')}” "
                f"that change {which} cites: choose another source for the citation, or "
                "remove it, first."
            )

    def describe(self, change):
        after = change.payload or {}
        rows = [
            ("label", None, after.get("label")),
            ("kind", None, choice_label(SourceKind, after.get("kind"))),
        ]
        rows += [
            (name, None, after[name])
            for name in NEW_SOURCE_FIELDS[2:]
            if after.get(name)  # the fields left empty say nothing
        ]
        return Description(rows=rows)

    def summary(self, change):
        return source_line(change.payload or {})


def _one_line(payload, name: str, error) -> str:
    """A one-line field of a new source, within its column's length; a URL must be one."""
    value = str(payload.get(name) or "").strip()
    field = Source._meta.get_field(name)
    what = _what(name)
    if "\n" in value:
        error(name, f"The {what} must be one line.")
    elif len(value) > field.max_length:
        error(
            name,
            f"The {what} can be at most {field.max_length:,} characters (this is {len(value):,}).",
        )
    elif value and isinstance(field, URLField):
        try:
            field.run_validators(value)
        except ValidationError:
            error(name, f"The {what} is not a web address: give it in full, https://….")
    refuse_controls(value, name, what, error)
    return value


def _new_sources(proposal_id):
    return ProposedChange.objects.filter(proposal_id=proposal_id, kind=ChangeKind.ADD_SOURCE)


# --------------------------------------------------------------------------- citing one


def new_source_problem(change, ref) -> str | None:
    """Why the citation ``change`` cannot cite the source of the add_source change ``ref``
    of its proposal (None: it can). ``change.position`` is None for a change not yet added,
    which comes after every change there is."""
    if isinstance(ref, bool) or not isinstance(ref, int):
        return "A new source is named by the change of this proposal that adds it."
    adding = ProposedChange.objects.filter(proposal_id=change.proposal_id, pk=ref).first()
    if adding is None:
        return (
            "No change of this proposal adds the source it cites (was that change removed?): "
            "choose its source again."
        )
    if adding.kind != ChangeKind.ADD_SOURCE:
        return f"Change {adding.position} of this proposal does not add a source."
    position = landing_position(change)
    if position is not None and adding.position >= position:
        return (
            f"Change {adding.position} adds that source after this change ({position}): a "
            "citation can only cite a source an earlier change of the proposal adds."
        )
    return None


def landing_position(change) -> int | None:
    """Where ``change`` stands or will stand in its proposal: its position, else, for a kind
    of one change per target, that of the draft's change of the same target it replaces."""
    if change.position is not None:
        return change.position
    kind = change.kind
    if kind != ChangeKind.CHANGE_CITATION or change.citation_id is None:
        return None
    return (
        ProposedChange.objects.filter(
            proposal_id=change.proposal_id, kind=kind, citation_id=change.citation_id
        )
        .order_by("position")
        .values_list("position", flat=True)
        .first()
    )


def new_source_of(change, targets) -> Source:
    """At approval: the source an earlier change of the approval added, that ``change``
    cites; a clear refusal when no earlier change adds it (removed from the draft)."""
    ref = (change.payload or {}).get(NEW_SOURCE)
    source = targets.get((NEW_SOURCES, ref))
    if source is None:
        problem = new_source_problem(change, ref) or "Its source is not added before it."
        raise WorkflowError(f"Change {change.position} cannot be applied: {problem}")
    return source


def new_source_line(change) -> str:
    """The new source a citation change cites, as the review page shows it."""
    ref = (change.payload or {}).get(NEW_SOURCE)
    adding = ProposedChange.objects.filter(
        proposal_id=change.proposal_id, pk=ref, kind=ChangeKind.ADD_SOURCE
    ).first()
    if adding is None:
        return "(a new source no change of this proposal adds any more)"
    if adding.result_id:
        return source_line(adding.payload or {})
    return f"{source_line(adding.payload or {})} (new: change {adding.position})"
