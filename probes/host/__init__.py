"""The scanning host's own network context (psutil and /proc): interfaces, routes, DNS.

Reads local state only; sends nothing. May import: models, errors.
"""

from __future__ import annotations

import ipaddress
import platform
import socket
from pathlib import Path
from typing import Literal

import psutil

from infraaudit.models.host import HostInterface, HostRoute, ScanningHost

__all__ = ["parse_resolv_conf", "scanning_host"]

SYS_NET = Path("/sys/class/net")


Kind = Literal["wired", "wireless", "loopback", "virtual", "other"]
Duplex = Literal["full", "half", "unknown"]
DUPLEX: dict[int, Duplex] = {psutil.NIC_DUPLEX_FULL: "full", psutil.NIC_DUPLEX_HALF: "half"}


def interface_kind(name: str, sys_net: Path = SYS_NET) -> Kind:
    """wired, wireless, loopback, virtual (bridges, veth, tun...) or other, from sysfs."""
    if name == "lo":
        return "loopback"
    base = sys_net / name
    if (base / "wireless").exists() or (base / "phy80211").exists():
        return "wireless"
    try:
        target = str((base).resolve())
    except OSError:
        return "other"
    if "/virtual/" in target:
        return "virtual"
    return "wired" if (base / "device").exists() else "other"


def parse_ipv4_routes(text: str) -> list[HostRoute]:
    """Default routes from ``/proc/net/route`` (little-endian hex gateways)."""
    routes = []
    for line in text.splitlines()[1:]:
        cols = line.split()
        if len(cols) < 8 or cols[1] != "00000000" or cols[7] != "00000000":
            continue
        gateway = str(ipaddress.IPv4Address(bytes.fromhex(cols[2])[::-1]))
        routes.append(HostRoute(family="ipv4", gateway=gateway, interface=cols[0]))
    return routes


def parse_ipv6_routes(text: str) -> list[HostRoute]:
    """Default routes (::/0 with a next hop) from ``/proc/net/ipv6_route``."""
    routes = []
    for line in text.splitlines():
        cols = line.split()
        if len(cols) < 10 or cols[0] != "0" * 32 or cols[1] != "00" or cols[4] == "0" * 32:
            continue
        gateway = str(ipaddress.IPv6Address(bytes.fromhex(cols[4])))
        routes.append(HostRoute(family="ipv6", gateway=gateway, interface=cols[9]))
    return routes


def parse_resolv_conf(text: str) -> list[str]:
    """``nameserver`` addresses in order (IPv6 may carry ``%scope``); others ignored."""
    servers = []
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split(";", 1)[0].split()
        if len(parts) >= 2 and parts[0] == "nameserver":
            try:
                ipaddress.ip_address(parts[1].split("%", 1)[0])
            except ValueError:
                continue
            servers.append(parts[1])
    return servers



def _read(path: str, errors: list[str]) -> str:
    try:
        return Path(path).read_text()
    except OSError as exc:
        errors.append(f"{path}: {exc.strerror or exc}")
        return ""


def scanning_host(resolv_conf: str = "/etc/resolv.conf") -> ScanningHost:
    """Describe the host this scan runs on. Never raises: problems go to ``errors``."""
    errors: list[str] = []
    interfaces = []
    stats = psutil.net_if_stats()
    for name, addrs in sorted(psutil.net_if_addrs().items()):
        st = stats.get(name)
        mac = next((a.address for a in addrs if a.family == psutil.AF_LINK), None)
        duplex: Duplex | None = None
        if st is not None:
            duplex = DUPLEX.get(st.duplex, "unknown")
        ips = []
        for a in addrs:
            if a.family not in (socket.AF_INET, socket.AF_INET6) or not a.netmask:
                continue
            try:
                bits = bin(int(ipaddress.ip_address(a.netmask))).count("1")
                ips.append(f"{a.address.split('%', 1)[0]}/{bits}")
            except ValueError:
                ips.append(a.address)
        interfaces.append(HostInterface(
            name=name, kind=interface_kind(name),
            up=bool(st and st.isup), mac=mac if mac and mac != "00:00:00:00:00:00" else None,
            speed_mbps=(st.speed or None) if st else None, duplex=duplex,
            mtu=st.mtu if st else None, addresses=ips))
    routes = parse_ipv4_routes(_read("/proc/net/route", errors))
    routes += parse_ipv6_routes(_read("/proc/net/ipv6_route", errors))
    return ScanningHost(
        hostname=socket.gethostname(), os=f"{platform.system()} {platform.release()}",
        interfaces=interfaces, default_routes=routes,
        dns_servers=parse_resolv_conf(_read(resolv_conf, errors)), errors=errors)
