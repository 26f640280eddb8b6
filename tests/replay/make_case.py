"""Create a replay case from a recorded walk: keep only the OIDs the probe reads.

    .venv/bin/python -m tests.replay.make_case RECORDING.snmprec[.bz2] PROBE CASE_NAME "source note"

writes tests/replay/<probe>/<case>/walk.snmprec, expected.json (the parser's output: REVIEW IT
against the walk before committing) and SOURCE.txt. PROBE "device" keeps every probe's OIDs and
expects the assembled Device.
"""

from __future__ import annotations

import asyncio
import bz2
import sys
from pathlib import Path

from infraaudit.probes.snmp.device import PROBES
from infraaudit.probes.snmp.replay import ReplayClient, decode_line
from tests.replay.run_case import CASES, run_case


def main(recording: Path, probe: str, case: str, note: str) -> None:
    probes = PROBES if probe == "device" else [p for p in PROBES if p.name == probe]
    if not probes:
        raise SystemExit(f"unknown probe {probe}")
    roots = [o for p in probes for o in p.oids]
    opener = bz2.open if recording.suffix == ".bz2" else open
    with opener(recording, "rt", encoding="utf-8", errors="surrogateescape") as handle:
        keep = [line for line in handle
                if (vb := decode_line(line)) and any(
                    vb[0] == r or vb[0].startswith(r + ".") for r in roots)]
    folder = CASES / probe / case
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "walk.snmprec").write_text("".join(keep), encoding="utf-8", errors="surrogateescape")
    (folder / "SOURCE.txt").write_text(note + "\n", encoding="utf-8")
    result = asyncio.run(run_case(probe, ReplayClient.from_file(folder / "walk.snmprec")))
    (folder / "expected.json").write_text(result + "\n", encoding="utf-8")
    print(f"{folder}: {len(keep)} varbinds; review expected.json before committing")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4])
