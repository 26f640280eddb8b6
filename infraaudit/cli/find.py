"""``infraaudit find MAC|IP|NAME AUDIT.json...``: where an endpoint is plugged in.

Reads the audits' endpoint placement (``endpoints``); an audit written before schema 5 has none,
so its forwarding tables are placed here the way the scan would have. A MAC may be written in
any common form (``aa:bb:cc:dd:ee:ff``, ``AA-BB-CC-DD-EE-FF``, ``aabb.ccdd.eeff``,
``aabbccddeeff``); a name matches the endpoint's name (sysName from discovery, a scanned
printer's or server's inventory name) or a scanned device, found through its neighbours' LLDP.
Exit 0 found, 1 not found, 2 an audit cannot be read.
"""

from __future__ import annotations

import ipaddress
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from infraaudit.cli.console import fail, note, out

if TYPE_CHECKING:  # imported when the command runs, not for --help
    from infraaudit.models import AuditDocument
    from infraaudit.models.endpoints import EndpointMap, EndpointPlace

EXIT_FOUND, EXIT_NOT_FOUND, EXIT_BAD_INPUT = 0, 1, 2


def _mac(text: str) -> str | None:
    digits = "".join(c for c in text.lower() if c not in ":-. ")
    if len(digits) != 12 or any(c not in "0123456789abcdef" for c in digits):
        return None
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def _ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def placement(doc: AuditDocument) -> EndpointMap | None:
    """The audit's placement, or one made from its devices (audits before schema 5)."""
    if doc.endpoints is not None:
        return doc.endpoints
    from infraaudit.probes.link import place_endpoints  # the scan's join, only when needed

    return place_endpoints(doc.devices, doc.discovery)


def matches(doc: AuditDocument, query: str) -> list[dict[str, Any]]:
    """Every endpoint (and scanned device seen by LLDP) ``query`` names, as printable rows."""
    mac, ip = _mac(query), _ip(query)
    placed = placement(doc)
    rows: list[dict[str, Any]] = []
    for e in placed.endpoints if placed else []:
        if (mac and e.mac == mac) or (ip and ip in e.ips) or (
                not mac and not ip and e.name and query.lower() in e.name.lower()):
            rows.append(_row(e))
    if not mac and not ip:
        rows += _by_lldp(doc, query.lower())
    return rows


def _row(e: EndpointPlace) -> dict[str, Any]:
    return {"mac": e.mac, "vendor": e.vendor, "ips": e.ips, "name": e.name, "device": e.device,
            "port": e.port, "vlan": e.vlan, "wifi": e.wifi, "via": e.via,
            "seen_on": e.seen_on, "learnt_from": e.learnt_from}


def _by_lldp(doc: AuditDocument, wanted: str) -> list[dict[str, Any]]:
    """A scanned network device named ``wanted``: the ports whose LLDP/CDP neighbour it is."""
    rows = []
    for target in doc.devices:
        names = {n.lower() for n in (target.name, target.sys_name) if n}
        if not any(wanted in n for n in names):
            continue
        for d in doc.devices:
            for p in d.ports:
                for n in p.lldp_neighbours:
                    if (n.sys_name or "").lower() in names or n.mgmt_address == target.host:
                        rows.append({"mac": None, "vendor": target.vendor, "ips": [target.host],
                                     "name": target.name or target.sys_name,
                                     "device": d.name or d.sys_name or d.host, "port": p.name,
                                     "vlan": None, "wifi": False,
                                     "via": f"{n.protocol.upper()} neighbour of that port",
                                     "seen_on": [], "learnt_from": []})
    return rows


def _line(row: dict[str, Any]) -> str:
    who = " ".join(x for x in (row["mac"], f"({row['vendor']})" if row["vendor"] else None,
                               ", ".join(row["ips"]) or None, row["name"]) if x)
    if row["device"] is None:
        return f"{who}: not on any switch port ({row['via']}; in the ARP/ND rows of " \
               f"{', '.join(row['learnt_from']) or '?'})"
    where = f"{row['device']} port {row['port']}"
    if row["vlan"] is not None:
        where += f", VLAN {row['vlan']}"
    kind = "Wi-Fi" if row["wifi"] else "wired"
    return f"{who}: {where} ({kind}: {row['via']})"


def find(
    query: Annotated[str, typer.Argument(help="A MAC (any common form), an IP address or a "
                                              "name.")],
    audits: Annotated[list[Path], typer.Argument(help="Audit JSON files (infraaudit scan).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the matches as JSON.")] = False,
) -> None:
    """Print where an endpoint is plugged in: switch, port, VLAN, wired or behind an AP.

    Exit 0 found, 1 not found, 2 when an audit cannot be read."""
    from infraaudit.errors import AuditFormatError, InfraAuditError
    from infraaudit.models.migrate import MAX_AUDIT_BYTES, load_audit
    from infraaudit.util.yamlfile import read_text

    found: list[dict[str, Any]] = []
    for path in audits:
        try:
            try:
                doc = load_audit(read_text(path, "audit", MAX_AUDIT_BYTES))
            except AuditFormatError as exc:
                raise AuditFormatError(f"{path}: {exc}") from None
        except InfraAuditError as exc:
            raise fail(exc, EXIT_BAD_INPUT) from None
        for row in matches(doc, query):
            found.append({**row, "site": doc.site.name, "audit": str(path)})
    if as_json:
        sys.stdout.write(json.dumps(found, indent=2, ensure_ascii=False) + "\n")
    for row in found if not as_json else []:
        out.print(f"{_line(row)} [{row['site']}, {row['audit']}]", soft_wrap=True)
    if not found:
        what = ("MAC " if _mac(query) else "IP address " if _ip(query) else "name ") + query
        note(f"not found: no endpoint with {what} in {len(audits)} audit(s)")
        raise typer.Exit(EXIT_NOT_FOUND)
    raise typer.Exit(EXIT_FOUND)
