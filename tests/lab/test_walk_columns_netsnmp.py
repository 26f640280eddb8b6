"""The multi-column walk against a real net-snmp agent: for the tables the probes read, the
rows of ``walk_columns`` are exactly those of one ``walk`` per column, over SNMPv2c and SNMPv3,
with both backends: pysnmp sends one GETBULK with a varbind per column; gufo does so on SNMPv2c
(the request and reply coded by ber.py, against gufo's own decoding of the per-column walks) and
walks per column on SNMPv3."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from infraaudit.probes.snmp import entity, interfaces, ip, lldp
from infraaudit.probes.snmp.client import make_client, release_backends
from infraaudit.probes.snmp.transport import Backend, SnmpCredentials, SnmpTarget
from lab import procs, snmpd
from lab.model import V3User, new_secret

pytestmark = pytest.mark.lab

BLOCK, PORT = 96, 16196
HOST = f"127.{BLOCK}.0.10"
USER = V3User("lab-sha-aes128", "SHA", "AES-128", snmpd.AUTH_ENV, snmpd.PRIV_ENV)
TABLES = [list(p.columns.values()) for p in (interfaces.PROBE, ip.PROBE, lldp.PROBE, entity.PROBE)]
TABLES.append(["1.3.6.1.2.1.25.2.3.1.2", "1.3.6.1.2.1.25.2.3.1.3", "1.3.6.1.2.1.25.2.3.1.5"])
# values that move between two walks of a live host: compared by OID only
MOVING = {oid for p in (interfaces.PROBE,) for name, oid in p.columns.items()
          if any(w in name for w in ("Octets", "Pkts", "Discards", "Errors", "LastChange"))}


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    base = tmp_path_factory.mktemp("walk-columns")
    secrets = {"C": new_secret("c-"), snmpd.AUTH_ENV: new_secret("auth-"),
               snmpd.PRIV_ENV: new_secret("priv-")}
    if not procs.udp_port_free(HOST, PORT):
        pytest.fail(f"UDP {PORT} busy on {HOST}: another run of this test?")
    (base / "persist").mkdir()
    conf = base / "snmpd.conf"
    conf.write_text(snmpd.render_conf(secrets["C"], ["127.0.0.0/8"], [USER], secrets))
    pids = [procs.start(snmpd.command(conf, base / "snmpd.pid", base / "snmpd.log",
                                      [f"udp:{HOST}:{PORT}"]), base / "stdout.log",
                        env={"SNMP_PERSISTENT_DIR": str(base / "persist")})]
    try:
        procs.wait_all_answer([(HOST, PORT, ["-v2c", "-c", secrets["C"]])], pids, 15)
        yield secrets
    finally:
        assert procs.stop(pids) == []


def _credentials(version: str, secrets: dict[str, str]) -> SnmpCredentials:
    if version == "v2c":
        return SnmpCredentials("v2c", community=secrets["C"])
    return SnmpCredentials("v3", user=USER.user, auth_protocol="SHA",
                           auth_password=secrets[snmpd.AUTH_ENV], priv_protocol="AES-128",
                           priv_password=secrets[snmpd.PRIV_ENV])


async def _both(backend: Backend, credentials: SnmpCredentials, max_repetitions: int
                ) -> list[tuple[dict[str, list[object]], dict[str, list[object]]]]:
    target = SnmpTarget(HOST, PORT, credentials, timeout_s=1.0, requests_per_second=1000,
                        max_repetitions=max_repetitions)
    pairs = []
    try:
        async with make_client(target, backend) as client:
            for columns in TABLES:
                each = {c: list(await client.walk(c)) for c in columns}
                multi = {c: list(rows) for c, rows in (await client.walk_columns(columns)).items()}
                pairs.append((each, multi))
    finally:
        release_backends()
    return pairs


@pytest.mark.parametrize("backend", [Backend.GUFO, Backend.PYSNMP])
@pytest.mark.parametrize("version", ["v2c", "v3"])
@pytest.mark.parametrize("max_repetitions", [3, 25])
def test_multi_column_walk_reads_what_per_column_walks_read(
        agent: dict[str, str], backend: Backend, version: str, max_repetitions: int) -> None:
    pairs = asyncio.run(_both(backend, _credentials(version, agent), max_repetitions))
    assert any(any(each.values()) for each, _ in pairs)  # the agent has some of these tables
    for each, multi in pairs:
        assert {c: [o for o, _ in rows] for c, rows in multi.items()} == {
            c: [o for o, _ in rows] for c, rows in each.items()}
        assert {c: rows for c, rows in multi.items() if c not in MOVING} == {
            c: rows for c, rows in each.items() if c not in MOVING}
