"""How the workflow writes: errors it raises, and the recorder that leaves history.

Every write of a tracked row goes through ``_Recorder``: the historical row names the user,
the reason and the proposal, and one reversion revision can hold every row written.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import models
from django.utils import timezone
from reversion.models import Revision, Version


class WorkflowError(Exception):
    """A move the rules do not allow; the message says why, for the person who tried it."""


class StaleReview(WorkflowError):
    """A decision made on a page that no longer shows the proposal as it is."""


class InvalidChange(WorkflowError):
    """A proposed change with bad values; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


class _Recorder:
    """Writes rows the workflow's way: history naming user, reason and proposal; revision."""

    def __init__(self, *, user, reason: str, proposal=None, when=None):
        self.user = user
        self.reason = reason
        self.when = when or timezone.now()
        self.provenance = {"history_proposal": proposal} if proposal else {}
        self.saved: dict[tuple[type, int], models.Model] = {}
        # Deleted rows as they were: (model, pk, serialized row, label), for the revision.
        self.deleted: list[tuple[type[models.Model], int, str, str]] = []

    def _mark(self, obj):
        obj._history_user = self.user
        obj._change_reason = self.reason
        obj._history_date = self.when
        obj._history_provenance = self.provenance

    def save(self, obj, **kwargs):
        self._mark(obj)
        obj.save(**kwargs)
        self.saved[(type(obj), obj.pk)] = obj
        return obj

    def delete(self, obj):
        self.saved.pop((type(obj), obj.pk), None)
        data = serializers.serialize("json", [obj])
        self.deleted.append((type(obj), obj.pk, data, str(obj)))
        self._mark(obj)
        obj.delete()

    def revision(self, comment: str) -> Revision | None:
        """One reversion revision holding every row written, deleted ones as they were."""
        versions = [
            (type(obj), obj.pk, serializers.serialize("json", [obj]), str(obj))
            for obj in self.saved.values()
        ]
        versions += self.deleted
        if not versions:
            return None
        revision = Revision.objects.create(
            date_created=self.when, user=self.user, comment=comment[:1000]
        )
        Version.objects.bulk_create(
            [
                Version(
                    revision=revision,
                    object_id=str(pk),
                    content_type=ContentType.objects.get_for_model(model),
                    db="default",
                    format="json",
                    serialized_data=data,
                    object_repr=label[:191],
                )
                for model, pk, data, label in versions
            ]
        )
        return revision
