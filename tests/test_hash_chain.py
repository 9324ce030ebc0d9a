"""The hash chain: sealed, verified, tampered with in each of three ways, and pruned.

Tampering is done the way someone with the database's keys would do it: raw SQL, with the
append-only triggers switched off (ALTER TABLE ... DISABLE TRIGGER on PostgreSQL; dropped
and put back on SQLite; the test's transaction undoes both).
"""

import io
import itertools
import json
import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from datetime import timezone as tz
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from archive import exports
from archive.models import AuditCheckpoint, Claim, Document, HistoryPrune

from .test_exports import edit_claim, edited_seed, run_export

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("edited_seed")]
__all__ = ["edited_seed"]  # the fixture, imported for this module's tests

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(autouse=True)
def no_settle_time():
    """Seal up to now: the tests' transactions are all committed when they seal."""
    with override_settings(ARCHIVE_AUDIT_SETTLE_SECONDS=0):
        yield


def seal() -> str:
    out = io.StringIO()
    call_command("seal_history", by="auditor", stdout=out)
    return out.getvalue()


def verify() -> str:
    out = io.StringIO()
    call_command("verify_history", stdout=out)
    return out.getvalue()


def verify_fails() -> str:
    with pytest.raises(CommandError) as error:
        verify()
    assert error.value.returncode == 1
    return str(error.value)


def entries() -> list[dict]:
    return [json.loads(line) for line in run_export("jsonl").splitlines()]


