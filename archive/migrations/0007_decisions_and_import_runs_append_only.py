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


def forwards(apps, schema_editor):
    for table, (columns, condition) in GUARDED.items():
        GUARDS.install(schema_editor, [table], columns=columns, condition=condition)


def backwards(apps, schema_editor):
    # The shared trigger function stays: 0005's reversal drops it.
    GUARDS.drop_triggers(schema_editor, list(GUARDED))


class Migration(migrations.Migration):
    dependencies = [("archive", "0006_reviewers_export_history")]

    operations = [migrations.RunPython(forwards, backwards)]
