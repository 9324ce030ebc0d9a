"""What the proposal page shows of each change: the kind's description (``Kind.describe``)
as a word diff, a before/after table and where an edit puts the claim's markers.
"""

from __future__ import annotations

import copy

from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from .. import diffs, selectors, workflow
from ..models import (
    Claim,
    FlagStatus,
)
from ..models.proposals import UNDECIDED
from .links import admin_url, link

# --------------------------------------------------------------------------- describing

FIELD_LABELS = {
    "review_status": "review status",
    "new_paragraph": "starts a paragraph",
    "archive_url": "archive URL",
    "url": "URL",
    "isbn": "ISBN",
    "doi": "DOI",
    "note_text": "reference text",
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
    return link(obj, label)


def describe_change(change, editable: bool, outlook=None) -> dict:
    """What the proposal page shows for one change: target, diff, before/after rows.

    ``outlook`` (``workflow.merge_outlook``): the change's target moved on since it was
    written. If it merges, the page shows the merge against the target as it is now, which
    is what approving applies; if not, it says the proposer is needed.
    """
    kind = workflow.KINDS[change.kind]
    shown = change
    if outlook is not None and outlook.merges:
        shown = copy.copy(change)
        shown.payload, shown.before = outlook.merge.payload, outlook.now
    description = kind.describe(shown)
    rows = [
        (FIELD_LABELS.get(field, field), _shown(old), _shown(new), _how(old, new))
        for field, old, new in description.rows
    ]
    diff = diffs.diff_html(*description.diff) if description.diff is not None else None
    markers = _markers_after(shown) if description.markers else None
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
            admin_url(f"{model}_change", change.result_id),
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
            admin_url("changeproposal_remove_change", change.proposal_id, change.pk)
            if editable
            else None
        ),
        "edit_url": (
            admin_url("changeproposal_edit_change", change.proposal_id, change.pk)
            if editable
            else None
        ),
        "outlook": _outlook(outlook) if change.conflict is None else None,
        "conflict": conflict_rows(change),
    }


def _outlook(outlook) -> dict | None:
    if outlook is None:
        return None
    fields = [FIELD_LABELS.get(name, name.replace("_", " ")) for name in outlook.merge.conflicts]
    return {"merges": outlook.merges, "fields": ", ".join(fields)}


def conflict_rows(change) -> list[dict]:
    """A change in conflict, field by field: base, theirs (now) and mine, and the merged
    draft the proposer finishes by hand; texts as word diffs against the base."""
    fields = (change.conflict or {}).get("fields", {})
    rows = []
    for name, values in fields.items():
        base, theirs, mine = values.get("base"), values.get("theirs"), values.get("mine")
        texts = all(isinstance(v, str) for v in (base, theirs, mine))
        rows.append(
            {
                "field": FIELD_LABELS.get(name, name.replace("_", " ")),
                "base": _shown(base),
                "theirs": diffs.diff_html(base, theirs) if texts else _shown(theirs),
                "mine": diffs.diff_html(base, mine) if texts else _shown(mine),
                "draft": values.get("draft", theirs),
                "overlaps": values.get("overlaps", []),
            }
        )
    return rows


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
