"""Changes of sources: the bibliographic fields editors may correct."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from ...models import ChangeKind, Source
from .base import Description, Kind, get, refuse_controls
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
