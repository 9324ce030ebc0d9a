"""Re-importing a changed version of a document: one proposal, decided by a reviewer.

The first half tests the pure alignment (archive/alignment.py) on small hand-made
sequences; the second walks the import command through the scenarios an archivist meets.
"""

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from archive import alignment, importer, workflow
from archive.alignment import ADD, EDIT, KEEP, REMOVE, SectionText, align_claims, align_document
from archive.models import (
    ChangeKind,
    ChangeProposal,
    Citation,
    Claim,
    Document,
    Flag,
    ImportRun,
    ProposalState,
    ProposedChange,
    ReviewComment,
    Section,
    Source,
)

from .conftest import SEED

SEED_TEXT = SEED.read_text(encoding="utf-8")

EDITED = ("Those found guilty were executed.[8][9]", "Those found guilty were shot.[8][9]")
REMOVED = (
    "However, only small number of pogroms are attributed to the Red Army, with the vast "
    "majority of pogroms in the period having been committed by anti-Communist and "
    "nationalist forces.[7] "
)
ADDED_AFTER = "The overall death toll is estimated at around 100,000."
ADDED = "Most of the victims were never identified."


def actions(steps):
    return [(step.action, step.old, step.new) for step in steps]


# =========================================================================== pure alignment


def test_an_unchanged_sequence_keeps_every_claim():
    texts = ["One sentence.", "Another sentence.", "A third."]
    assert actions(align_claims(texts, texts)) == [(KEEP, 0, 0), (KEEP, 1, 1), (KEEP, 2, 2)]


def test_an_edited_sentence_is_matched_by_content_although_its_position_shifted():
    old = [
        "The army crossed the river in May.",
        "Most villages were burned.",
        "Those found guilty were executed.",
        "The war ended in 1945.",
    ]
    new = [
        "The army crossed the river in May.",
        "Those found guilty were shot.",
        "The war ended in 1945.",
        "Peace talks began at once.",
    ]
    assert actions(align_claims(old, new)) == [
        (KEEP, 0, 0),
        (REMOVE, 1, None),
        (EDIT, 2, 1),
        (KEEP, 3, 2),
        (ADD, None, 3),
    ]


def test_reordered_sentences_become_a_removal_and_an_addition():
    # No change kind moves a claim, so a move is proposed as remove + add, keeping order.
    old = ["Alpha came first here.", "Beta came second here.", "Gamma came third here."]
    new = ["Gamma came third here.", "Alpha came first here.", "Beta came second here."]
    assert actions(align_claims(old, new)) == [
        (ADD, None, 0),
        (KEEP, 0, 1),
        (KEEP, 1, 2),
        (REMOVE, 2, None),
    ]


def test_reordered_and_edited_sentences_keep_the_best_order_preserving_pair():
    old = ["Alpha went north with the first army.", "Beta went south with the second army."]
    new = ["Beta went south with the whole second army.", "Alpha went north with the army."]
    steps = align_claims(old, new)
    assert actions(steps) == [(REMOVE, 0, None), (EDIT, 1, 0), (ADD, None, 1)]


def test_a_split_sentence_is_an_edit_of_its_most_similar_part_and_an_addition():
    old = ["The town fell on Monday and the garrison surrendered to the enemy on Tuesday."]
    new = ["The town fell on Monday.", "The garrison surrendered to the enemy on Tuesday."]
    steps = align_claims(old, new)
    assert actions(steps) == [(ADD, None, 0), (EDIT, 0, 1)]
    assert 0.5 <= steps[1].similarity < 1


def test_merged_sentences_are_an_edit_and_a_removal():
    old = ["The town fell on Monday.", "The garrison surrendered to the enemy on Tuesday."]
    new = ["The town fell on Monday and the garrison surrendered to the enemy on Tuesday."]
    assert actions(align_claims(old, new)) == [(REMOVE, 0, None), (EDIT, 1, 0)]


def test_an_unrelated_replacement_is_a_removal_and_an_addition():
    old = ["Before.", "The harvest failed in the north that year.", "After."]
    new = ["Before.", "Three ministers resigned over the treaty.", "After."]
    assert actions(align_claims(old, new)) == [
        (KEEP, 0, 0),
        (REMOVE, 1, None),
        (ADD, None, 1),
        (KEEP, 2, 2),
    ]


