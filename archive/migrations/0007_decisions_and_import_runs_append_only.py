"""Decisions and import runs are evidence too: the database refuses to rewrite them.

0005 guards the history tables whole. Two more tables hold entries of the audit timeline
but cannot be guarded whole, so their triggers cover the evidence in them:

- ``archive_reviewcomment``: a proposal's conversation. Its decisions (the approve and
  reject comments, each an ``approved`` / ``rejected`` entry of the timeline) can be
  neither changed nor removed; plain comments can.
- ``archive_importrun``: an import writes its run first (every imported row points to it)
  and sets ``finished_at`` once, before it commits. Every other column is refused to
  UPDATE, and a run cannot be removed.

TRUNCATE is refused on both (PostgreSQL). The triggers use 0005's function and honour the
same, single bypass (``archive.models.audit.history_maintenance``).
"""

import importlib

from django.db import migrations

GUARDS = importlib.import_module("archive.migrations.0005_history_append_only")

DECISIONS = ("approve", "reject")
IMPORT_RUN_EVIDENCE = (
    "id",
    "document_id",
    "file_name",
    "file_size",
    "sha256",
    "content_sha256",
    "user_id",
    "started_at",
    "text",
    "counts",
    "anomalies",
)
#: table -> (UPDATE trigger's column list or None for every column, the rows it guards).
GUARDED = {
    "archive_reviewcomment": (None, f"OLD.action IN {DECISIONS!r}"),
    "archive_importrun": (IMPORT_RUN_EVIDENCE, None),
}


def _pg(table: str, columns, condition) -> list[str]:
    update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
    when = f" WHEN ({condition})" if condition else ""
    return [
        f'DROP TRIGGER IF EXISTS archive_append_only ON "{table}"',
        f'DROP TRIGGER IF EXISTS archive_append_only_truncate ON "{table}"',
        f'CREATE TRIGGER archive_append_only BEFORE {update} OR DELETE ON "{table}" '
        f"FOR EACH ROW{when} EXECUTE FUNCTION archive_refuse_history_change()",
        f'CREATE TRIGGER archive_append_only_truncate BEFORE TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION archive_refuse_history_change()",
    ]


def _sqlite(table: str, columns, condition) -> list[str]:
    statements = []
    for operation in ("UPDATE", "DELETE"):
        name = f"archive_append_only_{operation.lower()}_{table}"
        event = operation
        if operation == "UPDATE" and columns:
            event = f"UPDATE OF {', '.join(columns)}"
        when = "NOT archive_history_maintenance()" + (f" AND {condition}" if condition else "")
        statements += [
            f'DROP TRIGGER IF EXISTS "{name}"',
            f'CREATE TRIGGER "{name}" BEFORE {event} ON "{table}" WHEN {when} '
            f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only: "
            f"{operation} refused'); END",
        ]
    return statements


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(GUARDS.PG_FUNCTION, params=None)
        install = _pg
    elif vendor == "sqlite":
        install = _sqlite
    else:
        raise NotImplementedError(f"append-only triggers for {vendor}")
    for table, (columns, condition) in GUARDED.items():
        for sql in install(table, columns, condition):
            schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    # 0005's uninstall drops the trigger names used here too, and leaves the shared
    # function to 0005's own reversal.
    vendor = schema_editor.connection.vendor
    for table in GUARDED:
        if vendor == "postgresql":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS archive_append_only ON "{table}"')
            schema_editor.execute(
                f'DROP TRIGGER IF EXISTS archive_append_only_truncate ON "{table}"'
            )
        else:
            for operation in ("update", "delete"):
                schema_editor.execute(
                    f'DROP TRIGGER IF EXISTS "archive_append_only_{operation}_{table}"'
                )


class Migration(migrations.Migration):
    dependencies = [("archive", "0006_reviewers_export_history")]

    operations = [migrations.RunPython(forwards, backwards)]
