"""The findings stage's other data files as models: the security rules and their wording, and the
IPv6 programme. The packaged files load; a check's code always has its wording; a misspelt key,
a bad pattern or an unknown requirement fails with its path."""

from __future__ import annotations

import pydantic
import pytest

from infraaudit.errors import InfraAuditError
from infraaudit.findings.readiness import Programme, programme
from infraaudit.findings.security import (
    Check,
    PlatformRules,
    SecurityRules,
    SecurityWording,
    _rules,
    _wording,
)
from infraaudit.util import yamlfile


def test_the_packaged_security_files_load_and_every_check_has_wording() -> None:
    rules, wording = _rules(), _wording()
    assert "public" in rules.weak_communities and "cisco_ios" in rules.platforms
    codes = {code for p in rules.platforms.values() for code in p.checks}
    assert codes and codes <= set(wording.checks), codes - set(wording.checks)
    assert {"SEC-SNMP-WEAK", "SEC-SNMP-V1V2C", "SEC-SSH-LEGACY",
            "SEC-FIRMWARE-EOS"} <= set(wording.checks)


def test_the_packaged_programme_loads_in_phase_order() -> None:
    assert [p.phase for p in programme().phases] == [1, 2, 3]
    assert programme().phases[0].requirements == ("portal-aaaa",)


def _platform(**check: str) -> dict[str, object]:
    return {"config": "show running-config", "complete": "^end", "communities": "(x)",
            "checks": {"SEC-TELNET": [check]}}


@pytest.mark.parametrize(("check", "expected"), [
    ({"present": "^a", "absent": "^b"}, "give one of present or absent"),
    ({"hint": "ntp server"}, "give one of present or absent"),
    ({"present": "(telnet"}, "present: Value error, '(telnet' is not a regular expression"),
    ({"presnt": "^a"}, "presnt: Extra inputs are not permitted"),
])
def test_a_bad_security_check_names_its_path(check: dict[str, str], expected: str) -> None:
    data = {"weak_communities": ["public"], "platforms": {"cisco_ios": _platform(**check)}}
    with pytest.raises(pydantic.ValidationError) as caught:
        SecurityRules.model_validate(data)
    text = yamlfile.problems(caught.value)
    assert text.startswith("platforms.cisco_ios.checks.SEC-TELNET.0") and expected in text


def test_a_check_reads_its_patterns() -> None:
    rules = PlatformRules.model_validate(_platform(absent="^ntp server", hint="ntp server …"))
    assert rules.checks["SEC-TELNET"] == (Check(absent="^ntp server", hint="ntp server …"),)


def test_security_wording_without_an_evidence_sentence_fails() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        SecurityWording.model_validate({"evidence": {"absent": "{pattern}"}, "checks": {}})
    assert "evidence.ssh_legacy: Field required" in yamlfile.problems(caught.value)


def test_an_unknown_programme_requirement_fails_with_its_path() -> None:
    data = {"programme": "p", "phases": [{"phase": 1, "name": "n",
                                          "requirements": ["portal-aaaaa"]}]}
    with pytest.raises(pydantic.ValidationError) as caught:
        Programme.model_validate(data)
    assert yamlfile.problems(caught.value).startswith("phases.0.requirements.0: Input should be")


def test_a_broken_packaged_file_names_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlfile, "parse_yaml", lambda text: ({"programme": "p"}, None))
    with pytest.raises(InfraAuditError, match=r"ipv6_programme\.yaml: phases: Field required"):
        yamlfile.load_packaged("infraaudit.findings", "data/ipv6_programme.yaml", Programme)
