"""`manage.py import_document`: the seed becomes records with history and provenance."""

from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive import workflow
from archive.importer import strip_markers
from archive.models import Citation, Claim, Document, Flag, ImportRun, Section, Source

from .conftest import SEED, import_text

pytestmark = pytest.mark.django_db

CONTENT_MODELS = [Document, Section, Claim, Source, Citation, Flag]


def run_import(*args):
    out = StringIO()
    call_command("import_document", *map(str, args), stdout=out)
    return out.getvalue()


def row_counts():
    return {model.__name__: model.objects.count() for model in [*CONTENT_MODELS, ImportRun]} | {
        f"{model.__name__} history": model.history.count() for model in CONTENT_MODELS
    }


def assert_nothing_written():
    assert set(row_counts().values()) == {0}


def test_seed_import_creates_every_record_with_the_expected_figures():
    output = run_import(SEED)

    assert "imported as 'soviet-war-crimes'" in output
    document = Document.objects.get()
    assert document.title == "Soviet war crimes"
    assert document.file_name == "soviet_war_crimes.txt"
    assert document.file_size == SEED.stat().st_size
    citations = Citation.objects.filter(claim__section__document=document)
    numeric = citations.exclude(source__kind=Source.Kind.NOTE)
    assert numeric.count() == 90
    assert numeric.values("source").distinct().count() == 76
    assert citations.filter(source__kind=Source.Kind.NOTE).count() == 2
    notes = Source.objects.filter(kind=Source.Kind.NOTE).order_by("position")
    assert [(n.label, bool(n.note_text)) for n in notes] == [("notes 1", True), ("notes 2", True)]
    assert Counter(Flag.objects.values_list("kind", flat=True)) == {
        "citation_needed": 6,
        "neutrality_disputed": 2,
        "quotation_needed": 2,
    }
    assert Flag.objects.filter(section__isnull=False).count() == 1
    assert Section.objects.filter(heading_missing=True).count() == 15
    run = ImportRun.objects.get()
    repeated = [a for a in run.anomalies if a["kind"] == "repeated_paragraph"]
    assert [a["line"] for a in repeated] == [102, 164]
    assert "line 102: repeated_paragraph" in output


def test_every_claim_traces_back_to_the_exact_characters_of_the_file():
    run_import(SEED)
    run = ImportRun.objects.get()
    assert run.text == SEED.read_text(encoding="utf-8")
    import hashlib

    assert run.sha256 == hashlib.sha256(SEED.read_bytes()).hexdigest()
    claims = list(Claim.objects.select_related("import_run"))
    assert len(claims) == 185
    for claim in claims:
        assert claim.import_run_id == run.pk
        assert strip_markers(run.excerpt(claim.span_start, claim.span_end)) == claim.text


def test_every_imported_row_has_one_history_row_naming_user_reason_and_run():
    run_import(SEED)
    run = ImportRun.objects.get()
    importer = get_user_model().objects.get(username=workflow.IMPORTER_USERNAME)
    assert not importer.is_active and not importer.has_usable_password()
    for model in CONTENT_MODELS:
        rows = model.objects.count()
        history = model.history.all()
        assert history.count() == rows > 0, model
        assert set(history.values_list("history_type", flat=True)) == {"+"}
        assert set(history.values_list("history_user", flat=True)) == {importer.pk}
        assert set(history.values_list("history_import_run", flat=True)) == {run.pk}
        assert set(history.values_list("history_change_reason", flat=True)) == {run.change_reason}
        assert set(history.values_list("history_date", flat=True)) == {run.started_at}
    # The historical rows are exact copies of the rows as imported.
    fields = ["id", "section_id", "position", "paragraph", "kind", "text", "span_start"]
    assert set(Claim.history.values_list(*fields)) == set(Claim.objects.values_list(*fields))
    assert "import run #" in run.change_reason and "soviet_war_crimes.txt" in run.change_reason


def test_import_writes_in_bulk_not_one_query_per_row(small_article, large_article):
    for article in (small_article, large_article):
        before = sum(row_counts().values())
        with CaptureQueriesContext(connection) as queries:
            import_text(article, f"{len(article)}.txt")
        rows = sum(row_counts().values()) - before
        # Rows and their history go out in batches (the database's parameter limit decides
        # how many per statement), never one statement per row.
        assert rows > 900
        assert len(queries.captured_queries) < rows / 20


def test_import_as_a_named_user():
    alice = get_user_model().objects.create_user("alice", password="a-long-test-password")
    run_import(SEED, "--user", "alice")
    assert ImportRun.objects.get().user == alice
    assert set(Claim.history.values_list("history_user", flat=True)) == {alice.pk}


