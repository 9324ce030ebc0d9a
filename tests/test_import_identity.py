"""Which document a file is (archive/workflow/imports.py: identity), and ``--new-only``.

A file is an archived document's new version only when the slug *and* the title are the
document's; when only one of them matches, or another document came from a file of the
same name, the import stops and names the candidates, and ``--document SLUG`` decides.
``--new-only`` (what ``make seed`` runs) imports only documents the archive lacks and
reports the state of every other file, whatever became of its re-import proposals.
"""

import glob
import hashlib
import shlex

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError
from django.test import Client
from django.urls import reverse

from archive import workflow
from archive.models import ChangeProposal, Claim, Document, ProposalState

from .conftest import ROOT, SEED, draft_edit, import_text
from .test_import_command import run_import
from .test_reimport import EDITED, THREE_CHANGES, changed_seed, write

pytestmark = pytest.mark.django_db

HARBOUR = "Harbour strikes\n\nThe strikes closed every harbour on the coast.[1]\n"
DOCKS = "Dock strikes\n\nThe dockers walked out in the spring.[1]\n"
SOVIET_CYRILLIC = "Советские военные преступления\n\nАрмия сожгла деревни.[1]\n"
FAMINE_CYRILLIC = "Голод в Казахстане\n\nГолод унёс много жизней.[1]\n"


def all_rows() -> dict[str, int]:
    """Rows of every table an import or a proposal can write: content, history (every
    ``Historical…`` model), import runs, proposals, their changes and comments, users."""
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_app_config("archive").get_models()
    }
    return counts | {"users": get_user_model().objects.count()}


def refusal(*args) -> str:
    """The command's one error (its exit status is non-zero), as the operator reads it."""
    with pytest.raises(CommandError) as error:
        run_import(*args)
    assert error.value.returncode != 0
    return str(error.value)


# --------------------------------------------------------------------------- slugs


def test_titles_in_another_script_keep_their_letters_and_never_share_a_slug(tmp_path, client):
    soviet = write(tmp_path, SOVIET_CYRILLIC, "soviet.txt")
    famine = write(tmp_path, FAMINE_CYRILLIC, "famine.txt")

    output = run_import(soviet, famine)

    assert "soviet.txt: imported as 'советские-военные-преступления'" in output
    assert "famine.txt: imported as 'голод-в-казахстане'" in output
    assert sorted(Document.objects.values_list("slug", "title")) == [
        ("голод-в-казахстане", "Голод в Казахстане"),
        ("советские-военные-преступления", "Советские военные преступления"),
    ]
    # The slug is the document's public address.
    page = client.get("/documents/советские-военные-преступления/")
    assert page.status_code == 200
    assert "Армия сожгла деревни." in page.content.decode()


def test_a_title_without_letters_or_digits_falls_back_to_the_file_name_then_the_hash(tmp_path):
    named = write(tmp_path, "* * *\n\nA poem without a title.\n", "untitled-poem.txt")
    nameless = write(tmp_path, "— —\n\nAnother poem without a title.\n", "— —.txt")

    run_import(named, nameless)

    slugs = set(Document.objects.values_list("slug", flat=True))
    digest = hashlib.sha256(nameless.read_bytes()).hexdigest()
    assert slugs == {"untitled-poem", f"document-{digest[:12]}"}


# --------------------------------------------------------------------------- identity


def test_a_renamed_file_with_the_same_title_is_the_same_document(tmp_path):
    run_import(write(tmp_path, HARBOUR, "harbour.txt"))
    before = all_rows()

    # Another file name, the title with other spacing: still the same article.
    renamed = write(tmp_path, HARBOUR.replace("Harbour strikes", "Harbour  strikes "), "h2.txt")
    output = run_import(renamed)

    assert "h2.txt: a new version of 'harbour-strikes'" in output
    assert "nothing to propose, nothing written" in output
    assert all_rows() == before


