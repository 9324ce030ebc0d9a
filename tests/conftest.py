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
