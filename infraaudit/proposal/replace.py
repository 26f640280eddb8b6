"""Which devices of a site the plan replaces, when, by what, and why.

One replacement per device, whatever its reasons, in the earliest year one of them demands:
firmware past its support and a service life already over (the end-of-life year of the plan), a
service life ending by 2030 (the year it ends, not before the end-of-life year), a model the IPv6
capability catalog says cannot run IPv6 (the IPv6 year). A device only *not configured* for IPv6
is not replaced: the site's IPv6 task configures it. Once a device is replaced for one of these,
its saturated uplink and its shortage of free ports are further reasons of the same replacement
(the new device has 10 Gb/s uplinks and is sized with a growth margin), not tasks of their own.

The item follows the device: routers and firewalls by an IPv6 router, access points by a Wi-Fi 6
AP, a core (aggregation) switch by the catalog's core switch, an access switch by the smallest
catalog access switch that holds its ports in use plus the growth margin. Other roles (servers,
UPS, printers, unknown: set ``role`` in the inventory) are not equipment of this catalog.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from infraaudit.findings import Thresholds, device_label
from infraaudit.models import AuditDocument, Device, is_switch_port
from infraaudit.models.finding import Finding
from infraaudit.proposal.wording import TaskKind

END_OF_LIFE = ("SEC-FIRMWARE-EOS", "DEVICE-PAST-LIFETIME", "DEVICE-LIFETIME-ENDS")
#: failed hardware: a device replaced anyway is replaced in the urgent year, not repaired first
FAILED_HARDWARE = ("DEVICE-FAN-FAILED", "DEVICE-POWER-FAILED", "DEVICE-TEMPERATURE-HIGH")
NETWORK_ROLES = ("router", "firewall", "switch", "ap")


@dataclass
class Replacement:
    """A device to replace: in ``year``, by ``item`` x ``quantity``, for ``reasons``."""

    device: str
    role: str
    kind: TaskKind  # replace-router, replace-core, replace-switch or replace-ap
    year: int
    item: str
    quantity: int
    reasons: list[Finding] = field(default_factory=list)
    ports: int = 0  # ethernet ports of the device replaced
    used: int = 0  # of which up
    need: int = 0  # ports the new switch must hold (access switches)


def ends_year(f: Finding) -> int | None:
    """The year a DEVICE-LIFETIME-ENDS finding says the service life ends."""
    value = next((e.measured.get("ends") for e in f.evidence if "ends" in e.measured), None)
    return int(value) if isinstance(value, int | float | str) and str(value).isdigit() else None


def ipv6_incapable(doc: AuditDocument | None) -> set[str]:
    """Devices the IPv6 capability catalog says cannot run IPv6: no IPv6 stack seen and a
    catalog entry that did not vouch for one (a device without an entry is only unconfigured)."""
    if doc is None or doc.ipv6 is None:
        return set()
    return {d.device for d in doc.ipv6.devices if d.catalog is not None
            and not next((r.met for r in d.reasons if r.code == "ipv6-stack"), True)}


def is_core(device: Device, doc: AuditDocument, t: Thresholds) -> bool:
    """A core (aggregation) switch: its name or model says so, or LLDP/CDP shows it joined to
    at least ``core_neighbours`` of the site's own switches and routers."""
    text = " ".join(x for x in (device.name, device.sys_name, device.model) if x)
    if any(re.search(p, text, re.IGNORECASE) for p in t.proposal.core_patterns):
        return True
    network = {d.sys_name for d in doc.devices
               if d.sys_name and d.role.value in ("switch", "router", "firewall")}
    seen = {n.sys_name for p in device.ports for n in p.lldp_neighbours
            if n.sys_name in network and n.sys_name != device.sys_name}
    return len(seen) >= t.proposal.core_neighbours


def _access_item(catalog_sizes: list[tuple[int, str]], need: int) -> tuple[str, int]:
    """The smallest access switch holding ``need`` ports, else the largest, as many as needed."""
    for ports, key in catalog_sizes:
        if ports >= need:
            return key, 1
    ports, key = catalog_sizes[-1]
    return key, math.ceil(need / ports)


def _item(device: Device, doc: AuditDocument, t: Thresholds,
          items: dict[str, tuple[str | None, int | None]],
          ) -> tuple[TaskKind, str, int, int, int, int]:
    """(kind, item, quantity, ports, used, need) of the device's replacement."""
    by_role = {r: k for k, (r, _) in items.items() if r}
    ethernet = [p for p in device.ports if is_switch_port(p)]
    used = sum(p.oper_status == "up" for p in ethernet)
    role = device.role.value
    if role in ("router", "firewall"):
        return "replace-router", by_role["router"], 1, len(ethernet), used, 0
    if role == "ap":
        return "replace-ap", by_role["ap"], 1, len(ethernet), used, 0
    need = max(1, math.ceil(used * (1 + t.proposal.growth_pct / 100)))
    if is_core(device, doc, t):
        # the smallest core switch of the catalog that holds the ports in use plus the margin
        # (a site core using 6 of 12 ports is not replaced by a 24-port one); a catalog whose
        # core switches name no port count has the one it lists
        sizes = sorted((n, k) for k, (r, n) in items.items() if r == "core-switch" and n)
        if not sizes:
            return "replace-core", by_role["core-switch"], 1, len(ethernet), used, 0
        item = next((k for n, k in sizes if n >= need), sizes[-1][1])
        return "replace-core", item, 1, len(ethernet), used, need
    sizes = sorted((n, k) for k, (r, n) in items.items() if r == "access-switch" and n)
    item, quantity = _access_item(sizes, need)
    return "replace-switch", item, quantity, len(ethernet), used, need


def replacements(found: list[Finding], doc: AuditDocument | None, t: Thresholds,
                 items: dict[str, tuple[str | None, int | None]], years: dict[int, int],
                 ) -> dict[str, Replacement]:
    """Device label -> its replacement. ``items``: catalog key -> (what it replaces, ports);
    ``years``: the plan's priority -> year."""
    if doc is None:
        return {}
    incapable = ipv6_incapable(doc)
    demands: dict[str, list[tuple[int, Finding]]] = defaultdict(list)
    for f in found:
        if f.code in END_OF_LIFE:
            year = years[2]
            if f.code == "DEVICE-LIFETIME-ENDS":
                year = max(year, ends_year(f) or year)
            demands[f.subject].append((year, f))
        elif f.code == "IPV6-DEVICE-NOT-READY" and f.subject in incapable:
            demands[f.subject].append((years[3], f))
    for f in found:
        if f.code in FAILED_HARDWARE and f.subject in demands:
            demands[f.subject].append((years[1], f))
    devices = {device_label(d): d for d in doc.devices}
    out = {}
    for label, reasons in sorted(demands.items()):
        device = devices.get(label)
        if device is None or device.role.value not in NETWORK_ROLES:
            continue
        if not device.reachable and device.role.value == "switch":
            continue  # its ports are unknown, so is its size: the plan has it checked first
        kind, item, quantity, ports, used, need = _item(device, doc, t, items)
        out[label] = Replacement(device=label, role=device.role.value, kind=kind,
                                 year=min(y for y, _ in reasons), item=item, quantity=quantity,
                                 reasons=[f for _, f in reasons], ports=ports, used=used,
                                 need=need)
    return out
