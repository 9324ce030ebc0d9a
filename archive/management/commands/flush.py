"""``manage.py flush``, aware that the history tables are append-only.

Why it exists: flush empties every table, and the database refuses to empty the history
tables (migration 0005). Outside tests that refusal is the point: flush fails, names the
history table, and removes nothing (its statements run in one transaction). Only where
``settings.ARCHIVE_HISTORY_TEARDOWN_BYPASS`` is on (the test settings, for pytest-django's
flush between transactional tests) does it run inside ``history_maintenance``. History is
otherwise removed only by ``manage.py prune_history``, which leaves a record.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush

from archive.models.audit import history_maintenance


class Command(flush.Command):
    def handle(self, **options):
        if getattr(settings, "ARCHIVE_HISTORY_TEARDOWN_BYPASS", False):
            with history_maintenance("test teardown: flush", using=options["database"]):
                return super().handle(**options)
        try:
            return super().handle(**options)
        except CommandError as error:
            refusal = str(error.__cause__).splitlines()[0] if error.__cause__ else ""
            if "append-only" in refusal:
                raise CommandError(
                    f"{refusal}; nothing was flushed. History is removed only by "
                    "manage.py prune_history."
                ) from error.__cause__
            raise
