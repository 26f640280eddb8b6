"""Pure parsers: CLI text -> infraaudit models, one module per platform. TextFSM
(ntc-templates) where a template exists, our own code where none fits. Dispatch is a table,
not built method names. Part of the ssh family: May import: what the family may."""

from __future__ import annotations

from collections.abc import Callable

from infraaudit.probes.ssh.allowlist import resolve, table
from infraaudit.probes.ssh.ifname import canonical_ifname
from infraaudit.probes.ssh.parsers import cisco, huawei, junos, linux, procurve, routeros
from infraaudit.probes.ssh.parsers.common import (
    CliFacts,
    Rows,
    attach_to_ports,
    textfsm_rows,
)

__all__ = ["CliFacts", "attach_to_ports", "build_facts", "canonical_ifname", "textfsm_rows"]


TextParser = Callable[[str, CliFacts], None]
RowParser = Callable[[Rows, CliFacts], None]

ROW_PARSERS: dict[tuple[str, str], RowParser] = {
    ("cisco_ios", "show version"): cisco.cisco_version,
    ("cisco_ios", "show interfaces"): cisco.cisco_interfaces,
    ("cisco_ios", "show lldp neighbors detail"): cisco.cisco_lldp,
    ("cisco_ios", "show cdp neighbors detail"): cisco.cisco_cdp,
    ("cisco_ios", "show mac address-table"): cisco.cisco_mac_table,
    ("cisco_ios", "show ipv6 interface brief"): cisco.cisco_ipv6,
    ("huawei", "display version"): huawei.huawei_version,
    ("huawei", "display interface"): huawei.huawei_interfaces,
    ("hp_procurve", "show system"): procurve.procurve_system,
    ("hp_procurve", "show interfaces brief"): procurve.procurve_interfaces,
    ("hp_procurve", "show ip"): procurve.procurve_ip,
    ("hp_procurve", "show lldp info remote-device detail"): procurve.procurve_lldp,
    ("hp_procurve", "show mac-address"): procurve.procurve_mac_table,
    ("juniper_junos", "show version"): junos.junos_version,
    ("juniper_junos", "show lldp neighbors"): junos.junos_lldp,
    ("juniper_junos", "show ethernet-switching table"): junos.junos_mac_table,
    ("mikrotik_routeros", "/system resource print"): routeros.routeros_resource,
    ("mikrotik_routeros", "/system identity print"): routeros.routeros_identity,
    ("mikrotik_routeros", "/interface print detail without-paging"): routeros.routeros_interfaces,
    ("mikrotik_routeros", "/ip address print without-paging"): routeros.routeros_addresses,
    ("mikrotik_routeros", "/ip neighbor print detail without-paging"): routeros.routeros_neighbours,
}
OWN_PARSERS: dict[tuple[str, str], TextParser] = {
    ("linux", "hostname"): linux.linux_hostname,
    ("linux", "uname -a"): linux.linux_uname,
    ("linux", "ip -j link"): linux.linux_links,
    ("linux", "ip -j addr"): linux.linux_addresses,
    ("juniper_junos", "show interfaces"): junos.junos_interfaces,
}


def build_facts(platform: str, outputs: dict[str, str],
                errors: dict[str, str] | None = None) -> CliFacts:
    """Every command's output -> one CliFacts. Commands without a parser here are kept only as
    text (for the security checks). A command whose output its parser cannot read is skipped
    and named in ``errors`` (command -> reason); the other commands' facts are kept."""
    facts = CliFacts(platform=platform)
    base = resolve(platform)
    for spec in table(platform).commands:
        text = outputs.get(spec.command)
        if text is None:
            continue
        key = (base, spec.command)
        try:
            if spec.parser == "textfsm" and key in ROW_PARSERS:
                ROW_PARSERS[key](textfsm_rows(base, spec.command, text), facts)
            elif spec.parser == "own" and key in OWN_PARSERS:
                OWN_PARSERS[key](text, facts)
        except Exception as exc:  # unexpected output: this command's facts are lost, not all
            if errors is not None:
                errors[spec.command] = f"cannot parse the output: {exc}"[:300]
    attach_to_ports(facts)
    return facts