def test_a_change_of_case_or_spacing_is_still_an_edit():
    steps = align_claims(["The Red  Army marched."], ["The red Army marched."])
    assert actions(steps) == [(EDIT, 0, 0)]


def test_similarity_counts_words_in_order():
    assert alignment.similarity("Those were executed.", "Those were executed!") == 1.0
    assert alignment.similarity("a b c d", "a b x y") == 0.5
    assert alignment.similarity("a b", "c d") == 0.0


def test_a_large_rewritten_block_still_pairs_each_edit():
    # 300 x 300 claims exceed the exhaustive search: the banded, greedy path runs.
    old = [f"Claim number {i} tells of village {i} and its {i % 7} mills." for i in range(300)]
    new = [f"Claim number {i} tells of hamlet {i} and its {i % 7} mills." for i in range(300)]
    steps = align_claims(old, new)
    assert actions(steps) == [(EDIT, i, i) for i in range(300)]


def test_the_heaviest_chain_keeps_order_and_prefers_earlier_pairs_on_ties():
    weight = {(0, 1): 1.0, (1, 0): 1.0, (1, 1): 0.5, (2, 2): 1.0, (2, 3): 1.0, (3, 2): 3.0}
    assert alignment.heaviest_chain(weight) == [(0, 1), (3, 2)]
    assert alignment.heaviest_chain({(0, 0): 1.0, (0, 1): 1.0, (1, 1): 1.0}) == [(0, 0), (1, 1)]
    assert alignment.heaviest_chain({(0, 1): 1.0, (1, 0): 1.0}) == [(0, 1)]
    assert alignment.heaviest_chain({}) == []


def test_pair_in_order_pairs_equal_keys_first_with_first():
    pairs, old_left, new_left = alignment.pair_in_order(["8", "9", "8"], ["8", "10", "8", "8"])
    assert pairs == [(0, 0), (2, 2)]
    assert (old_left, new_left) == ([1], [1, 3])


def section(heading, *claims):
    return SectionText(heading, list(claims))


def test_sections_pair_by_heading_although_one_was_inserted_before_them():
    old = [section("", "Lead one."), section("War", "A war claim."), section("Peace", "Calm.")]
    new = [
        section("", "Lead one."),
        section("Prelude", "A new section's claim."),
        section("War", "A war claim."),
        section("Peace", "Calm."),
    ]
    result = align_document(old, new)
    assert result.sections == [(0, 0), (1, 2), (2, 3)]
    # The new section's claim goes to the end of the nearest matched section before it.
    assert result.hosted_sections == {1: 0}
    [added] = [step for step in result.steps if step.action == ADD]
    assert (added.new, added.into, added.after) == ((1, 0), 0, 0)


def test_sections_without_headings_pair_by_their_shared_claims_then_by_order():
    old = [
        section("", "First lost section, first claim.", "First lost section, second claim."),
        section("", "Second lost section, only claim."),
        section("", "Third lost section claim."),
    ]
    # The first lost section is gone; the third has every claim rewritten.
    new = [section("", "Second lost section, only claim."), section("", "Totally new words.")]
    result = align_document(old, new)
    assert result.sections == [(1, 0), (2, 1)]
    assert result.removed_sections == [0]
    assert sorted(actions(result.steps)) == sorted(
        [
            (KEEP, (1, 0), (0, 0)),
            (REMOVE, (2, 0), None),
            (ADD, None, (1, 0)),
            (REMOVE, (0, 0), None),
            (REMOVE, (0, 1), None),
        ]
    )


def test_a_renamed_section_in_place_pairs_by_order():
    old = [section("Lead", "One."), section("Old name", "Two."), section("End", "Three.")]
    new = [section("Lead", "One."), section("New name", "Two."), section("End", "Three.")]
    result = align_document(old, new)
    assert result.sections == [(0, 0), (1, 1), (2, 2)]
    assert not result.changed


