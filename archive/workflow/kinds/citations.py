"""Changes of citations: add one to a claim, change its source or locator, remove it."""

from __future__ import annotations

from django.db.models import Max

from ...models import ChangeKind, Citation
from .base import MAX_TEXT, Description, Kind, get, refuse_controls
from .registry import register
from .sources import NEW_SOURCE, new_source_line, new_source_of, new_source_problem


def _validate_fields(payload, error) -> None:
    for name, limit in (("locator", 64), ("quotation", MAX_TEXT)):
        value = str(payload.get(name, "") or "").strip()
        if len(value) > limit:
            error(name, f"At most {limit} characters (this is {len(value)}).")
        refuse_controls(value, name, name, error)
        payload[name] = value


def _validate_new_source(change, payload, error) -> None:
    """A citation may cite, instead of a source there is, the source an earlier add_source
    change of its proposal adds: ``payload["new_source"]`` names that change."""
    if NEW_SOURCE not in payload:
        return
    if change.source is not None:
        error("source", "Cite a source there is or a new one of this proposal, not both.")
    elif problem := new_source_problem(change, payload[NEW_SOURCE]):
        error("source", problem)


def _cited(change, targets):
    """The source a citation change cites at approval: one there is, or a new one."""
    if change.source_id is not None:
        return get(targets, "source", change.source_id, change)
    return new_source_of(change, targets)


@register
class AddCitation(Kind):
    name = ChangeKind.ADD_CITATION
    form = "AddCitationForm"
    target = "claim"
    needs = ("claim",)  # and a source: one there is, or a new one (``check_targets``)
    creates = "citation"
    stores_in = Citation
    hidden_targets = ("source",)

    def check_targets(self, change, error):
        super().check_targets(change, error)
        if change.source is None and NEW_SOURCE not in (change.payload or {}):
            error("source", "Choose the source this change is about.")

    def validate(self, change, payload, error, user):
        _validate_fields(payload, error)
        _validate_new_source(change, payload, error)

    def snapshot(self, change):
        return {"text": change.claim.text}

    def apply(self, change, targets, recorder):
        claim = get(targets, "claim", change.claim_id, change)
        last = claim.citations.aggregate(top=Max("position"))["top"] or 0
        citation = Citation(
            claim=claim,
            source=_cited(change, targets),
            position=last + 1,
            locator=change.payload["locator"],
            quotation=change.payload["quotation"],
        )
        recorder.save(citation)
        change.result_id = citation.pk

    def describe(self, change):
        before, after = change.before or {}, change.payload or {}
        return Description(
            context=before.get("text"),
            rows=[
                ("source", None, new_source_line(change) if NEW_SOURCE in after else change.source),
                ("locator", None, after.get("locator")),
                ("quotation", None, after.get("quotation")),
            ],
        )


@register
class ChangeCitation(Kind):
    name = ChangeKind.CHANGE_CITATION
    form = "ChangeCitationForm"
    target = "citation"
    needs = ("citation",)
    one_per_target = True
    stores_in = Citation
    hidden_targets = ("source",)
    merges = ("source", "locator", "quotation")
    words = ("quotation",)
    snapshot_keys = {"source": "source_id"}

    def validate(self, change, payload, error, user):
        _validate_fields(payload, error)
        _validate_new_source(change, payload, error)
        if change.source is not None:
            payload["source"] = change.source.pk

    def snapshot(self, change):
        c = change.citation
        return {
            "source": c.source.label,
            "source_id": c.source_id,
            "locator": c.locator,
            "quotation": c.quotation,
        }

    def apply(self, change, targets, recorder):
        citation = get(targets, "citation", change.citation_id, change)
        citation.locator = change.payload["locator"]
        citation.quotation = change.payload["quotation"]
        if change.source_id or NEW_SOURCE in change.payload:
            citation.source = _cited(change, targets)
        recorder.save(citation)

    def merge(self, change, now):
        """A new source of the proposal replaces the source the citation had when the change
        was written: another source chosen since is a conflict (not overwritten)."""
        merged = super().merge(change, now)
        base = change.before or {}
        if NEW_SOURCE in merged.payload and now.get("source_id") != base.get("source_id"):
            merged.conflicts["source"] = {
                "base": base.get("source"),
                "theirs": now.get("source"),
                "mine": new_source_line(change),
            }
        return merged

    def describe(self, change):
        return _citation_rows(change, removing=False)


@register
class RemoveCitation(Kind):
    name = ChangeKind.REMOVE_CITATION
    form = "RemoveCitationForm"
    target = "citation"
    needs = ("citation",)
    one_per_target = True
    decided_on = ("source_id", "locator", "quotation")

    snapshot = ChangeCitation.snapshot

    def apply(self, change, targets, recorder):
        recorder.delete(get(targets, "citation", change.citation_id, change))
        del targets[("citation", change.citation_id)]

    def describe(self, change):
        return _citation_rows(change, removing=True)


def _citation_rows(change, *, removing: bool) -> Description:
    before, after = change.before or {}, change.payload or {}
    old_source = f"[{before['source']}]" if before.get("source") else None
    new_source = change.source if after.get("source") and change.source else old_source
    if NEW_SOURCE in after:
        new_source = new_source_line(change)
    rows = [("source", old_source, None if removing else new_source)]
    for name in ("locator", "quotation"):
        rows.append((name, before.get(name), None if removing else after.get(name)))
    return Description(rows=rows)
