"""CLI replay cases, one per folder: tests/replay/cli/<platform>/<case>/ holds

    outputs/       the captured outputs, <command>.txt each (probes.ssh.replay.capture_file);
                   for the case `sshsim` a link to lab/sshsim/captures/<platform>, the files the
                   SSH simulator serves, so lab and replay read one copy and agree
    SOURCE.txt     where the outputs come from and their licence (required)
    expected.json  the reviewed CliFacts

Each case runs collect_cli over a ReplaySession of its outputs, the path a scan takes through
netmiko: the allowlist's commands in order, an allowlisted command without a capture rejected.
A second firmware of a platform is a sibling folder (e.g. cisco_ios/ws-c2960x-15.2/) holding
its own outputs/. Regenerate every expected.json, then REVIEW the diff:
python -m tests.replay.test_cli_replay
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from infraaudit.models import ProbeStatus
from infraaudit.probes.ssh.allowlist import platforms, table
from infraaudit.probes.ssh.device import CliCollected, collect_cli
from infraaudit.probes.ssh.parsers import OWN_PARSERS, ROW_PARSERS
from infraaudit.probes.ssh.replay import ReplaySession, capture_file
from infraaudit.probes.ssh.transport import SshCredentials, SshTarget
from lab.sshsim.platform import CAPTURES

CLI = Path(__file__).parent / "cli"
CASES = sorted(p for p in CLI.glob("*/*") if p.is_dir())
# not collected, but captured for the lab: its tests and netmiko's platform autodetection ask them
LAB_ONLY = ("cat /etc/os-release", "uname -a", "show version", "display version",
            "/interface print")


def replay(case: Path) -> CliCollected:
    platform = case.parent.name
    session = ReplaySession.from_folder(platform, case / "outputs")
    target = SshTarget("replay", 22, SshCredentials("replay"), platform)
    return asyncio.run(collect_cli(target, session.open))


def render(got: CliCollected) -> str:
    assert got.facts is not None, "the replay session did not open"
    return json.dumps(got.facts.model_dump(mode="json"), indent=2, ensure_ascii=False,
                      sort_keys=True)


def test_every_parsed_platform_has_a_case() -> None:
    parsed = {platform for platform, _ in ROW_PARSERS | OWN_PARSERS}
    covered = {case.parent.name for case in CASES}
    assert parsed <= covered, f"no replay case for {sorted(parsed - covered)}"
    assert covered <= set(platforms()), f"not a platform: {sorted(covered - set(platforms()))}"


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_cli_replay(case: Path) -> None:
    assert (case / "SOURCE.txt").read_text(encoding="utf-8").strip(), "every case names its source"
    got = replay(case)
    captured = {f.name for f in (case / "outputs").glob("*.txt")}
    expected_status = {f"ssh:{spec.command}": ProbeStatus.OK
                       if capture_file(spec.command) in captured else ProbeStatus.UNSUPPORTED
                       for spec in table(case.parent.name).commands}
    assert {r.probe: r.status for r in got.results} == {"ssh": ProbeStatus.OK} | expected_status
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    assert json.loads(render(got)) == expected


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_every_capture_answers_an_allowlisted_command(case: Path) -> None:
    """A capture nobody may ask for would be dead data (or a hint the allowlist lost a line)."""
    asked = {capture_file(c.command) for c in table(case.parent.name).commands}
    asked |= {capture_file(c) for c in LAB_ONLY}
    extra = {f.name for f in (case / "outputs").glob("*")} - asked
    assert not extra, f"{case}: {extra}"


def test_the_simulator_serves_the_files_a_replay_case_reads() -> None:
    """Every capture folder of the simulator is the outputs of exactly one case, and a linked
    outputs/ points there (so a second copy of a capture cannot drift from the lab's)."""
    served = {p.resolve() for p in CAPTURES.iterdir() if p.is_dir()}
    read = [(case / "outputs").resolve() for case in CASES]
    assert sorted(served) == sorted(p for p in read if p in served)
    for case in CASES:
        outputs = case / "outputs"
        if outputs.is_symlink():
            assert outputs.resolve() in served, f"{outputs} links outside {CAPTURES}"
            assert outputs.resolve().name == case.parent.name, f"{outputs}: another platform"


if __name__ == "__main__":
    for found in CASES:
        (found / "expected.json").write_text(render(replay(found)) + "\n", encoding="utf-8")
        print(f"wrote {found / 'expected.json'}")
