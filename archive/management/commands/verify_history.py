"""Recompute the audit timeline's hash chain and compare it with the stored checkpoints.

Exists so anyone can check that no history row, import run, decision or prune record was
altered, removed or slipped in after it was sealed. Exits 0 when every sealed entry
matches, and 1 naming the first entry that changed, disappeared or was inserted. Entries
newer than the last checkpoint are recomputed and counted, but cannot be judged yet
(``manage.py seal_history`` seals them). The head hash it prints is worth noting down
elsewhere: a later export whose chain passes through it shares this history.
"""

from django.core.management.base import BaseCommand, CommandError

from archive import exports


class Command(BaseCommand):
    help = "Verify the audit history's hash chain against the stored checkpoints."

    def handle(self, *args, **options):
        result = exports.verify()
        if result.problem is not None:
            raise CommandError(
                f"the history does not match its checkpoints: {result.problem}", returncode=1
            )
        if result.checkpoints == 0:
            self.stdout.write(
                f"{result.entries:,} entries recomputed; no checkpoint yet, so nothing to "
                "compare them with (run manage.py seal_history)"
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{result.sealed:,} sealed entries match {result.checkpoints:,} "
                    f"checkpoints (sealed through {exports.time_text(result.horizon)})"
                )
            )
        if result.unsealed:
            self.stdout.write(f"{result.unsealed:,} newer entries are not sealed yet")
        self.stdout.write(f"head hash: {result.head_hash} ({result.entries:,} entries)")