def test_a_changed_version_in_a_renamed_file_becomes_a_proposal_for_that_document(tmp_path, editor):
    run_import(SEED)
    renamed = write(tmp_path, changed_seed(*THREE_CHANGES), "soviet_war_crimes_2024.txt")

    output = run_import(renamed, "--user", editor.username)

    proposal = ChangeProposal.objects.get()
    assert proposal.document == Document.objects.get()
    assert f"proposal #{proposal.pk} created for review: 1 claim changed, 1 added" in output
    assert Document.objects.count() == 1


@pytest.mark.parametrize(
    "other_title", ["Harbour Strikes", "Harbour strikes!", "Harbour-strikes", "HARBOUR STRIKES?"]
)
def test_a_title_differing_only_in_case_or_punctuation_is_another_document(tmp_path, other_title):
    run_import(write(tmp_path, HARBOUR, "harbour.txt"))
    before = all_rows()
    other = write(tmp_path, HARBOUR.replace("Harbour strikes", other_title), "strikes.txt")

    message = refusal(other)

    # Same slug, another title: not a version of the archived article, and no guess.
    assert message.startswith(
        f"nothing imported: strikes.txt: which document is this? Its title {other_title!r} "
        "(slug 'harbour-strikes') could be the archived document 'harbour-strikes' "
        "('Harbour strikes', from harbour.txt: the same slug, another title)."
    )
    assert "so nothing was imported" in message
    assert "--document harbour-strikes to make this file a new version of it" in message
    assert "a slug no document has (such as --document harbour-strikes-2)" in message
    assert all_rows() == before


def test_a_file_of_the_same_name_with_another_title_is_not_a_version_of_its_document(
    tmp_path,
):
    run_import(SEED)
    before = all_rows()
    retitled = write(
        tmp_path,
        SEED.read_text(encoding="utf-8").replace(
            "Soviet war crimes\n", "Soviet war crimes (1939–1945)\n", 1
        ),
    )

    message = refusal(retitled)

    assert (
        "could be the archived document 'soviet-war-crimes' ('Soviet war crimes', from "
        "soviet_war_crimes.txt: another title, imported from a file of this name)" in message
    )
    assert "--document soviet-war-crimes to make this file a new version of it" in message
    # Its own slug is free, so that is the one to suggest for a new document.
    assert "(such as --document soviet-war-crimes-19391945)" in message
    assert all_rows() == before


def test_two_different_articles_in_files_of_one_name_never_become_versions_of_each_other(
    tmp_path,
):
    # An archive made before slugs kept Cyrillic letters: the slug came from the file name.
    first = tmp_path / "first"
    first.mkdir()
    legacy = write(first, SOVIET_CYRILLIC, "article.txt")
    run_import(legacy, "--document", "article")
    before = all_rows()

    # Another article copied into a file of the same name, elsewhere.
    second = tmp_path / "second"
    second.mkdir()
    famine = write(second, FAMINE_CYRILLIC, "article.txt")
    message = refusal(famine)

    assert (
        "Its title 'Голод в Казахстане' (slug 'голод-в-казахстане') could be the archived "
        "document 'article' ('Советские военные преступления', from article.txt: another "
        "title, imported from a file of this name)" in message
    )
    assert "(such as --document голод-в-казахстане)" in message
    assert all_rows() == before

    # Named by the operator, it is a document of its own.
    run_import(famine, "--document", "голод-в-казахстане")
    assert sorted(Document.objects.values_list("slug", "title")) == [
        ("article", "Советские военные преступления"),
        ("голод-в-казахстане", "Голод в Казахстане"),
    ]


def test_a_document_archived_under_its_file_name_is_still_found_by_its_title(tmp_path, editor):
    # The same legacy archive: the article itself, changed, comes back in article.txt.
    legacy = write(tmp_path, SOVIET_CYRILLIC, "article.txt")
    run_import(legacy, "--document", "article")
    changed = write(tmp_path, SOVIET_CYRILLIC + "\nПогибли тысячи людей.\n", "article.txt")

    output = run_import(changed, "--user", editor.username)

    proposal = ChangeProposal.objects.get()
    assert proposal.document.slug == "article"
    assert "0 claims changed, 1 added, 0 removed" in output
    assert Document.objects.count() == 1


