"""History is append-only: the database refuses UPDATE and DELETE on every history table.

Why triggers and not permissions: the application connects as the tables' owner, so a
REVOKE would not bind it, and SQLite has no permissions at all. Triggers work the same on
both databases and name the table and the refused operation in their error.

Covered: the eight simple-history tables, the chain checkpoints and the prune records.
The one way past them is ``archive.models.audit.history_maintenance`` (see its docstring
for who may use it and how the switch works on each database).

The table list is frozen here, as a migration must be: a new history table (a new tracked
model) needs a new migration that calls ``install`` for it, and ``tests/
test_history_append_only.py`` fails until it has one. On SQLite, a migration that remakes
a history table (Django does for most AlterField operations) drops its triggers with the
old table; such a migration must call ``install`` again for that table.
"""

from django.db import migrations

TABLES = [
    "archive_historicaldocument",
    "archive_historicalsection",
    "archive_historicalsource",
    "archive_historicalclaim",
    "archive_historicalcitation",
    "archive_historicalflag",
    "archive_historicalchangeproposal",
    "archive_historicalproposedchange",
    "archive_auditcheckpoint",
    "archive_historyprune",
]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION archive_refuse_history_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('archive.history_maintenance', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;  -- NULL for TRUNCATE, whose return value is ignored
    END IF;
    RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'history is pruned only by manage.py prune_history';
END;
$$;
"""


def _pg_install(table: str, columns=None, condition=None) -> list[str]:
    """The triggers for ``table``; ``columns`` narrows UPDATE to those columns and
    ``condition`` (on ``OLD``) to those rows (migration 0007 guards only part of a table)."""
    update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
    when = f" WHEN ({condition})" if condition else ""
    return [
        f'DROP TRIGGER IF EXISTS archive_append_only ON "{table}"',
        f'DROP TRIGGER IF EXISTS archive_append_only_truncate ON "{table}"',
        f'CREATE TRIGGER archive_append_only BEFORE {update} OR DELETE ON "{table}" '
        f"FOR EACH ROW{when} EXECUTE FUNCTION archive_refuse_history_change()",
        # TRUNCATE fires no row triggers; without this it would empty the table unseen.
        f'CREATE TRIGGER archive_append_only_truncate BEFORE TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION archive_refuse_history_change()",
    ]


def _sqlite_install(table: str, columns=None, condition=None) -> list[str]:
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
            f"BEGIN SELECT RAISE(ABORT, 'history table {table} is append-only: "
            f"{operation} refused'); END",
        ]
    return statements


def install(schema_editor, tables, columns=None, condition=None) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)  # its % are PL/pgSQL's
        installer = _pg_install
    elif vendor == "sqlite":
        installer = _sqlite_install
    else:
        raise NotImplementedError(f"append-only history triggers for {vendor}")
    for table in tables:
        for sql in installer(table, columns, condition):
            schema_editor.execute(sql, params=None)


def drop_triggers(schema_editor, tables) -> None:
    for table in tables:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS archive_append_only ON "{table}"')
            schema_editor.execute(
                f'DROP TRIGGER IF EXISTS archive_append_only_truncate ON "{table}"'
            )
        else:
            for operation in ("update", "delete"):
                schema_editor.execute(
                    f'DROP TRIGGER IF EXISTS "archive_append_only_{operation}_{table}"'
                )


def uninstall(schema_editor, tables) -> None:
    drop_triggers(schema_editor, tables)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS archive_refuse_history_change()")


def forwards(apps, schema_editor):
    install(schema_editor, TABLES)


def backwards(apps, schema_editor):
    uninstall(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [("archive", "0004_audit_checkpoints_and_prunes")]

    operations = [migrations.RunPython(forwards, backwards)]
