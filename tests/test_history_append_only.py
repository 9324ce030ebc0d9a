"""History is append-only: the database itself refuses to change or remove history rows.

One test per table and operation, over every history table there is (a new tracked model
without a trigger fails ``test_every_history_table_is_guarded``), then the ways history
legitimately goes away: nowhere, except through the documented bypass.
"""

import importlib
import io
import sqlite3

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from archive import exports
from archive.models import AuditCheckpoint, Claim, HistoryPrune
from archive.models.audit import history_maintenance

pytestmark = pytest.mark.django_db

TRIGGERS = importlib.import_module("archive.migrations.0005_history_append_only")
STRUCTURE = importlib.import_module("archive.migrations.0009_import_structure")


def check_deferred_constraints():
    """PostgreSQL refuses TRUNCATE while the test's transaction holds deferred foreign-key
    checks (pytest-django's own flush runs outside it); run them now."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def history_models():
    tracked = [m for m in apps.get_app_config("archive").get_models() if hasattr(m, "history")]
    return [m.history.model for m in tracked]


GUARDED = {m._meta.db_table: m for m in history_models()}
GUARDED["archive_auditcheckpoint"] = AuditCheckpoint
GUARDED["archive_historyprune"] = HistoryPrune


@pytest.fixture
def one_row_everywhere(seed_document, editor, reviewer, archivist_user):
    """A seed with a proposal (so every history table has rows), sealed, then pruned-free."""
    from archive import workflow
    from archive.models import ChangeKind

    claim = Claim.objects.first()
    proposal = workflow.create_proposal(document=seed_document, user=editor, rationale="Typo.")
    workflow.add_change(
        proposal=proposal,
        user=editor,
        kind=ChangeKind.EDIT_CLAIM,
        claim=claim,
        payload={"text": "A corrected claim."},
    )
    now = timezone.now()
    AuditCheckpoint.objects.create(
        first_sequence=1,
        last_sequence=1,
        horizon=now,
        previous_hash=exports.GENESIS,
        head_hash="1" * 64,
        entries=b"",
        sealed_at=now,
        sealed_by="test",
    )
    HistoryPrune.objects.create(
        cutoff=now,
        pruned_at=now,
        user=archivist_user,
        reason="a row to protect",
        anchor_sequence=0,
        anchor_hash=exports.GENESIS,
    )


def some_row(model):
    row = model.objects.order_by("pk").first()
    assert row is not None, f"no row in {model._meta.db_table} to test with"
    return row


@pytest.mark.parametrize("table", sorted(GUARDED))
def test_update_of_a_history_row_is_refused(one_row_everywhere, table):
    model = GUARDED[table]
    row = some_row(model)
    column = "history_change_reason" if hasattr(row, "history_change_reason") else "sealed_by"
    column = "reason" if model is HistoryPrune else column
    refused = pytest.raises(IntegrityError, match=f"{table} is append-only: UPDATE refused")
    with refused, transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{column: "rewritten"})


@pytest.mark.parametrize("table", sorted(GUARDED))
def test_delete_of_a_history_row_is_refused(one_row_everywhere, table):
    model = GUARDED[table]
    row = some_row(model)
    refused = pytest.raises(IntegrityError, match=f"{table} is append-only: DELETE refused")
    with refused, transaction.atomic():
        model.objects.filter(pk=row.pk).delete()
    assert model.objects.filter(pk=row.pk).exists()


def test_every_history_table_is_guarded():
    """A new tracked model needs a migration installing its triggers; this says which."""
    assert set(GUARDED) == set(TRIGGERS.TABLES) | set(STRUCTURE.TABLES)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT event_object_table, trigger_name FROM information_schema.triggers"
            )
        installed = {(table, name) for table, name in cursor.fetchall()}
    for table in GUARDED:
        assert any(t == table and "append_only" in n for t, n in installed), table


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_of_a_history_table_is_refused_on_postgresql(one_row_everywhere):
    check_deferred_constraints()
    refused = pytest.raises(IntegrityError, match="append-only: TRUNCATE refused")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute('TRUNCATE "archive_historicalclaim" CASCADE')
    assert Claim.history.exists()


def test_deleting_content_keeps_its_history_and_adds_a_deletion(seed_document):
    claim = Claim.objects.filter(citations__isnull=False).first()
    pk, versions = claim.pk, Claim.history.filter(id=claim.pk).count()
    claim.delete()  # cascades to its citations and flags; history stays
    assert Claim.history.filter(id=pk).count() == versions + 1
    assert Claim.history.filter(id=pk).latest().history_type == "-"


def test_the_bypass_lets_one_transaction_through_and_no_other(seed_document):
    row = Claim.history.first()
    with history_maintenance("test: prove the switch is scoped"):
        Claim.history.filter(pk=row.pk).update(history_change_reason="maintained")
    assert Claim.history.get(pk=row.pk).history_change_reason == "maintained"
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Claim.history.filter(pk=row.pk).update(history_change_reason="again")


def test_the_bypass_needs_a_reason():
    with pytest.raises(ValueError, match="needs a reason"), history_maintenance("  "):
        pass


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite switch is per connection")
def test_a_sqlite_connection_outside_django_cannot_change_history(seed_document):
    name = connection.settings_dict["NAME"]
    # Django's in-memory test database is a shared-cache URI any connection may open.
    other = sqlite3.connect(name, uri=name.startswith("file:"), isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError, match="no such function"):
            other.execute("DELETE FROM archive_historicalclaim")
    finally:
        other.close()


@override_settings(ARCHIVE_HISTORY_TEARDOWN_BYPASS=False)
def test_flush_outside_tests_is_refused_and_removes_nothing(seed_document):
    before = Claim.history.count()
    check_deferred_constraints()
    with pytest.raises(CommandError, match=r"(?s)append-only.*prune_history"):
        call_command("flush", interactive=False, stdout=io.StringIO())
    assert Claim.history.count() == before
    assert Claim.objects.exists()


def test_flush_in_test_settings_may_empty_history_for_teardown(seed_document):
    check_deferred_constraints()
    call_command("flush", interactive=False, stdout=io.StringIO())
    assert not Claim.history.exists()


def test_simple_history_clean_up_commands_cannot_delete_history(seed_document):
    with pytest.raises((IntegrityError, OperationalError, CommandError)), transaction.atomic():
        call_command(
            "clean_old_history", "--auto", days=0, stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert Claim.history.exists()


# --------------------------------------------------------------------------- decisions, import runs


@pytest.fixture
def decided(seed_document, editor, reviewer):
    """One approved proposal and one draft with a plain comment."""
    from archive import workflow
    from archive.models import ReviewComment

    from .conftest import draft_edit

    claims = Claim.objects.order_by("pk")
    approved = draft_edit(editor, claims[0], "An approved wording.")
    workflow.submit_proposal(proposal=approved, user=editor)
    workflow.approve_proposal(proposal=approved, user=reviewer, comment="Checked.")
    draft = draft_edit(editor, claims[1], "A draft wording.")
    chat = ReviewComment.objects.create(
        proposal=draft, author=editor, body="Thoughts?", created_at=timezone.now()
    )
    decision = ReviewComment.objects.get(proposal=approved, action="approve")
    return decision, chat


def test_a_decision_cannot_be_rewritten_or_removed(decided):
    decision, _ = decided
    rows = type(decision).objects.filter(pk=decision.pk)
    for operation, change in (
        ("UPDATE", lambda: rows.update(body="Never checked.")),
        ("DELETE", lambda: rows.delete()),
    ):
        refused = pytest.raises(
            IntegrityError, match=f"{decision._meta.db_table} is append-only: {operation} refused"
        )
        with refused, transaction.atomic():
            change()
    decision.refresh_from_db()
    assert decision.body == "Checked."


def test_a_plain_comment_can_still_be_edited_and_removed(decided):
    _, chat = decided
    type(chat).objects.filter(pk=chat.pk).update(body="Second thoughts.")
    chat.refresh_from_db()
    assert chat.body == "Second thoughts."
    chat.delete()
    assert not type(chat).objects.filter(pk=chat.pk).exists()


def test_an_import_runs_evidence_cannot_be_rewritten_nor_the_run_removed(seed_document):
    """Through SQL: the ORM would not even try the delete (imported rows protect their run)."""
    from archive.models import ImportRun

    run = ImportRun.objects.get(document=seed_document)
    table = run._meta.db_table
    for operation, sql, params in (
        ("UPDATE", f'UPDATE "{table}" SET sha256 = %s WHERE id = %s', ["0" * 64, run.pk]),
        ("DELETE", f'DELETE FROM "{table}" WHERE id = %s', [run.pk]),
    ):
        refused = pytest.raises(IntegrityError, match=f"{table} is append-only: {operation}")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert ImportRun.objects.get(pk=run.pk).sha256 == seed_document.sha256


def test_only_the_finish_time_of_an_import_run_may_be_set(seed_document):
    """What every import does once, before it commits."""
    from archive.models import ImportRun

    run = ImportRun.objects.get(document=seed_document)
    finished = run.finished_at + timezone.timedelta(seconds=1)
    ImportRun.objects.filter(pk=run.pk).update(finished_at=finished)
    assert ImportRun.objects.get(pk=run.pk).finished_at == finished
