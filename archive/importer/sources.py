"""Sources from the file: the labels its markers cite and the reference lists that number them.

A list gives each entry the label it numbers. A list numbered with letters (``a. ^``)
numbers letter notes; otherwise it takes the marker group its heading names (``Notes`` for
``[notes 1]`` or ``[note 1]``), else the group whose cited numbers it covers best; plain
numbers are the default. Unnumbered entries count from 1 within their list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from . import references, vocabulary
from .parsed import FOOTNOTE, NOTE, REFERENCE, ParsedApparatus, ParsedSource

Note = Callable[[str, int, str], None]


@dataclass
class Entry:
    line: int
    reference: references.ReferenceLine
    apparatus: ParsedApparatus


@dataclass
class EntryList:
    """The entries of one reference, notes or bibliography list, in file order."""

    heading: str
    section: int
    entries: list[Entry] = field(default_factory=list)


def collect(labels_in_order: list[str], lists: list[EntryList], note: Note) -> list[ParsedSource]:
    """One source per label cited or listed, with the text its entry gives it."""
    cited = list(dict.fromkeys(labels_in_order))
    texts: dict[str, list[str]] = {}
    for label, entry in _numbered(cited, lists, note):
        if label in texts:
            note("duplicate_entry", entry.line, f"entry [{label}] appears twice; both kept")
        texts.setdefault(label, []).append(entry.reference.text.strip())
        entry.apparatus.source_label = label
        if label not in cited:
            note("uncited_entry", entry.line, f"entry [{label}] is never cited in the text")
    result = []
    for label in [*cited, *(label for label in texts if label not in cited)]:
        kind = REFERENCE if label.isdigit() else NOTE
        text = "\n".join(texts.get(label, []))
        if kind == NOTE and label not in texts:
            note(
                "note_without_text",
                1,
                f"[{label}] is cited but the footnote list has no text for it",
            )
        source = ParsedSource(label, kind, text)
        if text:
            read = references.read_reference(text)
            for name in references.FIELD_NAMES:
                setattr(source, name, getattr(read, name))
        result.append(source)
    _report_missing(cited, texts, lists, note)
    result.sort(key=_order)
    return result


def _group(label: str) -> str:
    return label.rsplit(" ", 1)[0] if " " in label else ""


def _numbered(cited: list[str], lists: list[EntryList], note: Note):
    groups = list(dict.fromkeys(_group(label) for label in cited if " " in label))
    numbers: dict[str, set[int]] = defaultdict(set)
    for label in cited:
        number = label.rpartition(" ")[2]
        if number.isdigit():
            numbers[_group(label)].add(int(number))
    taken: set[str] = set()
    for entry_list in lists:
        group = _group_of(entry_list, groups, numbers, taken)
        taken.add(group)
        empty = 0
        for count, entry in enumerate(entry_list.entries, 1):
            key = entry.reference.key
            if key and not key.isdigit():
                label = key
            else:
                number = int(key) if key else count
                label = f"{group} {number}" if group else str(number)
            if not entry.reference.text.strip():
                empty += 1
            if group or not label.isdigit():
                entry.apparatus.kind = FOOTNOTE
            yield label, entry
        if empty:
            note(
                "entries_without_text",
                entry_list.entries[0].line,
                f"{empty} of {len(entry_list.entries)} reference entries have no text",
            )


def _group_of(entry_list: EntryList, groups, numbers, taken) -> str:
    keys = [entry.reference.key for entry in entry_list.entries]
    if any(key and not key.isdigit() for key in keys):
        return ""
    heading = vocabulary.heading_key(entry_list.heading)
    for group in groups:
        stem = group.lower().rstrip(".s")
        if group not in taken and stem and heading.startswith(stem[:4]):
            return group
    candidates = [g for g in ["", *groups] if g not in taken]
    if not candidates:
        return ""
    size = len(keys)

    def fit(group: str) -> tuple[int, int]:
        cited = numbers.get(group, set())
        return (len(cited & set(range(1, size + 1))), -abs(max(cited, default=0) - size))

    best = max(candidates, key=fit)
    if fit(best)[0] == 0:
        # Nothing it numbers is cited: notes of the one group cited, if plain numbers are
        # not cited at all, else plain numbers.
        cited_groups = [g for g in candidates if g and numbers.get(g)]
        if cited_groups and not numbers.get(""):
            return cited_groups[0]
        return "" if "" in candidates else best
    return best


def _report_missing(cited, texts, lists: list[EntryList], note: Note) -> None:
    """Cited labels of a group that has a list, but no entry in it: once for the file."""
    if not lists:
        return
    listed_groups = {_group(label) for label in texts}
    missing = [label for label in cited if label not in texts and _group(label) in listed_groups]
    if missing:
        shown = ", ".join(f"[{label}]" for label in missing[:10])
        more = " …" if len(missing) > 10 else ""
        note(
            "cited_without_entry",
            lists[0].entries[0].line,
            f"{len(missing)} of {len(cited)} cited sources have no entry in the reference "
            f"lists: {shown}{more}",
        )


def _order(source: ParsedSource) -> tuple:
    if source.kind == REFERENCE:
        return (0, int(source.label), "")
    group, _, number = source.label.rpartition(" ")
    return (1, int(number) if number.isdigit() else 0, group or source.label)