def test_an_ambiguous_file_names_every_candidate_and_a_free_slug(tmp_path):
    run_import(
        write(tmp_path, HARBOUR, "harbour.txt"),
        write(tmp_path, DOCKS, "strikes.txt"),
    )
    run_import(
        write(tmp_path, HARBOUR.replace("strikes", "lockouts"), "x.txt"),
        "--document",
        "harbour-strikes-2",
    )
    before = all_rows()
    # Its slug is harbour-strikes's; its file name was dock-strikes's.
    other = write(tmp_path, HARBOUR.replace("Harbour strikes", "Harbour Strikes"), "strikes.txt")

    message = refusal(other)

    assert (
        "could be the archived documents 'harbour-strikes' ('Harbour strikes', from "
        "harbour.txt: the same slug, another title); 'dock-strikes' ('Dock strikes', from "
        "strikes.txt: another title, imported from a file of this name)." in message
    )
    assert "--document harbour-strikes or --document dock-strikes to make" in message
    assert "(such as --document harbour-strikes-3)" in message
    assert all_rows() == before


# --------------------------------------------------------------------------- --document


def test_document_option_with_an_archived_slug_makes_the_file_its_new_version(tmp_path, editor):
    run_import(write(tmp_path, HARBOUR, "harbour.txt"))
    harbour = Document.objects.get()
    other = write(
        tmp_path,
        HARBOUR.replace("Harbour strikes", "Harbour Strikes") + "\nThe owners gave in.\n",
        "strikes.txt",
    )

    output = run_import(other, "--document", "harbour-strikes", "--user", editor.username)

    proposal = ChangeProposal.objects.get()
    assert proposal.document == harbour
    assert "0 claims changed, 1 added, 0 removed" in output
    # The title is not a change kind: the archived one stays, and the operator is told.
    assert (
        "the file's title is 'Harbour Strikes' and the archived one 'Harbour strikes', "
        "which is kept" in output
    )
    assert Document.objects.get().title == "Harbour strikes"


def test_document_option_with_a_new_slug_imports_a_new_document_under_it(tmp_path):
    run_import(write(tmp_path, HARBOUR, "harbour.txt"))
    other = write(tmp_path, HARBOUR.replace("Harbour strikes", "Harbour Strikes"), "strikes.txt")

    output = run_import(other, "--document", "harbour-strikes-2")

    assert "strikes.txt: imported as 'harbour-strikes-2'" in output
    new = Document.objects.get(slug="harbour-strikes-2")
    assert (new.title, new.file_name) == ("Harbour Strikes", "strikes.txt")
    assert Claim.objects.filter(section__document=new).count() == 1
    # Imported again, it is that document's file: unchanged.
    assert "unchanged, already archived as 'harbour-strikes-2'" in run_import(
        other, "--document", "harbour-strikes-2"
    )


@pytest.mark.parametrize(
    ("slug", "problem"),
    [
        ("harbour strikes", "a slug is letters, marks and digits of any script, hyphens"),
        ("harbour/strikes", "a slug is letters, marks and digits of any script, hyphens"),
        ("x" * 201, "it is 201 characters; a slug has at most 200"),
    ],
)
def test_document_option_that_is_no_slug_is_refused(tmp_path, slug, problem):
    path = write(tmp_path, HARBOUR, "harbour.txt")
    message = refusal(path, "--document", slug)
    assert f"nothing imported: harbour.txt: --document {slug!r} is not a document slug" in message
    assert problem in message and message.endswith("nothing was imported")
    assert set(all_rows().values()) == {0}


