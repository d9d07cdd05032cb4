"""Schema creation, migration and refusal of databases we must not touch."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from salesboard.errors import DatabaseUnavailable
from salesboard.store import Database
from salesboard.store.models import metadata
from salesboard.store.schema import HEAD_REVISION, head_revision


def test_new_database_is_migrated_to_head(db: Database) -> None:
    with db.read() as session:
        version = session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version == head_revision()


def test_head_revision_constant_is_alembics_real_head() -> None:
    assert head_revision() == HEAD_REVISION


def test_opening_a_database_at_head_does_not_import_alembic(sqlite_url: str) -> None:
    Database.open(sqlite_url, create=True).close()  # created and migrated: Alembic needed here
    code = (
        "import sys\n"
        "from salesboard.store import Database\n"
        "db = Database.open(sys.argv[1], create=True)\n"
        "db.close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, sqlite_url], capture_output=True, text=True, check=True
    ).stdout
    assert out == "[]\n"


def test_migrations_match_the_models(db: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_reopening_keeps_data(sqlite_url: str) -> None:
    from salesboard.service import Pipeline

    first = Database.open(sqlite_url, create=True)
    deal = Pipeline(first, actor="alice").create_deal("Kept")
    first.close()
    again = Database.open(sqlite_url, create=True)
    assert Pipeline(again, actor="alice").get_deal(deal.id).summary.title == "Kept"
    again.close()


def test_newer_schema_is_refused_and_left_untouched(sqlite_url: str) -> None:
    Database.open(sqlite_url, create=True).close()
    with sqlite3.connect(sqlite_url) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(DatabaseUnavailable, match="newer than this salesboard understands"):
        Database.open(sqlite_url, create=True)
    with sqlite3.connect(sqlite_url) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == ("9999_future",)


def test_foreign_sqlite_database_is_refused(sqlite_url: str) -> None:
    with sqlite3.connect(sqlite_url) as raw:
        raw.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    with pytest.raises(DatabaseUnavailable, match="not a salesboard database"):
        Database.open(sqlite_url, create=True)
    with sqlite3.connect(sqlite_url) as raw:
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"invoices"}


def test_junk_file_is_refused_and_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    junk = b"this is not a database, just some notes\n" * 200
    path.write_bytes(junk)
    refusal = r"is not a salesboard database \(it is not a SQLite file\)"
    with pytest.raises(DatabaseUnavailable, match=refusal):
        Database.open(str(path), create=True)
    assert path.read_bytes() == junk


def test_missing_directory_is_named(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "board.db"
    with pytest.raises(DatabaseUnavailable, match=r"directory .*nowhere does not exist"):
        Database.open(str(target), create=True)
    assert not target.parent.exists()


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable, match="is a directory"):
        Database.open(str(tmp_path), create=True)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("foo://bar", "foo is not supported; salesboard keeps its data in a SQLite file"),
        ("postgresql+psycopg://postgres@127.0.0.1:1/test", "connection"),
    ],
)
def test_unusable_urls_give_one_clear_error(target: str, message: str) -> None:
    with pytest.raises(DatabaseUnavailable, match=message):
        Database.open(target, create=True)
