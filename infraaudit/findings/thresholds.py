"""Thresholds of the findings rules: ``data/thresholds.yaml``, overridden by a file the caller
passes (``--thresholds FILE``), loaded into a frozen model.

Every section is a model that refuses unknown keys, so a typo in an override file
(``link: {los_pct: 2}``) fails at load with the key's path and the file's name instead of being
ignored. Units are in the names, as in the YAML. The YAML holds every value: the models have no
defaults of their own.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from infraaudit.errors import InventoryError
from infraaudit.findings.datafile import Patterns
from infraaudit.util.yamlfile import load_packaged, problems, read_yaml


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class LinkLimits(_Section):
    loss_pct: float
    min_probes: int
    rtt_avg_ms: float
    jitter_ms: float


class PortLimits(_Section):
    error_ppm: float
    fcs_ppm: float
    discard_ppm: float
    min_errors: int
    flap_transitions: int


class CablingLimits(_Section):
    gigabit_patterns: Patterns
    min_speed_mbps: float
    shared_port_endpoints: int


class WifiLimits(_Section):
    share_pct: float
    min_endpoints: int


class Ipv6Limits(_Section):
    device_min_score: int
    site_min_phase: int


class HealthLimits(_Section):
    error_ppm: float
    min_errors: int
    rising_factor: float
    reboot_slack_s: float


class ConditionLimits(_Section):
    """Device health read in the scan (CPU, memory, sensors): ``devices[].health``."""

    cpu_pct: float
    memory_pct: float
    sustained_windows: list[str]


class CapacityLimits(_Section):
    min_free_pct: float
    min_ports: int


class LoadLimits(_Section):
    uplink_util_pct: float
    uplink_patterns: Patterns


class L2Limits(_Section):
    stp_changes_per_day: float
    stp_min_changes: int
    poe_budget_pct: float


class ServiceYears(_Section):
    """Years of service by role (the values of ``Role``)."""

    router: int
    firewall: int
    switch: int
    ap: int
    server: int
    printer: int
    ups: int
    other: int

    def of(self, role: str) -> int:
        """The service life of ``role``; that of ``other`` for a role without its own."""
        years: dict[str, int] = self.model_dump()
        return years.get(role, self.other)


class LifetimeLimits(_Section):
    years: ServiceYears
    plan_until: int


class ProposalLimits(_Section):
    growth_pct: float
    core_patterns: Patterns
    core_neighbours: int


class HistoryLimits(_Section):
    min_runs: int
    availability_pct: float
    recurring_runs: int
    loss_p50_pct: float


class Thresholds(_Section):
    """Every threshold of the findings rules, one section per group of rules."""

    link: LinkLimits
    port: PortLimits
    cabling: CablingLimits
    wifi: WifiLimits
    ipv6: Ipv6Limits
    health: HealthLimits
    condition: ConditionLimits
    capacity: CapacityLimits
    load: LoadLimits
    l2: L2Limits
    lifetime: LifetimeLimits
    history: HistoryLimits
    proposal: ProposalLimits

    def overridden(self, override: dict[str, Any]) -> Thresholds:
        """These thresholds with ``override``'s values, merged key by key at any depth;
        pydantic's ValidationError names the path of a key or value that does not fit."""
        return Thresholds.model_validate(_merge(self.model_dump(), override))


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override``'s values, nested mappings merged key by key."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


@cache
def default_thresholds() -> Thresholds:
    """``data/thresholds.yaml`` (InfraAuditError, with the path of each key in error, when the
    packaged file itself does not fit the model)."""
    return load_packaged("infraaudit.findings", "data/thresholds.yaml", Thresholds)


def load_thresholds(path: Path | None) -> Thresholds:
    """The default thresholds, overridden key by key (at any depth) by ``path`` when given:
    ``lifetime: {years: {switch: 10}}`` changes the switches' service life only. InventoryError
    names the file and, for a key that is unknown or a value of the wrong type, its path
    (``link.los_pct: Extra inputs are not permitted``)."""
    if path is None:
        return default_thresholds()
    override, _ = read_yaml(path, "thresholds")
    if override is None:
        return default_thresholds()
    if not isinstance(override, dict):
        raise InventoryError(f"thresholds {path}: expected sections (link, port, ...) with "
                             f"their values, found a {type(override).__name__}")
    try:
        return default_thresholds().overridden(override)
    except ValidationError as exc:
        raise InventoryError(f"thresholds {path}: {problems(exc)}") from None