@pytest.mark.parametrize(
    ("text", "archived", "typed"),
    [
        (HARBOUR, "harbour-strikes", "Harbour-Strikes"),
        (SOVIET_CYRILLIC, "советские-военные-преступления", "Советские-Военные-Преступления"),
    ],
    ids=["latin", "cyrillic"],
)
def test_document_option_with_an_archived_slug_in_another_case_is_refused(
    tmp_path, text, archived, typed
):
    # Taken as a new slug, it would make a second document of the same article.
    path = write(tmp_path, text, "article.txt")
    run_import(path)
    before = all_rows()

    message = refusal(
        write(tmp_path, text + "\nOne more sentence.\n", "article.txt"), "--document", typed
    )

    assert message == (
        f"nothing imported: article.txt: --document {typed!r} differs only in case from the "
        f"archived document {archived!r}; name it exactly (--document {archived}) to make this "
        "file its new version, or a slug no document has for a new document; nothing was "
        "imported"
    )
    assert all_rows() == before


def test_document_option_takes_exactly_one_file(tmp_path):
    harbour = write(tmp_path, HARBOUR, "harbour.txt")
    docks = write(tmp_path, DOCKS, "docks.txt")
    message = refusal(harbour, docks, "--document", "harbour-strikes")
    assert message == (
        "nothing imported: harbour.txt, docks.txt: --document names one document, so it takes "
        "exactly one file, not 2; nothing was imported"
    )
    assert set(all_rows().values()) == {0}


# --------------------------------------------------------------------------- --new-only


def seeds_dir(tmp_path, *texts):
    """A seeds/ folder holding the seed as ``texts[0]`` and other files after it."""
    folder = tmp_path / "seeds"
    folder.mkdir(exist_ok=True)
    for number, text in enumerate(texts):
        name = SEED.name if number == 0 else f"extra_{number}.txt"
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def new_only(folder) -> str:
    """``import_document --new-only <folder>/*.txt``: it must succeed (exit status 0)."""
    return run_import("--new-only", *sorted(glob.glob(str(folder / "*.txt"))))


def reimport_proposal(tmp_path, state, editor, reviewer) -> ChangeProposal:
    """The seed archived, then a changed version of it proposed and taken to ``state``."""
    run_import(SEED)
    changed = tmp_path / "changed" / SEED.name
    changed.parent.mkdir()
    changed.write_text(changed_seed(*THREE_CHANGES), encoding="utf-8")
    if state == ProposalState.CONFLICT:
        # An editor's edit of the same claim is approved first.
        executed = Claim.objects.get(text=EDITED[0].split("[")[0])
        run_import(changed, "--user", editor.username)
        other = draft_edit(editor, executed, "Those found guilty were hanged.")
        workflow.submit_proposal(proposal=other, user=editor)
        workflow.approve_proposal(proposal=other, user=reviewer)
    else:
        run_import(changed, "--user", editor.username)
    proposal = ChangeProposal.objects.get(import_run__isnull=False)
    if state == ProposalState.CHANGES_REQUESTED:
        workflow.request_changes(proposal=proposal, user=reviewer, comment="Cite it.")
    elif state == ProposalState.DRAFT:
        workflow.request_changes(proposal=proposal, user=reviewer, comment="Cite it.")
        workflow.revise_proposal(proposal=proposal, user=editor)
    elif state in (ProposalState.APPROVED, ProposalState.CONFLICT):
        workflow.approve_proposal(proposal=proposal, user=reviewer)
    elif state == ProposalState.REJECTED:
        workflow.reject_proposal(proposal=proposal, user=reviewer, comment="Not this one.")
    elif state == ProposalState.WITHDRAWN:
        workflow.withdraw_proposal(proposal=proposal, user=editor)
    proposal.refresh_from_db()
    assert proposal.state == state
    return proposal


