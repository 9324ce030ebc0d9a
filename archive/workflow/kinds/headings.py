"""Changes of sections: the heading."""

from __future__ import annotations

from ...models import ChangeKind, Section
from .base import Description, Kind, get, text
from .registry import register


@register
class EditHeading(Kind):
    name = ChangeKind.EDIT_HEADING
    form = "EditHeadingForm"
    target = "section"
    needs = ("section",)
    one_per_target = True
    stores_in = Section
    merges = ("heading",)

    def validate(self, change, payload, error, user):
        heading = text(payload, "heading", error, "heading", limit=255)
        if "\n" in heading:
            error("heading", "A heading is one line.")
        payload["heading"] = heading

    def snapshot(self, change):
        section = change.section
        return {"heading": section.heading, "heading_missing": section.heading_missing}

    def apply(self, change, targets, recorder):
        section = get(targets, "section", change.section_id, change)
        section.heading = change.payload["heading"]
        section.heading_missing = False
        recorder.save(section)

    def describe(self, change):
        before, after = change.before or {}, change.payload or {}
        old = before.get("heading") or ("(heading lost)" if before.get("heading_missing") else "")
        return Description(rows=[("heading", old, after.get("heading"))])

    def summary(self, change):
        return f"“{change.payload.get('heading', '')}”"
