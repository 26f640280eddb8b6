"""``infraaudit collector add-agency|add-admin|revoke``: a token is printed once, only its hash is
stored, revoking works by agency and by prefix; ``--db`` takes a path or a URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from infraaudit.cli import app
from infraaudit.collector.auth import authenticate
from infraaudit.collector.db import db_url, default_db, make_engine
from infraaudit.collector.migrations import open_db
from infraaudit.errors import CollectorDbError


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(app, ["collector", *args])
    return result.exit_code, result.stdout, result.stderr


def test_add_agency_prints_the_token_once_and_stores_only_its_hash(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite"
    code, out, err = run("add-agency", "TTT", "Thanh tra tỉnh", "--db", str(db))
    assert code == 0, err
    token = out.strip()
    assert len(token) >= 43 and "\n" not in token and token not in err
    assert "registered" in err and "once" in err
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("c.sqlite"))
    assert token.encode() not in raw
    engine = open_db(db)
    try:
        who = authenticate(engine, token)
        assert who is not None and who.agency_code == "TTT" and not who.admin
    finally:
        engine.dispose()

    code, out2, err = run("add-agency", "TTT", "Thanh tra tỉnh", "--db", str(db))
    assert code == 0 and "new token" in err and out2.strip() != token
    code, admin, err = run("add-admin", "--db", str(db))
    assert code == 0 and "admin" in err

    engine = open_db(db)
    try:
        assert authenticate(engine, admin.strip()) is not None
        code, _, err = run("revoke", "--token", out2.strip()[:6], "--db", str(db))
        assert code == 0 and "revoked 1 token" in err
        assert authenticate(engine, out2.strip()) is None
        assert authenticate(engine, token) is not None
        code, _, err = run("revoke", "TTT", "--db", str(db))
        assert code == 0 and "revoked 1 token" in err
        assert authenticate(engine, token) is None
        code, _, err = run("revoke", "TTT", "--db", str(db))
        assert code == 1 and "revoked 0 tokens" in err  # nothing left to revoke
        assert authenticate(engine, admin.strip()) is not None
    finally:
        engine.dispose()


@pytest.mark.parametrize("args", [
    ("add-agency", "bad code", "X"),
    ("add-agency", "OK", "  "),
    ("revoke", "NOPE"),
    ("revoke", "--token", "ab"),
    ("revoke",),
])
def test_bad_input_exits_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    code, out, err = run(*args, "--db", str(tmp_path / "c.sqlite"))
    assert code == 2 and out == "" and "error:" in err


def test_db_paths_urls_and_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db() == tmp_path / "xdg" / "infraaudit" / "collector.sqlite"
    assert db_url(None) == f"sqlite:///{tmp_path}/xdg/infraaudit/collector.sqlite"
    assert db_url("postgresql+psycopg://u@127.0.0.1/x") == "postgresql+psycopg://u@127.0.0.1/x"
    code, _, err = run("add-admin")  # default database, folder created
    assert code == 0, err
    assert (tmp_path / "xdg" / "infraaudit" / "collector.sqlite").exists()
    code, _, err = run("add-admin", env={"INFRAAUDIT_COLLECTOR_DB": str(tmp_path / "e.sqlite")})
    assert code == 0 and (tmp_path / "e.sqlite").exists()
    for bad in ("sqlite://", "mysql://u@h/d"):
        with pytest.raises(CollectorDbError):
            make_engine(bad)


def test_serve_recomputes_the_summaries_of_other_rules_before_serving(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlalchemy as sa
    import uvicorn

    from infraaudit.collector import auth, store, summaries
    from infraaudit.collector.db import summaries as summary_table
    from tests.unit.collector.test_api import body, make_audit

    db = tmp_path / "c.sqlite"
    engine = open_db(db)
    try:
        auth.add_agency(engine, "TTT", "Thanh tra tỉnh")
        for site in ("hq", "branch"):
            store.submit(engine, body(make_audit(site=site)), "TTT")
        with engine.begin() as conn:  # as if computed by an earlier infraaudit's rules
            conn.execute(sa.update(summary_table).values(rules="0" * 16))
    finally:
        engine.dispose()
    served: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.append(kw))
    result = CliRunner().invoke(app, ["serve", "--db", str(db), "--port", "8099"])
    assert result.exit_code == 0, result.stderr
    assert "recomputed 2 audit summaries" in result.stderr
    assert served == [{"host": "127.0.0.1", "port": 8099, "log_level": "info",
                       "server_header": False}]
    engine = open_db(db)
    try:
        with engine.connect() as conn:
            assert set(conn.execute(sa.select(summary_table.c.rules)).scalars()) \
                == {summaries.rules()}
    finally:
        engine.dispose()
    result = CliRunner().invoke(app, ["serve", "--db", str(db), "--port", "8099"])
    assert result.exit_code == 0 and "recomputed" not in result.stderr  # nothing stale now
