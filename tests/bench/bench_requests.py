"""Benchmark (issue 17): what a scan costs the client and the devices, side by side.

    sudo .venv/bin/python -m tests.bench.bench_requests [--agents 20] [--ports 52] [--rounds 5]
        [--before /path/to/old/tree] [--scan-only]

Builds the namespace lab with N net-snmp agents, each with a switch-sized interface table
(``--ports`` interfaces: veth pairs inside its namespace), no lldpd, no sshd. Each round runs,
on the same agents, with the probes' own scalars and columns, device concurrency and
max-repetitions:

- ``infraaudit scan --backend gufo`` (the whole process: start-up, walks, models, JSON);
- net-snmp's C tools a table at a time: per device one ``snmpget`` of the scalars and one
  ``snmpbulkwalk`` per table the columns belong to (the table's entry subtree: it also reads the
  table's other columns), devices in parallel;
- a bare gufo_snmp script: per device the scalars in one GET, then one ``getbulk`` walk per
  column, columns of a device in sequence, devices in parallel (the library's floor).

``--scan-only`` runs only the scan (the large-site check: ``--agents 500 --ports 2``), and
prints its peak memory. ``--before`` also runs the scan with another source tree first on
PYTHONPATH (e.g. a ``git worktree`` of an older commit), in the same rounds, and checks that
both stored the same varbinds (audits apart from timings and ids).

The scans run with their bytecode cached as an installed wheel has it (a first round, not
counted, writes it). Wall time around each run; the client's CPU from ``getrusage`` of the
children (the scan and C tools are subprocesses) or of this process (the bare script, run in a
subprocess too); the agents' CPU from their processes' utime+stime in /proc before and after.
Prints the ratios the issue sets goals for; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from infraaudit.inventory import load_inventory, read_env_file
from infraaudit.models import AuditDocument
from infraaudit.probes.snmp.device import PROBES
from lab.netns import NetnsLab
from tests.bench.bench_scan import bench_inventory, children_cpu
from tests.bench.bench_startup import TIME, as_installed

REPO = Path(__file__).resolve().parents[2]
TICK = os.sysconf("SC_CLK_TCK")

BARE = '''
import asyncio, sys
from gufo.snmp.aio.client import SnmpSession
hosts, community = sys.argv[1].split(","), sys.argv[2]
scalars, columns = sys.argv[3].split(","), sys.argv[4].split(",")
slots_n, reps = int(sys.argv[5]), int(sys.argv[6])
count = 0
async def device(host, slots):
    global count
    async with slots:
        async with SnmpSession(addr=host, community=community, timeout=5.0,
                               max_repetitions=reps) as s:
            count += len(await s.get_many(scalars))
            for column in columns:
                async for _ in s.getbulk(column):
                    count += 1
async def main():
    slots = asyncio.Semaphore(slots_n)
    await asyncio.gather(*(device(h, slots) for h in hosts))
asyncio.run(main())
print(count)
'''


@dataclass
class Run:
    wall_s: float
    client_cpu_s: float
    agent_cpu_s: float


def agents_cpu(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def measure(action: Callable[[], object], pids: list[int]) -> Run:
    cpu0, agents0, t0 = children_cpu(), agents_cpu(pids), time.perf_counter()
    done = action()
    wall = time.perf_counter() - t0
    if isinstance(done, subprocess.CompletedProcess) and done.returncode:
        raise SystemExit(f"{done.args[:3]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return Run(wall, children_cpu() - cpu0, agents_cpu(pids) - agents0)


def stored_values(doc: AuditDocument) -> dict[str, list[object]]:
    """Per device what its probes stored and what does not move between two scans of a live
    host (counters, uptime and timings do)."""
    return {d.host: [*((p.probe, p.status, p.varbinds, p.error) for p in d.probes),
                     *((p.if_index, p.descr, p.mtu, p.mac) for p in d.ports),
                     *(a.model_dump_json() for a in d.addresses)]
            for d in doc.devices}


def table_roots(columns: list[str]) -> list[str]:
    """The entry subtree of each column's table (the column OID less its last arc)."""
    return list(dict.fromkeys(c.rsplit(".", 1)[0] for c in columns))


