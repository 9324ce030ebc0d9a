"""Shared fixtures: the seed, synthetic articles at 1x and 10x, imported documents, users."""

from pathlib import Path

import pytest

from archive import importer, workflow
from bench import corpus

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "soviet_war_crimes.txt"


def source_for(text: str, name: str = "article.txt") -> importer.SourceFile:
    """A SourceFile as read from disk, for text made up in a test."""
    import hashlib

    data = text.encode("utf-8")
    return importer.SourceFile(
        name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest(), text=text
    )


def import_text(text: str, name: str = "article.txt", user=None) -> workflow.ImportOutcome:
    source = source_for(text, name)
    parsed = importer.parse(source.text, source.name)
    return workflow.import_documents(files=[(source, parsed)], user=user)[0]


@pytest.fixture(scope="session")
def seed_source() -> importer.SourceFile:
    return importer.read_source_file(SEED)


@pytest.fixture(scope="session")
def seed_parsed(seed_source) -> importer.ParsedDocument:
    return importer.parse(seed_source.text, seed_source.name)


@pytest.fixture
def seed_document(db, seed_source, seed_parsed):
    return workflow.import_documents(files=[(seed_source, seed_parsed)])[0].document


@pytest.fixture
def harbour(db):
    """A short article in the seed's format that nobody tuned the importer on, imported."""
    text = (Path(__file__).parent / "fixtures" / "harbour_strikes.txt").read_text()
    return import_text(text, "harbour_strikes.txt").document


@pytest.fixture(autouse=True)
def empty_render_cache(settings):
    """Every test starts with an empty page cache (Redis outlives test runs; SQLite reuses
    ids after a rollback, so a stale page could match a new document)."""
    from django.core.cache import caches

    caches[settings.ARCHIVE_RENDER_CACHE_ALIAS].clear()


@pytest.fixture(scope="session")
def small_article() -> str:
    return corpus.generate(1, seed=1)


@pytest.fixture(scope="session")
def large_article() -> str:
    return corpus.generate(10, seed=2)


@pytest.fixture
def archivist(db, django_user_model):
    return django_user_model.objects.create_superuser(
        username="archivist", email="archivist@example.org", password="a-long-test-password"
    )


def draft_edit(user, claim, text: str, rationale: str = "Plainer wording."):
    """A draft proposal by ``user`` with one change: ``claim``'s text becomes ``text``."""
    proposal = workflow.create_proposal(
        document=claim.section.document, user=user, rationale=rationale
    )
    workflow.add_change(
        proposal=proposal, user=user, kind="edit_claim", claim=claim, payload={"text": text}
    )
    return proposal


def ensure_roles() -> None:
    """The editorial groups exactly as migrations 0003 and 0006 leave them.

    Committed (transactional) tests empty every table after themselves, migration data
    included, and Django then makes the permission rows again under new ids; a test that
    runs after one of them gets the roles back from here instead of depending on that.
    """
    import importlib

    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    app = apps.get_app_config("archive")
    create_contenttypes(app, verbosity=0)
    create_permissions(app, verbosity=0)
    groups = importlib.import_module("archive.migrations.0003_groups").GROUPS
    export = importlib.import_module("archive.migrations.0006_reviewers_export_history")
    for name, codenames in groups.items():
        wanted = [*codenames, *([export.CODENAME] if name == export.GROUP else [])]
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="archive", codename__in=wanted)
        )


def make_user(username: str, *roles_: str):
    """A staff user in the given editorial groups (Editor, Reviewer, Archivist)."""
    from django.contrib.auth.models import Group, User

    ensure_roles()
    user = User.objects.create_user(
        username, email=f"{username}@example.org", password="a-long-test-password", is_staff=True
    )
    user.groups.set(Group.objects.filter(name__in=roles_))
    return User.objects.get(pk=user.pk)  # fresh, so no permission cache


@pytest.fixture
def editor(db):
    return make_user("edna", "Editor")


@pytest.fixture
def reviewer(db):
    return make_user("rita", "Reviewer")


@pytest.fixture
def second_reviewer(db):
    return make_user("rolf", "Reviewer")


@pytest.fixture
def archivist_user(db):
    return make_user("arno", "Archivist")


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-output" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; never a browser Playwright downloads itself."""
    import os

    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        message = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)

    # Playwright's sync API runs an event loop in this thread; the live server's database
    # work happens in its own thread, so Django's async-safety guard does not apply here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under test-output/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def fall_of_berlin(db):
    """The short article of ``anchor_helpers``: markers in the middle and at the end."""
    from .anchor_helpers import ARTICLE

    return import_text(ARTICLE, "fall.txt").document
