"""A finding: one problem the measurements show, with the evidence it rests on."""

from typing import Literal

from pydantic import Field

from infraaudit.models.base import Strict

Severity = Literal["high", "medium", "low", "info"]


class Evidence(Strict):
    """One measured fact: where it was measured and the numbers."""

    source: str = Field(description="e.g. ping, snmp:ifTable, snmp:EtherLike-MIB, ipv6:ra")
    device: str | None = None
    port: str | None = None
    measured: dict[str, float | int | str | bool | None] = Field(default_factory=dict)
    at: str | None = Field(default=None, description="ISO 8601 UTC time of the measurement")


class Finding(Strict):
    code: str = Field(description="stable code, e.g. LINK-LOSS")
    category: str = Field(description="link, port, cabling, wifi, ipv6, security, ...")
    severity: Severity
    subject: str = Field(description="device, device:port, segment or DNS name it is about")
    title: str = Field(description="Vietnamese")
    explanation: str = Field(description="Vietnamese, with the measured values")
    recommendation: str = Field(description="Vietnamese")
    evidence: list[Evidence] = Field(min_length=1)
