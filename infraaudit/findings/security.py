"""Security posture of a LAN device: pure rules over its configuration text and how it answered
SNMP. Rules are data (``data/security_rules.yaml``); wording is in
``report_templates/security_checks.yaml``; both load into models at first use, so a misspelt key
or a bad pattern fails with its path. Evidence never carries a secret: configuration lines are
masked, and a weak community is named as weak, never quoted."""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from infraaudit.findings.datafile import Regex, WordingTemplate, Words, as_tuple
from infraaudit.models import SecurityFinding
from infraaudit.util.yamlfile import load_packaged

# Once one of these words appears, the rest of the line may be (or hold) a secret: all of it is
# masked. Losing a trailing "RO" or ACL number is the price of never leaking a password.
_SECRET = re.compile(
    r"\b(password|passwd|secret|community|key-string|key|cipher|simple|plaintext|wpa-psk|"
    r"authentication-key|authentication-mode|auth-password|priv-password|pre-shared-key|"
    r"ascii-text|encrypted-password|usm-user|auth|priv|md5|sha|version\s+(?:1|2c))\b.*$",
    re.IGNORECASE,
)


def mask(line: str) -> str:
    """Keep a configuration line up to its first secret keyword; mask everything after it."""
    return _SECRET.sub(lambda m: f"{m.group(1)} ******", line.rstrip())


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Check(_Data):
    """Fires when ``present`` matches a line, or when no line matches ``absent`` (``hint``: what
    the evidence says was not found, instead of the pattern)."""

    present: Regex | None = None
    absent: Regex | None = None
    hint: str | None = None

    @model_validator(mode="after")
    def _one_pattern(self) -> Check:
        if (self.present is None) == (self.absent is None):
            raise ValueError("give one of present or absent")
        return self


class PlatformRules(_Data):
    config: str = Field(description="the command whose output is the configuration")
    complete: Regex = Field(description="matches a line of a whole configuration")
    communities: Regex = Field(description="captures an SNMP community (group 1)")
    checks: dict[str, Annotated[tuple[Check, ...], BeforeValidator(as_tuple)]]


class SecurityRules(_Data):
    weak_communities: Words
    platforms: dict[str, PlatformRules]


class CheckWording(_Data):
    severity: Literal["high", "medium", "low"]
    title: str
    explanation: str
    recommendation: str


class EvidenceWording(_Data):
    absent: WordingTemplate
    weak_community_config: WordingTemplate
    weak_community_profile: WordingTemplate
    snmp_profile: WordingTemplate
    ssh_legacy: WordingTemplate
    firmware_eos: WordingTemplate


class SecurityWording(_Data):
    evidence: EvidenceWording
    checks: dict[str, CheckWording]


@cache
def _rules() -> SecurityRules:
    return load_packaged("infraaudit.findings", "data/security_rules.yaml", SecurityRules)


@cache
def _wording() -> SecurityWording:
    return load_packaged("infraaudit.report_templates", "security_checks.yaml", SecurityWording)


def _finding(code: str, evidence: list[str], source: str) -> SecurityFinding:
    words = _wording().checks[code]
    return SecurityFinding(code=code, severity=words.severity, title=words.title,
                           explanation=words.explanation, recommendation=words.recommendation,
                           evidence=evidence, source=source)


def is_weak_community(community: str, sys_name: str | None) -> bool:
    """A listed default, the device's own name, or shorter than 6 characters."""
    value = community.strip().casefold()
    weak = {w.casefold() for w in _rules().weak_communities}
    same_as_name = bool(sys_name) and value == (sys_name or "").strip().casefold()
    return value in weak or same_as_name or len(value) < 6


def config_findings(platform: str, texts: dict[str, str],
                    sys_name: str | None) -> list[SecurityFinding]:
    """Findings from the configuration text of ``platform`` (a base platform: see allowlist)."""
    rules = _rules().platforms.get(platform)
    if rules is None or rules.config not in texts:
        return []
    command = rules.config
    lines = texts[command].splitlines()
    source = f"ssh:{command}"
    evidence_words = _wording().evidence
    found: dict[str, list[str]] = {}
    complete = any(re.search(rules.complete, line) for line in lines)
    for code, checks in rules.checks.items():
        for check in checks:
            if check.present is not None:
                pattern = re.compile(check.present)
                hits = [mask(line) for line in lines if pattern.search(line)]
                if hits:
                    found.setdefault(code, []).extend(hits[:5])
            elif check.absent is not None and complete:  # partial: a missing line proves nothing
                pattern = re.compile(check.absent)
                if not any(pattern.search(line) for line in lines):
                    found.setdefault(code, []).append(evidence_words.absent.format(
                        pattern=check.hint if check.hint is not None else check.absent,
                        command=command))
    community = re.compile(rules.communities)
    weak = [mask(line) for line in lines
            if (m := community.search(line)) and is_weak_community(m.group(1).strip('"'),
                                                                   sys_name)]
    if weak:
        found["SEC-SNMP-WEAK"] = [evidence_words.weak_community_config.format(line=line)
                                  for line in weak]
    return [_finding(code, evidence, source) for code, evidence in found.items()]


def snmp_findings(version: str, profile: str, community: str | None,
                  sys_name: str | None) -> list[SecurityFinding]:
    """Findings from how the device answered: SNMP v1/v2c, and whether its community is weak."""
    if version not in ("v1", "v2c"):
        return []
    words = _wording().evidence
    findings = [_finding("SEC-SNMP-V1V2C",
                         [words.snmp_profile.format(version=version, profile=profile)], "snmp")]
    if community is not None and is_weak_community(community, sys_name):
        findings.append(_finding("SEC-SNMP-WEAK", [
            words.weak_community_profile.format(version=version, profile=profile)], "snmp"))
    return findings


def ssh_legacy_findings(negotiated: list[str]) -> list[SecurityFinding]:
    """The device could only be reached with SHA-1 key exchange, ssh-rsa or CBC ciphers."""
    if not negotiated:
        return []
    words = _wording().evidence.ssh_legacy
    return [_finding("SEC-SSH-LEGACY", [words.format(algorithms=", ".join(negotiated))], "ssh")]


def eos_finding(model: str, firmware: str, end: str, source: str) -> SecurityFinding:
    """The firmware of ``model`` is past the end of support named in the agency's catalog."""
    words = _wording().evidence.firmware_eos
    return _finding("SEC-FIRMWARE-EOS", [words.format(model=model, firmware=firmware, end=end,
                                                      source=source)], "catalog")


def merge_findings(*groups: list[SecurityFinding]) -> list[SecurityFinding]:
    """One finding per code; evidence from every source that saw it."""
    merged: dict[str, SecurityFinding] = {}
    for group in groups:
        for finding in group:
            if finding.code in merged:
                known = merged[finding.code]
                known.evidence = [*known.evidence, *finding.evidence]
                if finding.source not in known.source.split(" + "):
                    known.source = f"{known.source} + {finding.source}"
            else:
                merged[finding.code] = finding.model_copy(deep=True)
    order = {"high": 0, "medium": 1, "low": 2}
    return sorted(merged.values(), key=lambda f: (order[f.severity], f.code))


