"""The audit trail's own records: chain checkpoints, prune records, and the append-only guard.

History rows are append-only at the database level: triggers created by migration
``0005_history_append_only`` refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL) on every
history table and on the two tables below. The triggers guard against the application and
its bugs (an ORM ``delete()``, a simple-history clean-up command, a careless migration),
not against the database owner, who can drop a trigger; what catches the owner is the hash
chain, which ``manage.py verify_history`` recomputes against the checkpoints stored here
(see ``archive/exports.py`` for the chain's design).

There is exactly one way past the triggers, :func:`history_maintenance`, and it has exactly
three callers, each deliberate and documented: ``manage.py prune_history`` (which leaves a
:class:`HistoryPrune` record and an entry in the timeline), and test and benchmark teardown
(``manage.py flush`` when ``settings.ARCHIVE_HISTORY_TEARDOWN_BYPASS`` is on, which only
the test settings do, and the benchmark's reset between runs).

How the bypass works, per database, and why it is scoped to one transaction:

- PostgreSQL: the trigger function lets a row through when the transaction-local setting
  ``archive.history_maintenance`` is ``on`` (``SET LOCAL``); it ends with the transaction,
  so it cannot leak to the next request on a pooled connection.
- SQLite: the triggers' ``WHEN`` clause calls ``archive_history_maintenance()``, an SQL
  function this module registers on every connection Django opens; it answers from a flag
  on that one connection. A connection that did not register it (the ``sqlite3`` shell,
  another program) cannot change history at all: the trigger fails with "no such function"
  instead of letting the change through.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.db import connections, models, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver

#: The SQL function (SQLite) and setting (PostgreSQL) the triggers consult.
MAINTENANCE_SWITCH = "archive_history_maintenance"
PG_MAINTENANCE_SETTING = "archive.history_maintenance"


class AuditCheckpoint(models.Model):
    """A sealed stretch of the audit timeline: what each entry's chain hash was when sealed.

    ``entries`` packs one 41-byte record per timeline entry, in timeline order: the source
    code (1 byte), the row's id (8 bytes, big-endian) and the entry's chain hash (32 bytes),
    as ``archive.exports.PACKED_ENTRY`` reads and writes them. Keeping the identity of each
    entry, not only a running hash, is what lets ``verify_history`` say whether the first
    difference is an entry that changed, one that disappeared or one that was inserted.
    """

    first_sequence = models.PositiveBigIntegerField(unique=True)
    last_sequence = models.PositiveBigIntegerField(unique=True)
    horizon = models.DateTimeField(
        help_text="Every timeline entry at or before this time is sealed by this or an "
        "earlier checkpoint."
    )
    previous_hash = models.CharField(max_length=64, help_text="Chain hash before the first entry.")
    head_hash = models.CharField(max_length=64, help_text="Chain hash after the last entry.")
    entries = models.BinaryField(help_text="Packed (source, id, hash) of every entry sealed.")
    sealed_at = models.DateTimeField()
    sealed_by = models.CharField(max_length=150, help_text="Who ran the seal (user or process).")

    class Meta:
        ordering = ["last_sequence"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_sequence__gte=models.F("first_sequence")),
                name="checkpoint_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"Checkpoint of entries #{self.first_sequence}–#{self.last_sequence}"


class HistoryPrune(models.Model):
    """The record a prune leaves: who removed which history, why, and where the chain resumes.

    Pruning removes a prefix of the timeline (every entry before ``cutoff``); the chain of
    what remains continues from ``anchor_hash``, the sealed hash of the last removed entry,
    so the remaining entries verify exactly as they did before the prune.
    """

    cutoff = models.DateTimeField(help_text="Entries before this time left the timeline.")
    pruned_at = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="history_prunes"
    )
    reason = models.TextField()
    anchor_sequence = models.PositiveBigIntegerField(
        help_text="Sequence number of the last entry removed; numbering continues after it."
    )
    anchor_hash = models.CharField(max_length=64, help_text="Its chain hash.")
    deleted = models.JSONField(default=dict, help_text="History rows deleted, by table.")
    kept = models.JSONField(
        default=dict,
        help_text="Older versions kept, by table: each record's last version before the "
        "cutoff, the state later changes are compared with and as_of() starts from.",
    )

    class Meta:
        ordering = ["cutoff", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="prune_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Prune #{self.pk} of history before {self.cutoff:%Y-%m-%d %H:%M}"


# --------------------------------------------------------------------------- the bypass


@receiver(connection_created)
def register_maintenance_switch(sender, connection, **kwargs):
    """Give every SQLite connection the function its append-only triggers consult."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        MAINTENANCE_SWITCH,
        0,
        lambda: 1 if getattr(connection, "_archive_history_maintenance", False) else 0,
    )


@contextmanager
def history_maintenance(reason: str, using: str = "default"):
    """Let this transaction change or remove history rows; for prune and teardown only.

    Opens a transaction (or savepoint) and switches the guard off inside it alone. ``reason``
    is required so every caller says, in the code, why it may do this.
    """
    if not reason.strip():
        raise ValueError("history_maintenance needs a reason")
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL {PG_MAINTENANCE_SETTING} = 'on'")
            yield
            # SET LOCAL would otherwise last until the outermost transaction ends. (On an
            # error there is nothing to do: rolling back the savepoint undoes the SET too.)
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL {PG_MAINTENANCE_SETTING} = 'off'")
        else:
            connection.ensure_connection()
            previous = getattr(connection, "_archive_history_maintenance", False)
            connection._archive_history_maintenance = True
            try:
                yield
            finally:
                connection._archive_history_maintenance = previous
