"""Values that do not fit their column (archive/workflow/imports.py: what fits).

Every value an import would store is checked against its model's column before anything
is written: a value longer than the column would stop PostgreSQL half-way (a DataError)
and be stored whole on SQLite against the model's rule. So a file with one gets a single
error naming the file, the line and the field, and nothing at all is written.

What a file can bring to a column is bounded by the parser: a citation marker's label is
at most 48 characters (``_CITATION_BODY_RE``; ``Source.label`` holds 64), a tag at most 100
(``_BRACKET_RE``; ``Flag.label`` holds 100), and reference fields longer than their column
are left empty (``references.FIELD_LIMITS``). What does reach past a column: a page
locator after a marker (``[1]: pp. …`` up to nine ranges, ``Citation.locator`` holds 64),
a heading in ``== markup ==`` (``Section.heading`` holds 255), and an address that the
reference reader takes but Django's URLValidator does not (a host over 253 characters).
"""

from dataclasses import replace

import pytest
from django.core.management import CommandError

from archive import importer, workflow
from archive.models import ChangeProposal, Citation, Document, Flag, Section, Source

from .conftest import source_for
from .test_import_command import run_import
from .test_import_identity import all_rows, refusal
from .test_reimport import write

pytestmark = pytest.mark.django_db

# Nine page ranges, as the locator pattern allows: 137 characters.
LONG_LOCATOR = "pp. " + ", ".join(f"{100000 + 2 * i}–{100001 + 2 * i}" for i in range(9))
# Exactly the column's 64 characters.
FULL_LOCATOR = "pp. 100000–100001, 100002–100003, 100004–100005, 100006a–100007a"
LONG_HEADING = " ".join(["Causes of the strikes in the harbours of the coast"] * 6)  # 305
FULL_HEADING = ("Causes of the strikes " * 12)[:254] + "s"
LONG_HOST = ".".join(["harbour" * 8] * 5) + ".org"  # 284 characters: more than 253
FULL_TAG = "citation" + " " * 86 + "needed"  # the most the brackets hold: 100


def article(*, locator="14", heading="Causes", url="https://example.org/strikes", tag="who?"):
    """A small article in == markup ==: line 3 cites [1] with ``locator``, line 5 is the
    heading ``heading``, line 7 carries ``tag``, line 15 is the entry of [1] with ``url``."""
    return (
        "Harbour strikes\n"
        "\n"
        f"The strikes closed every harbour on the coast.[1]: {locator}\n"
        "\n"
        f"== {heading} ==\n"
        "\n"
        f"Wages had fallen by a third since 1919.[{tag}]\n"
        "\n"
        "== Aftermath ==\n"
        "\n"
        "The owners gave in after eleven weeks.[1]\n"
        "\n"
        "== References ==\n"
        "\n"
        f'[1] Smith, J. (2005). "Harbours". Port News. {url}. Retrieved 3 May 2020.\n'
    )


def test_the_article_imports_with_every_value_at_its_columns_limit(tmp_path):
    assert len(FULL_LOCATOR) == 64 and len(FULL_HEADING) == 255 and len(FULL_TAG) == 100
    text = article(locator=FULL_LOCATOR, heading=FULL_HEADING, tag=FULL_TAG)

    output = run_import(write(tmp_path, text, "harbour.txt"))

    assert "harbour.txt: imported as 'harbour-strikes'" in output
    assert Citation.objects.order_by("position", "pk").first().locator == FULL_LOCATOR
    assert Section.objects.filter(heading=FULL_HEADING).exists()
    assert Flag.objects.get().label == FULL_TAG
    assert Source.objects.get().url == "https://example.org/strikes"


OVER = [
    pytest.param(
        {"locator": LONG_LOCATOR},
        "harbour.txt:3: the citation locator is 137 characters; the archive stores at most 64",
        id="locator",
    ),
    pytest.param(
        {"heading": LONG_HEADING},
        "harbour.txt:5: the section heading is 305 characters; the archive stores at most 255",
        id="heading",
    ),
    pytest.param(
        {"url": f"https://{LONG_HOST}/strikes"},
        "harbour.txt:15: the source url of [1] 'https://harbourharbour",
        id="source url",
    ),
]


@pytest.mark.parametrize(("values", "error"), OVER)
def test_a_value_over_its_column_is_one_error_naming_file_line_and_field(tmp_path, values, error):
    # Something archived already, so "nothing written" is not just an empty database.
    run_import(write(tmp_path, "Dock strikes\n\nThe dockers walked out.[1]\n", "docks.txt"))
    before = all_rows()

    message = refusal(write(tmp_path, article(**values), "harbour.txt"))

    assert message.startswith(f"nothing imported: {error}")
    assert message.count("harbour.txt") == 1  # one error, not a list
    assert all_rows() == before


