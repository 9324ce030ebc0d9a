"""Changes of flags: raise one on a claim or a section, resolve an open one."""

from __future__ import annotations

from ...models import ChangeKind, Flag, FlagKind, FlagStatus
from .base import Description, Kind, choice_label, get, text
from .registry import register


@register
class RaiseFlag(Kind):
    name = ChangeKind.RAISE_FLAG
    form = "RaiseFlagForm"
    creates = "flag"
    stores_in = Flag

    def target_field(self, change):
        return "claim" if change.claim_id else "section"

    def check_targets(self, change, error):
        if (change.claim is None) == (change.section is None):
            error("claim", "A flag goes on either a claim or a section.")

    def validate(self, change, payload, error, user):
        flag_kind = payload.get("kind")
        if flag_kind not in FlagKind.values:
            error("kind", f"Unknown kind of flag: {flag_kind!r}.")
        label = str(payload.get("label") or "").strip() or (
            FlagKind(flag_kind).label if flag_kind in FlagKind.values else ""
        )
        if len(label) > 100:
            error("label", "At most 100 characters.")
        payload["label"] = label
        payload["reason"] = text(payload, "reason", error, "reason")

    def snapshot(self, change):
        return {"text": change.claim.text} if change.claim is not None else {}

    def apply(self, change, targets, recorder):
        target = (
            {"claim": get(targets, "claim", change.claim_id, change)}
            if change.claim_id
            else {"section": get(targets, "section", change.section_id, change)}
        )
        flag = Flag(
            kind=change.payload["kind"],
            label=change.payload["label"],
            reason=change.payload["reason"],
            raised_by=change.proposal.proposer,
            raised_at=recorder.when,
            **target,
        )
        recorder.save(flag)
        change.result_id = flag.pk

    def describe(self, change):
        before, after = change.before or {}, change.payload or {}
        return Description(
            context=before.get("text"),
            rows=[
                ("kind", None, choice_label(FlagKind, after.get("kind"))),
                ("label", None, after.get("label")),
                ("reason", None, after.get("reason")),
                ("status", None, "open"),
            ],
        )

    def summary(self, change):
        return str(change.payload.get("reason", ""))


@register
class ResolveFlag(Kind):
    name = ChangeKind.RESOLVE_FLAG
    form = "ResolveFlagForm"
    target = "flag"
    needs = ("flag",)
    one_per_target = True
    decided_on = ("status",)  # resolved or reopened by someone else since

    def validate(self, change, payload, error, user):
        if change.flag.status != FlagStatus.OPEN:
            error("flag", "That flag is already resolved.")
        payload["reason"] = text(payload, "reason", error, "reason")

    def snapshot(self, change):
        f = change.flag
        return {"kind": f.kind, "label": f.label, "reason": f.reason, "status": f.status}

    def apply(self, change, targets, recorder):
        flag = get(targets, "flag", change.flag_id, change)
        flag.status = FlagStatus.RESOLVED
        flag.resolved_by = change.proposal.proposer
        flag.resolved_at = recorder.when
        flag.resolution = change.payload["reason"]
        recorder.save(flag)

    def describe(self, change):
        before, after = change.before or {}, change.payload or {}
        return Description(
            rows=[
                ("flag", f"[{before.get('label')}] {before.get('reason') or ''}".strip(), None),
                ("status", before.get("status"), "resolved"),
                ("resolution", None, after.get("reason")),
            ]
        )

    def summary(self, change):
        return str(change.payload.get("reason", ""))
