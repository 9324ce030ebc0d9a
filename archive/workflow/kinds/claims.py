"""Changes of claims: edit the text, add one, remove one, set its review status."""

from __future__ import annotations

from django.db.models import Max

from ... import roles
from ...models import ChangeKind, Claim, ClaimKind, ReviewStatus
from .. import anchors, markers
from ..markers import ANCHORS, CITATIONS, FLAGS
from ..recording import WorkflowError
from .base import Description, Kind, choice_label, get, text
from .registry import register


@register
class EditClaim(Kind):
    name = ChangeKind.EDIT_CLAIM
    form = "EditClaimForm"
    target = "claim"
    needs = ("claim",)
    one_per_target = True
    stores_in = Claim
    locks_claim_markers = True
    merges = words = ("text",)

    def validate(self, change, payload, error, user):
        problems = []

        def noted(name, message):
            problems.append(name)
            error(name, message)

        new = text(payload, "text", noted, "claim text")
        if new and new == change.claim.text:
            noted("text", "The new text is the same as the current text.")
        payload["text"] = new
        if not problems:
            _validate_anchors(change, payload, error)

    def snapshot(self, change):
        return {"text": change.claim.text, "review_status": change.claim.review_status}

    def apply(self, change, targets, recorder):
        claim = get(targets, "claim", change.claim_id, change)
        moves = markers.locked_moves(change, claim, targets)
        # The stale check saw the live text; an earlier edit of the same claim in this
        # proposal can still leave a marker without words.
        unplaced = markers.unplaced(change, moves)
        if unplaced:
            raise WorkflowError(f"Change {change.position}: {markers.lost_message(unplaced[0])}")
        claim.text = change.payload["text"]
        # The span located the imported text; it does not locate this one. The import run
        # stays as the claim's origin and history keeps the span of the imported version.
        claim.span_start = claim.span_end = None
        recorder.save(claim)
        for move in moves:
            if move.marker.offset != move.offset:
                move.marker.offset = move.offset
                recorder.save(move.marker)

    def merge(self, change, now):
        """The text merged word by word; the proposer's placements move with their words
        into the merged text (one whose words are gone is dropped: the marker then follows
        its own words, or the merge asks the proposer)."""
        merged = super().merge(change, now)
        mine, text = change.payload["text"], merged.payload["text"]
        placed = merged.payload.get(ANCHORS)
        if placed and merged.clean and text != mine:
            kept: dict[str, dict[str, int]] = {}
            for kind, offsets in placed.items():
                found = anchors.relocate(mine, text, list(offsets.values()))
                for key, where in zip(offsets, found, strict=True):
                    if not where.orphaned:
                        kept.setdefault(kind, {})[key] = where.offset
            if kept:
                merged.payload[ANCHORS] = kept
            else:
                del merged.payload[ANCHORS]
        return merged

    def describe(self, change):
        before, after = change.before or {}, change.payload or {}
        return Description(diff=(before.get("text", ""), after.get("text", "")), markers=True)

    def summary(self, change):
        return f"“{change.payload.get('text', '')}”"

    def unplaced(self, change, targets):
        claim = targets.get(("claim", change.claim_id))
        if claim is None:
            return []
        moves = markers.locked_moves(change, claim, targets)
        return [markers.lost_message(move) for move in markers.unplaced(change, moves)]

    def unplaced_now(self, change):
        if change.claim is None:
            return []
        return [markers.lost_message(move) for move in markers.unplaced_now(change)]


def _validate_anchors(change, payload, error) -> None:
    """The proposer's placements (``payload["anchors"]``), and every marker has a place."""
    new, claim = payload["text"], change.claim
    given = payload.pop(ANCHORS, None) or {}
    if not given and not markers.asks(change.proposal):
        return
    citations, flags = markers.live_markers(claim)
    # The caller's instance may be older than the row: markers follow the live text.
    live_text = Claim.objects.values_list("text", flat=True).get(pk=claim.pk)
    shape = 'Placements read {"citations": {id: offset}, "flags": {id: offset}}.'
    if not isinstance(given, dict) or set(given) - {CITATIONS, FLAGS}:
        error(ANCHORS, shape)
        return
    placements: dict[str, dict[str, int]] = {}
    for kind, rows in ((CITATIONS, citations), (FLAGS, flags)):
        chosen = given.get(kind) or {}
        if not isinstance(chosen, dict):
            error(ANCHORS, shape)
            continue
        ids = {str(row.pk) for row in rows}
        for key, offset in chosen.items():
            what = f"{kind[:-1]} #{key}"
            if str(key) not in ids:
                error(ANCHORS, f"{what.capitalize()} is not one of this claim's {kind}.")
            elif isinstance(offset, bool) or not isinstance(offset, int):
                error(ANCHORS, f"The place of {what} must be a whole number.")
            elif not 0 <= offset <= len(new):
                error(ANCHORS, f"The place of {what} must be from 0 to {len(new)}.")
            else:
                placements.setdefault(kind, {})[str(key)] = offset
    if placements:
        payload[ANCHORS] = placements
    for move in markers.unplaced(change, markers.moves_of(change, live_text, citations, flags)):
        error(ANCHORS, f"{markers.lost_message(move)} Say where it goes in the new text.")


