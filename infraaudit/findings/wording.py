"""Wording of the findings: ``report_templates/findings.yaml`` (per code its category,
severity and Vietnamese sentences, plus ``words``), and the helpers that fill it."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from infraaudit.models import Device
from infraaudit.models.finding import Evidence, Finding


@cache
def wording() -> dict[str, Any]:
    source = resources.files("infraaudit.report_templates").joinpath("findings.yaml")
    text = source.read_text("utf-8")
    return dict(yaml.safe_load(text))


def words(codes: list[str]) -> list[str]:
    """Vietnamese names of IPv6 reason and requirement codes (the code itself if unnamed)."""
    named = wording()["words"]
    return [named.get(code, code) for code in codes]


def _fmt(value: object) -> str:
    """A value in Vietnamese wording: decimal comma (88,7), at most two decimals; integers as
    they are (years, counts: no grouping, so 2026 stays 2026)."""
    if isinstance(value, float):
        if value == int(value):
            return str(int(value))
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)


def make(code: str, subject: str, values: dict[str, Any], evidence: list[Evidence]) -> Finding:
    """A finding of ``code`` with its wording filled from ``values`` (and the subject)."""
    words = wording()[code]
    fill = {k: _fmt(v) for k, v in {"subject": subject, **values}.items()}
    return Finding(code=code, category=words["category"], severity=words["severity"],
                   subject=subject, title=words["title"].format(**fill),
                   explanation=words["explanation"].format(**fill),
                   recommendation=words["recommendation"].format(**fill), evidence=evidence)


def device_label(device: Device) -> str:
    return device.name or device.sys_name or device.host
