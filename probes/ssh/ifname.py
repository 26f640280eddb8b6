"""Interface names as CLIs abbreviate them, made comparable: what the parsers and the
SNMP/CLI merge match ports by. Plain functions, no model: the scan imports it without the
parsers. Part of the ssh family: May import: what the family may."""

from __future__ import annotations

import re

# Interface name abbreviations as CLIs print them (longest first).
_ABBREVIATIONS = (
    ("hundredgige", "hundredgige"), ("hu", "hundredgige"),
    ("fortygigabitethernet", "fortygigabitethernet"), ("fo", "fortygigabitethernet"),
    ("twentyfivegige", "twentyfivegige"), ("twe", "twentyfivegige"),
    ("tengigabitethernet", "tengigabitethernet"), ("te", "tengigabitethernet"),
    ("gigabitethernet", "gigabitethernet"), ("gi", "gigabitethernet"), ("ge", "gigabitethernet"),
    ("fastethernet", "fastethernet"), ("fa", "fastethernet"),
    ("ethernet", "ethernet"), ("eth", "ethernet"), ("et", "ethernet"),
    ("port-channel", "port-channel"), ("po", "port-channel"),
    ("vlan", "vlan"), ("vl", "vlan"), ("loopback", "loopback"), ("lo", "loopback"),
)


def canonical_ifname(name: str) -> str:
    """'Gi0/1', 'GigabitEthernet0/1', 'gi 0/1' -> 'gigabitethernet0/1' (for matching only)."""
    compact = name.replace(" ", "").casefold()
    match = re.match(r"([a-z-]+)(.*)", compact)
    if not match:
        return compact
    prefix, rest = match.groups()
    for short, full in _ABBREVIATIONS:
        if prefix == short:
            return full + rest
    return compact