@register
class AddClaim(Kind):
    name = ChangeKind.ADD_CLAIM
    form = "AddClaimForm"
    needs = ("section",)
    creates = "claim"
    stores_in = Claim
    locks_section_claims = True

    def validate(self, change, payload, error, user):
        payload["text"] = text(payload, "text", error, "claim text")
        # Positions only order claims; removals leave gaps, so "at the end" is one past
        # the highest position, not the number of claims.
        top = change.section.claims.aggregate(top=Max("position"))["top"] or 0
        position = payload.get("position", top + 1)
        whole = isinstance(position, int) and not isinstance(position, bool)
        if not whole or not 1 <= position <= top + 1:
            error("position", f"Position must be a whole number from 1 to {top + 1}.")
        payload["position"] = position
        claim_kind = payload.setdefault("kind", ClaimKind.STATEMENT)
        if claim_kind not in ClaimKind.values:
            error("kind", f"Unknown kind of claim: {claim_kind!r}.")
        payload["new_paragraph"] = bool(payload.get("new_paragraph", False))

    def apply(self, change, targets, recorder):
        section = get(targets, "section", change.section_id, change)
        position = change.payload["position"]
        siblings = list(section.claims.order_by("-position"))
        # Make room from the end backwards, so no two claims ever share a position.
        for sibling in siblings:
            if sibling.position >= position:
                sibling.position += 1
                recorder.save(sibling)
                # A later change of this proposal must write the claim at its new position.
                targets[("claim", sibling.pk)] = sibling
        # The claim it follows: siblings run from the last position down.
        before = next((c for c in siblings if c.position < position), None)
        if change.payload["new_paragraph"] or before is None:
            paragraph = (
                Claim.objects.filter(section__document=section.document_id).aggregate(
                    top=Max("paragraph")
                )["top"]
                or 0
            ) + 1
        else:
            paragraph = before.paragraph
        claim = Claim(
            section=section,
            position=position,
            paragraph=paragraph,
            kind=change.payload["kind"],
            text=change.payload["text"],
        )
        recorder.save(claim)
        targets[("claim", claim.pk)] = claim
        change.result_id = claim.pk

    def describe(self, change):
        after = change.payload or {}
        return Description(
            diff=("", after.get("text", "")),
            rows=[
                ("position", None, after.get("position")),
                ("kind", None, choice_label(ClaimKind, after.get("kind"))),
                ("new_paragraph", None, after.get("new_paragraph")),
            ],
        )

    def summary(self, change):
        return f"“{change.payload.get('text', '')}”"


@register
class RemoveClaim(Kind):
    name = ChangeKind.REMOVE_CLAIM
    form = "RemoveClaimForm"
    target = "claim"
    needs = ("claim",)
    one_per_target = True
    locks_claim_markers = True
    decided_on = ("text",)  # a removal of words someone changed since needs a second look

    def snapshot(self, change):
        return {"text": change.claim.text, "review_status": change.claim.review_status}

    def apply(self, change, targets, recorder):
        claim = get(targets, "claim", change.claim_id, change)
        for citation in claim.citations.all():
            recorder.delete(citation)
        for flag in claim.flags.all():
            recorder.delete(flag)
        recorder.delete(claim)
        del targets[("claim", change.claim_id)]

    def describe(self, change):
        before = change.before or {}
        return Description(
            diff=(before.get("text", ""), ""),
            rows=[("review_status", before.get("review_status"), None)],
        )

    def summary(self, change):
        return f"“{(change.before or {}).get('text', '')}”"


@register
class SetReviewStatus(Kind):
    name = ChangeKind.SET_REVIEW_STATUS
    form = "SetReviewStatusForm"
    target = "claim"
    needs = ("claim",)
    one_per_target = True
    merges = ("review_status",)
    decided_on = ("text",)  # a status judged on other words

    def validate(self, change, payload, error, user):
        status = payload.get("review_status")
        if status not in ReviewStatus.values:
            error("review_status", f"Unknown review status: {status!r}.")
        elif status == change.claim.review_status:
            error("review_status", f"The claim is already {status}.")
        if not user.has_perm(roles.REVIEW):
            error("review_status", "Only reviewers can propose a review status.")

    def snapshot(self, change):
        return {"review_status": change.claim.review_status, "text": change.claim.text}

    def apply(self, change, targets, recorder):
        claim = get(targets, "claim", change.claim_id, change)
        claim.review_status = change.payload["review_status"]
        recorder.save(claim)

    def describe(self, change):
        before, after = change.before or {}, change.payload or {}
        return Description(
            context=before.get("text"),
            rows=[("review_status", before.get("review_status"), after.get("review_status"))],
        )

    def summary(self, change):
        return str(change.payload.get("review_status", ""))
