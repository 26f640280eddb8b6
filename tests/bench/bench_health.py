"""Benchmark: the nightly health check of many agents, next to net-snmp reading the same OIDs.

    sudo .venv/bin/python -m tests.bench.bench_health [--agents 250] [--rounds 2]

Builds the namespace lab with N net-snmp agents (root), then per round measures side by side:
``infraaudit health`` as a subprocess (whole process: start-up, sysUpTime + interface table of
every agent, 20 pings per agent, comparison with the previous run, the SQLite write) and
net-snmp's C tools reading the same OIDs (one ``snmpget`` + one ``snmpbulkwalk`` per column per
device). Prints wall and CPU times and ratios; the issue's target is health under 15 s on 2
cores. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from pathlib import Path

from infraaudit.health.run import PROBES
from infraaudit.inventory import load_inventory, read_env_file
from lab.netns import NetnsLab
from tests.bench.bench_scan import BIN, Run, measure, net_snmp_walks

TARGET_S = 15.0


def health_inventory(lab: NetnsLab, path: Path, db: Path) -> Path:
    """The lab's IPv4 devices with a health section; no site probes (health does none)."""
    text = lab.inventory_path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if "-ipv6" not in line]
    lines.append("health: " + "{" + f"db: {db}, ping_count: 20, ping_interval_ms: 50" + "}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_health(inventory: Path, env_file: Path) -> None:
    result = subprocess.run([str(BIN / "infraaudit"), "health", str(inventory), "--env-file",
                             str(env_file), "--quiet"], capture_output=True, text=True,
                            check=False)
    if result.returncode not in (0, 1):
        raise SystemExit(f"infraaudit health failed ({result.returncode}): "
                         f"{result.stderr[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("the namespace lab needs root")
    with tempfile.TemporaryDirectory(prefix="ia-bench-health-") as tmp, \
            NetnsLab(run_dir=Path(tmp) / "lab", agents=args.agents, sshd=False,
                     lldpd=False) as lab:
        db = Path(tmp) / "history.sqlite"
        inventory = health_inventory(lab, Path(tmp) / "health.yaml", db)
        inv = load_inventory(inventory, env={**read_env_file(lab.env_file), **os.environ})
        hosts = [d.host for d in inv.inventory.devices]
        community = next(iter(inv.inventory.credentials.snmp.values())
                         ).community.get_secret_value()  # type: ignore[union-attr]
        limits = inv.inventory.limits
        print(f"{len(hosts)} net-snmp agents in namespaces; health reads "
              f"{sum(len(p.oids) for p in PROBES)} OIDs per device and pings each 20 times "
              f"(50 ms apart); device concurrency {limits.concurrency}")
        runs: dict[str, list[Run]] = {"net-snmp": [], "health": []}
        counted = [0]
        for _ in range(args.rounds):
            runs["net-snmp"].append(measure("net-snmp", lambda: net_snmp_walks(
                hosts, community, limits.concurrency, limits.max_repetitions, limits.timeout_s,
                limits.retries, counted, PROBES)))
            runs["health"].append(measure("health", lambda: run_health(inventory,
                                                                       lab.env_file)))
        best = {name: min(rs, key=lambda r: r.wall_s) for name, rs in runs.items()}
        base = best["net-snmp"]
        print(f"\n{'run':<34}{'wall s':>9}{'CPU s':>9}{'wall ×':>9}{'CPU ×':>9}")
        for name, label in (("net-snmp", "net-snmp snmpget+snmpbulkwalk (C)"),
                            ("health", "infraaudit health (gufo)")):
            r = best[name]
            print(f"{label:<34}{r.wall_s:>9.2f}{r.cpu_s:>9.2f}"
                  f"{r.wall_s / base.wall_s:>9.2f}{r.cpu_s / base.cpu_s:>9.2f}")
        print(f"\nbest of {args.rounds} rounds by wall time; target: health under {TARGET_S:g} s "
              f"(measured {best['health'].wall_s:.2f} s = {best['health'].wall_s / TARGET_S:.2f}"
              " of the target)")


if __name__ == "__main__":
    main()
