"""What a kind of change is: the one class every change kind fills in.

A kind names the record it is written against (its version is checked at approval), the
records it needs, how its payload is validated, what of the target is kept for the
reviewer (the snapshot), how an approval applies it, how it merges with what changed
since, how the review page and the feed describe it, and which form proposes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ... import importer
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
