"""Benchmark: infraaudit's whole scan vs bare net-snmp walks of exactly the same OIDs.

    sudo .venv/bin/python -m tests.bench.bench_scan [--agents 50] [--rounds 3]

Builds the namespace lab with N net-snmp agents (root), then, for each round, measures side by
side on the same agents:

- ``infraaudit scan`` (gufo backend, then pysnmp): the whole process — start-up, walks, parsing,
  models, JSON written — as a subprocess;
- net-snmp's C tools the way LibreNMS collects: per device one ``snmpget`` of the scalars and one
  ``snmpbulkwalk`` per column, each device's commands in sequence, devices in parallel with the
  same device concurrency as infraaudit, same max-repetitions; the parent only counts lines.

Wall time is measured around each run; CPU time is the children's user+sys (``getrusage``), so it
covers every process the run spawned. Prints ratios; asserts nothing (targets live in the issue).
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infraaudit.inventory import load_inventory, read_env_file
from infraaudit.models import AuditDocument
from infraaudit.probes.snmp.base import SnmpProbe
from infraaudit.probes.snmp.device import PROBES
from lab.netns import NetnsLab

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass
class Run:
    name: str
    wall_s: float
    cpu_s: float


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(name: str, action: object) -> Run:
    cpu0, t0 = children_cpu(), time.perf_counter()
    action()  # type: ignore[operator]
    return Run(name, time.perf_counter() - t0, children_cpu() - cpu0)


def infraaudit_scan(inventory: Path, env_file: Path, backend: str, out: Path) -> None:
    result = subprocess.run(
        [str(BIN / "infraaudit"), "scan", str(inventory), "--env-file", str(env_file),
         "--output", str(out), "--quiet", "--backend", backend],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"infraaudit scan failed ({result.returncode}): {result.stderr[-2000:]}")


def net_snmp_walks(hosts: list[str], community: str, concurrency: int, repetitions: int,
                   timeout_s: float, retries: int, counted: list[int],
                   probes: tuple[SnmpProbe[Any], ...] = PROBES) -> None:
    """What LibreNMS does with net-snmp's C tools for the OIDs of ``probes``."""
    scalars = [o for p in probes for o in p.oids if o.endswith(".0")]
    columns = [o for p in probes for o in p.oids if not o.endswith(".0")]
    common = ["-v2c", "-c", community, "-On", "-t", str(timeout_s), "-r", str(retries)]

    async def device(host: str, slots: asyncio.Semaphore) -> None:
        target = f"udp6:[{host}]" if ":" in host else host
        commands = [["snmpget", *common, target, *scalars]]
        commands += [["snmpbulkwalk", *common, f"-Cr{repetitions}", target, c] for c in columns]
        async with slots:
            for argv in commands:
                proc = await asyncio.create_subprocess_exec(
                    *argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                out, _ = await proc.communicate()
                counted[0] += sum(1 for line in out.splitlines()
                                  if line.startswith(b".") and b"= No Such" not in line)

    async def run_all() -> None:
        slots = asyncio.Semaphore(concurrency)
        await asyncio.gather(*(device(h, slots) for h in hosts))

    asyncio.run(run_all())


def bench_inventory(lab: NetnsLab, path: Path) -> Path:
    """The lab's inventory, IPv4 devices only, with no rate cap (the C walks have none), and
    only the device SNMP walks: no site probes (discovery, pings, second poll, IPv6 LAN), which
    the net-snmp side does not do."""
    text = lab.inventory_path.read_text(encoding="utf-8")
    text = text.replace('requests_per_second: 500', 'requests_per_second: 10000')
    lines = [line for line in text.splitlines()
             if "-ipv6" not in line and not line.startswith(("link:", "discovery:", "ipv6:"))]
    lines += ["link: {enabled: false}", "ipv6: {enabled: false}", "discovery: {enabled: false}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("the namespace lab needs root")
    with tempfile.TemporaryDirectory(prefix="ia-bench-") as tmp, \
            NetnsLab(run_dir=Path(tmp) / "lab", agents=args.agents, sshd=False) as lab:
        inventory = bench_inventory(lab, Path(tmp) / "bench.yaml")
        env = read_env_file(lab.env_file)
        inv = load_inventory(inventory, env={**env, **os.environ}).inventory
        hosts = [d.host for d in inv.devices]
        community = next(iter(inv.credentials.snmp.values())).community.get_secret_value()  # type: ignore[union-attr]
        limits = inv.limits
        print(f"{len(hosts)} net-snmp agents in namespaces; {len(PROBES)} probes, "
              f"{sum(len(p.oids) for p in PROBES)} OIDs per device; device concurrency "
              f"{limits.concurrency}, max-repetitions {limits.max_repetitions}")
        runs: dict[str, list[Run]] = {"net-snmp": [], "gufo": [], "pysnmp": []}
        varbinds: dict[str, int] = {}
        counted = [0]
        for round_no in range(args.rounds):
            runs["net-snmp"].append(measure("net-snmp", lambda: net_snmp_walks(
                hosts, community, limits.concurrency, limits.max_repetitions, limits.timeout_s,
                limits.retries, counted)))
            varbinds["net-snmp"], counted[0] = counted[0], 0
            for backend in ("gufo", "pysnmp"):
                out = Path(tmp) / f"audit-{backend}-{round_no}.json"
                runs[backend].append(measure(backend, lambda b=backend, o=out: infraaudit_scan(
                    inventory, lab.env_file, b, o)))
                doc = AuditDocument.model_validate_json(out.read_text(encoding="utf-8"))
                varbinds[backend] = sum(p.varbinds for d in doc.devices for p in d.probes)
        best = {name: min(rs, key=lambda r: r.wall_s) for name, rs in runs.items()}
        base = best["net-snmp"]
        print(f"\n{'run':<28}{'wall s':>9}{'CPU s':>9}{'wall ×':>9}{'CPU ×':>9}")
        for name, label in (("net-snmp", "net-snmp snmpbulkwalk (C)"),
                            ("gufo", "infraaudit --backend gufo"),
                            ("pysnmp", "infraaudit --backend pysnmp")):
            r = best[name]
            print(f"{label:<28}{r.wall_s:>9.2f}{r.cpu_s:>9.2f}"
                  f"{r.wall_s / base.wall_s:>9.2f}{r.cpu_s / base.cpu_s:>9.2f}")
        print("varbinds read: " + ", ".join(f"{k} {v}" for k, v in varbinds.items()))
        print(f"\nbest of {args.rounds} rounds by wall time; targets: gufo wall ≤ 1.0×, CPU ≤ 0.5×")


if __name__ == "__main__":
    main()