def test_the_source_url_error_says_what_the_archive_accepts(tmp_path):
    message = refusal(write(tmp_path, article(url=f"https://{LONG_HOST}/strikes"), "h.txt"))
    assert message.endswith(
        "is not a URL the archive accepts (an absolute address with one of the schemes "
        "http, https, ftp, ftps)"
    )
    assert set(all_rows().values()) == {0}


def test_one_file_over_a_limit_stops_every_file_of_the_call(tmp_path):
    docks = write(tmp_path, "Dock strikes\n\nThe dockers walked out.[1]\n", "docks.txt")
    harbour = write(tmp_path, article(locator=LONG_LOCATOR), "harbour.txt")

    message = refusal(docks, harbour)

    assert message.startswith("nothing imported: harbour.txt:3: the citation locator")
    assert "docks.txt" not in message
    assert set(all_rows().values()) == {0}


def test_a_dry_run_refuses_a_value_over_its_column_as_the_real_run_would(tmp_path):
    path = write(tmp_path, article(heading=LONG_HEADING), "harbour.txt")
    message = refusal(path, "--dry-run")
    assert "harbour.txt:5: the section heading is 305 characters" in message
    assert set(all_rows().values()) == {0}


# --------------------------------------------------------------------------- re-imports


@pytest.mark.parametrize(
    ("values", "error"),
    [
        pytest.param(
            {"heading": LONG_HEADING},
            # The heading renamed in place is proposed as a heading edit.
            "harbour.txt:5: the section heading is 305 characters; the archive stores at most 255",
            id="heading",
        ),
        pytest.param(
            {"locator": LONG_LOCATOR},
            # The kept claim's citation gets a new locator.
            "harbour.txt:3: the citation locator is 137 characters; the archive stores at most 64",
            id="locator",
        ),
    ],
)
def test_a_changed_version_over_a_column_is_refused_before_it_is_proposed(
    tmp_path, editor, values, error
):
    run_import(write(tmp_path, article(), "harbour.txt"))
    before = all_rows()

    changed = write(tmp_path, article(**values), "harbour.txt")
    message = refusal(changed, "--user", editor.username)

    assert message == f"nothing imported: {error}"
    assert all_rows() == before
    assert not ChangeProposal.objects.exists()
    assert Document.objects.get().import_runs.count() == 1


def test_a_changed_version_within_the_columns_is_proposed(tmp_path, editor):
    # The same two changes at the columns' limits: the refusal above is about the length.
    run_import(write(tmp_path, article(), "harbour.txt"))
    changed = write(tmp_path, article(heading=FULL_HEADING, locator=FULL_LOCATOR), "harbour.txt")

    output = run_import(changed, "--user", editor.username)

    proposal = ChangeProposal.objects.get()
    assert "1 heading changed, 1 citation changed" in output
    assert sorted(proposal.changes.values_list("kind", "payload")) == [
        ("change_citation", {"locator": FULL_LOCATOR, "quotation": ""}),
        ("edit_heading", {"heading": FULL_HEADING}),
    ]


def test_a_refusal_is_a_command_error_not_a_database_error(tmp_path):
    # On PostgreSQL a value that slipped through would raise DataError from the INSERT.
    with pytest.raises(CommandError):
        run_import(write(tmp_path, article(locator=LONG_LOCATOR), "harbour.txt"))


# --------------------------------------------------------------------------- parser-bounded

# Columns no file reaches past today, because the parser's patterns are shorter than the
# column. The check does not rely on that: a parser that one day reads longer labels or
# fields meets the same refusal. So these start from a parsed file, lengthened.


def lengthen_flag_label(parsed):
    claim = next(claim for claim in parsed.claims if claim.flags)
    claim.flags[0] = replace(claim.flags[0], label="who" + "?" * 98)


def lengthen_source_title(parsed):
    parsed.sources[0].title = "Harbours " * 55 + "and docks"


def lengthen_source_label(parsed):
    label = "notes " + "n" * 60 + " 1"  # 68 characters
    parsed.sources[0].label = label
    for claim in parsed.claims:
        claim.citations[:] = [replace(c, label=label) for c in claim.citations]


@pytest.mark.parametrize(
    ("lengthen", "error"),
    [
        (
            lengthen_flag_label,
            "h.txt:7: the flag label is 101 characters; the archive stores at most 100",
        ),
        (
            lengthen_source_title,
            "h.txt:15: the source title of [1] is 504 characters; the archive stores at most 500",
        ),
        (
            lengthen_source_label,
            "h.txt:3: the source label of [notes "
            + "n" * 60
            + " 1] is 68 characters; the archive stores at most 64",
        ),
    ],
    ids=["flag label", "source title", "source label"],
)
def test_columns_the_parser_stays_within_are_checked_all_the_same(lengthen, error):
    source = source_for(article(), "h.txt")
    parsed = importer.parse(source.text, source.name)
    lengthen(parsed)

    with pytest.raises(workflow.ImportRefused) as refused:
        workflow.import_documents(files=[(source, parsed)])

    assert str(refused.value) == error
    assert set(all_rows().values()) == {0}
