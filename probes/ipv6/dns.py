"""A and AAAA lookups over plain UDP, to the configured resolvers or an explicit list.

Only the two queries per name are sent (no PTR, no retries to other record types). Resolvers are
tried in order: a query one resolver did not answer within ``timeout_s`` goes to the next.
:func:`build_query`, :func:`parse_reply` and :func:`parse_resolv_conf` are pure.
"""

from __future__ import annotations

import ipaddress
import secrets
import select
import socket
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from infraaudit.models.ipv6 import DnsAnswer
from infraaudit.probes.host import parse_resolv_conf

# scapy's DNS layer is imported by the functions that build or parse a message: importing scapy
# reads the host's routes and interfaces (~0.25 s, ~50 MB), which a scan asking no name skips.

RESOLV_CONF = Path("/etc/resolv.conf")
QTYPES = {"A": 1, "AAAA": 28}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}


def build_query(name: str, qtype: str, ident: int) -> bytes:
    """A recursive query for ``name`` (IDNA-encoded); raises ValueError on an invalid name."""
    try:
        qname = name.rstrip(".").encode("idna") + b"."
    except UnicodeError as exc:
        raise ValueError(f"invalid name {name!r}: {exc}") from exc
    from scapy.layers.dns import DNS, DNSQR

    return bytes(DNS(id=ident, rd=1, qd=[DNSQR(qname=qname, qtype=QTYPES[qtype])]))


@dataclass(frozen=True)
class Reply:
    ident: int
    qname: str
    qtype: int
    rcode: str
    truncated: bool
    addresses: tuple[str, ...] = field(default=())


def _text(value: object) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def parse_reply(data: bytes) -> Reply | None:
    """A DNS response: id, question, rcode and the addresses of the question's type found in
    the answer section (whatever owner name, so CNAME chains count). None if not a response."""
    from scapy.layers.dns import DNS

    try:
        msg = DNS(data)
    except Exception:  # scapy raises many types on garbage
        return None
    if not msg.qr or not msg.qd:
        return None
    question = msg.qd[0]
    qtype = int(question.qtype)
    addresses = []
    for rr in msg.an or []:
        if int(rr.type) == qtype and qtype in QTYPES.values():
            try:
                addresses.append(str(ipaddress.ip_address(_text(rr.rdata))))
            except ValueError:
                continue
    rcode = int(msg.rcode)
    return Reply(int(msg.id), _text(question.qname).rstrip(".").lower(), qtype,
                 RCODES.get(rcode, f"RCODE{rcode}"), bool(msg.tc), tuple(addresses))


@dataclass
class _Pending:
    name: str
    qtype: str
    qname: str  # IDNA, lower case, no final dot
    query: bytes = b""
    ident: int = 0
    reply: Reply | None = None
    server: str | None = None
    elapsed_ms: float | None = None


def _ask(server: str, port: int, queries: Sequence[_Pending], timeout_s: float) -> str | None:
    """Send every query to ``server`` at once, collect replies until all came or time is up.
    Returns an error text for the server (unreachable...) or None."""
    try:
        family, _, _, _, sockaddr = socket.getaddrinfo(server, port, type=socket.SOCK_DGRAM,
                                                       flags=socket.AI_NUMERICHOST)[0]
    except (OSError, UnicodeError) as exc:
        return f"{server}: {exc}"
    by_id: dict[int, _Pending] = {}
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(sockaddr)
            start = time.monotonic()
            for q in queries:
                ident = secrets.randbits(16)
                while ident in by_id:
                    ident = secrets.randbits(16)
                q.ident = ident
                q.query = build_query(q.name, q.qtype, ident)
                by_id[ident] = q
                sock.send(q.query)
            deadline = start + timeout_s
            while by_id and (left := deadline - time.monotonic()) > 0:
                ready, _, _ = select.select([sock], [], [], left)
                if not ready:
                    break
                reply = parse_reply(sock.recv(65535))
                if reply is None:
                    continue
                q2 = by_id.get(reply.ident)
                if q2 is None or reply.qname != q2.qname or reply.qtype != QTYPES[q2.qtype]:
                    continue
                del by_id[reply.ident]
                q2.reply, q2.server = reply, server
                q2.elapsed_ms = round((time.monotonic() - start) * 1000.0, 3)
        except OSError as exc:
            return f"{server}: {exc.strerror or exc}"
    return None


def resolve(names: Iterable[str], servers: Sequence[str] | None = None, timeout_s: float = 2.0,
            *, resolv_conf: Path = RESOLV_CONF, port: int = 53) -> list[DnsAnswer]:
    """A and AAAA for each name; never raises: failures are in ``DnsAnswer.error``."""
    names = list(dict.fromkeys(names))
    if servers is None:
        try:
            servers = parse_resolv_conf(resolv_conf.read_text())
        except OSError as exc:
            return [DnsAnswer(name=n, error=f"{resolv_conf}: {exc.strerror or exc}") for n in names]
    if not servers:
        return [DnsAnswer(name=n, error="no resolver configured") for n in names]
    pending: list[_Pending] = []
    bad: dict[str, str] = {}
    for name in names:
        try:
            qname = name.rstrip(".").encode("idna").decode().lower()
            build_query(name, "A", 0)
        except (ValueError, UnicodeError) as exc:
            bad[name] = f"invalid name: {exc}"
            continue
        pending.extend(_Pending(name, qtype, qname) for qtype in QTYPES)
    server_errors: list[str] = []
    for server in servers:
        todo = [q for q in pending if q.reply is None]
        if not todo:
            break
        err = _ask(server, port, todo, timeout_s)
        if err:
            server_errors.append(err)
    answers = []
    for name in names:
        if name in bad:
            answers.append(DnsAnswer(name=name, error=bad[name]))
            continue
        mine = {q.qtype: q for q in pending if q.name == name}
        a, aaaa = mine["A"], mine["AAAA"]
        errors = [f"{q.qtype}: no answer from {', '.join(servers)} within {timeout_s:g} s"
                  for q in (a, aaaa) if q.reply is None]
        errors += [f"{q.qtype}: truncated reply (TCP not tried)" for q in (a, aaaa)
                   if q.reply is not None and q.reply.truncated]
        if errors and server_errors:
            errors.extend(server_errors)
        elapsed = [q.elapsed_ms for q in (a, aaaa) if q.elapsed_ms is not None]
        answers.append(DnsAnswer(
            name=name,
            a=list(a.reply.addresses) if a.reply else [],
            aaaa=list(aaaa.reply.addresses) if aaaa.reply else [],
            rcode_a=a.reply.rcode if a.reply else None,
            rcode_aaaa=aaaa.reply.rcode if aaaa.reply else None,
            server=aaaa.server or a.server,
            duration_ms=max(elapsed) if elapsed else None,
            error="; ".join(errors) or None))
    return answers
