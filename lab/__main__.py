"""``python -m lab up [--netns [--scenario NAME | --agents N]] [--block B] | down | status``.

- ``up``: the loopback lab (no root);
- ``up --netns [--scenario NAME]``: the site lab (lab/site/: an office network in namespaces,
  faults from lab/scenarios/NAME.yaml, default baseline);
- ``up --netns --agents N``: the flat namespace lab (lab/netns.py: N snmpd agents on one bridge).

State lives in ``lab/run/`` (``state.json``, ``netns-state.json`` or ``site-state.json``, the
inventory and env file of each lab), so ``down`` and ``status`` work from another process. ``up``
returns once every agent answers; the agents keep running until ``down``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from lab import procs
from lab.loopback import LoopbackLab
from lab.model import LabState
from lab.netns import NetnsLab, teardown
from lab.site import SiteLab, scenario_names

RUN_DIR = Path(__file__).resolve().parent / "run"


def _state_files(run_dir: Path) -> list[Path]:
    return sorted(run_dir.glob("*state.json"))


def cmd_up(args: argparse.Namespace) -> int:
    """Start a lab and leave it running (one loopback and one netns lab at most)."""
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    site = args.netns and args.agents is None
    if args.scenario and not site:
        print("lab: --scenario is for the site lab (`up --netns` without --agents)",
              file=sys.stderr)
        return 2
    state_file = RUN_DIR / ("site-state.json" if site else
                            "netns-state.json" if args.netns else "state.json")
    if state_file.exists():
        if _alive(state_file):
            print(f"lab: already running ({state_file.name}); `python -m lab down` first",
                  file=sys.stderr)
            return 1
        _down_one(state_file)  # leftovers of a crashed run
    t0 = time.monotonic()
    lab: LoopbackLab | NetnsLab | SiteLab
    if site:
        lab = SiteLab(run_dir=RUN_DIR, scenario=args.scenario or "baseline")
    elif args.netns:
        lab = NetnsLab(run_dir=RUN_DIR, agents=args.agents)
    else:
        lab = LoopbackLab(run_dir=RUN_DIR, block=args.block)
    lab.start()
    print(f"lab up in {time.monotonic() - t0:.1f}s: {len(lab.devices)} devices")
    print(f"  inventory: {lab.inventory_path}")
    if isinstance(lab, LoopbackLab):
        print(f"  with SSH:  {lab.ssh_inventory_path} ({len(lab.ssh_devices)} SSH devices)")
    if isinstance(lab, SiteLab):
        print(f"  scenario:  {lab.scenario.name if lab.scenario else 'baseline'}; scanner: "
              f"ip netns exec {lab.scanner_ns} ...")
        print(f"  truth:     {lab.truth_path}")
    print(f"  env file:  {lab.env_file}")
    return 0


def _alive(path: Path) -> list[int]:
    state = LabState.load(path)
    return [p for p in state.pids if procs.alive(p)]


def _down_one(path: Path) -> bool:
    """Stop the lab recorded in ``path``; True if nothing is left (then the file is removed)."""
    state = LabState.load(path)
    if state.kind in ("netns", "site"):
        teardown(state)
    else:
        state.pids = procs.stop(state.pids)
    if state.pids:
        print(f"lab: could not stop {state.pids}", file=sys.stderr)
        state.save(path)
        return False
    path.unlink()
    print(f"lab down ({state.kind}, {state.run_id})")
    return True


def cmd_down(_: argparse.Namespace) -> int:
    """Stop every lab recorded under lab/run/ (idempotent)."""
    t0 = time.monotonic()
    ok = all([_down_one(path) for path in _state_files(RUN_DIR)])
    print(f"lab down: done in {time.monotonic() - t0:.1f}s")
    return 0 if ok else 1


def cmd_status(_: argparse.Namespace) -> int:
    """Print what is running; exit 0 if a lab is up and all its processes live."""
    files = _state_files(RUN_DIR)
    if not files:
        print("lab: not running")
        return 1
    ok = True
    for path in files:
        state = LabState.load(path)
        alive = _alive(path)
        ok &= len(alive) == len(state.pids)
        print(json.dumps({
            "kind": state.kind, "run_id": state.run_id, "inventory": state.inventory,
            "pids": state.pids, "alive": alive, "namespaces": state.namespaces,
            "devices": [f"{d.name} {d.host}:{d.port} {d.kind}" for d in state.devices],
        }, indent=2, ensure_ascii=False))
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m lab", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="start the lab")
    up.add_argument("--netns", action="store_true", help="namespace lab (root)")
    up.add_argument("--agents", type=int, default=None,
                    help="flat namespace lab with N agents (--netns; default: the site lab)")
    up.add_argument("--scenario", choices=scenario_names(), default=None,
                    help="site lab scenario (--netns without --agents; default baseline)")
    up.add_argument("--block", type=int, default=78, help="loopback block: 127.<block>.0.0/24")
    up.set_defaults(func=cmd_up)
    sub.add_parser("down", help="stop every recorded lab").set_defaults(func=cmd_down)
    sub.add_parser("status", help="show the running lab").set_defaults(func=cmd_status)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