PENDING = [
    ProposalState.SUBMITTED,
    ProposalState.CHANGES_REQUESTED,
    ProposalState.DRAFT,
    ProposalState.CONFLICT,
]
DECIDED = [ProposalState.APPROVED, ProposalState.REJECTED, ProposalState.WITHDRAWN]


@pytest.mark.parametrize("state", PENDING + DECIDED)
def test_new_only_skips_the_seed_as_proposed_whatever_its_proposal_became(
    tmp_path, state, editor, reviewer
):
    # seeds/ now holds the changed version (a pull brought it) that made the proposal.
    proposal = reimport_proposal(tmp_path, state, editor, reviewer)
    folder = seeds_dir(tmp_path, changed_seed(*THREE_CHANGES))
    before = all_rows()

    output = new_only(folder)

    assert output == (
        f"{SEED.name}: unchanged since import run #{proposal.import_run_id}, which made "
        f"proposal #{proposal.pk} for 'soviet-war-crimes' ({proposal.get_state_display()}); "
        "nothing written\n"
    )
    assert all_rows() == before


@pytest.mark.parametrize("state", PENDING)
def test_new_only_skips_the_original_seed_while_a_reimport_proposal_is_pending(
    tmp_path, state, editor, reviewer
):
    # seeds/ holds the seed as first imported; a changed version's proposal is undecided.
    proposal = reimport_proposal(tmp_path, state, editor, reviewer)
    folder = seeds_dir(tmp_path, SEED.read_text(encoding="utf-8"))
    before = all_rows()

    output = new_only(folder)

    path = folder / SEED.name
    assert output == (
        f"{SEED.name}: differs from the last import of 'soviet-war-crimes' (import run "
        f"#{proposal.import_run_id}), and its re-import proposal #{proposal.pk} is pending "
        f"({proposal.get_state_display()}); once that is decided, run import_document --user "
        f"NAME {path} to propose this version; nothing written\n"
    )
    assert all_rows() == before
    # Without --new-only the same file is refused, so seeding depends on the option.
    assert f"proposal #{proposal.pk} from the re-import" in refusal(path, "--user", editor.username)


def test_new_only_skips_the_original_seed_after_its_reimport_was_approved(
    tmp_path, editor, reviewer
):
    proposal = reimport_proposal(tmp_path, ProposalState.APPROVED, editor, reviewer)
    folder = seeds_dir(tmp_path, SEED.read_text(encoding="utf-8"))
    before = all_rows()

    output = new_only(folder)

    # The live text is now the approved version; the seed would undo all three changes.
    path = folder / SEED.name
    assert output == (
        f"{SEED.name}: a changed version of 'soviet-war-crimes' (1 claim changed, 1 added, "
        f"1 removed, against the live text; the file differs from import run "
        f"#{proposal.import_run_id}; the last re-import proposal, #{proposal.pk}, was "
        f"approved); run import_document --user NAME {path} to propose it; nothing written\n"
    )
    assert all_rows() == before


@pytest.mark.parametrize("state", [ProposalState.REJECTED, ProposalState.WITHDRAWN])
def test_new_only_skips_the_original_seed_after_its_reimport_was_turned_down(
    tmp_path, state, editor, reviewer
):
    proposal = reimport_proposal(tmp_path, state, editor, reviewer)
    folder = seeds_dir(tmp_path, SEED.read_text(encoding="utf-8"))
    before = all_rows()

    output = new_only(folder)

    # The live text is still the seed's.
    assert output == (
        f"{SEED.name}: a new version of 'soviet-war-crimes' whose claims, citations and flags "
        "match the live text: nothing to propose, nothing written; the last re-import "
        f"proposal, #{proposal.pk}, was {proposal.get_state_display()}\n"
    )
    assert all_rows() == before