def test_unknown_user_is_refused_and_nothing_written():
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        run_import(SEED, "--user", "nobody")
    assert_nothing_written()


def test_reimporting_the_identical_file_changes_nothing_and_says_so():
    run_import(SEED)
    before = row_counts()
    output = run_import(SEED)
    assert "unchanged, already archived as 'soviet-war-crimes'" in output
    assert "nothing written" in output
    assert row_counts() == before


def test_reimporting_with_other_line_endings_is_the_same_text(tmp_path):
    run_import(SEED)
    before = row_counts()
    crlf = tmp_path / "soviet_war_crimes.txt"
    crlf.write_bytes(b"\xef\xbb\xbf" + SEED.read_bytes().replace(b"\n", b"\r\n"))
    assert "unchanged" in run_import(crlf)
    assert row_counts() == before


def test_a_changed_file_for_an_existing_document_becomes_a_proposal_for_review(tmp_path):
    # The whole story (alignment, approval, refusals) is in test_reimport.py.
    from archive.models import ChangeProposal

    from .conftest import make_user

    run_import(SEED)
    before = row_counts()
    changed = tmp_path / "soviet_war_crimes.txt"
    changed.write_text(SEED.read_text(encoding="utf-8") + "\nOne more sentence.\n")
    with pytest.raises(CommandError) as error:  # the system user cannot propose
        run_import(changed)
    assert "soviet_war_crimes.txt: is a changed version" in str(error.value)
    assert "nothing was imported" in str(error.value)
    assert row_counts() == before

    make_user("edna", "Editor")
    output = run_import(changed, "--user", "edna")

    proposal = ChangeProposal.objects.get()
    assert f"proposal #{proposal.pk} created for review: 0 claims changed, 1 added" in output
    assert proposal.state == "submitted" and proposal.proposer.username == "edna"
    assert proposal.changes.get().payload["text"] == "One more sentence."
    # The new file is recorded as an import run; the live content is as it was.
    assert row_counts() == before | {"ImportRun": 2}


def test_dry_run_reports_and_writes_nothing():
    output = run_import(SEED, "--dry-run")
    assert "would import as 'soviet-war-crimes': 26 sections, 185 claims" in output
    assert "78 sources, 92 citations, 10 flags" in output
    assert_nothing_written()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty.txt: file is empty"),
        ("untitled.txt", b"\nText without a title.\n", "untitled.txt:1: the first line must be"),
        ("binary.txt", b"Title\n\n\x00\x01\x02", "binary.txt:3: contains NUL bytes"),
        ("latin1.txt", "Title\n\nCafé.\n".encode("latin-1"), "latin1.txt:3: is not valid UTF-8"),
    ],
)
def test_bad_file_gets_one_clear_error_and_nothing_is_written(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as error:
        run_import(path)
    assert message in str(error.value)
    assert_nothing_written()


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(CommandError, match=r"nope\.txt: no such file"):
        run_import(tmp_path / "nope.txt")
    with pytest.raises(CommandError, match="is a directory"):
        run_import(tmp_path)
    assert_nothing_written()


def test_oversized_file_is_refused(tmp_path, settings):
    settings.ARCHIVE_MAX_IMPORT_BYTES = 1000
    path = tmp_path / "big.txt"
    path.write_text("Title\n\n" + "Words and more words. " * 100)
    with pytest.raises(CommandError, match=r"big\.txt: file is 2,207 bytes; .* at most 1,000"):
        run_import(path)
    assert_nothing_written()


def test_one_bad_file_among_several_writes_nothing_and_names_it(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    with pytest.raises(CommandError) as error:
        run_import(SEED, bad)
    assert "bad.txt: file is empty" in str(error.value)
    assert "soviet_war_crimes" not in str(error.value)
    assert_nothing_written()


def test_the_same_document_twice_in_one_call_is_refused(tmp_path):
    copy = tmp_path / "copy.txt"
    copy.write_text(SEED.read_text(encoding="utf-8") + "\nAnother ending.\n")
    with pytest.raises(CommandError, match="are both the document 'soviet-war-crimes'"):
        run_import(SEED, copy)
    assert_nothing_written()


def test_several_files_are_imported_together(tmp_path):
    other = tmp_path / "harbour.txt"
    other.write_text("Harbour strikes\n\nThe strikes closed every harbour.[1]\n")
    output = run_import(SEED, other)
    assert "imported as 'harbour-strikes'" in output
    assert sorted(Document.objects.values_list("slug", flat=True)) == [
        "harbour-strikes",
        "soviet-war-crimes",
    ]
    assert ImportRun.objects.count() == 2
