"""Rewrite every SNMP replay case's expected.json from its walk, after a reviewed change of the
probes or models: ``.venv/bin/python -m tests.replay.regen``; then REVIEW ``git diff``."""

from __future__ import annotations

import asyncio

from infraaudit.probes.snmp.replay import ReplayClient
from tests.replay.run_case import CASES, run_case


def main() -> None:
    for walk in sorted(CASES.glob("*/*/walk.snmprec")):
        case = walk.parent
        got = asyncio.run(run_case(case.parent.name, ReplayClient.from_file(walk)))
        (case / "expected.json").write_text(got + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