@contextmanager
def tampering(table: str):
    """A cursor on ``table`` with its append-only triggers off, as an intruder would have."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test's transaction holds deferred foreign-key checks; ALTER TABLE waits
            # for none, so run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [table],
            )
            triggers = cursor.fetchall()
            assert triggers, f"{table} has no triggers to switch off"
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        else:
            for _, sql in triggers:
                cursor.execute(sql)


def approved_claim_edit() -> dict:
    return next(e for e in entries() if e["object_type"] == "claim" and e["action"] == "changed")


# --------------------------------------------------------------------------- untouched


def test_verify_before_any_seal_has_nothing_to_compare_with():
    assert "no checkpoint yet" in verify()


def test_a_sealed_untouched_history_verifies_and_names_its_head_hash():
    assert "sealed" in seal()
    output = verify()
    assert "sealed entries match 1 checkpoints" in output
    assert f"head hash: {entries()[-1]['hash']}" in output


def test_sealing_twice_adds_nothing_new():
    seal()
    assert "nothing new settled" in seal()
    assert AuditCheckpoint.objects.count() == 1


def test_seal_dry_run_stores_nothing():
    out = io.StringIO()
    call_command("seal_history", dry_run=True, stdout=out)
    assert "would seal" in out.getvalue()
    assert not AuditCheckpoint.objects.exists()


def test_entries_younger_than_the_settle_time_wait_for_the_next_seal():
    with override_settings(ARCHIVE_AUDIT_SETTLE_SECONDS=3600):
        assert "nothing new settled" in seal()
    assert "not sealed yet" in verify()


def test_new_history_after_a_seal_is_reported_as_not_sealed_yet(editor, reviewer):
    seal()
    edit_claim(editor, reviewer, Claim.objects.first(), "A later edit.")
    output = verify()
    assert "newer entries are not sealed yet" in output
    seal()
    assert "not sealed yet" not in verify()


def test_long_histories_are_sealed_in_blocks(monkeypatch, editor, reviewer):
    monkeypatch.setattr(exports, "CHECKPOINT_BLOCK", 50)
    seal()
    total = len(entries())
    assert AuditCheckpoint.objects.count() == -(-total // 50)
    blocks = AuditCheckpoint.objects.order_by("first_sequence")
    assert all(a.head_hash == b.previous_hash for a, b in itertools.pairwise(blocks))
    assert "match" in verify()


def test_renaming_a_user_or_a_slug_leaves_the_chain_as_it_was(reviewer, edited_seed):
    seal()
    reviewer.username = "rita-renamed"
    reviewer.save()
    edited_seed.slug = "renamed-slug"
    edited_seed.save_without_historical_record()
    assert "match" in verify()


# --------------------------------------------------------------------------- the three ways


def test_a_changed_history_value_is_named_as_changed():
    edit = approved_claim_edit()
    seal()
    with tampering("archive_historicalclaim") as cursor:
        cursor.execute(
            "UPDATE archive_historicalclaim SET text = %s WHERE history_id = %s",
            ["Those found guilty were pardoned.", edit["version"]],
        )
    message = verify_fails()
    assert f"entry #{edit['sequence']} changed: claim row #{edit['version']}" in message
    assert f"claim #{edit['object_id']}" in message


def test_a_deleted_history_row_is_named_as_disappeared():
    edit = approved_claim_edit()
    seal()
    with tampering("archive_historicalclaim") as cursor:
        cursor.execute(
            "DELETE FROM archive_historicalclaim WHERE history_id = %s", [edit["version"]]
        )
    message = verify_fails()
    assert f"entry #{edit['sequence']} disappeared: claim row #{edit['version']}" in message


def test_an_inserted_history_row_is_named_as_inserted():
    edit = approved_claim_edit()
    seal()
    history = Claim.history.model
    columns = [f.column for f in history._meta.concrete_fields if f.column != "history_id"]
    listed = ", ".join(columns)
    copied = listed.replace("history_date", "%s").replace("history_change_reason", "'slipped in'")
    with tampering("archive_historicalclaim") as cursor:
        # Dated just before the approved edit: it must sort into the sealed stretch.
        cursor.execute(
            f"INSERT INTO archive_historicalclaim ({listed}) "
            f"SELECT {copied} FROM archive_historicalclaim WHERE history_id = %s",
            [
                connection.ops.adapt_datetimefield_value(
                    history.objects.get(history_id=edit["version"]).history_date
                    - timedelta(microseconds=1)
                ),
                edit["version"],
            ],
        )
    message = verify_fails()
    assert f"entry #{edit['sequence']} inserted: claim row #" in message
    assert "is not in the sealed chain" in message


def test_a_changed_decision_is_named_too():
    decision = next(e for e in entries() if e["action"] == "rejected")
    seal()
    with tampering("archive_reviewcomment") as cursor:
        cursor.execute(
            "UPDATE archive_reviewcomment SET body = %s WHERE id = %s",
            ["Approved after all.", decision["version"]],
        )
    message = verify_fails()
    assert f"entry #{decision['sequence']} changed: decision row #{decision['version']}" in message


def test_a_backdated_history_row_is_named_as_changed():
    edit = approved_claim_edit()
    seal()
    with tampering("archive_historicalclaim") as cursor:
        cursor.execute(
            "UPDATE archive_historicalclaim SET history_date = %s WHERE history_id = %s",
            [
                connection.ops.adapt_datetimefield_value(timezone.now() - timedelta(days=400)),
                edit["version"],
            ],
        )
    assert "changed" in verify_fails()


def test_seal_refuses_to_seal_over_a_difference(editor, reviewer):
    edit = approved_claim_edit()
    seal()
    edit_claim(editor, reviewer, Claim.objects.first(), "Unsealed, later.")
    with tampering("archive_historicalclaim") as cursor:
        cursor.execute(
            "DELETE FROM archive_historicalclaim WHERE history_id = %s", [edit["version"]]
        )
    with pytest.raises(CommandError, match="does not verify, so nothing was sealed"):
        seal()
    assert AuditCheckpoint.objects.count() == 1


def test_a_seal_racing_another_stores_nothing(monkeypatch):
    verify_first = exports.verify

    def another_seal_meanwhile(**kwargs):
        result = verify_first(**kwargs)
        now = timezone.now()
        AuditCheckpoint.objects.create(  # the other seal's newest block
            first_sequence=10**9,
            last_sequence=10**9,
            horizon=now,
            previous_hash=exports.GENESIS,
            head_hash=exports.GENESIS,
            entries=b"",
            sealed_at=now,
            sealed_by="the other seal",
        )
        return result

    seal()
    Claim.objects.first().save()  # one more entry to seal
    monkeypatch.setattr(exports, "verify", another_seal_meanwhile)
    with pytest.raises(CommandError, match="another seal ran meanwhile; nothing was sealed"):
        seal()
    assert AuditCheckpoint.objects.filter(sealed_by="auditor").count() == 1


# --------------------------------------------------------------------------- offline


def auditor_code() -> dict:
    """The verifier exactly as the README shows it to auditors."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- audit-verifier -->\s*```python\n(.*?)```", text, re.S)
    namespace: dict = {}
    exec(compile(block.group(1), "README.md", "exec"), namespace)
    return namespace


