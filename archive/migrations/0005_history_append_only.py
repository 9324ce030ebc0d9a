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


def _pg_install(table: str) -> list[str]:
    return [
        f'DROP TRIGGER IF EXISTS archive_append_only ON "{table}"',
        f'DROP TRIGGER IF EXISTS archive_append_only_truncate ON "{table}"',
        f'CREATE TRIGGER archive_append_only BEFORE UPDATE OR DELETE ON "{table}" '
        "FOR EACH ROW EXECUTE FUNCTION archive_refuse_history_change()",
        # TRUNCATE fires no row triggers; without this it would empty the table unseen.
        f'CREATE TRIGGER archive_append_only_truncate BEFORE TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION archive_refuse_history_change()",
    ]


def _sqlite_install(table: str) -> list[str]:
    statements = []
    for operation in ("UPDATE", "DELETE"):
        name = f"archive_append_only_{operation.lower()}_{table}"
        statements += [
            f'DROP TRIGGER IF EXISTS "{name}"',
            f'CREATE TRIGGER "{name}" BEFORE {operation} ON "{table}" '
            "WHEN NOT archive_history_maintenance() "
            f"BEGIN SELECT RAISE(ABORT, 'history table {table} is append-only: "
            f"{operation} refused'); END",
        ]
    return statements


def install(schema_editor, tables) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)  # its % are PL/pgSQL's
        statements = [sql for table in tables for sql in _pg_install(table)]
    elif vendor == "sqlite":
        statements = [sql for table in tables for sql in _sqlite_install(table)]
    else:
        raise NotImplementedError(f"append-only history triggers for {vendor}")
    for sql in statements:
        schema_editor.execute(sql, params=None)


def uninstall(schema_editor, tables) -> None:
    vendor = schema_editor.connection.vendor
    for table in tables:
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
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS archive_refuse_history_change()")


def forwards(apps, schema_editor):
    install(schema_editor, TABLES)


def backwards(apps, schema_editor):
    uninstall(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [("archive", "0004_audit_checkpoints_and_prunes")]

    operations = [migrations.RunPython(forwards, backwards)]
