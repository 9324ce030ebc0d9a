"""Seal the audit timeline: store checkpoints of the chain hashes of settled entries.

Exists because a hash chain only proves something when compared with hashes kept from
before: this writes them. It first verifies everything sealed so far (and refuses to seal
over a difference), then seals the entries older than ``ARCHIVE_AUDIT_SETTLE_SECONDS``
(transactions still committing must not be sealed around). Run it from cron, every few
minutes: what is sealed, ``verify_history`` can vouch for.
"""

import getpass

from django.core.management.base import BaseCommand, CommandError

from archive import exports


class Command(BaseCommand):
    help = "Store checkpoints of the audit history's hash chain (verifies first)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="verify and report; store nothing"
        )
        parser.add_argument(
            "--by",
            metavar="NAME",
            help="who seals, for the record (default: the operating-system user)",
        )

    def handle(self, *args, dry_run, by, **options):
        try:
            outcome = exports.seal(sealed_by=by or _os_user(), dry_run=dry_run)
        except exports.ExportError as error:
            raise CommandError(str(error)) from None
        verified = outcome.verification
        horizon = exports.time_text(outcome.horizon)
        if not outcome.entries:
            self.stdout.write(
                f"{verified.sealed:,} sealed entries verified; nothing new settled before {horizon}"
            )
            return
        verb = "would seal" if dry_run else "sealed"
        where = "" if dry_run else f" in {len(outcome.checkpoints)} checkpoints"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verified.sealed:,} sealed entries verified; {verb} {outcome.entries:,} "
                f"more through {horizon}{where}"
            )
        )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
