"""``python -m infraaudit.probes.ipv6 {segment,resolve,host} ...``: one probe, its JSON printed."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from pydantic import BaseModel, TypeAdapter

from infraaudit.models.ipv6 import DnsAnswer
from infraaudit.probes.ipv6 import host_state, probe_segment, resolve


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infraaudit.probes.ipv6", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    seg = sub.add_parser("segment", help="RA, DHCPv6 and IPv6 hosts on one interface (root)")
    seg.add_argument("iface")
    seg.add_argument("--timeout", type=float, default=3.0, help="listening window, seconds")
    seg.add_argument("--echo-window", type=float, default=None, help="seconds (default ≤ 2)")
    seg.add_argument("--segment", default=None, help="segment name to record")
    seg.add_argument("--prefix", default=None, help="segment prefix to record")
    res = sub.add_parser("resolve", help="A and AAAA for names over plain UDP")
    res.add_argument("names", nargs="+")
    res.add_argument("--server", action="append", default=None,
                     help="resolver address (repeatable; default: /etc/resolv.conf)")
    res.add_argument("--timeout", type=float, default=2.0)
    host = sub.add_parser("host", help="own IPv6 addresses, default routes, route lookups")
    host.add_argument("--route", action="append", default=[], help="destination to look up")
    args = parser.parse_args(argv)
    out: BaseModel | list[DnsAnswer]
    if args.command == "segment":
        out = asyncio.run(probe_segment(args.iface, args.timeout, segment=args.segment,
                                        segment_prefix=args.prefix,
                                        echo_window_s=args.echo_window))
    elif args.command == "resolve":
        out = resolve(args.names, args.server, args.timeout)
    else:
        out = host_state(args.route)
    if isinstance(out, BaseModel):
        text = out.model_dump_json(indent=2)
    else:
        text = TypeAdapter(list[DnsAnswer]).dump_json(out, indent=2).decode()
    sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
