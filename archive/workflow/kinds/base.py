"""What a kind of change is: the one class every change kind fills in.

A kind names the record it is written against (its version is checked at approval), the
records it needs, how its payload is validated, what of the target is kept for the
reviewer (the snapshot), how an approval applies it, how it merges with what changed
since, how the review page and the feed describe it, and which form proposes it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import ClassVar

from ... import diffs, importer
from ...models import Citation, Claim, Flag, Section, Source
from ..recording import WorkflowError

MAX_TEXT = 5000
TARGETS = ("section", "claim", "source", "citation", "flag")  # also the order rows lock in
TARGET_MODELS = {
    "section": Section,
    "claim": Claim,
    "source": Source,
    "citation": Citation,
    "flag": Flag,
}


@dataclass
class Description:
    """What the review page shows of one change (the admin renders it).

    ``diff`` is the (old, new) text compared word by word; ``rows`` are (field, old, new)
    values for the before/after table; ``context`` is the claim's text when the change
    is about something on it; ``markers``: show where the claim's markers stand after.
    """

    diff: tuple[str, str] | None = None
    rows: list[tuple[str, object, object]] = field(default_factory=list)
    context: str | None = None
    markers: bool = False


@dataclass
class Merge:
    """A change merged with what happened to its target since it was written.

    ``payload`` is the change's payload merged; ``conflicts`` names each field both sides
    changed differently, as ``{"base": …, "theirs": …, "mine": …}`` (a text merged word by
    word also has ``draft``, the merge with the overlapping words as they read now, and
    ``overlaps``). Empty: the change applies as merged without asking anyone.
    """

    payload: dict
    conflicts: dict[str, dict] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not self.conflicts


class Kind:
    """One kind of change. Subclasses set the class attributes and override what differs."""

    name: ClassVar[str]  # a ChangeKind value
    form: ClassVar[str]  # the name of its form in ``archive.forms``
    target: ClassVar[str | None] = None  # the record it is written against
    needs: ClassVar[tuple[str, ...]] = ()  # records that must be chosen
    one_per_target: ClassVar[bool] = False  # a second one in a draft replaces the first
    creates: ClassVar[str | None] = None  # the model an approval creates a row of
    stores_in: ClassVar[type | None] = None  # the model whose columns hold its payload
    hidden_targets: ClassVar[tuple[str, ...]] = ()  # records shown in the table, not linked
    locks_section_claims: ClassVar[bool] = False  # its section's claims are renumbered
    locks_claim_markers: ClassVar[bool] = False  # its claim's citations and flags move
    # How it merges with what changed since it was written (``merge``): the payload fields
    # merged field by field, those of them merged word by word, and the values of the
    # target (in its snapshot) it was decided on, whose change needs the proposer.
    merges: ClassVar[tuple[str, ...]] = ()
    words: ClassVar[tuple[str, ...]] = ()
    decided_on: ClassVar[tuple[str, ...]] = ()
    snapshot_keys: ClassVar[dict[str, str]] = {}  # payload field -> its key in the snapshot

    def target_field(self, change) -> str | None:
        return self.target

    def check_targets(self, change, error) -> None:
        for name in self.needs:
            if getattr(change, name) is None:
                error(name, f"Choose the {name} this change is about.")

    def validate(self, change, payload: dict, error, user) -> None:
        """Check and normalise ``payload`` in place; report problems with ``error``."""

    def snapshot(self, change) -> dict:
        """The target's values now, so reviewers see before and after side by side."""
        return {}

    def apply(self, change, targets, recorder) -> None:
        raise NotImplementedError

    def merge(self, change, now: dict) -> Merge:
        """The change merged with its target as it is ``now`` (a ``snapshot``); the base is
        the snapshot taken when it was written (``change.before``).

        A field changed on one side only takes that side; changed the same way on both, it
        stands; changed differently, a text of ``words`` merges word by word
        (``diffs.merge``) and anything else is a conflict.
        """
        base, payload = change.before or {}, dict(change.payload or {})
        conflicts: dict[str, dict] = {}
        for name in self.decided_on:
            if now.get(name) != base.get(name):
                conflicts[name] = {"base": base.get(name), "theirs": now.get(name), "mine": None}
        for name in self.merges:
            if name not in payload:
                continue
            key = self.snapshot_keys.get(name, name)
            old, theirs, mine = base.get(key), now.get(key), payload[name]
            if theirs in (old, mine):
                continue
            if mine == old:
                payload[name] = theirs
                continue
            if name in self.words and all(isinstance(v, str) for v in (old, theirs, mine)):
                merged = diffs.merge(old, theirs, mine)
                if merged.clean:
                    payload[name] = merged.text
                    continue
                conflicts[name] = {
                    "base": old,
                    "theirs": theirs,
                    "mine": mine,
                    "draft": merged.draft,
                    "overlaps": [asdict(overlap) for overlap in merged.overlaps],
                }
                continue
            conflicts[name] = {"base": old, "theirs": theirs, "mine": mine}
        return Merge(payload, conflicts)

    def describe(self, change) -> Description:
        return Description()

    def summary(self, change) -> str:
        """One line for the public feed: what the approved change did."""
        return ""

    def unplaced(self, change, targets) -> list[str]:
        """What approving it now would leave without a place (stale-check lines)."""
        return []

    def unplaced_now(self, change) -> list[str]:
        """The same against live rows, before it is submitted or once rebased."""
        return []

    def check_removal(self, change) -> None:
        """Refuse (``WorkflowError``) removing ``change`` from its draft while a later change
        of the draft needs it (a citation of the source an add_source change adds)."""


# --------------------------------------------------------------------------- helpers


def get(targets, name: str, pk, change):
    """A locked row the change needs; an earlier change of the proposal may have removed it."""
    try:
        return targets[(name, pk)]
    except KeyError:
        raise WorkflowError(
            f"Change {change.position} needs {name} #{pk}, which an earlier change removes."
        ) from None


def text(payload, name, error, what, limit=MAX_TEXT) -> str:
    """A required text value, trimmed, with newlines as the archive stores them."""
    # A browser's textarea sends CRLF; the archive stores newlines, as imports do.
    value = str(payload.get(name) or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not value:
        error(name, f"The {what} cannot be empty.")
    elif len(value) > limit:
        error(name, f"The {what} can be at most {limit:,} characters (this is {len(value):,}).")
    else:
        refuse_controls(value, name, what, error)
    return value


def refuse_controls(value: str, name: str, what: str, error) -> None:
    """Control characters other than tab and newline are refused, as imports refuse them."""
    control = importer.control_character(value)
    if control is not None:
        offset, character = control
        error(
            name,
            f"The {what} contains control character {character} at character {offset + 1}; "
            "text may hold tabs and line breaks, but no other control characters.",
        )


def choice_label(choices, value):
    return choices(value).label if value in choices.values else value
