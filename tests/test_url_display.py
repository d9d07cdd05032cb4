"""A database URL is only ever shown with its passwords hidden, and a bad one is refused.

libpq takes a password from ``user:password@`` and from a ``password`` query parameter;
neither may reach a message, the board's status line or the settings file. A URL that
SQLAlchemy cannot read (a port that is not a number) is bad input: one line, exit 2.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from salesboard.cli import cli
from salesboard.errors import DatabaseUnavailable
from salesboard.settings import board_key
from salesboard.store import Database
from salesboard.store.location import describe, shown_url
from tests.test_cli import one_line_error

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:5433/x?password=s3cretQP"
"""Nothing listens on 5433: the connection fails at once, naming the database."""


pytestmark = pytest.mark.usefixtures("isolated_user_dirs")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200"})


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (UNREACHABLE, "postgresql+psycopg://postgres@127.0.0.1:5433/x?password=***"),
        (
            "postgresql+psycopg://sales:pw1@db:5432/p?PassWord=pw2&sslmode=require",
            "postgresql+psycopg://sales:***@db:5432/p?PassWord=***&sslmode=require",
        ),
        (  # repeated, percent-encoded in the key, and libpq's sslpassword
            "postgresql://db/p?password=pw1&pass%77ord=pw2&sslpassword=pw3&a=1&a=2",
            "postgresql://db/p?a=1&a=2&password=***&password=***&sslpassword=***",
        ),
        ("postgresql://db/p?passfile=%2Fhome%2Fx", "postgresql://db/p?passfile=%2Fhome%2Fx"),
        # Not readable as a URL: masked by pattern all the same.
        ("postgresql://u:pw1@[::1", "postgresql://u:***@[::1"),
        ("postgresql://u:pw1@h:x/d?Password=pw2&b=3", "postgresql://u:***@h:x/d?Password=***&b=3"),
    ],
)
def test_every_password_of_a_url_is_hidden(url: str, shown: str) -> None:
    assert shown_url(url) == shown
    assert describe(url) == shown  # the status line and every message
    for secret in ("pw1", "pw2", "pw3", "s3cretQP"):
        assert secret not in shown


def test_the_settings_file_never_keeps_a_query_password() -> None:
    key = board_key("postgresql+psycopg://sales@db.example:5432/pipeline?password=s3cretQP")
    assert key == "postgresql+psycopg://sales@db.example:5432/pipeline?password=***"


def test_a_failed_connection_names_the_database_without_its_query_password(
    runner: CliRunner,
) -> None:
    err = one_line_error(runner.invoke(cli, ["--db", UNREACHABLE, "list"]), 1)
    assert "s3cretQP" not in err
    assert err.startswith(
        "salesboard: postgresql+psycopg://postgres@127.0.0.1:5433/x?password=***:"
    )
    for spelling in ("PASSWORD", "Password"):
        url = UNREACHABLE.replace("password", spelling)
        err = one_line_error(runner.invoke(cli, ["--db", url, "list"]), 1)
        assert "s3cretQP" not in err and f"{spelling}=***" in err


def test_opening_fails_without_showing_a_query_password() -> None:
    with pytest.raises(DatabaseUnavailable) as refused:
        Database.open(UNREACHABLE)
    assert "s3cretQP" not in str(refused.value)


@pytest.mark.postgres
def test_the_status_line_name_hides_a_query_password(pg_url: str) -> None:
    # The test server trusts its clients: the password is sent and ignored.
    db = Database.open(f"{pg_url}&password=s3cretQP", create=True)
    try:
        assert "s3cretQP" not in db.name and "password=***" in db.name
        assert "s3cretQP" not in board_key(db.url)
    finally:
        db.close()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@[::1",
        "postgresql+psycopg://postgres:s3cretQP@[::1",
        "postgresql+psycopg://postgres:s3cretQP@127.0.0.1:port/x",
    ],
)
def test_a_port_that_is_not_a_number_is_bad_input(runner: CliRunner, url: str) -> None:
    err = one_line_error(runner.invoke(cli, ["--db", url, "list"]), 2)
    assert err.startswith("salesboard: bad database URL 'postgresql+psycopg://postgres")
    assert err.endswith(": its port is not a number\n")
    assert "s3cretQP" not in err and "internal error" not in err


def test_a_url_that_is_no_url_is_bad_input_without_its_password(runner: CliRunner) -> None:
    err = one_line_error(runner.invoke(cli, ["--db", "postgres+:s3cretQP://x", "list"]), 2)
    assert err.startswith("salesboard: bad database URL ")
    err = one_line_error(runner.invoke(cli, ["--db", "pg://u:s3cretQP@h:x", "list"]), 2)
    assert "s3cretQP" not in err and "bad database URL 'pg://u:***@h:x'" in err


def test_migrate_from_a_bad_url_is_bad_input(runner: CliRunner) -> None:
    args = ["--db", "postgresql://u:s3cretQP@[::1", "migrate", "--to", "postgresql://h/d"]
    err = one_line_error(runner.invoke(cli, args), 2)
    assert (
        err == "salesboard: bad database URL 'postgresql://u:***@[::1': its port is not a number\n"
    )
    args = ["migrate", "--to", "postgresql://u:s3cretQP@h:x/d?password=s3cretQP"]
    err = one_line_error(runner.invoke(cli, args), 2)
    assert "s3cretQP" not in err
