"""``python -m infraaudit.probes.discovery INVENTORY [--env-file F] [--json]``: discovery alone.

Runs in the network namespace it is started in
(``ip netns exec NS python -m infraaudit.probes.discovery``), which is how the namespace lab
tests it. Prints the Discovery as JSON, or a short summary.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from infraaudit.errors import InventoryError
from infraaudit.inventory import Inventory, load_inventory, read_env_file
from infraaudit.models.discovery import Discovery
from infraaudit.probes.discovery.core import discover
from infraaudit.probes.snmp import Backend, release_backends


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m infraaudit.probes.discovery",
                                     description="Discover hosts and devices of an inventory's "
                                                 "subnets (read-only).")
    parser.add_argument("inventory", type=Path)
    parser.add_argument("--env-file", type=Path, help="KEY=VALUE file with the secrets")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--backend", choices=[b.value for b in Backend], default="gufo")
    parser.add_argument("--max-devices", type=int, default=256, help="crawl budget")
    parser.add_argument("--max-depth", type=int, default=4, help="crawl hops from the seeds")
    parser.add_argument("--allow-inline-secrets", action="store_true")
    return parser


async def _run(inventory: Inventory, args: argparse.Namespace) -> Discovery:
    try:
        return await discover(
            inventory, snmp_backend=Backend(args.backend),
            progress=None if args.json else lambda m: print(m, file=sys.stderr),
            max_devices=args.max_devices, max_depth=args.max_depth)
    finally:
        release_backends()


def summary(result: Discovery) -> str:
    lines = []
    for s in result.sweeps:
        label = f"{s.subnet} ({s.name})" if s.name else s.subnet
        error = f" - {s.error}" if s.error else ""
        lines.append(f"{label}: {s.method}, {s.answered}/{s.targets} answered, "
                     f"{s.sent} sent, {s.duration_ms:.0f} ms{error}")
    for h in result.hosts:
        rtt = f"{h.rtt_ms:.2f} ms" if h.rtt_ms is not None else ""
        lines.append(f"  {h.address:<16} {h.mac or '':<17} {rtt:>10} {','.join(h.how):<20} "
                     f"{h.sys_name or ''} {'(inventory)' if h.in_inventory else ''}".rstrip())
    for e in result.edges:
        state = "followed" if e.followed else "not followed"
        lines.append(f"  {e.device_name or e.device} [{e.local_port}] -> "
                     f"{e.neighbour_name} {e.neighbour_address or ''}: {state}"
                     + (f" ({e.reason})" if e.reason else ""))
    lines += [f"error: {e}" for e in result.errors]
    lines.append(f"{len(result.hosts)} host(s) in {result.duration_ms / 1000:.1f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        env = None
        if args.env_file is not None:
            env = {**os.environ, **read_env_file(args.env_file)}
        loaded = load_inventory(args.inventory, env=env,
                                allow_inline_secrets=args.allow_inline_secrets)
    except InventoryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = asyncio.run(_run(loaded.inventory, args))
    print(result.model_dump_json(indent=2) if args.json else summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
