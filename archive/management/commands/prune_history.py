"""Prune old history: the only way to remove history rows, and it leaves a record.

Exists for retention: an archive may have to drop very old versions. The history tables
refuse DELETE (migration 0005); this command is the one caller allowed past that guard.
It removes every timeline entry before ``--before``, keeps each record's last version
from before then (so ``as_of`` and the changes shown after the cutoff stay right), and
writes a prune record (who, when, why, what was deleted, and the chain hash the remaining
timeline continues from), which is itself an entry of the timeline. Only sealed history
that verifies can be pruned: run ``seal_history`` first.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from archive import exports


class Command(BaseCommand):
    help = "Remove history before a date, leaving a prune record (sealed history only)."

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, metavar="ISO", help="the cutoff (UTC)")
        parser.add_argument("--reason", required=True, help="why, for the prune record")
        parser.add_argument("--user", required=True, metavar="USERNAME", help="who prunes")
        parser.add_argument("--dry-run", action="store_true", help="report; delete nothing")

    def handle(self, *args, before, reason, user, dry_run, **options):
        try:
            cutoff = exports.parse_time("before", before)
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise exports.ExportError(f"no user named {user!r}", "user")
            outcome = exports.prune_history(
                cutoff=cutoff, user=account, reason=reason, dry_run=dry_run
            )
        except exports.ExportError as error:
            raise CommandError(f"nothing pruned: {error}") from None
        deleted = sum(outcome.deleted.values())
        kept = sum(outcome.kept.values())
        summary = (
            f"{deleted:,} history rows before {exports.time_text(cutoff)} "
            f"(entries up to #{outcome.anchor_sequence}); {kept:,} kept as each record's "
            "last earlier version"
        )
        if dry_run:
            self.stdout.write(f"would delete {summary}")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"deleted {summary}; prune record #{outcome.record.pk}")
            )
