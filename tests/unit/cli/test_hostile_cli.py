"""What a hostile or unlucky user gives the CLI: each case is exit 2 or 3 with one line naming the
problem, never a traceback, a rich MarkupError or a destroyed file (no network needed here)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from infraaudit.cli import app
from tests.paths import REPO

SITE = """\
agency: {code: TTT, name: "Thanh tra tỉnh"}
site: {id: s1, name: "Trụ sở [/b] 02"}
credentials: {snmp: {office: {version: v2c, community: "${COMM}"}}}
devices: []
"""


def run(*args: str) -> Result:
    return CliRunner(env={"COMM": "c0mm", "COLUMNS": "300"}).invoke(app, list(args))


def one_error_line(result: Result) -> str:
    """The run's output is one ``error: ...`` line (and no traceback): return it."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(SITE, encoding="utf-8")
    return path


def test_markup_in_a_key_or_a_folder_is_printed_as_written(tmp_path: Path) -> None:
    folder = tmp_path / "x[/b]"  # the folders "x[" and "b]" in it
    folder.mkdir(parents=True)
    inventory = folder / "site.yaml"
    inventory.write_text(SITE.replace("devices: []", "'[/bold]x': 1"), encoding="utf-8")
    result = run("scan", str(inventory), "-o", str(tmp_path / "a.json"))
    assert result.exit_code == 2
    assert f"{inventory}:4: [/bold]x: Extra inputs are not permitted" in result.output
    assert result.output.startswith(f"error: {inventory}: 1 problem(s):")


def test_a_site_name_with_markup_is_printed_in_the_summary(site: Path, tmp_path: Path) -> None:
    result = run("scan", str(site), "-o", str(tmp_path / "a.json"))
    assert result.exit_code == 0, result.output
    assert "Trụ sở [/b] 02: 0/0 devices fully probed" in result.output


@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
def test_scan_refuses_an_output_that_is_not_a_regular_file(site: Path, tmp_path: Path,
                                                           kind: str) -> None:
    target = tmp_path / "target"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        if os.geteuid() != 0:
            pytest.skip("making a device node needs root")
        os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a copy of /dev/null
    before = target.lstat()
    result = run("scan", str(site), "-o", str(target), "--quiet")
    assert result.exit_code == 3
    line = one_error_line(result)
    assert line.startswith(f"error: cannot write {target}: ")
    after = target.lstat()
    assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino,
                                                            before.st_rdev)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.yaml", "target"]  # no temp file


