"""BRIDGE-MIB for net-snmp from the kernel bridge of this namespace (a ``pass_persist`` script).

Linux snmpd serves no BRIDGE-MIB; the site lab's switches add it with::

    pass_persist .1.3.6.1.2.1.17 /usr/bin/python3 /path/to/lab/bridge_mib.py br0

Served (read-only; stdlib only, run by snmpd inside the switch's namespace):

- dot1dBaseBridgeAddress (17.1.1.0), dot1dBaseNumPorts (17.1.2.0), dot1dBaseType (17.1.3.0 =
  transparent-only(2)), dot1dTpAgingTime (17.4.2.0)
- dot1dBasePortTable: dot1dBasePort (17.1.4.1.1.<port>), dot1dBasePortIfIndex
  (17.1.4.1.2.<port>) = the kernel ifindex, which is what net-snmp's ifTable uses in the same
  namespace. The port number is N for a port called ``pN`` (the lab's naming), else the kernel's
  bridge port number.
- dot1dTpFdbTable (17.4.3.1.{1,2,3}.<mac as 6 sub-ids>): address, port, status learned(3) for
  every learned (not local, not static) unicast entry of ``bridge -j fdb show br <bridge>``.

The kernel is read at most once a second (a walk is many getnext requests).
"""

from __future__ import annotations

import bisect
import json
import re
import subprocess
import sys
import time
from typing import Any, TextIO

BRIDGE = "1.3.6.1.2.1.17"
BASE = f"{BRIDGE}.1"
PORT_TABLE = f"{BASE}.4.1"
TP = f"{BRIDGE}.4"
FDB_TABLE = f"{TP}.3.1"
LEARNED = 3
REFRESH_S = 1.0

Oid = tuple[int, ...]
Row = tuple[Oid, str, str]  # (oid, pass type, value)


def oid(text: str) -> Oid:
    """``'.1.3.6'`` or ``'1.3.6'`` -> ``(1, 3, 6)``."""
    return tuple(int(x) for x in text.strip().strip(".").split(".") if x)


def run_json(argv: list[str]) -> Any:
    """Run a command that prints JSON; ``[]`` if it fails."""
    res = subprocess.run(argv, capture_output=True, text=True, check=False)
    try:
        return json.loads(res.stdout) if res.returncode == 0 and res.stdout.strip() else []
    except json.JSONDecodeError:
        return []


def mac_octets(mac: str) -> str:
    """``'02:aa:..'`` -> ``'02 AA ..'`` (net-snmp ``octet`` type: space separated hex)."""
    return " ".join(part.upper() for part in mac.split(":"))


def port_number(link: dict[str, Any]) -> int:
    """Bridge port number: N for ``pN``, else the kernel's port number."""
    match = re.fullmatch(r"p(\d+)", str(link.get("ifname", "")))
    if match:
        return int(match.group(1))
    data = link.get("linkinfo", {}).get("info_slave_data", {})
    return int(str(data.get("no", "0")), 0)


def snapshot(bridge: str) -> list[Row]:
    """All served rows, sorted by OID, from the kernel's view of ``bridge`` right now."""
    links = run_json(["ip", "-d", "-j", "link", "show"])
    br = next((link for link in links if link.get("ifname") == bridge), None)
    if br is None:
        return []
    ports = {link["ifname"]: (port_number(link), int(link["ifindex"]))
             for link in links if link.get("master") == bridge}
    ageing = br.get("linkinfo", {}).get("info_data", {}).get("ageing_time", 30000)
    rows: list[Row] = [
        (oid(f"{BASE}.1.0"), "octet", mac_octets(br.get("address", "00:00:00:00:00:00"))),
        (oid(f"{BASE}.2.0"), "integer", str(len(ports))),
        (oid(f"{BASE}.3.0"), "integer", "2"),
        (oid(f"{TP}.2.0"), "integer", str(int(ageing) // 100)),
    ]
    for number, ifindex in ports.values():
        rows.append((oid(f"{PORT_TABLE}.1.{number}"), "integer", str(number)))
        rows.append((oid(f"{PORT_TABLE}.2.{number}"), "integer", str(ifindex)))
    for entry in run_json(["bridge", "-j", "fdb", "show", "br", bridge]):
        rows.extend(fdb_rows(entry, ports))
    return sorted(set(rows))


def fdb_rows(entry: dict[str, Any], ports: dict[str, tuple[int, int]]) -> list[Row]:
    """The three dot1dTpFdbTable columns of one learned unicast entry (none for others)."""
    mac = str(entry.get("mac", ""))
    ifname = entry.get("ifname")
    state = str(entry.get("state", ""))
    if ifname not in ports or state in ("permanent", "static") or "self" in entry.get("flags", []):
        return []
    octets = [int(x, 16) for x in mac.split(":")]
    if len(octets) != 6 or octets[0] & 1:  # not a unicast MAC
        return []
    index = ".".join(str(x) for x in octets)
    return [(oid(f"{FDB_TABLE}.1.{index}"), "octet", mac_octets(mac)),
            (oid(f"{FDB_TABLE}.2.{index}"), "integer", str(ports[str(ifname)][0])),
            (oid(f"{FDB_TABLE}.3.{index}"), "integer", str(LEARNED))]


class Mib:
    """The rows of one bridge, re-read from the kernel when older than ``REFRESH_S``."""

    def __init__(self, bridge: str) -> None:
        self.bridge = bridge
        self.rows: list[Row] = []
        self.keys: list[Oid] = []
        self.read_at = -REFRESH_S

    def _fresh(self) -> None:
        if time.monotonic() - self.read_at >= REFRESH_S:
            self.rows = snapshot(self.bridge)
            self.keys = [r[0] for r in self.rows]
            self.read_at = time.monotonic()

    def get(self, key: Oid) -> Row | None:
        """The row at exactly ``key``."""
        self._fresh()
        i = bisect.bisect_left(self.keys, key)
        return self.rows[i] if i < len(self.keys) and self.keys[i] == key else None

    def getnext(self, key: Oid) -> Row | None:
        """The first row after ``key``."""
        self._fresh()
        i = bisect.bisect_right(self.keys, key)
        return self.rows[i] if i < len(self.keys) else None


def reply(out: TextIO, row: Row | None) -> None:
    """Write one pass_persist answer (``NONE`` when there is no such row)."""
    if row is None:
        out.write("NONE\n")
    else:
        key, kind, value = row
        out.write("." + ".".join(str(x) for x in key) + f"\n{kind}\n{value}\n")
    out.flush()


def serve(mib: Mib, inp: TextIO, out: TextIO) -> None:
    """The pass_persist loop: PING, get, getnext, set (refused); ends at EOF."""
    while True:
        command = inp.readline()
        if not command:
            return
        command = command.strip().lower()
        if command == "ping":
            out.write("PONG\n")
            out.flush()
        elif command in ("get", "getnext"):
            key = oid(inp.readline())
            reply(out, mib.get(key) if command == "get" else mib.getnext(key))
        elif command == "set":
            inp.readline()
            inp.readline()
            out.write("not-writable\n")
            out.flush()


def main(argv: list[str]) -> int:
    """``bridge_mib.py [BRIDGE]`` (default br0)."""
    serve(Mib(argv[1] if len(argv) > 1 else "br0"), sys.stdin, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
