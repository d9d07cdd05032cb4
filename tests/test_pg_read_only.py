"""PostgreSQL: a role that may only read opens the board read-only, as an unwritable file does.

On SQLite, file modes decide; on a server, the role's privileges do. A role granted only
``SELECT`` must get what a colleague with a read-only file gets: ``Database.read_only``
True from the start (so the board shows its banner and never starts a heartbeat), every
write refused at once with one line naming the role and what to ask for, no presence row,
and no traceback from the CLI. Each test makes its own role ``sb_ro_<hex>`` on the test
server and drops it afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from salesboard.cli import cli
from salesboard.errors import DatabaseUnavailable, ReadOnlyDatabase
from salesboard.service import Pipeline
from salesboard.service.presence import PresenceBook
from salesboard.store import Database, Presence
from salesboard.store.schema import HEAD_REVISION
from salesboard.ui.launch import make_app
from tests.conftest import PG_URL, FrozenClock

pytestmark = pytest.mark.postgres

ONE_LINE = r"read-only for you \(role sb_ro_[0-9a-f]+\); nothing was changed — ask an administrator"


def _schema_of(url: str) -> str:
    return url.rsplit("%3D", 1)[-1]


@pytest.fixture
def make_role(pg_url: str) -> Iterator[Callable[..., str]]:
    """Makes roles on the test server; returns the URL of ``pg_url``'s schema as that role."""
    admin = create_engine(PG_URL)
    made: list[str] = []

    def make(*grants: str) -> str:
        role = f"sb_ro_{uuid.uuid4().hex[:10]}"
        schema = _schema_of(pg_url)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD 'ro'"))
            made.append(role)
            conn.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {role}"))
            for grant in grants:
                conn.execute(text(grant.format(schema=schema, role=role)))
        return make_url(pg_url).set(username=role, password="ro").render_as_string(False)

    yield make
    with admin.begin() as conn:
        for role in made:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :r"),
                {"r": role},
            )
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
    admin.dispose()


SELECT_ONLY = "GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}"


@pytest.fixture
def filled(pg_url: str) -> Iterator[Database]:
    """The schema set up by its owner, with one deal."""
    db = Database.open(pg_url, create=True)
    Pipeline(db, actor="alice").create_deal("Archived", company="N")
    yield db
    db.close()


def presence_rows(db: Database) -> int:
    with db.read() as session:
        return int(session.execute(select(func.count()).select_from(Presence)).scalar_one())


def test_a_select_only_role_opens_read_only_and_every_write_is_refused(
    filled: Database, make_role: Callable[..., str]
) -> None:
    url = make_role(SELECT_ONLY)
    db = Database.open(url, create=True)  # even "create" does not make it try to write
    assert db.read_only is True
    pipeline = Pipeline(db, actor="reader")
    assert [deal.title for deal in pipeline.list_deals()] == ["Archived"]
    with pytest.raises(ReadOnlyDatabase, match=ONE_LINE) as refused:
        pipeline.create_deal("New", company="N")
    assert "\n" not in str(refused.value)
    with pytest.raises(ReadOnlyDatabase, match=ONE_LINE):
        pipeline.edit_deal(1, title="Renamed")
    with pytest.raises(ReadOnlyDatabase, match=ONE_LINE):
        PresenceBook(db, "reader").beat(None)
    db.close()
    assert [d.title for d in Pipeline(filled, actor="alice").list_deals()] == ["Archived"]
    assert presence_rows(filled) == 0

    # The owner's own connection is not read-only: the check is the role's, not the server's.
    assert filled.read_only is False


def test_the_cli_refuses_a_change_in_one_line_and_still_reads(
    filled: Database, make_role: Callable[..., str]
) -> None:
    url = make_role(SELECT_ONLY)
    runner = CliRunner(env={"COLUMNS": "200"})
    listed = runner.invoke(cli, ["--db", url, "list"])
    assert listed.exit_code == 0 and "Archived" in listed.stdout
    for args in (["edit", "1", "--title", "X"], ["add", "Refused", "--company", "N"], ["init"]):
        done = runner.invoke(cli, ["--db", url, *args])
        assert done.exit_code == 1, (args, done.output)
        assert done.stderr.startswith("salesboard: ") and done.stderr.count("\n") == 1, args
        assert "read-only for you (role sb_ro_" in done.stderr, args
        assert "Traceback" not in done.output
    assert [d.title for d in Pipeline(filled, actor="alice").list_deals()] == ["Archived"]


