"""Ground truth computed independently of infraaudit's code: straight from the recording text and
from the kernel (``ip -j``), never through our SNMP client or parsers."""

from __future__ import annotations

import bz2
import json
import subprocess
from pathlib import Path

IF_DESCR = "1.3.6.1.2.1.2.2.1.2."
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1."
SYS_NAME = "1.3.6.1.2.1.1.5.0|"


def recording_lines(path: Path) -> list[str]:
    raw = bz2.decompress(path.read_bytes()) if path.suffix == ".bz2" else path.read_bytes()
    return raw.decode("utf-8", "replace").splitlines()


def recorded_if_indexes(path: Path) -> set[int]:
    """ifIndex values that have an ifDescr or an ifName row in the recording."""
    found = set()
    for line in recording_lines(path):
        for prefix in (IF_DESCR, IF_NAME):
            if line.startswith(prefix):
                found.add(int(line[len(prefix):].split("|", 1)[0]))
    return found


def recorded_sys_name(path: Path) -> str | None:
    for line in recording_lines(path):
        if line.startswith(SYS_NAME):
            tag, value = line.split("|", 2)[1:]
            text = bytes.fromhex(value).decode("utf-8", "replace") if tag.endswith("x") else value
            return text.strip() or None
    return None


def kernel_links(netns: str | None = None) -> dict[int, str]:
    """ifindex -> name, from ``ip -j link`` (in a namespace when given)."""
    cmd = ["ip", "-j", "link"] if netns is None else ["ip", "-n", netns, "-j", "link"]
    data = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    return {item["ifindex"]: item["ifname"] for item in data}


def kernel_addresses(netns: str | None = None) -> set[str]:
    """Every address (IPv4 and IPv6) configured, from ``ip -j addr``."""
    cmd = ["ip", "-j", "addr"] if netns is None else ["ip", "-n", netns, "-j", "addr"]
    data = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    return {a["local"] for item in data for a in item.get("addr_info", [])}


def recorded_integers(path: Path, column: str) -> dict[str, int]:
    """index -> integer value of every row of ``column`` (a numeric OID) in the recording."""
    prefix = column + "."
    found = {}
    for line in recording_lines(path):
        if line.startswith(prefix):
            oid, _, value = line.split("|", 2)
            found[oid[len(prefix):]] = int(value)
    return found
