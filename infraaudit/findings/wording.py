"""Wording of the findings: ``report_templates/findings.yaml`` (per code its category,
severity and Vietnamese sentences, plus ``words``), loaded into a model at first use, and the
helpers that fill it.

A code whose entry lacks a field, has a misspelt key or a malformed ``{placeholder}`` fails at
load with its path (``LINK-LOSS.titel: Extra inputs are not permitted``), not as a KeyError in
the middle of a report.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any, cast, get_args

from pydantic import BaseModel, ConfigDict, ValidationError

from infraaudit.errors import InfraAuditError
from infraaudit.findings.datafile import WordingTemplate
from infraaudit.models import Device, PortMedia
from infraaudit.models.finding import Evidence, Finding, Severity
from infraaudit.util.yamlfile import data_yaml, problems


class CodeWording(BaseModel):
    """The wording of one finding code; the sentences take ``{placeholders}``."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    category: str
    severity: Severity
    title: WordingTemplate
    explanation: WordingTemplate
    recommendation: WordingTemplate
    # a port finding on a fibre port (``Port.media``): its cause and remedy are the optics and
    # patch cords, not a copper cable
    explanation_fibre: WordingTemplate | None = None
    recommendation_fibre: WordingTemplate | None = None


class FindingWording(BaseModel):
    """``findings.yaml``: ``words`` (names of IPv6 reasons, roles, sources, uplink reasons) and
    one entry per finding code (the other top-level keys)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    words: dict[str, str]
    codes: dict[str, CodeWording]


def load_wording(text: str, origin: str) -> FindingWording:
    """``text`` (findings.yaml) as a model; InfraAuditError names ``origin`` and the path of
    every field in error."""
    data = data_yaml(text)
    if not isinstance(data, dict):
        raise InfraAuditError(f"wording {origin}: expected codes and words, found "
                              f"{type(data).__name__}")
    codes = {key: value for key, value in data.items() if key != "words"}
    try:
        words = {"words": data["words"]} if "words" in data else {}
        return FindingWording.model_validate({**words, "codes": codes})
    except ValidationError as exc:
        raise InfraAuditError(f"wording {origin}: {problems(exc, skip='codes')}") from None


@cache
def wording() -> FindingWording:
    source = resources.files("infraaudit.report_templates").joinpath("findings.yaml")
    return load_wording(source.read_text("utf-8"), str(source))


def words(codes: list[str]) -> list[str]:
    """Vietnamese names of IPv6 reason and requirement codes (the code itself if unnamed)."""
    named = wording().words
    return [named.get(code, code) for code in codes]


def _fmt(value: object) -> str:
    """A value in Vietnamese wording: decimal comma (88,7), at most two decimals; integers as
    they are (years, counts: no grouping, so 2026 stays 2026)."""
    if isinstance(value, float):
        if value == int(value):
            return str(int(value))
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)


def make(code: str, subject: str, values: dict[str, Any], evidence: list[Evidence],
         media: PortMedia | None = None) -> Finding:
    """A finding of ``code`` with its wording filled from ``values`` (and the subject);
    ``media``: the port's medium, for the fibre wording of a port finding."""
    words = wording().codes[code]
    fill = {k: _fmt(v) for k, v in {"subject": subject, **values}.items()}
    fibre = media == "fibre"
    explanation = (fibre and words.explanation_fibre) or words.explanation
    recommendation = (fibre and words.recommendation_fibre) or words.recommendation
    return Finding(code=code, category=words.category, severity=words.severity,
                   subject=subject, title=words.title.format(**fill),
                   explanation=explanation.format(**fill),
                   recommendation=recommendation.format(**fill), evidence=evidence)


def device_label(device: Device) -> str:
    return device.name or device.sys_name or device.host


def media_by_subject(devices: Iterable[Device]) -> dict[str, PortMedia]:
    """The ports whose medium is known, by every subject a port finding may name them with
    (``device:port``: the device's inventory name, sysName or address, then the port's name,
    description or ifIndex): the port rules put it in their evidence."""
    found: dict[str, PortMedia] = {}
    for d in devices:
        names = {label for label in (d.name, d.sys_name, d.host) if label}
        for p in d.ports:
            if p.media:
                ports = {label for label in (p.name, p.descr, str(p.if_index)) if label}
                found |= {f"{device}:{port}": p.media for device in names for port in ports}
    return found


def medium_of(finding: Finding) -> PortMedia | None:
    """The medium of the port a finding is about, as its evidence names it (None: unknown)."""
    for e in finding.evidence:
        media = e.measured.get("media")
        if media in get_args(PortMedia):
            return cast("PortMedia", media)
    return None