def test_health_refuses_a_db_that_is_not_sqlite_and_leaves_it_alone(site: Path,
                                                                   tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes, not a database\n", encoding="utf-8")
    for command in (["health", str(site)], ["history", str(site)]):
        result = run(*command, "--db", str(notes))
        assert result.exit_code == 2
        assert one_error_line(result) == (
            f"error: history database {notes}: the file exists and is not an SQLite database: "
            "give another --db (nothing was written to it)")
    assert notes.read_text(encoding="utf-8") == "my notes, not a database\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "site.yaml"]


def test_an_empty_or_real_sqlite_db_is_accepted(site: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    result = run("health", str(site), "--db", str(empty), "--quiet")
    assert result.exit_code == 0, result.output
    with sqlite3.connect(empty) as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (1,)


def test_an_env_file_in_latin1_is_exit_2_with_one_line(site: Path, tmp_path: Path) -> None:
    env = tmp_path / "site.env"
    env.write_bytes(b"COMM=caf\xe9\n")
    for command in ("scan", "health"):
        result = run(command, str(site), "--env-file", str(env), "--db" if command == "health"
                     else "-o", str(tmp_path / "out"))
        assert result.exit_code == 2
        assert one_error_line(result).startswith(f"error: env file {env}: not UTF-8 text")


@pytest.mark.parametrize(("text", "reason"), [
    ("[" * 5000 + "]" * 5000, "not an audit: JSON nested deeper than 64 levels"),
    ('{"a":' * 100 + "1" + "}" * 100, "not an audit: JSON nested deeper than 64 levels"),
    ('{"schema_version": ' + "9" * 5000 + "}", "an integer of 5000 digits (at most 40)"),
    ('{"schema_version": 4, "x": NaN}', "NaN is not a JSON number"),
    ('{"schema_version": 4, "x": 1e999}', "the number 1e999… is too large"),
])
def test_findings_and_submit_refuse_hostile_json_with_exit_2(tmp_path: Path, text: str,
                                                              reason: str) -> None:
    audit = tmp_path / "audit.json"
    audit.write_text(text, encoding="utf-8")
    result = run("findings", str(audit))
    assert result.exit_code == 2
    assert reason in one_error_line(result) and str(audit) in result.output
    submitted = CliRunner(env={"INFRAAUDIT_SUBMIT_TOKEN": "t0ken"}).invoke(
        app, ["submit", str(audit), "--to", "http://127.0.0.1:9", "--outbox",
              str(tmp_path / "outbox")])
    assert submitted.exit_code == 2
    assert reason in one_error_line(submitted)
    assert not (tmp_path / "outbox").exists()


# ---------------------------------------------------------------- read-only and full disks

def _namespace() -> list[str] | None:
    """A command prefix running the rest in a private mount namespace (root, or an
    unprivileged user namespace), or None where there is none."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    prefix = [unshare, "--mount", "--propagation", "private"]
    if os.geteuid() != 0:
        prefix.insert(1, "--map-root-user")
    probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
    return prefix if probe.returncode == 0 else None


def _in_small_mounts(tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (sh) with ``ro/`` a read-only tmpfs and ``full/`` a 16 KiB one filled
    up, both under ``tmp_path``, in a mount namespace of its own (nothing is left mounted)."""
    prefix = _namespace()
    if prefix is None:
        pytest.skip("no mount namespace here (unshare)")
    (tmp_path / "ro").mkdir()
    (tmp_path / "full").mkdir()
    setup = ("set -e; mount -t tmpfs -o ro,size=64k tmpfs ro; "
             "mount -t tmpfs -o size=16k tmpfs full; "
             "dd if=/dev/zero of=full/filler bs=1k count=64 2>/dev/null || true; set +e; ")
    cli = f"{sys.executable} -m infraaudit.cli"
    return subprocess.run([*prefix, "sh", "-c", setup + script.replace("CLI", cli)],
                          cwd=tmp_path, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO), "COMM": "c0mm",
                               "COLUMNS": "300"}, timeout=120)


def test_read_only_folders_and_full_disks_give_exit_3_with_one_line(site: Path,
                                                                  tmp_path: Path) -> None:
    script = ("CLI scan site.yaml -q -o ro/a.json; echo rc=$?; "
              "CLI scan site.yaml -q -o ro/new/a.json; echo rc=$?; "
              "CLI health site.yaml -q --db ro/h.sqlite; echo rc=$?; "
              "CLI scan site.yaml -q -o full/a.json; echo rc=$?; ls -a full; "
              "CLI health site.yaml -q --db full/h.sqlite; echo rc=$?")
    res = _in_small_mounts(tmp_path, script)
    assert [line for line in res.stdout.splitlines() if line.startswith("rc=")] == ["rc=3"] * 5
    errors = res.stderr.splitlines()
    assert errors == [
        f"error: cannot write ro/a.json: the folder {tmp_path}/ro is not writable",
        f"error: cannot write ro/new/a.json: the folder {tmp_path}/ro is not writable",
        "error: history database ro/h.sqlite: cannot make its lock ro/h.sqlite.lock: "
        "Read-only file system",
        "error: cannot write full/a.json: No space left on device",
        errors[4],
    ], res.stderr
    assert errors[4].startswith("error: history database full/h.sqlite: ")
    assert "a.json" not in res.stdout and ".a.json" not in res.stdout  # no temporary left
