"""A change of a draft opened again in its kind's form: which record's form it is, and
what the form starts with (what the change holds, or the merged draft of a conflict)."""

from __future__ import annotations


def target_of(change, proposal):
    """The record whose propose form the change came from: a citation's or a flag's claim
    (or section), else the claim, section or source it names, else the document. None if
    that record is gone."""
    if change.citation_id:
        return change.citation.claim if change.citation else None
    if change.flag_id:
        flag = change.flag
        return None if flag is None else flag.claim or flag.section
    for name in ("claim", "section", "source"):
        if getattr(change, f"{name}_id"):
            return getattr(change, name)
    return proposal.document


def initial_of(change) -> dict:
    """The form's values: the change's payload and the records it names; for a field in
    conflict, the merged draft (the words both changed as they read now)."""
    initial = {
        key: value
        for key, value in (change.payload or {}).items()
        if isinstance(value, (str, int, bool))
    }
    for name in ("citation", "flag", "source"):
        if (pk := getattr(change, f"{name}_id")) is not None:
            initial.setdefault(name, pk)
    for name, values in ((change.conflict or {}).get("fields") or {}).items():
        if values.get("mine") is not None:
            initial[name] = values.get("draft", values.get("theirs"))
    return initial