@given(
    reason=st.text(),
    old=st.text(),
    new=st.text(),
    ids=st.tuples(st.integers(1, 10**12), st.none() | st.integers(1, 10**6)),
)
def test_any_text_hashes_as_the_readme_verifier_expects(reason, old, new, ids):
    """The chain's canonical text is written out by hand for speed; whatever a reason or a
    value holds (quotes, backslashes, control characters, emoji, U+2028), it must be the
    bytes ``json.dumps`` gives the README's verifier."""
    object_id, actor = ids
    entry = exports.Entry(
        source=4,
        stamp="2026-03-04T05:06:07.000000Z",
        action="changed",
        object_type="claim",
        object_id=object_id,
        version=object_id + 1,
        actor_id=actor,
        reason=reason,
        proposal=actor,
        reviewer_id=None,
        import_run=None,
        changes=[("text", old, new), ("kind", "", new)],
        sequence=object_id + 2,
        prev_hash=exports.GENESIS,
    )
    entry.hash = exports.chain_hash(entry.prev_hash, entry.canonical())
    record = {key: getattr(entry, key) for key in auditor_code()["KEYS"] if key != "time"}
    record.update(time=entry.stamp, prev_hash=entry.prev_hash, hash=entry.hash)
    record["changes"] = [{"field": f, "old": o, "new": n} for f, o, n in entry.changes]

    assert auditor_code()["check"]([record]) == entry.hash


@pytest.mark.parametrize(
    "written, shown",
    [
        (datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC), "2026-03-04T05:06:07.000000Z"),
        (datetime(2026, 3, 4, 5, 6, 7, 120_000, tzinfo=UTC), "2026-03-04T05:06:07.120000Z"),
        (
            datetime(2026, 3, 4, 7, 6, 7, 5, tzinfo=tz(timedelta(hours=2))),
            "2026-03-04T05:06:07.000005Z",
        ),
    ],
)
def test_the_database_writes_every_entry_time_in_one_form(written, shown):
    """Times are rendered by the database (SQLite keeps whole seconds without a fraction);
    every export shows them in UTC with six fraction digits, as the chain hashes them."""
    document = Document(
        title="Dated",
        slug="dated",
        file_name="d.txt",
        file_size=1,
        sha256="0" * 64,
        created_at=written,
    )
    document._history_date = written
    document.save()

    (entry,) = [
        e for e in entries() if e["object_type"] == "document" and e["object_id"] == document.pk
    ]
    assert entry["time"] == shown
    assert {c["field"]: c["new"] for c in entry["changes"]}["created_at"] == shown
    assert exports.time_text(datetime.fromisoformat(shown)) == shown


def test_an_auditor_verifies_each_export_offline_with_the_readme_code(tmp_path):
    code = auditor_code()
    seal()
    head = verify().rsplit("head hash: ", 1)[1].split()[0]
    for fmt, reader in (("jsonl", "jsonl_entries"), ("csv", "csv_entries")):
        path = tmp_path / f"history.{fmt}"
        call_command("export_history", format=fmt, output=str(path), stderr=io.StringIO())
        assert code["check"](code[reader](str(path))) == head


def test_the_readme_code_catches_an_edited_export(tmp_path):
    code = auditor_code()
    path = tmp_path / "history.jsonl"
    lines = run_export("jsonl").splitlines()
    forged = json.loads(lines[5])
    forged["reason"] = "nothing to see"
    lines[5] = json.dumps(forged)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"entry {forged['sequence']} does not verify"):
        code["check"](code["jsonl_entries"](str(path)))


