"""Audit exports: an auditor downloads the history and reads it back with standard tools.

Every export is read back the way an auditor's tools would: CSV with the csv module, JSON
Lines line by line, PROV-JSON with the ``prov`` package and against the W3C PROV-JSON
schema (tests/data/prov-json.schema.json, from the PROV-JSON member submission).
"""

import csv
import io
import json
import tracemalloc
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from prov.model import ProvActivity, ProvAgent, ProvDocument, ProvEntity

from archive import exports, workflow
from archive.models import ChangeKind, Claim, ImportRun, ReviewComment

from .conftest import draft_edit, import_text, make_user

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).parent / "data" / "prov-json.schema.json"
EXPORT_URL = "/admin/archive/export-history/"


# --------------------------------------------------------------------------- the story


def edit_claim(editor, reviewer, claim, text, *, approve=True):
    proposal = draft_edit(editor, claim, text, rationale="Closer to the source.")
    workflow.submit_proposal(proposal=proposal, user=editor)
    if approve:
        return workflow.approve_proposal(proposal=proposal, user=reviewer, comment="Checked.")
    return workflow.reject_proposal(proposal=proposal, user=reviewer, comment="Not supported.")


@pytest.fixture
def edited_seed(seed_document, editor, reviewer):
    """The seed, one approved edit, one rejected edit and one approved removal."""
    claim = Claim.objects.get(text__startswith="Those found guilty were executed.")
    edit_claim(editor, reviewer, claim, "Those found guilty were shot.")
    edit_claim(editor, reviewer, claim, "Nobody was found guilty.", approve=False)
    removed = Claim.objects.filter(citations__isnull=False).exclude(pk=claim.pk).first()
    proposal = workflow.create_proposal(
        document=seed_document, user=editor, rationale="Duplicate sentence."
    )
    workflow.add_change(proposal=proposal, user=editor, kind=ChangeKind.REMOVE_CLAIM, claim=removed)
    workflow.submit_proposal(proposal=proposal, user=editor)
    workflow.approve_proposal(proposal=proposal, user=reviewer)
    return seed_document


