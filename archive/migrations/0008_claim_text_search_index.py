"""A GIN index for the public search on PostgreSQL.

``selectors.search_claims`` matches ``to_tsvector('english', COALESCE(text, ''))`` (what
``SearchVector("text", config="english")`` compiles to); this index is on that same
expression, so PostgreSQL finds matching claims without computing every claim's vector.
It cannot live in ``Claim.Meta.indexes``: SQLite has no GIN indexes (its search is a plain
``icontains`` scan), so the migration creates it on PostgreSQL only.
"""

from django.db import migrations

INDEX = "archive_claim_text_search"
EXPRESSION = "to_tsvector('english'::regconfig, COALESCE(text, ''))"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON archive_claim USING gin ({EXPRESSION})"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("archive", "0007_decisions_and_import_runs_append_only")]

    operations = [migrations.RunPython(forwards, backwards)]