def test_a_sentence_moved_to_another_section_is_removed_there_and_added_here():
    old = [section("A", "Stays in A.", "Moves to B."), section("B", "Stays in B.")]
    new = [section("A", "Stays in A."), section("B", "Stays in B.", "Moves to B.")]
    result = align_document(old, new)
    assert sorted(actions(result.steps)) == sorted(
        [
            (KEEP, (0, 0), (0, 0)),
            (REMOVE, (0, 1), None),
            (KEEP, (1, 0), (1, 0)),
            (ADD, None, (1, 1)),
        ]
    )


def test_a_new_first_section_goes_to_the_start_of_the_first_matched_one():
    old = [section("Body", "Body claim.")]
    new = [section("Intro", "Intro claim."), section("Body", "Body claim.")]
    result = align_document(old, new)
    [added] = [step for step in result.steps if step.action == ADD]
    assert (added.into, added.after) == (0, None)


# =========================================================================== the command


def run_import(*args):
    out = StringIO()
    call_command("import_document", *map(str, args), stdout=out)
    return out.getvalue()


def write(tmp_path, text, name="soviet_war_crimes.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def changed_seed(*replacements):
    text = SEED_TEXT
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


THREE_CHANGES = [EDITED, (REMOVED, ""), (ADDED_AFTER, f"{ADDED_AFTER} {ADDED}")]


def live_claims(document):
    return list(
        Claim.objects.filter(section__document=document)
        .order_by("section__position", "position")
        .values_list("section__position", "text")
    )


def file_claims(text):
    parsed = importer.parse(text)
    return [(n, claim.text) for n, s in enumerate(parsed.sections, 1) for claim in s.claims]


def live_state():
    """Everything a reader could see, and every history row: to prove nothing changed."""
    return {
        "claims": list(
            Claim.objects.order_by("pk").values_list("pk", "section", "position", "text")
        ),
        "citations": list(Citation.objects.order_by("pk").values_list("pk", "claim", "locator")),
        "flags": list(Flag.objects.order_by("pk").values_list("pk", "status")),
        "sections": list(Section.objects.order_by("pk").values_list("pk", "heading")),
        "history": [m.history.count() for m in (Claim, Citation, Flag, Section, Source)],
    }


@pytest.fixture
def seeded(db):
    run_import(SEED)
    return Document.objects.get()


@pytest.mark.django_db
def test_a_changed_seed_becomes_one_proposal_of_exactly_its_three_changes(
    tmp_path, seeded, editor, reviewer
):
    text = changed_seed(*THREE_CHANGES)
    before = live_state()

    output = run_import(write(tmp_path, text), "--user", editor.username)

    proposal = ChangeProposal.objects.get()
    assert (
        f"soviet_war_crimes.txt: proposal #{proposal.pk} created for review: "
        "1 claim changed, 1 added, 1 removed" in output
    )
    assert proposal.state == ProposalState.SUBMITTED
    assert proposal.proposer == editor
    run = proposal.import_run
    assert run == ImportRun.objects.latest("pk") != seeded.import_runs.earliest("pk")
    assert (run.document, run.user, run.text, run.file_name) == (
        seeded,
        editor,
        text,
        "soviet_war_crimes.txt",
    )
    assert run.counts["claims"] == 185 and run.counts["changes_proposed"] == 3
    assert run.sha256 in proposal.rationale and "soviet_war_crimes.txt" in proposal.rationale
    assert "1 claim changed, 1 added, 1 removed" in proposal.rationale

    executed = Claim.objects.get(text="Those found guilty were executed.")
    pogroms = Claim.objects.get(text__startswith="However, only small number of pogroms")
    toll = Claim.objects.get(text=ADDED_AFTER)
    changes = list(proposal.changes.order_by("position"))
    assert [(c.kind, c.claim_id, c.section_id) for c in changes] == [
        (ChangeKind.EDIT_CLAIM, executed.pk, None),
        (ChangeKind.ADD_CLAIM, None, toll.section_id),
        (ChangeKind.REMOVE_CLAIM, pogroms.pk, None),
    ]
    # The edit found the right claim: position 4 in the archive, 3 in the file.
    assert executed.position == 4 and changes[0].payload["text"] == "Those found guilty were shot."
    assert changes[0].before["text"] == "Those found guilty were executed."
    assert changes[1].payload == {
        "text": ADDED,
        "position": toll.position + 1,
        "kind": "statement",
        "new_paragraph": False,
    }

    # Nothing live changes, and no content row names the new run, until a review.
    assert live_state() == before
    assert not Claim.objects.filter(import_run=run).exists()
    with pytest.raises(PermissionDenied, match="four-eyes"):
        workflow.approve_proposal(proposal=proposal, user=editor)
    assert live_state() == before

    approved = workflow.approve_proposal(proposal=proposal, user=reviewer, comment="Checked.")

    assert approved.state == ProposalState.APPROVED
    assert live_claims(seeded) == file_claims(text)
    shot = Claim.objects.get(pk=executed.pk)
    assert shot.text == "Those found guilty were shot."
    assert [c.source.label for c in shot.citations.order_by("position")] == ["8", "9"]
    assert not Claim.objects.filter(pk=pogroms.pk).exists()
    # Every new version leads to the proposal, its reviewer and the file it came from.
    latest = shot.history.first()
    assert (latest.history_proposal, latest.history_user) == (approved, reviewer)
    assert latest.history_proposal.import_run.text == text


@pytest.mark.django_db
def test_the_same_changed_file_again_is_unchanged_while_its_proposal_waits(
    tmp_path, seeded, editor
):
    path = write(tmp_path, changed_seed(*THREE_CHANGES))
    run_import(path, "--user", editor.username)
    proposal = ChangeProposal.objects.get()
    counts = (ImportRun.objects.count(), ProposedChange.objects.count())

    output = run_import(path, "--user", editor.username)

    assert (
        f"unchanged since import run #{proposal.import_run_id}, which made proposal "
        f"#{proposal.pk} for 'soviet-war-crimes' (submitted); nothing written" in output
    )
    assert (ImportRun.objects.count(), ProposedChange.objects.count()) == counts
    assert ChangeProposal.objects.count() == 1


@pytest.mark.django_db
def test_the_identical_seed_is_still_unchanged(seeded, editor):
    before = live_state()
    output = run_import(SEED, "--user", editor.username)
    assert "unchanged, already archived as 'soviet-war-crimes'" in output
    assert live_state() == before
    assert not ChangeProposal.objects.exists() and ImportRun.objects.count() == 1


@pytest.mark.django_db
def test_a_new_version_equal_to_the_live_text_proposes_nothing_and_writes_nothing(tmp_path, seeded):
    # Spaces after the title: another file, the same claims. No --user needed.
    path = write(tmp_path, SEED_TEXT.replace("Soviet war crimes\n", "Soviet war crimes   \n", 1))
    output = run_import(path)
    assert "whose claims, citations and flags match the live text" in output
    assert "nothing to propose, nothing written" in output
    assert ImportRun.objects.count() == 1 and not ChangeProposal.objects.exists()


@pytest.mark.django_db
def test_a_file_of_another_document_is_imported_beside_a_reimport(tmp_path, seeded, editor):
    harbour = write(tmp_path, "Harbour strikes\n\nThe strikes closed every harbour.[1]\n", "h.txt")
    changed = write(tmp_path, changed_seed(*THREE_CHANGES))

    output = run_import(harbour, changed, "--user", editor.username)

    assert "h.txt: imported as 'harbour-strikes'" in output
    assert "proposal #" in output
    other = Document.objects.get(slug="harbour-strikes")
    assert [c.text for c in Claim.objects.filter(section__document=other)] == [
        "The strikes closed every harbour."
    ]
    assert ChangeProposal.objects.get().document == seeded


@pytest.mark.django_db
def test_bad_input_beside_a_changed_version_writes_nothing(tmp_path, seeded, editor):
    before = live_state()
    changed = write(tmp_path, changed_seed(*THREE_CHANGES))
    empty = write(tmp_path, "", "empty.txt")
    with pytest.raises(CommandError, match=r"empty\.txt: file is empty"):
        run_import(changed, empty, "--user", editor.username)
    assert live_state() == before
    assert ImportRun.objects.count() == 1 and not ChangeProposal.objects.exists()


# --------------------------------------------------------------------------- who proposes


@pytest.mark.django_db
def test_who_may_propose_a_changed_version_nobody_then_no_role_then_an_editor(
    tmp_path, seeded, editor, django_user_model
):
    path = write(tmp_path, changed_seed(*THREE_CHANGES))
    nobody = django_user_model.objects.create_user("nobody", password="a-long-test-password")

    with pytest.raises(CommandError) as error:
        run_import(path)
    message = str(error.value)
    assert "soviet_war_crimes.txt: is a changed version of the archived document" in message
    assert "1 claim changed, 1 added, 1 removed" in message
    assert "--user NAME" in message and "nothing was imported" in message

    with pytest.raises(CommandError, match="'nobody' may not propose changes"):
        run_import(path, "--user", nobody.username)
    with pytest.raises(CommandError, match="may not propose changes"):
        run_import(path, "--user", workflow.IMPORTER_USERNAME)
    assert ImportRun.objects.count() == 1 and not ChangeProposal.objects.exists()

    run_import(path, "--user", editor.username)
    assert ChangeProposal.objects.get().proposer == editor


@pytest.mark.django_db
def test_dry_run_of_a_changed_version_reports_the_proposal_and_writes_nothing(
    tmp_path, seeded, editor
):
    before = live_state()
    path = write(tmp_path, changed_seed(*THREE_CHANGES))
    output = run_import(path, "--dry-run", "--user", editor.username)
    assert (
        "would create a proposal for review of 'soviet-war-crimes': "
        "1 claim changed, 1 added, 1 removed" in output
    )
    assert live_state() == before
    assert ImportRun.objects.count() == 1
    assert not ChangeProposal.objects.exists() and not ProposedChange.objects.exists()
    assert not ReviewComment.objects.exists()


@pytest.mark.django_db
def test_dry_run_refuses_what_the_real_run_would(tmp_path, seeded, editor):
    path = write(tmp_path, changed_seed(*THREE_CHANGES))
    with pytest.raises(CommandError, match="--user NAME"):
        run_import(path, "--dry-run")
    long = "Those found guilty were " + "very " * 1100 + "shot.[8][9]"
    path = write(tmp_path, changed_seed((EDITED[0], long)))
    with pytest.raises(CommandError, match="at most 5,000 characters"):
        run_import(path, "--dry-run", "--user", editor.username)
    assert ImportRun.objects.count() == 1 and not ChangeProposal.objects.exists()


# --------------------------------------------------------------------------- decisions


@pytest.mark.django_db
def test_another_version_waits_until_the_open_reimport_proposal_is_decided(
    tmp_path, seeded, editor, reviewer
):
    run_import(write(tmp_path, changed_seed(*THREE_CHANGES)), "--user", editor.username)
    first = ChangeProposal.objects.get()
    other = write(tmp_path, changed_seed(EDITED), "other.txt")

    with pytest.raises(CommandError) as error:
        run_import(other, "--user", editor.username)
    assert f"proposal #{first.pk} from the re-import of soviet_war_crimes.txt" in str(error.value)
    assert "is still submitted" in str(error.value)
    assert ChangeProposal.objects.count() == 1 and ImportRun.objects.count() == 2

    before = live_state()
    workflow.reject_proposal(proposal=first, user=reviewer, comment="Not this version.")
    assert live_state() == before

    output = run_import(other, "--user", editor.username)
    assert "1 claim changed, 0 added, 0 removed" in output
    assert ChangeProposal.objects.filter(state=ProposalState.SUBMITTED).count() == 1


@pytest.mark.django_db
def test_a_rejected_version_imported_again_stays_decided(tmp_path, seeded, editor, reviewer):
    path = write(tmp_path, changed_seed(*THREE_CHANGES))
    run_import(path, "--user", editor.username)
    proposal = ChangeProposal.objects.get()
    workflow.reject_proposal(proposal=proposal, user=reviewer, comment="The old text is right.")
    output = run_import(path, "--user", editor.username)
    assert f"which made proposal #{proposal.pk} for 'soviet-war-crimes' (rejected)" in output
    assert ChangeProposal.objects.count() == 1


@pytest.mark.django_db
def test_an_approved_version_imported_again_is_unchanged(tmp_path, seeded, editor, reviewer):
    path = write(tmp_path, changed_seed(*THREE_CHANGES))
    run_import(path, "--user", editor.username)
    workflow.approve_proposal(proposal=ChangeProposal.objects.get(), user=reviewer)
    assert "unchanged since import run" in run_import(path, "--user", editor.username)
    assert ChangeProposal.objects.count() == 1


# --------------------------------------------------------------------------- beyond claims


@pytest.mark.django_db
def test_citation_and_tag_changes_of_kept_claims_use_the_existing_change_kinds(
    tmp_path, seeded, editor, reviewer
):
    hague = "as binding, and refused to recognize them until 1955.[citation needed]This"
    text = changed_seed(
        (EDITED[0], "Those found guilty were executed.[8]: 12[10][need quotation to verify]"),
        (hague, "as binding, and refused to recognize them until 1955.[3] This"),
    )
    executed = Claim.objects.get(text="Those found guilty were executed.")
    tagged = Claim.objects.get(text__endswith="refused to recognize them until 1955.")
    [tag] = tagged.flags.all()

    run_import(write(tmp_path, text), "--user", editor.username)

    proposal = ChangeProposal.objects.get()
    assert sorted(c.kind for c in proposal.changes.all()) == sorted(
        [
            ChangeKind.CHANGE_CITATION,  # [8] gains the locator 12
            ChangeKind.REMOVE_CITATION,  # [9]
            ChangeKind.ADD_CITATION,  # [10]
            ChangeKind.RAISE_FLAG,  # [need quotation to verify]
            ChangeKind.ADD_CITATION,  # [3] on the Hague claim
            ChangeKind.RESOLVE_FLAG,  # its [citation needed] left the file
        ]
    )
    assert "0 claims changed, 0 added, 0 removed" in proposal.rationale
    assert "2 citations added, 1 citation changed, 1 citation removed" in proposal.rationale
    assert "1 flag raised, 1 flag resolved" in proposal.rationale

    workflow.approve_proposal(proposal=proposal, user=reviewer)

    citations = executed.citations.order_by("position").values_list("source__label", "locator")
    assert sorted(citations) == [("10", ""), ("8", "12")]
    assert [(f.kind, f.status) for f in executed.flags.all()] == [("quotation_needed", "open")]
    assert [c.source.label for c in tagged.citations.all()] == ["3"]
    tag.refresh_from_db()
    assert tag.status == "resolved"
    assert "no longer in soviet_war_crimes.txt" in tag.resolution


@pytest.mark.django_db
def test_what_no_change_kind_can_express_is_named_in_the_rationale(tmp_path, seeded, editor):
    text = changed_seed(
        (EDITED[0], "Those found guilty were shot.[8][999]"),
        (ADDED_AFTER, f"{ADDED_AFTER} {ADDED}[10][citation needed]"),
        (
            'A movie "Anonymous.',
            "Aftermath\n\nThe archives opened in 1991.\n\n\n" + 'A movie "Anonymous.',
        ),
    )
    output = run_import(write(tmp_path, text), "--user", editor.username)
    proposal = ChangeProposal.objects.get()
    rationale = proposal.rationale
    assert "[999] is cited in the file (1 citation on kept or edited claims)" in rationale
    assert "the archive has no source '999'" in rationale
    assert f"the new claim {ADDED!r} carries [10] [citation needed]" in rationale
    assert "the section 'Aftermath' is new in the file: its claims (1) are proposed" in rationale
    assert "source [999] is new" not in rationale  # said once, with its citation
    assert "differences not proposed or approximated" in output
    kinds = sorted(proposal.changes.values_list("kind", flat=True))
    # The new section's sentence is added (to the section before it); [9] left the file and
    # is removed, [999] is not cited.
    assert kinds == sorted(
        [
            ChangeKind.EDIT_CLAIM,
            ChangeKind.REMOVE_CITATION,
            ChangeKind.ADD_CLAIM,
            ChangeKind.ADD_CLAIM,
        ]
    )


@pytest.mark.django_db
def test_a_new_section_lands_in_the_nearest_matched_one_and_the_order_holds(
    tmp_path, seeded, editor, reviewer
):
    text = SEED_TEXT.replace(
        "\n\n  1. ^",
        "\n\nAftermath\n\nThe archives opened in 1991. Historians went to work.\n\n  1. ^",
        1,
    )
    run_import(write(tmp_path, text), "--user", editor.username)
    proposal = ChangeProposal.objects.get()
    assert "0 claims changed, 2 added, 0 removed" in proposal.rationale
    workflow.approve_proposal(proposal=proposal, user=reviewer)
    texts = [t for _, t in live_claims(seeded)]
    assert texts == [t for _, t in file_claims(text)]
    assert texts[-2:] == ["The archives opened in 1991.", "Historians went to work."]


@pytest.mark.django_db
def test_a_section_gone_from_the_file_loses_its_claims_and_stays_empty(
    tmp_path, seeded, editor, reviewer
):
    start = SEED_TEXT.index("Treuenbrietzen massacre\n")
    end = SEED_TEXT.index("Discussion by historians\n")
    text = SEED_TEXT[:start] + SEED_TEXT[end:]
    section = Section.objects.get(heading="Treuenbrietzen massacre")
    run_import(write(tmp_path, text), "--user", editor.username)
    proposal = ChangeProposal.objects.get()
    assert "0 claims changed, 0 added, 3 removed" in proposal.rationale
    assert (
        f"section {section.position} ('Treuenbrietzen massacre') is not in the file: its "
        "claims (3) are proposed for removal and the section stays, empty" in proposal.rationale
    )
    workflow.approve_proposal(proposal=proposal, user=reviewer)
    assert not section.claims.exists()
    assert [t for _, t in live_claims(seeded)] == [t for _, t in file_claims(text)]


@pytest.mark.django_db
def test_a_tag_line_new_in_a_section_raises_a_section_flag(tmp_path, seeded, editor, reviewer):
    text = changed_seed(
        ("\nTreuenbrietzen massacre\n\n", "\nTreuenbrietzen massacre\n\n[original research?]\n\n")
    )
    run_import(write(tmp_path, text), "--user", editor.username)
    proposal = ChangeProposal.objects.get()
    change = proposal.changes.get()
    assert (change.kind, change.section.heading) == ("raise_flag", "Treuenbrietzen massacre")
    assert change.payload["kind"] == "original_research"
    assert change.payload["label"] == "original research?"
    workflow.approve_proposal(proposal=proposal, user=reviewer)
    flag = Flag.objects.get(section=change.section)
    assert (flag.kind, flag.raised_by) == ("original_research", editor)


@pytest.mark.django_db
def test_a_renamed_heading_is_proposed_as_a_heading_edit(tmp_path, seeded, editor, reviewer):
    text = changed_seed(("\nThe Red Army and the pogroms\n", "\nThe Red Army and pogroms\n"))
    run_import(write(tmp_path, text), "--user", editor.username)
    change = ChangeProposal.objects.get().changes.get()
    assert change.kind == ChangeKind.EDIT_HEADING
    assert change.section.heading == "The Red Army and the pogroms"
    assert change.payload["heading"] == "The Red Army and pogroms"


@pytest.mark.django_db
def test_an_editors_citation_is_kept_and_said_so(tmp_path, seeded, editor, reviewer):
    claim = Claim.objects.get(text="Those found guilty were executed.")
    proposal = workflow.create_proposal(document=seeded, user=editor, rationale="Cite it.")
    source = Source.objects.get(document=seeded, label="39")
    workflow.add_change(
        proposal=proposal, user=editor, kind="add_citation", claim=claim, source=source
    )
    workflow.submit_proposal(proposal=proposal, user=editor)
    workflow.approve_proposal(proposal=proposal, user=reviewer)

    run_import(write(tmp_path, changed_seed(EDITED)), "--user", editor.username)

    reimport = ChangeProposal.objects.get(import_run__isnull=False)
    assert list(reimport.changes.values_list("kind", flat=True)) == [ChangeKind.EDIT_CLAIM]
    assert f"claim #{claim.pk} keeps citation [39], which an editor added" in reimport.rationale


@pytest.mark.django_db
def test_a_sentence_over_the_proposal_limit_is_refused_naming_the_line(tmp_path, seeded, editor):
    long = "Those found guilty were " + "very " * 1100 + "shot.[8][9]"
    text = changed_seed((EDITED[0], long))
    line = text[: text.index("Those found guilty were very")].count("\n") + 1
    with pytest.raises(CommandError) as error:
        run_import(write(tmp_path, text), "--user", editor.username)
    message = str(error.value)
    # So unlike the old sentence, it is proposed as a new claim (and the old one removed).
    assert f"soviet_war_crimes.txt: line {line}: the new claim 'Those found" in message
    assert "at most 5,000 characters (this is 5,529); nothing was imported" in message
    assert ImportRun.objects.count() == 1 and not ChangeProposal.objects.exists()


@pytest.mark.django_db
def test_an_addition_after_a_gap_left_by_an_earlier_removal_is_placed_after_its_neighbour(
    tmp_path, seeded, editor, reviewer
):
    # An approved removal leaves a gap in the section's positions; a later addition still
    # goes right after the claim it follows.
    pogroms = Claim.objects.get(text__startswith="However, only small number of pogroms")
    removal = workflow.create_proposal(document=seeded, user=editor, rationale="Drop it.")
    workflow.add_change(proposal=removal, user=editor, kind="remove_claim", claim=pogroms)
    workflow.submit_proposal(proposal=removal, user=editor)
    workflow.approve_proposal(proposal=removal, user=reviewer)
    added = EDITED[0] + " Their units were disbanded."
    text = changed_seed((REMOVED, ""), (EDITED[0], added))
    run_import(write(tmp_path, text), "--user", editor.username)
    proposal = ChangeProposal.objects.get(import_run__isnull=False)
    workflow.approve_proposal(proposal=proposal, user=reviewer)
    section = pogroms.section
    texts = list(section.claims.order_by("position").values_list("text", flat=True))
    assert texts[-2:] == ["Those found guilty were executed.", "Their units were disbanded."]


@pytest.mark.django_db
def test_an_added_sentence_joins_the_paragraph_of_the_sentence_it_follows(
    tmp_path, seeded, editor, reviewer
):
    toll = Claim.objects.get(text=ADDED_AFTER)
    run_import(write(tmp_path, changed_seed(THREE_CHANGES[2])), "--user", editor.username)
    proposal = ChangeProposal.objects.get()
    assert proposal.changes.get().payload["new_paragraph"] is False
    workflow.approve_proposal(proposal=proposal, user=reviewer)
    assert Claim.objects.get(text=ADDED).paragraph == toll.paragraph


@pytest.mark.django_db
def test_a_re_import_puts_each_marker_where_the_file_has_it(tmp_path, seeded, editor, reviewer):
    # The file edits the sentence and moves [8] into it; its words alone would keep [8] at
    # the end, so the proposal carries the file's place and approval puts it there.
    text = changed_seed(
        ("Those found guilty were executed.[8][9]", "Those found guilty[8] were shot.[9]")
    )
    run_import(write(tmp_path, text), "--user", editor.username)
    change = ChangeProposal.objects.get().changes.get(kind=ChangeKind.EDIT_CLAIM)
    claim = change.claim
    eight, nine = (claim.citations.get(source__label=label) for label in ("8", "9"))
    assert change.payload["anchors"] == {"citations": {str(eight.pk): len("Those found guilty")}}

    workflow.approve_proposal(proposal=change.proposal, user=reviewer)

    eight.refresh_from_db()
    nine.refresh_from_db()
    assert (eight.offset, nine.offset) == (
        len("Those found guilty"),
        len("Those found guilty were shot."),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("decision", ["pending", "rejected", "approved"])
def test_a_re_import_reaches_the_public_feed_and_changes_page_only_once_approved(
    client, tmp_path, seeded, editor, reviewer, decision
):
    changed = write(tmp_path, changed_seed(EDITED), name="changed-copy.txt")
    run_import(changed, "--user", editor.username)
    proposal = ChangeProposal.objects.get()
    if decision == "rejected":
        workflow.reject_proposal(proposal=proposal, user=reviewer, comment="Not this copy.")
    if decision == "approved":
        workflow.approve_proposal(proposal=proposal, user=reviewer)

    feed = client.get(reverse("public:feed")).content.decode()
    changes = client.get(
        reverse("public:changes", args=[seeded.slug]), {"from": "2000-01-01"}
    ).content.decode()

    shown = decision == "approved"
    assert ("changed-copy.txt" in feed) is shown
    assert ("changed-copy.txt" in changes) is shown
    assert (proposal.import_run.sha256 in changes) is shown
    assert "soviet_war_crimes.txt" in feed  # the first import is public from the start