async def test_the_board_shows_its_banner_and_writes_no_presence_row(
    filled: Database, make_role: Callable[..., str]
) -> None:
    url = make_role(SELECT_ONLY)
    colleague = PresenceBook(filled, "alice")
    colleague.beat(None)  # a colleague with write access has a board open
    db = Database.open(url)
    app = make_app(db, clock=FrozenClock(), actor="reader")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.board.read_only is True
        assert app.board.query_one("#readonly-banner").display
        assert app.board.live.heartbeat is None  # no session announced, nothing to beat
        await pilot.press("n")  # no form to fill in vain
        assert app.screen is app.board
    db.close()
    # The colleague's row only: the read-only board never wrote one.
    seen = PresenceBook(filled, "check")
    assert [c.login for c in seen.everyone()] == ["alice"]
    assert presence_rows(filled) == 1


def test_a_read_only_role_sees_who_is_on_the_board(
    filled: Database, make_role: Callable[..., str]
) -> None:
    url = make_role(SELECT_ONLY)
    alice = PresenceBook(filled, "alice")
    bob = PresenceBook(filled, "bob")
    alice.beat(1)
    bob.beat(None)
    db = Database.open(url)
    reader = PresenceBook(db, "reader")
    assert [(c.login, c.deal_id) for c in reader.everyone()] == [("alice", 1), ("bob", None)]
    assert {c.login for c in alice.others()} == {"bob"}  # writers see each other as well
    db.close()


def test_rights_taken_away_while_open_turn_the_database_read_only(
    filled: Database, make_role: Callable[..., str]
) -> None:
    url = make_role(
        SELECT_ONLY,
        "GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        "GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
    )
    db = Database.open(url)
    assert db.read_only is False
    pipeline = Pipeline(db, actor="writer")
    assert pipeline.create_deal("Allowed", company="N").version == 1
    role = make_url(url).username
    with filled.engine.begin() as conn:
        conn.execute(
            text(
                f"REVOKE INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "
                f"{_schema_of(db.url)} FROM {role}"
            )
        )
    with pytest.raises(ReadOnlyDatabase, match=ONE_LINE):
        pipeline.create_deal("Refused", company="N")
    assert db.read_only is True  # the board can show its banner from now on
    db.close()


def test_a_server_that_only_reads_is_read_only_with_its_own_reason(
    filled: Database, make_role: Callable[..., str]
) -> None:
    url = make_role(
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        "ALTER ROLE {role} SET default_transaction_read_only = on",
    )
    db = Database.open(url)
    assert db.read_only is True
    with pytest.raises(ReadOnlyDatabase, match="the server accepts only reads"):
        Pipeline(db, actor="reader").create_deal("Refused", company="N")
    db.close()


def test_a_read_only_role_cannot_set_up_or_upgrade_and_says_who_can(
    pg_url: str, make_role: Callable[..., str]
) -> None:
    url = make_role(SELECT_ONLY)
    with pytest.raises(DatabaseUnavailable, match="not set up yet, and read-only for you"):
        Database.open(url, create=True)
    Database.open(pg_url, create=True).close()
    with create_engine(pg_url).begin() as conn:  # as a database an older salesboard left
        conn.execute(text("UPDATE alembic_version SET version_num = '0007'"))
    url = make_role(SELECT_ONLY)
    done = CliRunner().invoke(cli, ["--db", url, "list"])
    assert done.exit_code == 1 and done.stderr.count("\n") == 1
    assert f"needs an upgrade of its schema (0007 to {HEAD_REVISION})" in done.stderr
    assert "ask someone with write access to run 'salesboard init'" in done.stderr


MEMBER_GRANTS = (
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
)
"""What the README's "one role per person" recipe grants a member (through a group)."""


def test_a_member_role_with_the_readmes_grants_works_and_the_history_names_the_login(
    filled: Database, make_role: Callable[..., str]
) -> None:
    member = make_role(*MEMBER_GRANTS)
    db = Database.open(member)
    try:
        assert not db.read_only
        pipeline = Pipeline(db, actor="bob")
        deal = pipeline.create_deal("Member's deal", company="M")
        pipeline.set_job(deal.id, 1, True)
        assert pipeline.get_deal(deal.id).checklist[0].done
        # The history names the person (the OS login the board runs as), not the role.
        assert {event.actor for event in pipeline.history(deal.id)} == {"bob"}
    finally:
        db.close()


def test_a_member_facing_an_upgrade_is_told_only_the_owner_can_make_it(
    filled: Database, make_role: Callable[..., str], pg_url: str
) -> None:
    member = make_role(*MEMBER_GRANTS)
    with filled.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0008'"))
    with pytest.raises(DatabaseUnavailable) as refused:
        Database.open(member).close()
    message = str(refused.value)
    assert not isinstance(refused.value, ReadOnlyDatabase)
    assert f"(0008 to {HEAD_REVISION}), which only the owner of its tables may do" in message
    assert "'salesboard init'" in message and "\n" not in message
    Database.open(pg_url).close()  # the owner upgrades it, and the member gets in again
    Database.open(member).close()
