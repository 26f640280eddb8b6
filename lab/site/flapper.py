"""The flapper: a process the lab starts inside a namespace to make a port lose carrier.

Run as ``python -m lab.site flap IFACE DOWN_S UP_S [--gateway GW]`` (lab/site/__main__.py).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterable


def flap(ifname: str, down_s: float, up_s: float, gateway: str | None) -> None:
    """Take ``ifname`` down for ``down_s`` and up for ``up_s``, forever. After each up, restore
    the default route via ``gateway`` and ping it once (a host that talks again)."""
    while True:
        subprocess.run(["ip", "link", "set", ifname, "down"], check=False)
        time.sleep(down_s)
        subprocess.run(["ip", "link", "set", ifname, "up"], check=False)
        if gateway:
            subprocess.run(["ip", "route", "replace", "default", "via", gateway], check=False,
                           capture_output=True)
            subprocess.run(["ping", "-c", "1", "-W", "1", "-q", gateway], check=False,
                           capture_output=True)
        time.sleep(up_s)


def main(argv: Iterable[str] | None = None) -> int:
    """``python -m lab.site flap IFACE DOWN_S UP_S [--gateway GW]`` (used by the lab)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 4 or args[0] != "flap":
        print(main.__doc__, file=sys.stderr)
        return 2
    gateway = args[args.index("--gateway") + 1] if "--gateway" in args else None
    flap(args[1], float(args[2]), float(args[3]), gateway)
    return 0

