"""Wording of the proposal: ``report_templates/proposal.yaml`` (per task kind its title and the
basis sentence that says how its quantity was counted; the reasons a device is replaced),
loaded into a model at first use.

Every sentence is a ``str.format`` template. A missing kind, a misspelt key or a malformed
``{placeholder}`` fails at load with its path (``basis.recabel: Extra inputs are not
permitted``), not as a KeyError while a proposal is built.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from infraaudit.errors import InfraAuditError
from infraaudit.findings import WordingTemplate as Template
from infraaudit.util.yamlfile import data_yaml, problems

TaskKind = Literal["recable", "repair-optics", "device-service", "audit-device", "replace-router",
                   "replace-core", "replace-switch", "replace-ap", "uplink-upgrade",
                   "ipv6-service", "add-switch", "wire-workplaces", "wire-switch"]
GroupKey = Literal["audit", "repair", "replace", "ipv6", "capacity"]


class _Wording(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    def _texts(self) -> dict[str, str]:
        """The sentences by their YAML keys."""
        return self.model_dump(by_alias=True)


class TaskTexts(_Wording):
    """One sentence per task kind; the YAML keys are the kinds (``device-service``)."""

    model_config = ConfigDict(alias_generator=lambda name: name.replace("_", "-"))

    recable: Template
    repair_optics: Template
    device_service: Template
    audit_device: Template
    replace_router: Template
    replace_core: Template
    replace_switch: Template
    replace_ap: Template
    uplink_upgrade: Template
    ipv6_service: Template
    add_switch: Template
    wire_workplaces: Template
    wire_switch: Template

    def of(self, kind: TaskKind) -> str:
        """The sentence of task ``kind``."""
        return self._texts()[kind]


class GroupTitles(_Wording):
    """The groups of Phụ lục II, in their order (the field order is the document's)."""

    audit: str
    repair: str
    replace: str
    ipv6: str
    capacity: str

    def ordered(self) -> dict[str, str]:
        """Group key -> title, in the document's order."""
        return self._texts()


class ReplacementReasons(_Wording):
    """Why a device is replaced, by finding code (``{year}``: when its service life ends)."""

    model_config = ConfigDict(alias_generator=lambda name: name.upper().replace("_", "-"))

    sec_firmware_eos: Template
    device_past_lifetime: Template
    device_lifetime_ends: Template
    ipv6_device_not_ready: Template
    port_saturated: Template
    port_capacity: Template
    device_fan_failed: Template
    device_power_failed: Template
    device_temperature_high: Template

    def of(self, code: str) -> str:
        """The reason of finding ``code`` (KeyError for a code that is no reason to replace)."""
        return self._texts()[code]


class ServiceReasons(_Wording):
    """What a service visit fixes, by finding code (``security-high``: a high-severity
    security finding), joined into the device-service task's basis (``{why}``)."""

    model_config = ConfigDict(alias_generator=lambda name: name.upper().replace("_", "-"))

    history_availability: str
    stp_topology_changes: str
    stp_port_blocking: str
    link_duplex_mismatch: str
    link_speed_mismatch: str
    fibre_half_duplex: str
    device_fan_failed: str
    device_power_failed: str
    device_temperature_high: str
    device_cpu_high: str
    device_memory_high: str
    security_high: str

    def of(self, key: str) -> str:
        return self._texts()[key.upper()]


class ProposalWording(_Wording):
    tasks: TaskTexts
    basis: TaskTexts
    groups: GroupTitles
    reasons: ReplacementReasons
    service: ServiceReasons


def load_proposal_wording(text: str, origin: str) -> ProposalWording:
    """``text`` (proposal.yaml) as a model; InfraAuditError names ``origin`` and the path of
    every field in error."""
    try:
        return ProposalWording.model_validate(data_yaml(text))
    except ValidationError as exc:
        raise InfraAuditError(f"wording {origin}: {problems(exc)}") from None


@cache
def proposal_wording() -> ProposalWording:
    source = resources.files("infraaudit.report_templates").joinpath("proposal.yaml")
    return load_proposal_wording(source.read_text("utf-8"), str(source))
