"""Archivists' repairs: revert a record, recover a deleted one, delete or edit with a reason."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from reversion.models import Version

from .. import roles
from ..models import (
    Citation,
    Claim,
    Document,
    Flag,
    Section,
    Source,
)
from .recording import InvalidChange, WorkflowError, _Recorder

# =========================================================================== revert, recover
#
# Archivists repair what went wrong: put a record back to the values an earlier reversion
# version holds, or bring back a deleted record as the revision that deleted it kept it.
# Each is one transaction through _Recorder, so the record's history names the archivist
# and says it was a revert or a recovery and why, and one reversion revision holds every
# row written (a revert can itself be reverted).

_RESTORABLE = (Document, Section, Claim, Source, Citation, Flag)
# Where a record sits among its siblings: (the parent's field, the position). A revert
# leaves a record where it is now, because later approvals may have moved it for good
# reasons (an added claim shifts the ones after it); a recovery puts it back at its old
# position and makes room there.
_PLACE = {Section: "document_id", Claim: "section_id", Source: "document_id", Citation: "claim_id"}
# What goes with a record when it is deleted (_apply_remove_claim, the database cascades),
# in the order it comes back: sources before the citations that point at them.
_DEPENDENTS = {
    Document: ((Source, "document_id"), (Section, "document_id")),
    Section: ((Claim, "section_id"), (Flag, "section_id")),
    Claim: ((Citation, "claim_id"), (Flag, "claim_id")),
}


def revert_record(*, version: Version, user, reason: str) -> models.Model:
    """Put a live record back to the values ``version`` holds; its place stays as it is."""
    model = _check_restore(version, user, reason)
    with transaction.atomic():
        obj = model.objects.select_for_update().filter(pk=version.object_id).first()
        if obj is None:
            raise WorkflowError(
                f"{_record_name(model, version.object_id)} was deleted; recover it instead."
            )
        values = _version_values(version, model)
        for name in ("id", "position", _PLACE.get(model)):
            values.pop(name, None)
        changed = {name: value for name, value in values.items() if getattr(obj, name) != value}
        if not changed:
            raise WorkflowError(
                f"{_record_name(model, obj.pk)} already holds the values of version "
                f"#{version.pk}; there is nothing to revert."
            )
        for name, value in changed.items():
            setattr(obj, name, value)
        note = _restore_note("reverted to", version, user, reason)
        recorder = _Recorder(user=user, reason=note)
        _save_restored(recorder, obj)
        recorder.revision(note)
        return obj


def recover_record(*, version: Version, user, reason: str) -> models.Model:
    """Bring back a deleted record as ``version`` holds it, with what was deleted with it.

    A claim comes back with the citations and flags its removal deleted (they are in the
    same revision). If another record has taken its position meanwhile, the ones from
    there on move down one, as when a claim is added.
    """
    model = _check_restore(version, user, reason)
    with transaction.atomic():
        if model.objects.filter(pk=version.object_id).exists():
            raise WorkflowError(
                f"{_record_name(model, version.object_id)} exists; revert it to a version "
                "instead of recovering it."
            )
        note = _restore_note("recovered from", version, user, reason)
        recorder = _Recorder(user=user, reason=note)
        obj = _recover(version, model, recorder, cache={})
        recorder.revision(note)
        return obj


def edit_record(*, obj: models.Model, user, reason: str, rows=(), deleted=()) -> models.Model:
    """An archivist's direct edit on a record's admin page, with the inline rows it changed.

    ``rows`` are the inline rows to save (new or changed), ``deleted`` those to remove. All
    go through _Recorder like every repair: each row's history names the archivist and the
    reason, and one reversion revision holds the record and every inline row as written or
    as it was before removal, so each can later be reverted or recovered from it.
    """
    model = type(obj)
    action = "change" if obj.pk else "add"
    if model not in _RESTORABLE or not user.has_perm(f"archive.{action}_{model._meta.model_name}"):
        raise PermissionDenied("Only archivists edit live content directly.")
    if not (reason or "").strip():
        raise InvalidChange({"reason": ["Say why, for the record's history."]})
    with transaction.atomic():
        recorder = _Recorder(user=user, reason=reason.strip())
        recorder.save(obj)
        for row in deleted:
            recorder.delete(row)
        for row in rows:
            recorder.save(row)
        recorder.revision(f"edited by {user.get_username()}: {reason.strip()}")
    return obj


def _check_restore(version: Version, user, reason: str) -> type[models.Model]:
    if not user.has_perm(roles.REVERT):
        raise PermissionDenied("Only archivists can revert or recover records.")
    if not (reason or "").strip():
        raise InvalidChange({"reason": ["Say why, for the record's history."]})
    model = version.content_type.model_class()
    if model not in _RESTORABLE or version.db != "default":
        raise WorkflowError(f"Version #{version.pk} is not a version of archived content.")
    return model


def _restore_note(verb: str, version: Version, user, reason: str) -> str:
    return (
        f"{verb} version #{version.pk} (revision #{version.revision_id}) by "
        f"{user.get_username()}: {reason.strip()}"
    )


def _record_name(model, pk) -> str:
    return f"{model._meta.verbose_name} #{pk}"


def _version_values(version: Version, model) -> dict:
    from reversion.errors import RevertError

    try:
        return dict(version.field_dict)
    except RevertError as error:
        raise WorkflowError(f"Version #{version.pk} cannot be read: {error}") from None


def _recover(version: Version, model, recorder: _Recorder, cache: dict) -> models.Model:
    obj = model(**_version_values(version, model))
    _make_room(obj, recorder)
    _save_restored(recorder, obj, force_insert=True)
    for child_model, parent_field in _DEPENDENTS.get(model, ()):
        for child in _deleted_with(version.revision_id, child_model, parent_field, obj.pk, cache):
            _recover(child, child_model, recorder, cache)
    return obj


def _deleted_with(revision_id: int, model, parent_field: str, parent_pk, cache) -> list[Version]:
    """Versions of ``model`` in the revision that hung on ``parent_pk`` and are gone now."""
    key = (revision_id, model)
    if key not in cache:
        versions = list(
            Version.objects.filter(
                revision_id=revision_id,
                content_type=ContentType.objects.get_for_model(model),
                db="default",
            ).order_by("pk")
        )
        live = set(
            model.objects.filter(pk__in=[v.object_id for v in versions]).values_list(
                "pk", flat=True
            )
        )
        cache[key] = [v for v in versions if int(v.object_id) not in live]
    return [v for v in cache[key] if v.field_dict.get(parent_field) == parent_pk]


def _make_room(obj: models.Model, recorder: _Recorder) -> None:
    parent_field = _PLACE.get(type(obj))
    if parent_field is None:
        return
    siblings = (
        type(obj).objects.select_for_update().filter(**{parent_field: getattr(obj, parent_field)})
    )
    if not siblings.filter(position=obj.position).exists():
        return
    # From the end backwards, so no two rows ever share a position.
    for sibling in siblings.filter(position__gte=obj.position).order_by("-position"):
        sibling.position += 1
        recorder.save(sibling)


def _save_restored(recorder: _Recorder, obj: models.Model, **kwargs) -> None:
    for relation in obj._meta.concrete_fields:
        if not relation.is_relation or relation.related_model is None:
            continue
        pk = getattr(obj, relation.attname)
        if pk is not None and not relation.related_model._base_manager.filter(pk=pk).exists():
            raise WorkflowError(
                f"{_record_name(type(obj), obj.pk)} needs "
                f"{_record_name(relation.related_model, pk)}, which no longer exists."
            )
    try:
        with transaction.atomic():
            recorder.save(obj, **kwargs)
    except IntegrityError as error:
        raise WorkflowError(
            f"{_record_name(type(obj), obj.pk)} cannot be restored as it was: it clashes with "
            f"a record made since ({error})."
        ) from None


def delete_record(*, obj: models.Model, user, reason: str) -> None:
    """An archivist deletes a live record directly, with what goes with it, recoverably.

    The database's cascades would delete a claim's citations and flags without a reason on
    their history or a reversion version to recover them from; deleting them here first
    gives every row both, so ``recover_record`` can bring them all back.
    """
    model = type(obj)
    if model not in _RESTORABLE or not user.has_perm(f"archive.delete_{model._meta.model_name}"):
        raise PermissionDenied("Only archivists can delete live content.")
    if not (reason or "").strip():
        raise InvalidChange({"reason": ["Say why, for the record's history."]})
    with transaction.atomic():
        obj = model.objects.select_for_update().get(pk=obj.pk)
        note = f"deleted by {user.get_username()}: {reason.strip()}"
        recorder = _Recorder(user=user, reason=note)
        _delete_with_dependents(obj, recorder)
        recorder.revision(note)


def _delete_with_dependents(obj: models.Model, recorder: _Recorder) -> None:
    # Dependents in reverse order of recovery: citations go before the sources they cite.
    for child_model, parent_field in reversed(_DEPENDENTS.get(type(obj), ())):
        for child in child_model.objects.filter(**{parent_field: obj.pk}).order_by("pk"):
            _delete_with_dependents(child, recorder)
    recorder.delete(obj)
