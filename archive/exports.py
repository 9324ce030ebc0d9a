"""The audit timeline, its hash chain and checkpoints, and its exports (CSV, JSON Lines, PROV-JSON).

Auditors and courts need a complete, ordered record of who changed what, when, why and on
whose approval, in formats their tools read, and a way to check that it was not altered
afterwards. This module is that record; ``manage.py export_history``, the admin's download
(``archive/admin/exports.py``) and ``manage.py verify_history`` are thin callers.

The timeline
------------
One stream, oldest first, merged from every source of recorded change:

- every row of the eight simple-history tables (documents, sections, sources, claims,
  citations, flags, proposals, proposed changes): created / changed / deleted, or
  reverted when the workflow's revert or recovery wrote it;
- every import run: imported (the history rows it wrote follow it);
- every decision on a proposal (its approve / reject review comment): approved / rejected;
- every prune of old history (``manage.py prune_history``): pruned.

Entries are ordered by ``(time, source rank, row id)``. Rows one transaction writes share
its time, so they stay together: the import run before the rows it wrote, the rows an
approval wrote before its decision. Each source is read by one query, sorted by the
database and streamed with ``iterator(chunk_size=...)``; ``heapq.merge`` interleaves them,
so memory holds a chunk per source, whatever the length of the history. A history entry's
changed fields are its row compared with the previous version of the same record, which the
query reads with ``LAG()`` (a window function), not with a query per row. The database
also writes each entry's time as text (``TimeText``), so the merge compares texts and no
datetime is parsed or formatted per entry.

The hash chain
--------------
Every entry has ``hash = sha256(previous hash + canonical entry)``; the first entry's
previous hash is ``GENESIS`` (64 zeros), or after a prune the hash of the last entry
removed. The canonical entry is the compact JSON array (UTF-8, no spaces) of the texts of
``CANONICAL_FIELDS`` followed by the list of ``[field, old, new]`` changes, every value as
the exports show it (``""`` for none). It holds only what the history rows themselves store,
plus the sequence number: ids, not names, so renaming a user or a document's slug does not
change the chain (names and slugs are in the exports beside it, for reading). Nothing is
written onto history rows: they are inserted by simple-history one at a time and by the
import's ``INSERT ... SELECT`` in bulk, and the chain is computed when it is read.

Checkpoints: where the stored hashes live and when they are written
---------------------------------------------------------------------
Recomputing the chain proves nothing by itself: whoever alters a row can recompute it too.
What it is compared with are **checkpoints** (``archive.models.AuditCheckpoint``), written
by ``manage.py seal_history`` (run it from cron, every few minutes; ``prune_history``
requires it). A seal first verifies every sealed entry, then appends checkpoints for the entries
not yet sealed whose time is at least ``ARCHIVE_AUDIT_SETTLE_SECONDS`` (default 300) in
the past. The settle time is there because entry times are taken when a transaction starts,
not when it commits: an approval still running when a seal reads the history commits
rows dated before the seal ran; they must not be mistaken for insertions. A checkpoint
covers up to ``CHECKPOINT_BLOCK`` entries and stores, for each, its identity (source and
row id) and its chain hash, plus the time horizon it covers and the chain's head hash.
Checkpoints are append-only like the history (the same triggers).

Exports do not write checkpoints: a download must not need write access, and one job per
command. They carry every entry's hash; ``verify_history`` prints the head hash, which an
auditor can note down and compare with a later export.

Telling changes, disappearances and insertions apart
----------------------------------------------------
``verify_history`` walks the timeline and the stored entries side by side:

- same identity, different hash: the entry **changed** (a value, a user, a time);
- a database entry whose identity is nowhere in the checkpoints, at or before the sealed
  horizon: it was **inserted**;
- a sealed identity that is no longer in its table: it **disappeared**;
- both identities exist but in a different order: an entry's time was altered, so it
  **changed** (it moved).

It stops at the first difference and names it (sequence number, source, record and row id,
time). Entries newer than the last checkpoint are recomputed and counted as not sealed yet.

Pruning
-------
Pruning removes a prefix of the timeline: every entry before a cutoff that is already
sealed. The last version of each record before the cutoff is kept (not in the timeline any
more, but the base later changes are compared with and ``as_of`` starts from), so the
remaining entries' canonical form, and so their hashes, do not change. The prune record
stores the anchor (sequence and hash of the last entry removed); the chain continues from
it, and the prune itself is an entry of the timeline.

Limits, on purpose
------------------
A seal vouches for what the database held when it ran: tampering before the first seal of
an entry goes unseen (hence sealing every few minutes). Whoever can rewrite history rows
with the triggers off can rewrite checkpoints too; what they cannot rewrite is a head hash
kept elsewhere (an auditor's notes, an earlier export), so ``verify_history`` prints it.
Decisions and import runs are guarded by triggers too (migration 0007: a decision cannot be
changed or removed, an import run only gets its ``finished_at`` once), and like every
entry of the chain, a change to one after its seal is detected.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import struct
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from operator import attrgetter

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, OuterRef, Subquery, Window
from django.db.models.functions import Coalesce, Lag
from django.utils import timezone

from .models import (
    Apparatus,
    AuditCheckpoint,
    ChangeProposal,
    Citation,
    Claim,
    Document,
    Flag,
    HistoryPrune,
    ImportRun,
    ProposedChange,
    ReviewComment,
    Section,
    Source,
)
from .models.audit import history_maintenance

GENESIS = "0" * 64
CHUNK_SIZE = 2000
CHECKPOINT_BLOCK = 10_000
DEFAULT_SETTLE_SECONDS = 300
#: Source code (1 byte), row id (8 bytes), chain hash (32 bytes): one sealed entry.
PACKED_ENTRY = struct.Struct(">BQ32s")

FORMATS = ("csv", "jsonl", "prov-json")
ACTIONS = ("created", "changed", "deleted", "reverted", "imported", "approved", "rejected")

#: What the hash covers, in this order, then the changes; the README's verifier uses it.
CANONICAL_FIELDS = (
    "sequence",
    "time",
    "action",
    "object_type",
    "object_id",
    "version",
    "actor_id",
    "reason",
    "proposal",
    "reviewer_id",
    "import_run",
)
CSV_COLUMNS = (
    "sequence",
    "time",
    "action",
    "object_type",
    "object_id",
    "version",
    "document",
    "document_id",
    "actor",
    "actor_id",
    "reason",
    "proposal",
    "reviewer",
    "reviewer_id",
    "import_run",
    "field",
    "old",
    "new",
    "prev_hash",
    "hash",
)

# The workflow's revert and recovery start their history reason so (workflow.repair._restore_note).
REVERT_PREFIXES = ("reverted to version #", "recovered from version #")
HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
CONTENT_TYPES = frozenset(
    {"document", "section", "source", "claim", "citation", "flag", "apparatus"}
)


class ExportError(Exception):
    """Bad export arguments, or history that cannot be sealed or pruned; says which and why.

    ``field`` names the argument at fault (``since``, ``document``, ...) when there is one, so
    the command line can say ``--since: ...`` and a form can mark the field.
    """

    def __init__(self, message: str, field: str | None = None):
        self.message = message
        self.field = field
        super().__init__(f"--{field}: {message}" if field else message)


# --------------------------------------------------------------------------- entries


@dataclass(slots=True)
class Entry:
    """One timeline entry: what the exports show, and what the chain hashes.

    ``stamp`` is the entry's time as every format writes it (``time_text``); the database
    renders it (``TimeText``), so reading a million entries parses no datetimes.
    """

    source: int
    stamp: str
    action: str
    object_type: str
    object_id: int
    version: int
    actor_id: int | None
    reason: str
    proposal: int | None
    reviewer_id: int | None
    import_run: int | None
    changes: list[tuple[str, str, str]]
    document_id: int | None = None
    previous_version: int | None = None
    extra: dict | None = None
    sequence: int = 0
    prev_hash: str = ""
    hash: str = ""

    @property
    def time(self) -> datetime:
        return datetime.fromisoformat(self.stamp)

    @property
    def key(self) -> tuple[int, int]:
        """The entry's identity: its source and its row's id (what checkpoints store)."""
        return (self.source, self.version)

    def canonical(self) -> str:
        """The compact JSON array the chain hashes (see the module's docstring).

        Written out by hand: it is exactly what ``json.dumps(..., ensure_ascii=False,
        separators=(",", ":"))`` makes of the list (the README's verifier does that), at a
        fraction of the cost; ``test_hash_chain`` holds the two to the same bytes.
        """
        q = _quote
        changes = ",".join([f"[{q(name)},{q(old)},{q(new)}]" for name, old, new in self.changes])
        return (
            f'["{self.sequence}","{self.stamp}","{self.action}","{self.object_type}",'
            f'"{self.object_id}","{self.version}","{_opt(self.actor_id)}",{q(self.reason)},'
            f'"{_opt(self.proposal)}","{_opt(self.reviewer_id)}","{_opt(self.import_run)}",'
            f"[{changes}]]"
        )


_quote = json.encoder.encode_basestring


def _opt(value) -> str:
    return "" if value is None else str(value)


def chain_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def time_text(value: datetime) -> str:
    """ISO 8601 in UTC with microseconds and a Z: one fixed form, so it hashes the same."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds") + "Z"


class TimeText(models.Func):
    """``time_text`` of a date-time column, rendered by the database.

    PostgreSQL formats the UTC time; SQLite stores Django's ``YYYY-MM-DD HH:MM:SS[.ffffff]``
    in UTC already, so its text is rearranged (the fraction padded to six digits).
    Rendered texts sort as the times do, so the timeline is merged on them.
    """

    output_field = models.CharField()

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="to_char(%(expressions)s AT TIME ZONE 'UTC', "
            """'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')""",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        template = (
            "substr({x}, 1, 10) || 'T' || substr({x}, 12, 8) || '.' || "
            "substr(substr({x}, 21) || '000000', 1, 6) || 'Z'"
        )
        return template.format(x=sql), params * 5


def value_text(value) -> str:
    """A stored value as the exports (and the hash) show it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return time_text(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return str(value)


# --------------------------------------------------------------------------- sources

IMPORT_RUN = 0
DECISION = 9
PRUNE = 10
# Source codes are stored in checkpoints: never renumber one, only add new ones.
HISTORY_SOURCES: list[tuple[int, type[models.Model], str]] = [
    (1, Document, "document"),
    (2, Section, "section"),
    (3, Source, "source"),
    (4, Claim, "claim"),
    (5, Citation, "citation"),
    (6, Flag, "flag"),
    (7, ChangeProposal, "proposal"),
    (8, ProposedChange, "proposed_change"),
    (11, Apparatus, "apparatus"),
]
SOURCE_NAMES = {
    IMPORT_RUN: "import_run",
    DECISION: "decision",
    PRUNE: "prune",
    **{code: name for code, _, name in HISTORY_SOURCES},
}


def _first(model, field_name: str, **lookup):
    """One value of any version of a record, for a correlated subquery (not ordered: the
    documents a record belongs to never change, and presentation only needs one)."""
    return Subquery(model.history.model.objects.filter(**lookup).order_by().values(field_name)[:1])


_ID = models.BigIntegerField()


def _document_expression(model):
    """The document a history row belongs to.

    Through the live parent rows first (a join: cheap), and through the parents' history
    where a parent is gone (a correlated subquery, which COALESCE runs only then), so a
    removed claim's citations still name their document.
    """
    if model is Document:
        return F("id")
    if model in (Section, Source, ChangeProposal, Apparatus):
        return F("document_id")
    section_of_claim = _first(Section, "document_id", id=OuterRef("section_id"))
    if model is Claim:
        return Coalesce(F("section__document_id"), section_of_claim, output_field=_ID)
    via_claim = Subquery(
        Claim.history.model.objects.filter(id=OuterRef("claim_id"))
        .order_by()
        .annotate(document=section_of_claim)
        .values("document")[:1]
    )
    if model is Citation:
        return Coalesce(F("claim__section__document_id"), via_claim, output_field=_ID)
    if model is Flag:
        return Coalesce(
            F("claim__section__document_id"),
            F("section__document_id"),
            via_claim,
            section_of_claim,
            output_field=_ID,
        )
    if model is ProposedChange:
        return Coalesce(
            F("proposal__document_id"),
            _first(ChangeProposal, "document_id", id=OuterRef("proposal_id")),
            output_field=_ID,
        )
    raise TypeError(model)


# Values both databases return as Python compares and renders them; the rest (booleans,
# JSON, times) need Django's conversion to equal the new value they are compared with.
_CONVERTED = (models.BooleanField, models.JSONField, models.DateTimeField, models.DateField)


def _raw(field):
    """The previous value's output field: the column's own where a conversion is needed,
    else a bare Field, whose values skip the per-row converters (a third of the read)."""
    return field if isinstance(field, _CONVERTED) else models.Field()


def history_query(model) -> tuple[models.QuerySet, list[str], list[str], list[str]]:
    """The query behind one history table's entries: (queryset, head, columns, extras).

    Every row in timeline order with the previous version's values beside it (``LAG`` over
    the record's versions), its document and its time as text. ``make bench`` reads these
    rows (``history_rows``) without processing them, to show the database's share of an
    export.
    """
    history = model.history.model
    names = {f.name for f in history._meta.get_fields()}
    tracked = [f for f in history.tracked_fields if not f.primary_key]
    columns = [f.attname for f in tracked]
    annotations = {
        f"prev__{f.attname}": Window(Lag(f.attname, output_field=_raw(f)), **_VERSIONS)
        for f in tracked
    }
    annotations["prev__version"] = _previous_version()
    annotations.update(_entry_annotations(model))
    extra = [
        f"{name}_id" if name in names else None
        for name in ("history_import_run", "history_proposal")
    ]
    head = ["history_id", "entry_stamp", "history_type", "history_user_id"]
    head += ["history_change_reason", "id", "entry_document", "prev__version"]
    head += [name for name in extra if name]
    queryset = (
        history.objects.annotate(**annotations)
        .order_by("history_date", "history_id")
        .values_list(*head, *columns, *(f"prev__{c}" for c in columns))
    )
    return queryset, head, columns, extra


#: A record's versions, oldest first: the window ``LAG`` reads the previous version from.
_VERSIONS = {
    "partition_by": [F("id")],
    "order_by": [F("history_date").asc(), F("history_id").asc()],
}


def _previous_version():
    return Window(Lag("history_id", output_field=models.Field()), **_VERSIONS)


def _entry_annotations(model) -> dict:
    return {"entry_document": _document_expression(model), "entry_stamp": TimeText("history_date")}


def history_rows(model, chunk_size: int):
    """``history_query``'s rows, in its column order, as the ORM would convert them.

    On SQLite the same rows come from a query shaped for its engine: ``LAG`` there copies
    every column of every row into the window's sort, which measured 40% of an export, so
    the window reads only the version ids, and each row is joined to its previous version
    by primary key. ``CROSS JOIN`` is SQLite's way to fix the join order: the history
    table first, read through its ``history_date`` index, so the rows come out in
    timeline order without a sort. The values are converted as the ORM converts them
    (booleans, times, JSON), so both paths compare and render alike.
    """
    queryset, head, columns, extra = history_query(model)
    if connection.vendor != "sqlite":
        return head, columns, extra, queryset.iterator(chunk_size=chunk_size)
    history = model.history.model
    tracked = [history._meta.get_field(name) for name in columns]
    current_head = [name for name in head if name != "prev__version"]
    current = (
        history.objects.annotate(**_entry_annotations(model))
        .order_by()
        .values_list("history_date", *current_head, *columns)
    )
    versions = (
        history.objects.annotate(previous=_previous_version())
        .order_by()
        .values_list("history_id", "previous")
    )
    current_sql, current_params = current.query.sql_with_params()
    versions_sql, versions_params = versions.query.sql_with_params()
    quote = connection.ops.quote_name
    position = head.index("prev__version")
    selected = [f"c.{quote(name)}" for name in current_head + columns]
    selected.insert(position, "v.previous")
    selected += [f"p.{quote(f.column)}" for f in tracked]
    sql = (
        f"SELECT {', '.join(selected)} FROM ({current_sql}) c "
        f"CROSS JOIN ({versions_sql}) v ON v.history_id = c.history_id "
        f"LEFT JOIN {quote(history._meta.db_table)} p ON p.history_id = v.previous "
        "ORDER BY c.history_date, c.history_id"
    )
    rows = _fetch(sql, current_params + versions_params, chunk_size)
    offset = len(head)
    converters = [
        (offset + index, offset + len(columns) + index, convert)
        for index, field in enumerate(tracked)
        if (convert := _converter(field)) is not None
    ]
    return head, columns, extra, _converted(rows, converters) if converters else rows


def _fetch(sql: str, params, chunk_size: int) -> Iterator[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(chunk_size):
            yield from chunk


def _converter(field) -> Callable | None:
    """The ORM's conversion of a column's stored value (None when it has none)."""
    column = field.get_col(field.model._meta.db_table)
    steps = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
    if not steps:
        return None

    def convert(value):
        for step in steps:
            value = step(value, column, connection)
        return value

    return convert


def _converted(rows, converters) -> Iterator[tuple]:
    for row in rows:
        row = list(row)
        for new, old, convert in converters:
            row[new] = convert(row[new])
            row[old] = convert(row[old])
        yield row


def _history_source(code: int, model, object_type: str, chunk_size: int) -> Iterator[Entry]:
    """One history table's entries in timeline order, each compared with its predecessor.

    One query (``history_rows``), streamed in chunks. A first version lists every value
    it set.
    """
    head, columns, extra, rows = history_rows(model, chunk_size)
    width = len(columns)
    offset = len(head)
    has_run, has_proposal = extra[0] is not None, extra[1] is not None
    is_proposal = model is ChangeProposal
    proposal_column = columns.index("proposal_id") if model is ProposedChange else None
    reviewer_column = columns.index("reviewer_id") if is_proposal else None
    content = object_type in CONTENT_TYPES
    render = value_text
    for row in rows:
        version, when, kind, user_id, reason, object_id, document_id, previous = row[:8]
        position = 8
        run = proposal = None
        if has_run:
            run = row[position]
            position += 1
        if has_proposal:
            proposal = row[position]
        new = row[offset : offset + width]
        if previous is None:
            changes = [
                (name, "", render(value))
                for name, value in zip(columns, new, strict=True)
                if value is not None and value != ""
            ]
        else:
            old = row[offset + width :]
            changes = [
                (name, render(before), render(after))
                for name, before, after in zip(columns, old, new, strict=True)
                if before != after
            ]
        reason = reason or ""
        action = HISTORY_TYPES[kind]
        if reason.startswith(REVERT_PREFIXES):
            action = "reverted"
        if content:
            # Content written by an approval: the approver wrote it, so reviewed it.
            reviewer = user_id if proposal is not None else None
        elif is_proposal:
            proposal = object_id
            reviewer = new[reviewer_column]
        else:
            proposal = new[proposal_column]
            reviewer = None
        yield Entry(
            source=code,
            stamp=when,
            action=action,
            object_type=object_type,
            object_id=object_id,
            version=version,
            actor_id=user_id,
            reason=reason,
            proposal=proposal,
            reviewer_id=reviewer,
            import_run=run,
            changes=changes,
            document_id=document_id,
            previous_version=previous,
        )


def _import_source(chunk_size: int) -> Iterator[Entry]:
    fields = ("file_name", "file_size", "sha256", "content_sha256", "finished_at", "counts")
    rows = (
        ImportRun.objects.order_by("started_at", "id")
        .annotate(stamp=TimeText("started_at"))
        .values_list("id", "stamp", "user_id", "document_id", *fields)
        .iterator(chunk_size=chunk_size)
    )
    for run_id, started, user_id, document_id, *values in rows:
        file_name, _, sha256 = values[0], values[1], values[2]
        yield Entry(
            source=IMPORT_RUN,
            stamp=started,
            action="imported",
            object_type="import_run",
            object_id=run_id,
            version=run_id,
            actor_id=user_id,
            # As ImportRun.change_reason words it, which the imported rows carry too.
            reason=f"import run #{run_id}: {file_name} (sha256 {sha256[:12]})",
            proposal=None,
            reviewer_id=None,
            import_run=run_id,
            changes=[
                (name, "", value_text(value)) for name, value in zip(fields, values, strict=True)
            ],
            document_id=document_id,
            extra={"file_name": file_name, "sha256": sha256, "file_size": values[1]},
        )


def _decision_source(chunk_size: int) -> Iterator[Entry]:
    actions = {ReviewComment.Action.APPROVE: "approved", ReviewComment.Action.REJECT: "rejected"}
    rows = (
        ReviewComment.objects.filter(action__in=list(actions))
        .order_by("created_at", "id")
        .annotate(stamp=TimeText("created_at"), document=F("proposal__document_id"))
        .values_list("id", "stamp", "action", "author_id", "body", "proposal_id", "document")
        .iterator(chunk_size=chunk_size)
    )
    for comment_id, when, action, author_id, body, proposal_id, document_id in rows:
        yield Entry(
            source=DECISION,
            stamp=when,
            action=actions[action],
            object_type="proposal",
            object_id=proposal_id,
            version=comment_id,
            actor_id=author_id,
            reason=body,
            proposal=proposal_id,
            reviewer_id=author_id,
            import_run=None,
            changes=[],
            document_id=document_id,
        )


def _prune_source(chunk_size: int) -> Iterator[Entry]:
    rows = (
        HistoryPrune.objects.order_by("pruned_at", "id")
        .annotate(stamp=TimeText("pruned_at"))
        .values_list(
            "id",
            "stamp",
            "user_id",
            "reason",
            "cutoff",
            "anchor_sequence",
            "anchor_hash",
            "deleted",
            "kept",
        )
    )
    for prune_id, when, user_id, reason, *values in rows.iterator(chunk_size=chunk_size):
        names = ("cutoff", "anchor_sequence", "anchor_hash", "deleted", "kept")
        yield Entry(
            source=PRUNE,
            stamp=when,
            action="pruned",
            object_type="history",
            object_id=prune_id,
            version=prune_id,
            actor_id=user_id,
            reason=reason,
            proposal=None,
            reviewer_id=None,
            import_run=None,
            changes=[
                (name, "", value_text(value)) for name, value in zip(names, values, strict=True)
            ],
        )


def _sources(chunk_size: int) -> list[Iterator[Entry]]:
    return [
        _import_source(chunk_size),
        *(_history_source(code, m, name, chunk_size) for code, m, name in HISTORY_SOURCES),
        _decision_source(chunk_size),
        _prune_source(chunk_size),
    ]


_order = attrgetter("stamp", "source", "version")


def timeline_start() -> tuple[int, str, datetime | None]:
    """Where the chain begins: (last sequence before it, previous hash, cutoff)."""
    prune = HistoryPrune.objects.order_by("-cutoff", "-pk").first()
    if prune is None:
        return 0, GENESIS, None
    return prune.anchor_sequence, prune.anchor_hash, prune.cutoff


def raw_timeline(chunk_size: int = CHUNK_SIZE) -> Iterator[Entry]:
    """Every entry in timeline order, numbered, without hashes (the chain is the caller's).

    Call it inside :func:`snapshot` so every source reads the same state of the database.
    """
    sequence, _, cutoff = timeline_start()
    cutoff = time_text(cutoff) if cutoff is not None else ""
    merged = heapq.merge(*_sources(chunk_size), key=_order)
    for entry in merged:
        if entry.stamp < cutoff:
            continue
        sequence += 1
        entry.sequence = sequence
        yield entry


def timeline(chunk_size: int = CHUNK_SIZE) -> Iterator[Entry]:
    """Every entry, oldest first, with its place in the hash chain."""
    _, prev, _ = timeline_start()
    for entry in raw_timeline(chunk_size):
        entry.prev_hash = prev
        entry.hash = prev = chain_hash(prev, entry.canonical())
        yield entry


def snapshot():
    """One consistent view of the database for a long read (all sources, one moment).

    PostgreSQL: a read-only REPEATABLE READ transaction. SQLite: no transaction: ours
    are IMMEDIATE, which would lock out writers for the whole export; each query reads a
    consistent state of its own, started within moments of the others.
    """
    return _Snapshot()


class _Snapshot:
    def __enter__(self):
        self.atomic = None
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return self

    def __exit__(self, *exc):
        if self.atomic is not None:
            return self.atomic.__exit__(*exc)
        return False


# --------------------------------------------------------------------------- filters


@dataclass
class Filters:
    """What an export covers; the chain and the numbering always cover everything."""

    document: Document | None = None
    since: datetime | None = None
    until: datetime | None = None

    def selects(self) -> Callable[[Entry], bool] | None:
        """A test of whether an entry is exported, or None when every entry is.

        Times are compared as texts (``time_text``), which sort as the times do.
        """
        since = time_text(self.since) if self.since is not None else ""
        until = time_text(self.until) if self.until is not None else ""
        document = self.document.pk if self.document is not None else None
        if not since and not until and document is None:
            return None

        def wanted(entry: Entry) -> bool:
            if entry.stamp < since or (until and entry.stamp > until):
                return False
            return document is None or entry.document_id in (None, document)

        return wanted


def parse_filters(*, document: str | None, since: str | None, until: str | None) -> Filters:
    """Check export arguments and turn them into filters; ExportError names what is wrong."""
    filters = Filters()
    if document:
        filters.document = Document.objects.filter(slug=document).first()
        if filters.document is None:
            raise ExportError(f"no document with the slug {document!r}", "document")
    filters.since = parse_time("since", since)
    filters.until = parse_time("until", until, end_of_day=True)
    if filters.since and filters.until and filters.since > filters.until:
        raise ExportError(f"{since} is after --until {until}; nothing could match", "since")
    return filters


def parse_time(option: str, text: str | None, end_of_day: bool = False) -> datetime | None:
    """An ISO 8601 date or date-time; naive values are UTC; a bare --until date is inclusive."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ExportError(
            f"{text!r} is not an ISO 8601 date or date-time "
            "(for example 2026-05-01 or 2026-05-01T12:00:00Z)",
            option,
        ) from None
    if end_of_day and len(text.strip()) == 10:
        value += timedelta(days=1) - timedelta(microseconds=1)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


# --------------------------------------------------------------------------- names


class _Names:
    """Usernames and slugs for presentation: loaded once, then looked up per entry."""

    def __init__(self):
        from django.contrib.auth import get_user_model

        self.user_model = get_user_model()
        self.users = dict(self.user_model.objects.values_list("pk", self.user_model.USERNAME_FIELD))
        # From history, so a deleted document's entries still name it (last slug wins).
        self.documents = dict(
            Document.history.model.objects.order_by("history_id").values_list("id", "slug")
        )

    def user(self, pk) -> str:
        if pk is None:
            return ""
        if pk not in self.users:  # created after the map was loaded
            self.users[pk] = (
                self.user_model.objects.filter(pk=pk)
                .values_list(self.user_model.USERNAME_FIELD, flat=True)
                .first()
                or ""
            )
        return self.users[pk]

    def document(self, pk) -> str:
        return "" if pk is None else self.documents.get(pk, "")


# --------------------------------------------------------------------------- formats


def export(
    fmt: str,
    filters: Filters | None = None,
    *,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
) -> Iterator[str]:
    """The export as text pieces of a few dozen kilobytes, for a file or a streamed response.

    ``progress`` is called with the number of timeline entries read so far.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", "format")
    filters = filters or Filters()
    writer = {"csv": _csv, "jsonl": _jsonl, "prov-json": _prov}[fmt]

    def pieces():
        with snapshot():
            names = _Names()
            yield from writer(_selected(filters, chunk_size, progress), names)

    return pieces()


def _selected(filters: Filters, chunk_size: int, progress) -> Iterator[Entry]:
    wanted = filters.selects()
    until = time_text(filters.until) if filters.until is not None else None
    read = 0
    for entry in timeline(chunk_size):
        read += 1
        if progress is not None and read % 1000 == 0:
            progress(read)
        if until is not None and entry.stamp > until:
            break  # later entries cannot match, and earlier hashes do not depend on them
        if wanted is None or wanted(entry):
            yield entry
    if progress is not None:
        progress(read)


def count_entries() -> int:
    """How many entries the timeline has now (for a progress bar's total)."""
    _, _, cutoff = timeline_start()

    def since(queryset, field_name):
        return queryset.filter(**{f"{field_name}__gte": cutoff}) if cutoff else queryset

    decisions = ReviewComment.objects.filter(action__in=["approve", "reject"])
    total = since(ImportRun.objects, "started_at").count()
    total += since(decisions, "created_at").count()
    for _, model, _ in HISTORY_SOURCES:
        total += since(model.history.model.objects, "history_date").count()
    return total + HistoryPrune.objects.count()


def entry_record(entry: Entry, names: _Names) -> dict:
    """The entry as the JSON Lines export writes it."""
    return {
        "sequence": entry.sequence,
        "time": entry.stamp,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "version": entry.version,
        "document": names.document(entry.document_id),
        "document_id": entry.document_id,
        "actor": names.user(entry.actor_id),
        "actor_id": entry.actor_id,
        "reason": entry.reason,
        "proposal": entry.proposal,
        "reviewer": names.user(entry.reviewer_id),
        "reviewer_id": entry.reviewer_id,
        "import_run": entry.import_run,
        "changes": [{"field": f, "old": old, "new": new} for f, old, new in entry.changes],
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def _batched(entries: Iterable[Entry], size: int = 500) -> Iterator[list[Entry]]:
    iterator = iter(entries)
    while batch := list(islice(iterator, size)):
        yield batch


def csv_field(text: str) -> str:
    """One CSV field as RFC 4180 (and the csv module's QUOTE_MINIMAL) writes it."""
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


class _Memo(dict):
    """A function's results by argument, each computed on first use."""

    def __init__(self, function):
        super().__init__()
        self.function = function

    def __missing__(self, key):
        self[key] = value = self.function(key)
        return value


def _csv(entries: Iterable[Entry], names: _Names) -> Iterator[str]:
    """RFC 4180: CRLF line ends, quotes where needed; one row per changed field, and one row
    for an entry that changed no field (a decision, a deletion), so every entry has a hash.

    Rows are put together here rather than by ``csv.writer``: it measured a third of the
    export's time, spent looking for quotes in hashes, times and ids that cannot have any.
    Every field that can (names, slugs, reasons, field values) goes through ``csv_field``.
    """
    field = csv_field
    # Each user's and document's CSV text, made once: a few names recur on every row.
    users = _Memo(lambda pk: field(names.user(pk)))
    documents = _Memo(lambda pk: field(names.document(pk)))
    yield ",".join(CSV_COLUMNS) + "\r\n"
    for batch in _batched(entries):
        lines = []
        for e in batch:
            head = (
                f"{e.sequence},{e.stamp},{e.action},{e.object_type},{e.object_id},{e.version},"
                f"{documents[e.document_id]},{_opt(e.document_id)},"
                f"{users[e.actor_id]},{_opt(e.actor_id)},{field(e.reason)},{_opt(e.proposal)},"
                f"{users[e.reviewer_id]},{_opt(e.reviewer_id)},{_opt(e.import_run)}"
            )
            tail = f"{e.prev_hash},{e.hash}\r\n"
            if e.changes:
                lines += [
                    f"{head},{field(name)},{field(old)},{field(new)},{tail}"
                    for name, old, new in e.changes
                ]
            else:
                lines.append(f"{head},,,,{tail}")
        yield "".join(lines)


def _jsonl(entries: Iterable[Entry], names: _Names) -> Iterator[str]:
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for batch in _batched(entries):
        yield "".join(dumps(entry_record(e, names)) + "\n" for e in batch)


# --------------------------------------------------------------------------- PROV-JSON

PROV_NAMESPACE = ("arch", "https://provenance-archive.example/ns#")
PROV_BATCH = 250


def _prov(entries: Iterable[Entry], names: _Names) -> Iterator[str]:
    """W3C PROV-JSON built with the ``prov`` package, one bundle per batch of entries.

    A PROV-JSON document is one JSON object keyed by record kind, so a single bundle would
    have to be held whole in memory. Instead each batch of entries becomes a named bundle
    (``arch:entries-<first>-<last>``) that declares every entity, activity and agent it
    mentions; the document is the stream of those bundles. Identifiers are global, so an
    agent or a record declared in several bundles is one node of the graph.
    """
    from prov.model import ProvDocument
    from prov.serializers.provjson import encode_json_document

    prefix, uri = PROV_NAMESPACE
    yield "{" + json.dumps("prefix") + ":" + json.dumps({prefix: uri}) + ',"bundle":{'
    first = True
    for batch in _batched(entries, PROV_BATCH):
        document = ProvDocument()
        document.add_namespace(prefix, uri)
        name = f"{prefix}:entries-{batch[0].sequence}-{batch[-1].sequence}"
        bundle = document.bundle(name)
        _ProvBatch(bundle, names).add_all(batch)
        container = encode_json_document(document)
        for bundle_id, content in container["bundle"].items():
            separator = "" if first else ","
            first = False
            yield separator + json.dumps(bundle_id) + ":" + json.dumps(content, ensure_ascii=False)
    yield "}}\n"


class _ProvBatch:
    """The PROV records of a batch of entries (the README's "PROV-JSON" section maps them)."""

    def __init__(self, bundle, names: _Names):
        from prov.model import PROV, Namespace

        self.bundle = bundle
        self.names = names
        # The bundle's own namespace object: names made from it need no adopting (a copy
        # per use), which prov does for names from an equal but different object.
        self.arch = bundle.add_namespace(Namespace(*PROV_NAMESPACE))
        self.prov = PROV
        self.person = PROV["Person"]
        self.declared: set[str] = set()
        self.names_cache: dict[str, object] = {}

    def q(self, name: str):
        """``prefix:local`` as a qualified name, made once per batch: prov's own parsing of
        such strings measured a third of the PROV export's time, and each node is named
        three or four times. (The namespaces cache them too, for this batch only.)"""
        prefix, local = name.split(":", 1)
        return (self.arch if prefix == "arch" else self.prov)[local]

    def attrs(self, attributes: dict) -> dict:
        cache = self.names_cache
        out = {}
        for key, value in attributes.items():
            if key not in cache:
                cache[key] = self.q(key)
            out[cache[key]] = value
        return out

    def add_all(self, entries: list[Entry]) -> None:
        for entry in entries:
            {
                "imported": self.imported,
                "approved": self.decided,
                "rejected": self.decided,
                "pruned": self.pruned,
            }.get(entry.action, self.version)(entry)

    # ----------------------------------------------------------------- nodes, declared once
    # A bundle may hold one record per identifier and kind (the PROV-JSON schema has no
    # room for two), so each node is declared the first time the batch mentions it.

    def _once(self, identifier: str, make) -> str:
        if identifier not in self.declared:
            self.declared.add(identifier)
            make(self.q(identifier))
        return identifier

    def kind(self, name: str):
        return self.arch[name]

    def agent(self, user_id) -> str | None:
        if user_id is None:
            return None
        return self._once(
            f"arch:user-{user_id}",
            lambda i: self.bundle.agent(
                i, self.attrs({"prov:type": self.person, "prov:label": self.names.user(user_id)})
            ),
        )

    def record(self, object_type: str, object_id: int) -> str:
        return self._once(
            f"arch:{object_type}-{object_id}",
            lambda i: self.bundle.entity(i, self.attrs({"prov:type": self.kind(object_type)})),
        )

    def activity(self, identifier: str, kind: str, when=None, attributes=None) -> str:
        return self._once(
            identifier,
            lambda i: self.bundle.activity(
                i, when, when, self.attrs({"prov:type": self.kind(kind), **(attributes or {})})
            ),
        )

    def associate(self, activity: str, user_id, role: str) -> None:
        agent = self.agent(user_id)
        if agent is not None:
            self.bundle.wasAssociatedWith(
                self.q(activity), self.q(agent), None, None, self.attrs({"prov:role": role})
            )

    @staticmethod
    def chained(entry: Entry) -> dict:
        """Where the PROV node sits in the timeline's hash chain."""
        return {
            "arch:sequence": entry.sequence,
            "arch:time": entry.stamp,
            "arch:action": entry.action,
            "arch:reason": entry.reason,
            "arch:changes": json.dumps([list(c) for c in entry.changes], ensure_ascii=False),
            "arch:prev_hash": entry.prev_hash,
            "arch:hash": entry.hash,
        }

    # ----------------------------------------------------------------- entries

    def version(self, entry: Entry) -> None:
        """A record version: an entity, specialization of the record, revision of the last."""
        b = self.bundle
        record = self.record(entry.object_type, entry.object_id)
        version = f"{record}-v{entry.version}"
        self._once(version, lambda i: b.entity(i, self.attrs(self.chained(entry))))
        q = self.q
        b.specializationOf(q(version), q(record))
        if entry.previous_version is not None:
            b.wasRevisionOf(q(version), q(f"{record}-v{entry.previous_version}"))
        # Versions an import or an approval wrote were generated by that activity. Any
        # other version (a draft, a submission, an archivist's direct edit) is one person's
        # act, stated by the attribution below: an activity per row would double the
        # document's size and say nothing more.
        if entry.import_run is not None:
            activity = self.activity(f"arch:import-{entry.import_run}", "import")
            b.wasGeneratedBy(q(version), q(activity), entry.time)
        elif entry.proposal is not None and entry.object_type in CONTENT_TYPES:
            activity = self.activity(f"arch:approval-{entry.proposal}", "approval")
            b.wasGeneratedBy(q(version), q(activity), entry.time)
        agent = self.agent(entry.actor_id)
        if agent is not None:
            b.wasAttributedTo(q(version), q(agent))

    def imported(self, entry: Entry) -> None:
        """An import: an activity that used the file (with its SHA-256), by the importer."""
        b = self.bundle
        extra = entry.extra or {}
        activity = self.activity(
            f"arch:import-{entry.import_run}", "import", entry.time, self.chained(entry)
        )
        source_file = self._once(
            f"arch:file-{extra.get('sha256', '')}",
            lambda i: b.entity(
                i,
                self.attrs(
                    {
                        "prov:type": self.kind("file"),
                        "prov:label": extra.get("file_name", ""),
                        "arch:sha256": extra.get("sha256", ""),
                        "arch:file_size": extra.get("file_size", 0),
                    }
                ),
            ),
        )
        b.used(self.q(activity), self.q(source_file), entry.time)
        self.associate(activity, entry.actor_id, "importer")

    def decided(self, entry: Entry) -> None:
        """A decision: the reviewer's activity on the proposal, generating a decision entity
        attributed to the reviewer."""
        b = self.bundle
        if entry.action == "approved":
            activity = self.activity(f"arch:approval-{entry.proposal}", "approval", entry.time)
        else:
            activity = self.activity(f"arch:rejection-{entry.version}", "rejection", entry.time)
        q = self.q
        b.used(q(activity), q(self.record("proposal", entry.proposal)), entry.time)
        decision = self._once(
            f"arch:decision-{entry.version}",
            lambda i: b.entity(
                i,
                self.attrs(
                    {
                        "prov:type": self.kind("decision"),
                        "arch:decision": entry.action,
                        **self.chained(entry),
                    }
                ),
            ),
        )
        b.wasGeneratedBy(q(decision), q(activity), entry.time)
        reviewer = self.agent(entry.reviewer_id)
        if reviewer is not None:
            b.wasAttributedTo(q(decision), q(reviewer))
        self.associate(activity, entry.reviewer_id, "reviewer")

    def pruned(self, entry: Entry) -> None:
        activity = self.activity(
            f"arch:prune-{entry.object_id}", "prune", entry.time, self.chained(entry)
        )
        self.associate(activity, entry.actor_id, "archivist")


# --------------------------------------------------------------------------- checkpoints


@dataclass
class Problem:
    """The first entry that does not match the checkpoints."""

    kind: str  # "changed", "disappeared" or "inserted"
    sequence: int
    description: str

    def __str__(self) -> str:
        return f"entry #{self.sequence} {self.kind}: {self.description}"


@dataclass
class Verification:
    entries: int = 0
    sealed: int = 0
    checkpoints: int = 0
    horizon: datetime | None = None
    head_hash: str = GENESIS
    sealed_hash: str = GENESIS
    problem: Problem | None = None
    unsealed: int = 0
    #: Blocks to seal, each [first sequence, last sequence, head hash]; the entries
    #: themselves go to the spool file, so memory does not grow with their number.
    new_blocks: list[list] = field(default_factory=list)
    to_seal: int = 0


def describe(entry: Entry) -> str:
    what = f"{SOURCE_NAMES[entry.source]} row #{entry.version}"
    if entry.source not in (IMPORT_RUN, PRUNE):
        what += f" ({entry.object_type} #{entry.object_id}, {entry.action})"
    return f"{what} at {entry.stamp}"


def _describe_key(code: int, version: int) -> str:
    return f"{SOURCE_NAMES.get(code, f'source {code}')} row #{version}"


def _sealed_entries(after: int) -> Iterator[tuple[int, int, int, str]]:
    """(sequence, source, row id, hash) of every sealed entry after ``after``, in order."""
    checkpoints = (
        AuditCheckpoint.objects.filter(last_sequence__gt=after)
        .order_by("last_sequence")
        .values_list("first_sequence", "entries")
        .iterator(chunk_size=4)
    )
    for first, packed in checkpoints:
        for offset, (code, version, digest) in enumerate(PACKED_ENTRY.iter_unpack(bytes(packed))):
            sequence = first + offset
            if sequence > after:
                yield sequence, code, version, digest.hex()


def _sealed_position(key: tuple[int, int], after: int) -> int | None:
    for sequence, code, version, _ in _sealed_entries(after):
        if (code, version) == key:
            return sequence
    return None


def _exists(code: int, version: int) -> bool:
    if code == IMPORT_RUN:
        return ImportRun.objects.filter(pk=version).exists()
    if code == DECISION:
        return ReviewComment.objects.filter(pk=version).exists()
    if code == PRUNE:
        return HistoryPrune.objects.filter(pk=version).exists()
    model = {c: m for c, m, _ in HISTORY_SOURCES}[code]
    return model.history.model.objects.filter(history_id=version).exists()


def verify(
    *, seal_until: datetime | None = None, chunk_size: int = CHUNK_SIZE, spool=None
) -> Verification:
    """Recompute the chain and compare it with the checkpoints; stop at the first difference.

    With ``seal_until``, the entries after the sealed ones, up to that time, are also
    packed into ``spool`` (a binary file) for :func:`seal` to store.
    """
    result = Verification()
    # Nothing is "at or before" the empty text: without seal_until every new entry is unsealed.
    seal_stamp = time_text(seal_until) if seal_until is not None else ""
    start, prev, _ = timeline_start()
    result.sealed_hash = prev
    sealed = _sealed_entries(start)
    expected = next(sealed, None)
    last = AuditCheckpoint.objects.order_by("-last_sequence").first()
    result.horizon = last.horizon if last else None
    result.checkpoints = AuditCheckpoint.objects.count()
    with snapshot():
        for entry in raw_timeline(chunk_size):
            result.entries += 1
            canonical = entry.canonical()
            if expected is None:
                prev = chain_hash(prev, canonical)
                if entry.stamp <= seal_stamp and not result.unsealed:
                    spool.write(PACKED_ENTRY.pack(entry.source, entry.version, bytes.fromhex(prev)))
                    if result.to_seal % CHECKPOINT_BLOCK == 0:
                        result.new_blocks.append([entry.sequence, entry.sequence, prev])
                    result.new_blocks[-1][1:] = [entry.sequence, prev]
                    result.to_seal += 1
                else:
                    result.unsealed += 1
                continue
            sequence, code, version, stored = expected
            if entry.key != (code, version):
                result.problem = _mismatch(entry, expected, start)
                return result
            digest = chain_hash(prev, canonical)
            if digest != stored:
                result.problem = Problem(
                    "changed", sequence, f"{describe(entry)} no longer matches its sealed hash"
                )
                return result
            prev = digest
            result.sealed += 1
            result.sealed_hash = prev
            expected = next(sealed, None)
    if expected is not None:
        sequence, code, version, _ = expected
        result.problem = Problem(
            "disappeared", sequence, f"{_describe_key(code, version)} is no longer in the history"
        )
    result.head_hash = prev
    return result


def _mismatch(entry: Entry, expected, start: int) -> Problem:
    sequence, code, version, _ = expected
    position = _sealed_position(entry.key, start)
    if position is None:
        return Problem(
            "inserted",
            sequence,
            f"{describe(entry)} is not in the sealed chain, which has "
            f"{_describe_key(code, version)} here",
        )
    if not _exists(code, version):
        return Problem(
            "disappeared", sequence, f"{_describe_key(code, version)} is no longer in the history"
        )
    if position == sequence + 1:
        return Problem(
            "changed",
            sequence,
            f"{_describe_key(code, version)} no longer sorts here: its time was altered",
        )
    return Problem(
        "changed",
        position,
        f"{describe(entry)} now sorts at #{sequence}: its time was altered",
    )


def settle_seconds() -> int:
    return int(getattr(settings, "ARCHIVE_AUDIT_SETTLE_SECONDS", DEFAULT_SETTLE_SECONDS))


@dataclass
class SealOutcome:
    verification: Verification
    checkpoints: list[AuditCheckpoint]
    horizon: datetime
    entries: int


def seal(*, sealed_by: str, now: datetime | None = None, dry_run: bool = False) -> SealOutcome:
    """Verify the sealed chain, then store checkpoints for the entries settled since.

    Refuses (ExportError) when the sealed chain no longer verifies: sealing on top of it
    would bury the first difference under new checkpoints. The new entries are packed into
    a temporary file while the history is read, and stored in one short transaction at the
    end, so writers are not held up for the length of the read.
    """
    now = now or timezone.now()
    horizon = now - timedelta(seconds=settle_seconds())
    with tempfile.TemporaryFile() as spool:
        result = verify(seal_until=horizon, spool=spool)
        if result.problem is not None:
            raise ExportError(
                f"the history does not verify, so nothing was sealed: {result.problem}"
            )
        blocks = result.new_blocks
        if dry_run or not blocks:
            return SealOutcome(result, [], horizon, result.to_seal)
        spool.seek(0)
        created = []
        with transaction.atomic():
            latest = AuditCheckpoint.objects.order_by("-last_sequence").first()
            if latest is not None and latest.last_sequence != blocks[0][0] - 1:
                raise ExportError("another seal ran meanwhile; nothing was sealed, run it again")
            previous = result.sealed_hash
            for first, last, head in blocks:
                created.append(
                    AuditCheckpoint.objects.create(
                        first_sequence=first,
                        last_sequence=last,
                        horizon=horizon,
                        previous_hash=previous,
                        head_hash=head,
                        entries=spool.read((last - first + 1) * PACKED_ENTRY.size),
                        sealed_at=now,
                        sealed_by=sealed_by,
                    )
                )
                previous = head
        return SealOutcome(result, created, horizon, result.to_seal)


# --------------------------------------------------------------------------- pruning


@dataclass
class PruneOutcome:
    cutoff: datetime
    anchor_sequence: int
    anchor_hash: str
    deleted: dict[str, int]
    kept: dict[str, int]
    record: HistoryPrune | None = None


def prune_history(
    *, cutoff: datetime, user, reason: str, dry_run: bool = False, now: datetime | None = None
) -> PruneOutcome:
    """Remove every timeline entry before ``cutoff``, keeping each record's last version.

    Only sealed history can be pruned, and only when it verifies: the prune must not
    destroy the evidence of a tampering, and the chain must be able to continue from a
    sealed hash. Everything happens in one transaction, with a ``HistoryPrune`` record.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ExportError("say why the history is pruned; the prune record keeps it", "reason")
    now = now or timezone.now()
    if cutoff > now:
        raise ExportError("it is in the future; only past history can be pruned", "before")
    last = AuditCheckpoint.objects.order_by("-last_sequence").first()
    if last is None or last.horizon < cutoff:
        sealed = f"sealed through {time_text(last.horizon)}" if last else "not sealed at all"
        raise ExportError(
            f"the history is {sealed}; only sealed history can be pruned "
            "(run manage.py seal_history, or choose an earlier --before)"
        )
    result = verify()
    if result.problem is not None:
        raise ExportError(f"the history does not verify, so nothing was pruned: {result.problem}")
    anchor_sequence, anchor_hash, _ = timeline_start()
    cutoff_stamp = time_text(cutoff)
    with snapshot():
        for entry in raw_timeline():
            if entry.stamp >= cutoff_stamp:
                break
            anchor_sequence = entry.sequence
    if anchor_sequence == timeline_start()[0]:
        raise ExportError("nothing to prune: no entry of the timeline is before --before")
    anchor_hash = _sealed_hash(anchor_sequence)
    deleted, kept = {}, {}
    with transaction.atomic():
        for _, model, _ in HISTORY_SOURCES:
            history = model.history.model
            table = history._meta.db_table
            older = history.objects.filter(history_date__lt=cutoff)
            latest = older.values("id").annotate(last=models.Max("history_id")).values("last")
            doomed = older.exclude(history_id__in=Subquery(latest))
            deleted[table] = doomed.count()
            kept[table] = older.count() - deleted[table]
            if not dry_run and deleted[table]:
                with history_maintenance(f"prune_history: {reason}"):
                    doomed.delete()
        outcome = PruneOutcome(cutoff, anchor_sequence, anchor_hash, deleted, kept)
        if dry_run:
            return outcome
        outcome.record = HistoryPrune.objects.create(
            cutoff=cutoff,
            pruned_at=now,
            user=user,
            reason=reason,
            anchor_sequence=anchor_sequence,
            anchor_hash=anchor_hash,
            deleted=deleted,
            kept=kept,
        )
    return outcome


def _sealed_hash(sequence: int) -> str:
    checkpoint = AuditCheckpoint.objects.get(
        first_sequence__lte=sequence, last_sequence__gte=sequence
    )
    offset = (sequence - checkpoint.first_sequence) * PACKED_ENTRY.size
    _, _, digest = PACKED_ENTRY.unpack_from(bytes(checkpoint.entries), offset)
    return digest.hex()
