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


def make_user(username: str, *roles_: str):
    """A staff user in the given editorial groups (Editor, Reviewer, Archivist)."""
    from django.contrib.auth.models import Group, User

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
