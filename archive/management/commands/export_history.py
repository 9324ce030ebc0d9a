"""Export the audit timeline: every recorded change, oldest first, with its hash chain.

Exists so an auditor (or a court) gets the archive's complete record of who changed what,
when, why and on whose approval, as CSV, JSON Lines or W3C PROV-JSON, and can verify it
offline (README: "Audit exports"). It streams: memory stays flat however long the history.

A file is written to a temporary name in the same directory and renamed when complete, so
an interrupted or failed export never leaves a partial file under the name asked for.
"""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive import exports


class Command(BaseCommand):
    help = "Export the audit history as CSV, JSON Lines or PROV-JSON (stdout by default)."

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, metavar="|".join(exports.FORMATS))
        parser.add_argument("--document", metavar="SLUG", help="only this document's entries")
        parser.add_argument("--since", metavar="ISO", help="entries at or after this time (UTC)")
        parser.add_argument(
            "--until", metavar="ISO", help="entries at or before this time (a date: that day)"
        )
        parser.add_argument("--output", metavar="PATH", help="write here instead of stdout")

    def handle(self, *args, document, since, until, output, **options):
        fmt = options["format"]
        if fmt not in exports.FORMATS:
            formats = ", ".join(exports.FORMATS)
            raise CommandError(f"--format: unknown format {fmt!r}; choose one of {formats}")
        try:
            filters = exports.parse_filters(document=document, since=since, until=until)
        except exports.ExportError as error:
            raise CommandError(str(error)) from None
        if output is None:
            for piece in exports.export(fmt, filters):
                self.stdout.write(piece, ending="")
            return
        target = Path(output)
        partial = self._open_partial(target)
        progress = _Progress(self.stderr) if self.stderr.isatty() else None
        try:
            with partial:
                for piece in exports.export(
                    fmt, filters, progress=progress.update if progress else None
                ):
                    partial.write(piece)
            # A temporary file is private (0600); the export gets the usual permissions.
            os.chmod(partial.name, 0o666 & ~_umask())
            os.replace(partial.name, target)
        except BaseException:
            Path(partial.name).unlink(missing_ok=True)
            raise
        finally:
            if progress:
                progress.close()
        if options["verbosity"] >= 1:
            self.stderr.write(f"{target}: {target.stat().st_size:,} bytes written", _plain)

    def _open_partial(self, target: Path):
        if target.is_dir():
            raise CommandError(f"--output: {target} is a directory; give a file name")
        directory = target.parent if str(target.parent) else Path(".")
        try:
            return tempfile.NamedTemporaryFile(
                "w",
                encoding="utf-8",
                newline="",
                dir=directory,
                prefix=f".{target.name}.",
                suffix=".partial",
                delete=False,
            )
        except OSError as error:
            raise CommandError(
                f"--output: cannot write {target}: {error.strerror or error}"
            ) from None


class _Progress:
    """A one-line progress bar on a terminal's stderr (no dependency for forty lines)."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream
        self.total = max(exports.count_entries(), 1)
        self.shown = -1

    def update(self, done: int) -> None:
        percent = min(100, done * 100 // self.total)
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.WIDTH * percent // 100
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        line = f"\r[{bar}] {percent:3d}% {done:,}/{self.total:,} entries"
        self.stream.write(line, _plain, ending="")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("", _plain, ending="\n")


def _plain(text: str) -> str:
    """Progress and summaries on stderr are not errors: no error colour."""
    return text


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
