"""kill -9 at any moment leaves the history database consistent and keeps every finished run.

Two angles: the real `infraaudit health` process against the loopback lab, killed at random
points of its run; and a writer process that does nothing but store large runs, killed at
random points, so that many kills land inside a transaction.

Both first measure how long their work takes on this machine (a whole health run; one stored
run of the writer) and kill within that time: a fixed window (0.5-4 s) killed every run on a
busy machine, where one run took longer.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from infraaudit.health.store import HistoryStore
from infraaudit.health.trends import since
from lab.loopback import LoopbackLab

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackLab]:
    with LoopbackLab(run_dir=tmp_path_factory.mktemp("lab"), block=74) as running:
        yield running


def _consistent(db: Path, devices: int | None = None) -> list[str]:
    """Integrity ok, and every stored run is whole; return the stored run ids."""
    with HistoryStore(db) as store:
        assert store.integrity() == "ok"
        runs = store.runs(store.sites()[0], since(10_000)) if store.sites() else []
        for run in runs:
            if devices is not None:
                assert run["devices"] == devices, f"run {run['run_id']} is not whole"
        return [r["run_id"] for r in runs]


def _timed_run(argv: list[str]) -> tuple[float, str]:
    """Seconds one whole health run takes here, and its run id."""
    start = time.monotonic()
    res = subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=REPO,
                         check=False)
    assert res.returncode in (0, 1), res.stderr[-1000:]
    return time.monotonic() - start, json.loads(res.stdout)["run"]["run_id"]


def test_killing_health_runs_never_loses_a_finished_run(lab: LoopbackLab, tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    argv = [sys.executable, "-m", "infraaudit.cli", "health", str(lab.inventory_path),
            "--env-file", str(lab.env_file), "--db", str(db), "--json"]
    rng = random.Random(20261123)
    measured = [_timed_run(argv) for _ in range(2)]
    one_run = min(seconds for seconds, _ in measured)  # the faster: kills land inside a run
    finished = [run_id for _, run_id in measured]
    killed = 0
    for _ in range(12):
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                cwd=REPO, start_new_session=True)
        try:  # anywhere in the run, from start-up to the commit, sometimes just after it
            out, _ = proc.communicate(timeout=rng.uniform(0.05, 1.1) * one_run)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()  # reap it and close its pipe
            killed += 1
            continue
        assert proc.returncode in (0, 1)
        finished.append(json.loads(out)["run"]["run_id"])
    assert killed >= 3, (killed, one_run)  # the kills did land inside runs
    stored = _consistent(db, devices=len(lab.devices))
    assert set(finished) <= set(stored)
    # and the next run after all that still works, with the lock released by the dead ones
    res = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=REPO, check=False)
    assert res.returncode in (0, 1), res.stderr[-1000:]
    assert json.loads(res.stdout)["previous_run_id"] in stored


WRITER = textwrap.dedent("""
    import sys, uuid
    from pathlib import Path
    from infraaudit.models import Agency, PortCounters, Site
    from infraaudit.models.health import DeviceHealth, HealthRun, PortHealth
    from infraaudit.health.store import HistoryStore
    from infraaudit.scan.runner import now_iso
    ports = [PortHealth(if_index=i, name=f"p{i}", oper_status="up",
                        counters=PortCounters(in_ucast_pkts=i)) for i in range(1, 49)]
    devices = [DeviceHealth(host=f"10.0.{i // 250}.{i % 250}", reachable=True, uptime_s=1.0,
                            ports=ports) for i in range(200)]
    with HistoryStore(Path(sys.argv[1])) as store:
        while True:
            run = HealthRun(run_id=str(uuid.uuid4()), agency=Agency(code="K", name="k"),
                            site=Site(id="kill", name="k"), tool_version="t",
                            inventory_digest="0", started_at=now_iso(), finished_at=now_iso(),
                            complete=True, devices=devices)
            store.save(run, [], {})
            print(run.run_id, flush=True)
""")


def test_killing_the_writer_mid_transaction_keeps_the_database_whole(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    rng = random.Random(7)
    committed: list[str] = []
    for _ in range(15):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], cwd=REPO,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        committed.append(proc.stdout.readline().strip())  # started: one run stored
        start = time.monotonic()
        committed.append(proc.stdout.readline().strip())
        one_save = time.monotonic() - start  # how long storing one run takes here
        time.sleep(rng.uniform(0.0, 1.5) * one_save)  # mostly inside the next transaction
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        committed += out.split()  # printed only after COMMIT returned
    stored = _consistent(db, devices=200)
    assert committed and set(committed) <= set(stored)
    assert len(stored) - len(committed) <= 15  # at most one committed-but-unprinted per kill