def run_export(fmt, **options) -> str:
    out = io.StringIO()
    call_command("export_history", format=fmt, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def jsonl(**options) -> list[dict]:
    return [json.loads(line) for line in run_export("jsonl", **options).splitlines()]


# --------------------------------------------------------------------------- the timeline


def test_timeline_covers_every_history_row_import_run_and_decision(edited_seed):
    entries = jsonl()
    by_type = {}
    for entry in entries:
        by_type.setdefault(entry["object_type"], []).append(entry)

    for _, model, name in exports.HISTORY_SOURCES:
        versions = [e for e in by_type.get(name, []) if e["action"] not in ("approved", "rejected")]
        assert len(versions) == model.history.count(), name
    assert len(by_type["import_run"]) == ImportRun.objects.count() == 1
    decisions = [e for e in entries if e["action"] in ("approved", "rejected")]
    assert len(decisions) == ReviewComment.objects.filter(action__in=["approve", "reject"]).count()
    assert sorted(e["action"] for e in decisions) == ["approved", "approved", "rejected"]


def test_timeline_is_oldest_first_and_numbered_without_gaps(edited_seed):
    entries = jsonl()
    assert [e["sequence"] for e in entries] == list(range(1, len(entries) + 1))
    times = [e["time"] for e in entries]
    assert times == sorted(times)
    assert all(t.endswith("Z") for t in times)  # UTC, ISO 8601


def test_an_import_comes_first_then_the_rows_it_wrote(edited_seed):
    first, second = jsonl()[:2]
    assert first["action"] == "imported"
    assert first["actor"] == workflow.IMPORTER_USERNAME
    assert {c["field"]: c["new"] for c in first["changes"]}["sha256"] == edited_seed.sha256
    assert second["action"] == "created" and second["import_run"] == first["object_id"]


def test_an_approved_edit_names_the_proposal_the_reviewer_and_old_and_new_text(
    edited_seed, reviewer
):
    entries = jsonl()
    edit = next(e for e in entries if e["object_type"] == "claim" and e["action"] == "changed")
    assert {
        "field": "text",
        "old": "Those found guilty were executed.",
        "new": "Those found guilty were shot.",
    } in edit["changes"]
    assert edit["proposal"] is not None
    assert edit["reviewer"] == reviewer.username == edit["actor"]
    assert edit["document"] == edited_seed.slug
    decision = next(
        e for e in entries if e["action"] == "approved" and e["proposal"] == edit["proposal"]
    )
    assert decision["reviewer"] == reviewer.username and decision["reason"] == "Checked."


def test_a_rejection_and_a_removal_are_entries_too(edited_seed, reviewer):
    entries = jsonl()
    rejection = next(e for e in entries if e["action"] == "rejected")
    assert rejection["reason"] == "Not supported."
    assert rejection["reviewer"] == reviewer.username
    deleted = {e["object_type"] for e in entries if e["action"] == "deleted"}
    assert {"claim", "citation"} <= deleted


def test_a_revert_by_an_archivist_is_recorded_as_reverted(
    seed_document, editor, reviewer, archivist_user
):
    from reversion.models import Version

    claim = Claim.objects.get(text__startswith="Those found guilty were executed.")
    edit_claim(editor, reviewer, claim, "Those found guilty were shot.")
    first = Version.objects.get_for_object(claim).order_by("pk").first()
    edit_claim(editor, reviewer, Claim.objects.get(pk=claim.pk), "They were shot.")

    workflow.revert_record(version=first, user=archivist_user, reason="The source says shot.")

    last = jsonl()[-1]
    assert (last["action"], last["object_type"], last["object_id"]) == (
        "reverted",
        "claim",
        claim.pk,
    )
    assert last["actor"] == archivist_user.username
    text = {"field": "text", "old": "They were shot.", "new": "Those found guilty were shot."}
    assert text in last["changes"]


def test_sqlite_reads_exactly_the_rows_of_the_plain_window_query(edited_seed):
    """SQLite reads history through a query shaped for its engine (``history_rows``); it
    must give the rows of the plain ``LAG`` query, values converted alike (times, JSON
    payloads, booleans), in the same order."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL reads the plain window query itself")
    for _, model, name in exports.HISTORY_SOURCES:
        queryset, *_ = exports.history_query(model)
        *_, rows = exports.history_rows(model, chunk_size=7)
        expected = list(queryset)
        assert expected, name
        assert [tuple(row) for row in rows] == expected, name


# --------------------------------------------------------------------------- the formats


def test_csv_reads_back_with_one_row_per_changed_field(edited_seed):
    entries = jsonl()
    rows = list(csv.DictReader(io.StringIO(run_export("csv"), newline="")))

    assert list(rows[0]) == list(exports.CSV_COLUMNS)  # header, stable column order
    assert len(rows) == sum(max(1, len(e["changes"])) for e in entries)
    assert rows[-1]["hash"] == entries[-1]["hash"]
    claim_edit = next(r for r in rows if r["object_type"] == "claim" and r["action"] == "changed")
    assert (claim_edit["old"], claim_edit["new"]) == (
        "Those found guilty were executed.",
        "Those found guilty were shot.",
    )


def test_csv_is_rfc_4180_with_crlf_and_quoted_fields(seed_document, editor, reviewer):
    claim = Claim.objects.first()
    edit_claim(editor, reviewer, claim, 'A "quoted" claim,\nover two lines.')
    text = run_export("csv")
    assert text.startswith(",".join(exports.CSV_COLUMNS) + "\r\n")
    assert '"A ""quoted"" claim,\nover two lines."' in text
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert any(r["new"] == 'A "quoted" claim,\nover two lines.' for r in rows)


@given(st.text())
def test_csv_fields_are_quoted_exactly_as_the_csv_module_would(text):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(["x", text])
    assert "x," + exports.csv_field(text) + "\r\n" == buffer.getvalue()


def test_jsonl_is_one_object_per_line_with_every_field(edited_seed):
    lines = run_export("jsonl").splitlines()
    for line in lines:
        entry = json.loads(line)
        assert set(exports.CANONICAL_FIELDS) <= set(entry)
        assert {"document", "actor", "reviewer", "changes", "prev_hash", "hash"} <= set(entry)
        assert entry["action"] in (*exports.ACTIONS, "pruned")


def prov_counts(document: ProvDocument) -> dict[str, int]:
    """Distinct entities, activities and agents over every bundle of the document."""
    found = {ProvEntity: set(), ProvActivity: set(), ProvAgent: set()}
    for bundle in [document, *document.bundles]:
        for kind, ids in found.items():
            ids.update(str(record.identifier) for record in bundle.get_records(kind))
    return {
        "entities": len(found[ProvEntity]),
        "activities": len(found[ProvActivity]),
        "agents": len(found[ProvAgent]),
    }


def expected_prov_counts(entries: list[dict]) -> dict[str, int]:
    """What the timeline implies, by the mapping in the README."""
    versions, records, decisions, files = 0, set(), 0, set()
    activities, agents = set(), set()
    for e in entries:
        agents.update(i for i in (e["actor_id"], e["reviewer_id"]) if i is not None)
        if e["action"] == "imported":
            activities.add(("import", e["import_run"]))
            files.add({c["field"]: c["new"] for c in e["changes"]}["sha256"])
        elif e["action"] in ("approved", "rejected"):
            decisions += 1
            records.add(("proposal", e["proposal"]))
            key = e["proposal"] if e["action"] == "approved" else e["version"]
            activities.add((e["action"], key))
        elif e["action"] == "pruned":
            activities.add(("prune", e["object_id"]))
        else:
            versions += 1
            records.add((e["object_type"], e["object_id"]))
            content = e["object_type"] in exports.CONTENT_TYPES
            if e["import_run"] is not None:
                activities.add(("import", e["import_run"]))
            elif content and e["proposal"] is not None:
                activities.add(("approved", e["proposal"]))
    return {
        "entities": versions + len(records) + decisions + len(files),
        "activities": len(activities),
        "agents": len(agents),
    }


def test_prov_json_reads_back_with_prov_and_has_what_the_timeline_implies(edited_seed):
    entries = jsonl()
    document = ProvDocument.deserialize(content=run_export("prov-json"), format="json")
    assert prov_counts(document) == expected_prov_counts(entries)


def test_prov_json_validates_against_the_w3c_schema(edited_seed):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(json.loads(run_export("prov-json"))), key=str)
    assert not errors, "\n".join(str(e) for e in errors[:5])


def test_prov_json_carries_the_file_the_import_used_and_the_reviewers_decision(
    edited_seed, reviewer
):
    data = json.loads(run_export("prov-json"))
    bundles = data["bundle"].values()
    entities = {k: v for b in bundles for k, v in b.get("entity", {}).items()}
    seed_file = entities[f"arch:file-{edited_seed.sha256}"]
    assert seed_file["arch:sha256"] == edited_seed.sha256
    decision = next(v for k, v in entities.items() if k.startswith("arch:decision-"))
    attributions = [
        r
        for b in bundles
        for r in b.get("wasAttributedTo", {}).values()
        if str(r["prov:entity"]).startswith("arch:decision-")
    ]
    assert {r["prov:agent"] for r in attributions} == {f"arch:user-{reviewer.pk}"}
    assert decision["arch:hash"]
    roles = {r.get("prov:role") for b in bundles for r in b.get("wasAssociatedWith", {}).values()}
    assert {"importer", "reviewer"} <= roles


def test_every_format_carries_the_same_hashes(edited_seed):
    hashes = [e["hash"] for e in jsonl()]
    rows = csv.DictReader(io.StringIO(run_export("csv"), newline=""))
    assert list(dict.fromkeys(r["hash"] for r in rows)) == hashes
    data = json.loads(run_export("prov-json"))
    in_prov = {
        record["arch:hash"]
        for bundle in data["bundle"].values()
        for kind in ("entity", "activity")
        for record in bundle.get(kind, {}).values()
        if "arch:hash" in record
    }
    assert in_prov == set(hashes)


# --------------------------------------------------------------------------- filters


def test_document_filter_keeps_global_sequence_numbers_and_hashes(edited_seed):
    other = import_text("Harbour strikes\n\nThe strike began in May.[1]\n", "other.txt")
    everything = jsonl()
    only = jsonl(document=other.document.slug)
    assert only and all(e["document"] == other.document.slug for e in only)
    by_sequence = {e["sequence"]: e for e in everything}
    assert all(by_sequence[e["sequence"]] == e for e in only)
    assert only[0]["sequence"] > 1


def test_since_and_until_select_a_time_window(edited_seed):
    everything = jsonl()
    middle = everything[len(everything) // 2]["time"]
    later = jsonl(since=middle)
    earlier = jsonl(until=middle)
    assert later and earlier
    assert all(e["time"] >= middle for e in later)
    assert all(e["time"] <= middle for e in earlier)
    assert {e["sequence"] for e in later} | {e["sequence"] for e in earlier} == {
        e["sequence"] for e in everything
    }


def test_a_bare_until_date_includes_that_whole_day(edited_seed):
    day = jsonl()[-1]["time"][:10]
    assert jsonl(until=day)[-1] == jsonl()[-1]


# --------------------------------------------------------------------------- the command


def test_output_file_is_written_whole_and_nothing_else_is_left(edited_seed, tmp_path):
    target = tmp_path / "history.jsonl"
    call_command("export_history", format="jsonl", output=str(target), stderr=io.StringIO())
    assert target.read_text(encoding="utf-8") == run_export("jsonl")
    assert [p.name for p in tmp_path.iterdir()] == ["history.jsonl"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"format": "xml"}, "--format: unknown format 'xml'; choose one of csv, jsonl, prov-json"),
        ({"format": "csv", "document": "no-such"}, "--document: no document with the slug"),
        ({"format": "csv", "since": "last tuesday"}, "--since: 'last tuesday' is not an ISO 8601"),
        ({"format": "csv", "until": "2026-13-45"}, "--until: '2026-13-45' is not an ISO 8601"),
        (
            {"format": "csv", "since": "2026-05-02", "until": "2026-05-01"},
            "--since: 2026-05-02 is after --until 2026-05-01",
        ),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_error_and_no_file(
    seed_document, tmp_path, options, message
):
    target = tmp_path / "history.out"
    with pytest.raises(CommandError, match=message.replace("(", r"\(")) as error:
        call_command("export_history", output=str(target), **options)
    assert error.value.returncode == 1
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_path_is_refused(seed_document, tmp_path):
    with pytest.raises(CommandError, match=r"--output: cannot write .*missing"):
        call_command("export_history", format="csv", output=str(tmp_path / "missing" / "h.csv"))
    with pytest.raises(CommandError, match="is a directory"):
        call_command("export_history", format="csv", output=str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_an_export_that_fails_half_way_leaves_no_partial_file(seed_document, tmp_path, monkeypatch):
    def broken(fmt, filters=None, **kwargs):
        yield "sequence,time\r\n"
        raise RuntimeError("the database went away")

    monkeypatch.setattr(exports, "export", broken)
    target = tmp_path / "history.csv"
    target.write_text("yesterday's export", encoding="utf-8")
    with pytest.raises(RuntimeError):
        call_command("export_history", format="csv", output=str(target), stderr=io.StringIO())
    assert target.read_text(encoding="utf-8") == "yesterday's export"
    assert [p.name for p in tmp_path.iterdir()] == ["history.csv"]


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_when_writing_a_file_from_a_terminal(seed_document, tmp_path):
    terminal, pipe = Terminal(), io.StringIO()
    call_command("export_history", format="csv", output=str(tmp_path / "a.csv"), stderr=terminal)
    call_command("export_history", format="csv", output=str(tmp_path / "b.csv"), stderr=pipe)
    assert "100%" in terminal.getvalue() and "\r[" in terminal.getvalue()
    assert "%" not in pipe.getvalue()
    out = io.StringIO()
    call_command("export_history", format="csv", stdout=out, stderr=terminal)
    assert not out.getvalue().startswith("\r")


def test_export_query_count_does_not_grow_with_the_document(small_article, large_article):
    counts = []
    for text in (small_article, large_article):
        outcome = import_text(text, f"article-{len(text)}.txt")
        with CaptureQueriesContext(connection) as queries:
            for fmt in exports.FORMATS:
                run_export(fmt, document=outcome.document.slug)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --------------------------------------------------------------------------- the admin


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(EXPORT_URL)
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_editors_may_not_export(client, editor):
    client.force_login(editor)
    assert client.get(EXPORT_URL).status_code == 403
    assert client.get(EXPORT_URL, {"format": "csv"}).status_code == 403


@pytest.mark.parametrize("role", ["Reviewer", "Archivist"])
def test_reviewers_and_archivists_download_a_streamed_export(client, edited_seed, role):
    client.force_login(make_user(f"{role.lower()}-x", role))
    page = client.get(EXPORT_URL)
    assert page.status_code == 200 and b"Export the audit history" in page.content

    response = client.get(EXPORT_URL, {"format": "jsonl", "document": edited_seed.slug})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("application/x-ndjson")
    assert f"audit-history-{edited_seed.slug}-" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    assert body == run_export("jsonl", document=edited_seed.slug)


def test_the_admin_form_explains_bad_filters(client, reviewer, seed_document):
    client.force_login(reviewer)
    response = client.get(EXPORT_URL, {"format": "csv", "since": "soon"})
    assert response.status_code == 400
    assert "is not an ISO 8601 date" in response.content.decode()
    response = client.get(EXPORT_URL, {"format": "pdf"})
    assert response.status_code == 400


def test_admin_export_query_count_does_not_grow_with_the_document(
    client, reviewer, small_article, large_article
):
    client.force_login(reviewer)
    counts = []
    for text in (small_article, large_article):
        outcome = import_text(text, f"article-{len(text)}.txt")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(EXPORT_URL, {"format": "csv", "document": outcome.document.slug})
            b"".join(response.streaming_content)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --------------------------------------------------------------------------- memory


def add_versions(claim: Claim, count: int) -> None:
    """``count`` more history rows for one claim, written in bulk (no save per row)."""
    history = Claim.history.model
    latest = Claim.history.filter(id=claim.pk).order_by("-history_id").first()
    fields = [f.attname for f in history._meta.concrete_fields if f.attname != "history_id"]
    base = {name: getattr(latest, name) for name in fields}
    history.objects.bulk_create(
        [history(**{**base, "text": f"Version {i} of the claim."}) for i in range(count)],
        batch_size=2000,
    )


def peak_export_memory() -> int:
    tracemalloc.start()
    try:
        for _ in exports.export("csv"):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_of_an_export_does_not_grow_with_the_history(seed_document):
    claim = Claim.objects.first()
    add_versions(claim, 2_000)
    small = peak_export_memory()
    add_versions(claim, 18_000)  # ten times the rows
    large = peak_export_memory()
    # Flat: a tenfold history may cost a little more (a longer user map would), never
    # anywhere near tenfold; 1.5x leaves room for allocator noise.
    assert large < small * 1.5, (small, large)
