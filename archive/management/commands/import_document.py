"""Import plain-text articles into the archive.

Exists so an archivist can bring a file in with one command and get, for each file, either
what was written (counts and the defects found in the copy) or one clear error that names
the file and line, with nothing written. A changed version of an archived document is not
written either: it becomes one proposal for review, proposed by the ``--user`` given.

``--document SLUG`` exists because a file is matched to an archived document only by its
slug *and* title: when that is unclear (a slug taken by another title, a file name used by
another document) the import stops, and the operator names the document. ``--new-only``
exists so that seeding (``make seed``, and so ``make run``) keeps working once the seed
documents have a life of their own: it imports only documents the archive does not have
and reports the state of the others instead of proposing or refusing.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from archive import importer, workflow


class Command(BaseCommand):
    help = "Import plain-text articles (title, sections, claims, citations, flags)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="text files to import")
        parser.add_argument(
            "--dry-run", action="store_true", help="parse and report; write nothing"
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help=f"who the import is recorded as (default: the system user "
            f"{workflow.IMPORTER_USERNAME!r}); a changed version of an archived document "
            "becomes a proposal by this user, who must be allowed to propose (an Editor, "
            "Reviewer or Archivist; the system user cannot)",
        )
        parser.add_argument(
            "--document",
            metavar="SLUG",
            help="the document this file is (one file only): an archived document's slug makes "
            "the file its new version, a new slug a new document under that slug; needed "
            "when the importer cannot tell which document a file is",
        )
        parser.add_argument(
            "--new-only",
            action="store_true",
            help="import only files of documents the archive does not have yet; for the "
            "others, report their state (unchanged, changed, a re-import proposal pending "
            "or decided) and change nothing",
        )

    def handle(self, *args, paths, dry_run, user, document, new_only, **options):
        files, errors = [], []
        limit = getattr(settings, "ARCHIVE_MAX_IMPORT_BYTES", importer.DEFAULT_MAX_BYTES)
        for path in paths:
            try:
                source = importer.read_source_file(path, max_bytes=limit)
                files.append((source, importer.parse(source.text, source.name)))
            except importer.ImportFormatError as error:
                errors.append(str(error))
        if errors:
            raise CommandError("nothing imported:\n" + "\n".join(errors))
        try:
            outcomes = workflow.import_documents(
                files=files,
                user=self.find_user(user),
                dry_run=dry_run,
                document=document,
                new_only=new_only,
            )
        except workflow.ImportRefused as error:
            raise CommandError(f"nothing imported: {error}") from None
        for path, outcome in zip(paths, outcomes, strict=True):
            self.report(outcome, path)

    def find_user(self, username):
        if username is None:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"nothing imported: no user named {username!r}") from None

    def report(self, outcome, path):
        counts = outcome.counts
        summary = (
            f"{counts['sections']} sections, {counts['claims']} claims, "
            f"{counts['sources']} sources, {counts['citations']} citations, "
            f"{counts['flags']} flags"
        )
        if outcome.status == "unchanged":
            if outcome.proposal is not None:
                self.stdout.write(
                    f"{outcome.file_name}: unchanged since import run #{outcome.run.pk}, "
                    f"which made proposal #{outcome.proposal.pk} for {outcome.slug!r} "
                    f"({outcome.proposal.get_state_display()}); nothing written"
                )
            else:
                self.stdout.write(
                    f"{outcome.file_name}: unchanged, already archived as {outcome.slug!r} "
                    f"by import run #{outcome.run.pk}; nothing written"
                )
            return
        if outcome.status in ("changed", "pending", "ambiguous"):
            self.stdout.write(self.style.WARNING(self.left_alone(outcome, path)))
            return
        if outcome.status == "nothing to propose":
            # With --new-only, also what became of the last re-import (rejected, withdrawn):
            # the state of a file seeding leaves alone.
            decided = (
                f"; the last re-import proposal, #{outcome.proposal.pk}, was "
                f"{outcome.proposal.get_state_display()}"
                if outcome.proposal is not None
                else ""
            )
            self.stdout.write(
                f"{outcome.file_name}: a new version of {outcome.slug!r} whose claims, "
                f"citations and flags match the live text: nothing to propose, nothing "
                f"written{decided}"
            )
            self.report_notes(outcome)
            return
        if outcome.status == "would propose":
            self.stdout.write(
                f"{outcome.file_name}: would create a proposal for review of "
                f"{outcome.slug!r}: {outcome.summary}"
            )
        elif outcome.status == "proposed":
            self.stdout.write(
                self.style.SUCCESS(
                    f"{outcome.file_name}: proposal #{outcome.proposal.pk} created for review: "
                    f"{outcome.summary} (document {outcome.slug!r}, import run "
                    f"#{outcome.run.pk}); nothing live changes until a reviewer approves it"
                )
            )
        elif outcome.status == "would import":
            self.stdout.write(f"{outcome.file_name}: would import as {outcome.slug!r}: {summary}")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{outcome.file_name}: imported as {outcome.slug!r} "
                    f"(import run #{outcome.run.pk}): {summary}"
                )
            )
        self.report_notes(outcome)
        if outcome.anomalies:
            self.stdout.write(f"  {len(outcome.anomalies)} anomalies in the copy:")
            for anomaly in outcome.anomalies:
                self.stdout.write(f"    line {anomaly.line}: {anomaly.kind}: {anomaly.message}")

    def left_alone(self, outcome, path):
        """What --new-only says about an archived document it did not touch."""
        name, slug, proposal = outcome.file_name, outcome.slug, outcome.proposal
        if outcome.status == "ambiguous":
            return f"{name}: {outcome.summary}"
        since = f"import run #{outcome.run.pk}" if outcome.run else "its import"
        if outcome.status == "pending":
            return (
                f"{name}: differs from the last import of {slug!r} ({since}), and its "
                f"re-import proposal #{proposal.pk} is pending ({proposal.get_state_display()}); "
                f"once that is decided, run import_document --user NAME {path} to propose this "
                "version; nothing written"
            )
        decided = (
            f"; the last re-import proposal, #{proposal.pk}, was {proposal.get_state_display()}"
            if proposal
            else ""
        )
        return (
            f"{name}: a changed version of {slug!r} ({outcome.summary}, against the live text; "
            f"the file differs from {since}{decided}); run import_document --user NAME {path} "
            "to propose it; nothing written"
        )

    def report_notes(self, outcome):
        if outcome.notes:
            self.stdout.write(f"  {len(outcome.notes)} differences not proposed or approximated:")
            for note in outcome.notes:
                self.stdout.write(f"    {note}")
