"""CLI replay: the SSH simulator's captures (real device output, origins in
lab/sshsim/captures/SOURCES.md) parsed into CliFacts, compared with the reviewed
tests/replay/cli/<platform>.json. The same files feed the simulator, so lab and replay agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infraaudit.probes.ssh.allowlist import platforms, table
from infraaudit.probes.ssh.parsers import build_facts
from lab.sshsim.platform import captures_for, command_file

EXPECTED = Path(__file__).parent / "cli"
# platforms whose facts have parsers today
PARSED = ["cisco_ios", "hp_procurve", "huawei", "juniper_junos", "linux", "mikrotik_routeros"]


def outputs_of(platform: str) -> dict[str, str]:
    files = captures_for(platform)
    return {spec.command: files[command_file(spec.command)].read_text(encoding="utf-8")
            for spec in table(platform).commands if command_file(spec.command) in files}


def render(platform: str) -> str:
    facts = build_facts(platform, outputs_of(platform))
    return json.dumps(facts.model_dump(mode="json"), indent=2, ensure_ascii=False, sort_keys=True)


@pytest.mark.parametrize("platform", PARSED)
def test_cli_replay(platform: str) -> None:
    assert outputs_of(platform), f"no captures for {platform}"
    expected = json.loads((EXPECTED / f"{platform}.json").read_text(encoding="utf-8"))
    assert json.loads(render(platform)) == expected


def test_every_capture_answers_an_allowlisted_command() -> None:
    """A capture nobody may ask for would be dead data (or a hint the allowlist lost a line)."""
    for platform in platforms():
        asked = {command_file(c.command) for c in table(platform).commands}
        asked |= {command_file(c) for c in ("cat /etc/os-release", "uname -a", "show version",
                                              "display version", "/interface print")}
        extra = set(captures_for(platform)) - asked
        assert not extra, f"{platform}: {extra}"


if __name__ == "__main__":  # regenerate, then REVIEW: python -m tests.replay.test_cli_replay
    EXPECTED.mkdir(exist_ok=True)
    for name in PARSED:
        (EXPECTED / f"{name}.json").write_text(render(name) + "\n", encoding="utf-8")
        print(f"wrote {EXPECTED / name}.json")
