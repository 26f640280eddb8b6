"""Layer-2 design and stability facts of one device: VLANs, spanning tree, PoE."""

from typing import Literal

from pydantic import Field

from infraaudit.models.base import Strict

StpState = Literal["disabled", "blocking", "listening", "learning", "forwarding", "broken"]


class Vlan(Strict):
    """A VLAN configured on the device (Q-BRIDGE-MIB dot1qVlanStaticTable)."""

    id: int
    name: str | None = None


class SpanningTree(Strict):
    """BRIDGE-MIB dot1dStp scalars and the ports' states."""

    top_changes: int | None = Field(default=None, description="dot1dStpTopChanges since the "
                                    "agent started")
    since_change_s: float | None = Field(default=None, description="seconds since the last "
                                         "topology change (dot1dStpTimeSinceTopologyChange)")
    designated_root: str | None = Field(default=None, description="root bridge id as "
                                        "priority/MAC, e.g. 32768/00:11:22:33:44:55")
    bridge_address: str | None = Field(default=None, description="dot1dBaseBridgeAddress")
    is_root: bool | None = Field(default=None, description="this bridge is the root bridge")
    port_states: dict[int, StpState] = Field(default_factory=dict, description="ifIndex -> "
                                             "dot1dStpPortState")
    unmapped_ports: int = Field(default=0, description="STP port rows whose bridge port maps "
                                "to no ifIndex (their state is not on a port)")


class PoeGroup(Strict):
    """One power source (POWER-ETHERNET-MIB pethMainPseEntry), e.g. one stack member."""

    group: int
    budget_w: float | None = Field(default=None, description="pethMainPsePower")
    used_w: float | None = Field(default=None, description="pethMainPseConsumptionPower")
    status: Literal["on", "off", "faulty"] | None = None
    usage_threshold_pct: int | None = Field(default=None, description="the device's own alarm "
                                            "threshold (pethMainPseUsageThreshold)")


class PowerOverEthernet(Strict):
    groups: list[PoeGroup] = Field(default_factory=list)
    ports: int = Field(default=0, description="PoE-capable ports (pethPsePortTable rows)")
    ports_powered: int = Field(default=0, description="ports delivering power")

    @property
    def budget_w(self) -> float | None:
        values = [g.budget_w for g in self.groups if g.budget_w is not None]
        return sum(values) if values else None

    @property
    def used_w(self) -> float | None:
        values = [g.used_w for g in self.groups if g.used_w is not None]
        return sum(values) if values else None