def c_walks(hosts: list[str], community: str, scalars: list[str], tables: list[str],
            concurrency: int, repetitions: int) -> None:
    common = ["-v2c", "-c", community, "-On", "-t", "5", "-r", "1"]

    async def device(host: str, slots: asyncio.Semaphore) -> None:
        commands = [["snmpget", *common, host, *scalars]]
        commands += [["snmpbulkwalk", *common, f"-Cr{repetitions}", host, t] for t in tables]
        async with slots:
            for argv in commands:
                proc = await asyncio.create_subprocess_exec(
                    *argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                await proc.wait()

    async def run_all() -> None:
        slots = asyncio.Semaphore(concurrency)
        await asyncio.gather(*(device(h, slots) for h in hosts))

    asyncio.run(run_all())


def print_results(runs: dict[str, list[Run]], stored: dict[str, dict[str, list[object]]],
                  varbinds: int, rounds: int) -> None:
    # wall: the best round; CPU: the mean of the rounds (an agent's CPU is read in clock
    # ticks of 10 ms, so one round of 20 agents is only good to about ±0.2 s)
    best = {name: Run(min(r.wall_s for r in rs), sum(r.client_cpu_s for r in rs) / len(rs),
                      sum(r.agent_cpu_s for r in rs) / len(rs)) for name, rs in runs.items()}
    print(f"\n{'run':<34}{'wall s':>8}{'client CPU s':>14}{'agent CPU s':>13}")
    labels = [("before", "infraaudit scan (gufo), --before")] if "before" in runs else []
    for name, label in (*labels, ("scan", "infraaudit scan (gufo)"),
                        ("c", "net-snmp, one walk per table (C)"),
                        ("bare", "bare gufo_snmp walks per column")):
        r = best[name]
        print(f"{label:<34}{r.wall_s:>8.2f}{r.client_cpu_s:>14.2f}{r.agent_cpu_s:>13.2f}")
    scan, c, bare = best["scan"], best["c"], best["bare"]
    print(f"\nwall: best of {rounds} rounds; CPU: their mean; {varbinds} varbinds "
          "stored by the scan")
    if "before" in runs:
        same = stored["before"] == stored["scan"]
        print(f"before and now stored {'the same' if same else 'DIFFERENT'} probe results")
    print(f"scan / C walk:     wall {scan.wall_s / c.wall_s:.2f}× (goal ≤ 1.0), client CPU "
          f"{scan.client_cpu_s / c.client_cpu_s:.2f}× (goal ≤ 0.5), agent CPU "
          f"{scan.agent_cpu_s / c.agent_cpu_s:.2f}× (goal ≤ 1.0)")
    print(f"scan / bare gufo:  wall {scan.wall_s / bare.wall_s:.2f}× (goal ≤ 1.5), agent "
          f"CPU {scan.agent_cpu_s / bare.agent_cpu_s:.2f}×")



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--ports", type=int, default=52)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", type=Path, help="an older source tree to compare with")
    parser.add_argument("--scan-only", action="store_true", help="no C or bare gufo runs")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("the namespace lab needs root")
    scalars = list(dict.fromkeys(o for p in PROBES for o in p.oids if o.endswith(".0")))
    columns = list(dict.fromkeys(o for p in PROBES for o in p.oids if not o.endswith(".0")))
    with tempfile.TemporaryDirectory(prefix="ia-bench-") as tmp, \
            NetnsLab(run_dir=Path(tmp) / "lab", agents=args.agents, lldpd=False, sshd=False,
                     extra_ports=args.ports - 2) as lab:
        inventory = bench_inventory(lab, Path(tmp) / "bench.yaml")
        env = read_env_file(lab.env_file)
        inv = load_inventory(inventory, env={**env, **os.environ}).inventory
        hosts = [d.host for d in inv.devices]
        community = next(iter(inv.credentials.snmp.values())).community.get_secret_value()  # type: ignore[union-attr]
        limits, pids = inv.limits, list(lab.state.pids)
        print(f"{len(hosts)} net-snmp agents, {args.ports} interfaces each; {len(scalars)} "
              f"scalars and {len(columns)} columns ({len(table_roots(columns))} tables) per "
              f"device; concurrency {limits.concurrency}, max-repetitions "
              f"{limits.max_repetitions}")
        runs: dict[str, list[Run]] = {"scan": [], "c": [], "bare": []}
        stored: dict[str, dict[str, list[object]]] = {}
        varbinds = 0
        peaks: dict[str, list[float]] = {}  # MB per counted scan (the first round compiles)
        trees = [(name, tree) for name, tree in (("before", args.before), ("scan", REPO)) if tree]
        envs = {name: as_installed(tree, Path(tmp) / f"pycache-{name}") for name, tree in trees}
        for round_no in range(-1, args.rounds):  # round -1 writes the bytecode, not counted
            for name, _ in trees:
                out = Path(tmp) / f"audit-{name}-{round_no}.json"
                rss = out.with_suffix(".rss")  # the scan's own peak, from GNU time
                timed = [TIME, "-f", "%M", "-o", str(rss)] if TIME else []
                run = measure(lambda o=out, e=envs[name], t=timed: subprocess.run(  # type: ignore[misc]
                    [*t, sys.executable, "-m", "infraaudit.cli", "scan", str(inventory),
                     "--env-file", str(lab.env_file), "--output", str(o), "--quiet",
                     "--backend", "gufo"], check=False, capture_output=True, text=True, env=e),
                    pids)
                if round_no < 0:
                    continue
                runs.setdefault(name, []).append(run)
                if rss.exists():
                    peaks.setdefault(name, []).append(
                        float(rss.read_text(encoding="ascii").split()[-1]) / 1024)
                doc = AuditDocument.model_validate_json(out.read_text(encoding="utf-8"))
                stored[name] = stored_values(doc)
                varbinds = sum(p.varbinds for d in doc.devices for p in d.probes)
            if args.scan_only or round_no < 0:
                continue
            runs["c"].append(measure(lambda: c_walks(
                hosts, community, scalars, table_roots(columns), limits.concurrency,
                limits.max_repetitions), pids))
            runs["bare"].append(measure(lambda: subprocess.run(
                [sys.executable, "-c", BARE, ",".join(hosts), community, ",".join(scalars),
                 ",".join(columns), str(limits.concurrency), str(limits.max_repetitions)],
                check=False, capture_output=True, text=True), pids))
        if args.scan_only:
            scan = min(runs["scan"], key=lambda r: r.wall_s)
            peak = max(peaks.get("scan") or
                       [resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024])
            print(f"scan: {scan.wall_s:.2f} s wall (best of {args.rounds}), client CPU "
                  f"{scan.client_cpu_s:.2f} s, agents {scan.agent_cpu_s:.2f} s, peak memory of "
                  f"the scan {peak:.0f} MB; {varbinds} varbinds stored")
            return
        print_results(runs, stored, varbinds, args.rounds)

if __name__ == "__main__":
    main()
