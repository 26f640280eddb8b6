"""Benchmark: how long and how much memory an endless walk costs with the issue's limits.

    .venv/bin/python -m tests.bench.bench_hostile_walk [--deadline S]

Starts ``lab.hostile_agent`` on 127.95.0.1-4 (two endless-walk devices, two honest ones), reads
all four at once (gufo and pysnmp) with ``timeout_s: 1``, ``retries: 1`` and the other limits at
their defaults (so the device deadline is its default, 80 s, unless ``--deadline``), and prints
each device's time, rows and failure, and the process's peak RSS against its RSS before the scan.
Asserts nothing. Run under the lab lock (flock /tmp/ialab.lock ...).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import signal
import subprocess
import sys
import time

from infraaudit.models import Device, ProbeStatus
from infraaudit.probes.snmp import Backend, SnmpCredentials, SnmpTarget, assemble
from infraaudit.scan import collect_snmp
from lab import procs

BASE, PORT = "127.95.0.", 16188


def rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


async def one(host: str, backend: Backend, deadline: float | None) -> str:
    target = SnmpTarget(host, PORT, SnmpCredentials("v2c", community="bench"), timeout_s=1,
                        retries=1, deadline_s=deadline)
    started = time.monotonic()
    device = assemble(Device(host=host, port=PORT), await collect_snmp(target, backend))
    failures = sorted({p.error or "" for p in device.probes if p.status is ProbeStatus.FAILED})
    return (f"{host} {backend.value}: {time.monotonic() - started:.1f} s, sysName "
            f"{device.sys_name}, {len(device.ports)} ports, {failures[:1] or 'complete'}")


async def scan(deadline: float | None) -> list[str]:
    return list(await asyncio.gather(
        one(BASE + "1", Backend.GUFO, deadline), one(BASE + "2", Backend.PYSNMP, deadline),
        one(BASE + "3", Backend.GUFO, deadline), one(BASE + "4", Backend.PYSNMP, deadline)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deadline", type=float, default=None)
    args = parser.parse_args()
    specs = [f"endless:e1@{BASE}1", f"endless:e2@{BASE}2", f"honest:h3@{BASE}3",
             f"honest:h4@{BASE}4"]
    agent = subprocess.Popen([sys.executable, "-m", "lab.hostile_agent", str(PORT), *specs])
    try:
        procs.wait_all_answer([(BASE + "3", PORT, ["-v2c", "-c", "bench"])], [agent.pid], 20)
        before = rss_mb()
        default = SnmpTarget("x", 1, SnmpCredentials("v2c"), timeout_s=1, retries=1).deadline
        print(f"device deadline: {args.deadline or default:g} s; RSS before: {before} MB")
        started = time.monotonic()
        for line in asyncio.run(scan(args.deadline)):
            print(line)
        print(f"all four: {time.monotonic() - started:.1f} s; peak RSS {rss_mb()} MB")
    finally:
        agent.send_signal(signal.SIGTERM)
        agent.wait(10)


if __name__ == "__main__":
    main()