def test_new_only_imports_the_new_seeds_and_reports_the_others(tmp_path, editor, reviewer):
    proposal = reimport_proposal(tmp_path, ProposalState.SUBMITTED, editor, reviewer)
    run_import(write(tmp_path, HARBOUR, "harbour.txt"))
    folder = seeds_dir(
        tmp_path,
        SEED.read_text(encoding="utf-8"),
        DOCKS,
        HARBOUR.replace("Harbour strikes", "Harbour Strikes"),  # ambiguous
    )
    before = all_rows()

    output = new_only(folder)

    lines = output.splitlines()
    assert lines[0].startswith("extra_1.txt: imported as 'dock-strikes' (import run #")
    assert lines[1].startswith(
        "extra_2.txt: which document is this? Its title 'Harbour Strikes' (slug "
        "'harbour-strikes') could be the archived document 'harbour-strikes'"
    )
    assert "so skipped (--new-only imports only new documents)" in lines[1]
    assert lines[2].startswith(f"{SEED.name}: differs from the last import")
    assert f"re-import proposal #{proposal.pk} is pending (submitted)" in lines[2]
    # Only the new document was written.
    docks = Document.objects.get(slug="dock-strikes")
    assert docks.file_name == "extra_1.txt"
    grown = {label: count for label, count in all_rows().items() if count != before[label]}
    assert set(grown) == {
        "archive.Document",
        "archive.HistoricalDocument",
        "archive.ImportRun",
        "archive.Section",
        "archive.HistoricalSection",
        "archive.Claim",
        "archive.HistoricalClaim",
        "archive.Source",
        "archive.HistoricalSource",
        "archive.Citation",
        "archive.HistoricalCitation",
    }
    assert ChangeProposal.objects.get() == proposal


def test_make_seed_runs_new_only_so_seeding_survives_a_pending_reimport(tmp_path, editor, reviewer):
    proposal = reimport_proposal(tmp_path, ProposalState.SUBMITTED, editor, reviewer)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nseed:", 1)[1].split("\n")[1]
    words = shlex.split(recipe.strip())
    command = words[words.index("manage.py") + 1 :]
    assert command[0] == "import_document"
    args = []
    for word in command[1:]:
        args += sorted(glob.glob(str(ROOT / word))) if "*" in word else [word]
    assert str(SEED) in args
    before = all_rows()

    output = run_import(*args)

    assert f"re-import proposal #{proposal.pk} is pending (submitted)" in output
    assert all_rows() == before


def test_new_only_on_an_empty_archive_imports_every_seed(tmp_path):
    folder = seeds_dir(tmp_path, SEED.read_text(encoding="utf-8"), DOCKS)

    output = new_only(folder)

    assert "extra_1.txt: imported as 'dock-strikes'" in output
    assert f"{SEED.name}: imported as 'soviet-war-crimes'" in output
    # And once more: both unchanged, nothing written.
    before = all_rows()
    output = new_only(folder)
    assert "extra_1.txt: unchanged, already archived as 'dock-strikes'" in output
    assert f"{SEED.name}: unchanged, already archived as 'soviet-war-crimes'" in output
    assert all_rows() == before


def test_titles_that_differ_only_in_their_vowel_signs_get_slugs_of_their_own(db):
    # Devanagari and Thai vowel signs are combining marks: a slug without them would make
    # "किला" (fort) and "कला" (art) one document.
    fort = import_text("किला\n\nयह एक पुराना किला है।\n", "fort.txt").document
    art = import_text("कला\n\nयह कला के बारे में है।\n", "art.txt").document
    thai = import_text("ภาษาไทย\n\nภาษาไทยเป็นภาษาราชการของประเทศไทย\n", "thai.txt").document
    assert (fort.slug, art.slug, thai.slug) == ("किला", "कला", "ภาษาไทย")
    assert Client().get(reverse("public:document", args=[art.slug])).status_code == 200


def test_a_path_that_is_no_slug_finds_no_document(db):
    import_text("Harbour strikes\n\nThe dockers struck in May.\n", "harbour.txt")
    assert Client().get("/documents/harbour%20strikes/").status_code == 404
    assert Client().get("/documents/harbour.strikes/").status_code == 404