def test_a_filtered_export_verifies_entry_by_entry(tmp_path):
    code = auditor_code()
    path = tmp_path / "since.csv"
    middle = entries()[20]["time"]
    call_command(
        "export_history", format="csv", since=middle, output=str(path), stderr=io.StringIO()
    )
    assert code["check"](code["csv_entries"](str(path)), prev=None) is None


# --------------------------------------------------------------------------- pruning


def prune(before, **options) -> str:
    out = io.StringIO()
    options = {"reason": "retention: ten years", "user": "arno", **options}
    call_command("prune_history", before=before, stdout=out, **options)
    return out.getvalue()


def test_pruning_unsealed_history_is_refused(archivist_user):
    with pytest.raises(CommandError, match="not sealed at all"):
        prune(exports.time_text(timezone.now()))
    assert not HistoryPrune.objects.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"before": "someday"}, "--before: 'someday' is not an ISO 8601"),
        ({"before": "2999-01-01"}, "--before: it is in the future"),
        ({"reason": "  "}, "--reason: say why"),
        ({"user": "nobody"}, "--user: no user named 'nobody'"),
    ],
)
def test_bad_prune_arguments_are_refused_and_nothing_is_pruned(archivist_user, options, message):
    seal()
    before = Claim.history.count()
    options = {"before": exports.time_text(timezone.now()), **options}
    with pytest.raises(CommandError, match=re.escape(message)):
        prune(**options)
    assert Claim.history.count() == before and not HistoryPrune.objects.exists()


def test_pruning_before_the_first_entry_has_nothing_to_prune(archivist_user):
    seal()
    with pytest.raises(CommandError, match="nothing to prune"):
        prune(entries()[0]["time"])
    assert not HistoryPrune.objects.exists()


def test_prune_dry_run_deletes_nothing(archivist_user):
    seal()
    before = Claim.history.count()
    cutoff = entries()[-1]["time"]
    assert "would delete" in prune(cutoff, dry_run=True)
    assert Claim.history.count() == before and not HistoryPrune.objects.exists()


def test_pruning_leaves_a_record_keeps_last_versions_and_the_chain_still_verifies(
    archivist_user,
):
    timeline = entries()
    edit = approved_claim_edit()
    cutoff = timeline[-1]["time"]  # the last approval: everything before it goes
    kept = [e for e in timeline if e["time"] >= cutoff]
    anchor = [e for e in timeline if e["time"] < cutoff][-1]
    seal()

    output = prune(cutoff)

    record = HistoryPrune.objects.get()
    assert f"prune record #{record.pk}" in output
    assert record.user == archivist_user and record.reason == "retention: ten years"
    assert (record.anchor_sequence, record.anchor_hash) == (anchor["sequence"], anchor["hash"])
    # The claim's last version before the cutoff stays: as_of still answers for it.
    assert Claim.history.filter(id=edit["object_id"]).exists()
    remaining = entries()
    assert remaining[: len(kept)] == kept  # same numbers, same hashes: the chain goes on
    assert remaining[0]["prev_hash"] == anchor["hash"]
    assert remaining[-1]["action"] == "pruned" and remaining[-1]["actor"] == "arno"
    assert remaining[-1]["sequence"] == kept[-1]["sequence"] + 1
    assert "match" in verify()
    code = auditor_code()
    assert code["check"](remaining, prev=anchor["hash"]) == remaining[-1]["hash"]


def test_history_is_pruned_only_when_it_verifies(archivist_user):
    edit = approved_claim_edit()
    seal()
    with tampering("archive_historicalclaim") as cursor:
        cursor.execute(
            "DELETE FROM archive_historicalclaim WHERE history_id = %s", [edit["version"]]
        )
    with pytest.raises(CommandError, match="does not verify, so nothing was pruned"):
        prune(entries()[-1]["time"])
    assert not HistoryPrune.objects.exists()
