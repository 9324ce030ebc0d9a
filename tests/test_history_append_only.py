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
    assert set(GUARDED) == set(TRIGGERS.TABLES)
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
