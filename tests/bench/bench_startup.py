"""Benchmark: how fast every ``infraaudit`` command starts (issue 17). Printed, not asserted.

    .venv/bin/python -m tests.bench.bench_startup [--rounds 7] [--before /path/to/old/tree]

Runs, each ``--rounds`` times as a fresh process: ``python -c pass`` (the floor), ``infraaudit
--help`` and every subcommand's ``--help``, and real quick commands — ``find`` and ``findings``
on a sample audit, ``schema``, ``scan`` of a one-device inventory whose SNMP port on 127.0.0.1
is closed (so the whole scan path runs: inventory, scanner, one refused request, the audit
written), ``history`` of an empty database, ``schedule status`` of an empty unit folder,
``submit`` to a closed port on 127.0.0.1 (the audit queued in an outbox) and ``collector
add-admin`` on a fresh SQLite file. Nothing leaves the machine.

Per command: the best wall time (perf_counter around the child) and its peak RSS (as GNU
time reports it), as ratios to ``python -c pass`` and to the goal (0.3 s, 45 MB).
``--before`` runs the same commands with another source tree first on PYTHONPATH (e.g.
``git archive`` of an older commit) and prints its columns next to this one's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.paths import REPO, UNIT_DATA

GOAL_S, GOAL_MB = 0.3, 45.0
BIN = Path(sys.executable).parent
TIME = shutil.which("time", path="/usr/bin:/bin")  # GNU time (Debian package ``time``)
AUDIT = UNIT_DATA / "sample-agency" / "hoan-kiem.json"

HELPS = ["", "scan", "findings", "schema", "find", "health", "history", "report", "submit",
         "province-report", "schedule", "schedule install", "schedule status", "collector",
         "collector add-agency", "serve"]


@dataclass
class Sample:
    wall_s: float
    rss_mb: float
    code: int


def closed_port() -> int:
    """A UDP/TCP port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_once(argv: list[str], env: dict[str, str], cwd: Path) -> Sample:
    """One run. The peak RSS comes from GNU time when it is installed: a child forked by this
    Python process carries this process's RSS (~16 MB) in its ``ru_maxrss`` until it execs,
    which would hide anything smaller; ``time`` is a small C program."""
    rss_file = cwd / "rss.txt"
    prefix = [TIME, "-f", "%M", "-o", str(rss_file)] if TIME else []
    start = time.perf_counter()
    proc = subprocess.Popen([*prefix, *argv], cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    kb = float(usage.ru_maxrss)
    if TIME:
        kb = float(rss_file.read_text(encoding="ascii").split()[-1])
    return Sample(wall, kb / 1024.0, code)


def commands(work: Path) -> list[tuple[str, list[str]]]:
    """(label, arguments after ``infraaudit``) of every command measured."""
    port = closed_port()
    inventory = work / "site.yaml"
    inventory.write_text(
        'agency: {code: TTT, name: "Thanh tra"}\nsite: {id: s1, name: "Trụ sở"}\n'
        'credentials: {snmp: {office: {version: v2c, community: "${COMM}"}}}\n'
        "limits: {timeout_s: 1, retries: 0}\n"
        "link: {enabled: false}\nipv6: {enabled: false}\ndiscovery: {enabled: false}\n"
        f"devices:\n  - {{host: 127.0.0.1, port: {port}, snmp: office}}\n", encoding="utf-8")
    (work / "units").mkdir()
    found = [(f"{h} --help".strip(), [*h.split(), "--help"]) for h in HELPS]
    return [
        *found,
        ("find MAC audit", ["find", "00:11:22:33:44:55", str(AUDIT)]),
        ("findings audit --json", ["findings", str(AUDIT), "--json"]),
        ("schema", ["schema"]),
        ("scan (1 device, port closed)", ["scan", str(inventory), "-o", str(work / "a.json"),
                                          "-q"]),
        ("history (empty db)", ["history", "--site", "s1", "--db", str(work / "h.sqlite")]),
        ("schedule status", ["schedule", "status", "--unit-dir", str(work / "units")]),
        ("submit (collector down)", ["submit", "--to", f"http://127.0.0.1:{port}",
                                     str(AUDIT), "--attempts", "1", "--outbox",
                                     str(work / "outbox")]),
        ("collector add-admin", ["collector", "add-admin", "--db", str(work / "c.sqlite")]),
    ]


def prepare(work: Path) -> None:
    """State the real commands need before they are timed (an empty history database)."""
    import sqlite3

    sqlite3.connect(work / "h.sqlite").close()


def as_installed(root: Path, cache: Path) -> dict[str, str]:
    """This environment with ``root`` first on PYTHONPATH and bytecode as an installed wheel has
    it: cached in ``cache`` (never in the checkout), written even where PYTHONDONTWRITEBYTECODE
    is set. The caller runs a first round that is not counted: it writes the bytecode (without
    it every run compiles the source, ~0.1 s of a scan's start-up)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return env | {"PYTHONPATH": str(root), "PYTHONPYCACHEPREFIX": str(cache)}


def measure(root: Path, rounds: int, work: Path) -> dict[str, list[Sample]]:
    env = as_installed(root, work / "pycache") | {
        "COMM": "c0mm", "INFRAAUDIT_SUBMIT_TOKEN": "t0ken-for-a-closed-port", "COLUMNS": "100",
        "XDG_DATA_HOME": str(work / "xdg")}
    program = [str(BIN / "infraaudit")] if (BIN / "infraaudit").exists() else [
        sys.executable, "-m", "infraaudit.cli"]
    samples: dict[str, list[Sample]] = {"python -c pass": []}
    todo = [("python -c pass", [sys.executable, "-c", "pass"])]
    todo += [(label, [*program, *args]) for label, args in commands(work)]
    for round_ in range(rounds + 1):  # interleaved: a busy moment hits every command
        for label, argv in todo:
            for stale in ("c.sqlite", "outbox", "a.json"):
                target = work / stale
                if target.is_dir():
                    shutil.rmtree(target)
                else:
                    target.unlink(missing_ok=True)
            sample = run_once(argv, env, work)
            if round_:  # round 0 writes the bytecode
                samples.setdefault(label, []).append(sample)
    return samples


def best(runs: list[Sample]) -> Sample:
    return min(runs, key=lambda s: s.wall_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--before", type=Path, help="an older source tree to compare with")
    args = parser.parse_args()
    results: list[tuple[str, dict[str, list[Sample]]]] = []
    for name, root in [("before", args.before), ("now", REPO)]:
        if root is None:
            continue
        with tempfile.TemporaryDirectory(prefix="ia-bench-startup-") as tmp:
            work = Path(tmp)
            prepare(work)
            results.append((name, measure(root.resolve(), args.rounds, work)))
    floor = {name: best(s["python -c pass"]) for name, s in results}
    head = f"{'command':<32}"
    for name, _ in results:
        head += f"{name + ' s':>10}{'MB':>7}{'codes':>7}"
    head += f"{'× pass':>8}{'× 0.3 s':>9}{'× 45 MB':>9}"
    print(head)
    labels = list(results[-1][1])
    for label in labels:
        line = f"{label:<32}"
        for _, samples in results:
            b = best(samples[label])
            codes = ",".join(sorted({str(s.code) for s in samples[label]}))
            line += f"{b.wall_s:>10.3f}{b.rss_mb:>7.1f}{codes:>7}"
        now = best(results[-1][1][label])
        line += (f"{now.wall_s / floor['now'].wall_s:>8.1f}{now.wall_s / GOAL_S:>9.2f}"
                 f"{now.rss_mb / GOAL_MB:>9.2f}")
        print(line)
    for name, samples in results:
        walls = [best(samples[label]).wall_s for label in labels[1:]]
        rss = [best(samples[label]).rss_mb for label in labels[1:]]
        print(f"{name}: median over commands {statistics.median(walls):.3f} s, "
              f"{statistics.median(rss):.1f} MB; worst {max(walls):.3f} s, {max(rss):.1f} MB")
    print(f"\nbest of {args.rounds} rounds by wall; goal: every command ≤ {GOAL_S} s and "
          f"≤ {GOAL_MB:.0f} MB (ratios ≤ 1.00). Exit codes are the commands' own (find: 1 not "
          "found, findings: 1 with findings, scan: 1 device not audited, submit: 1 queued).")


if __name__ == "__main__":
    main()
