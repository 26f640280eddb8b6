"""The namespace lab itself (root only): agents answer over IPv4 and IPv6, teardown is total."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from lab import procs
from lab.netns import NetnsLab, existing_namespaces, netns_supported

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(not netns_supported(), reason="needs root and `ip netns`"),
]


def test_agents_answer_and_teardown_is_total(tmp_path: Path) -> None:
    with NetnsLab(run_dir=tmp_path, agents=3) as lab:
        community = lab.secrets["INFRAAUDIT_LAB_NETNS_COMMUNITY"]
        pids = list(lab.state.pids)
        namespaces = list(lab.state.namespaces)
        expected = 3 + (3 if lab.lldpd else 0) + (2 if lab.sshd else 0)  # snmpd, lldpd, 2 sshd
        assert len(pids) == expected and len(namespaces) == 4
        v6 = [d for d in lab.devices if ":" in d.host]
        assert len(v6) == 1
        for device in lab.devices:
            cmd = ["snmpget", "-Oqv",
                   *procs.snmp_args(device.host, device.port, ["-v2c", "-c", community]),
                   "1.3.6.1.2.1.1.5.0"]
            res = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=10)
            assert res.returncode == 0, res.stderr
            assert res.stdout.strip().strip('"') == device.name.removesuffix("-ipv6")
            addrs = json.loads(subprocess.run(["ip", "-n", str(device.netns), "-j", "addr"],
                                              capture_output=True, text=True, check=True).stdout)
            assert device.host in {a["local"] for i in addrs for a in i["addr_info"]}
        links = json.loads(subprocess.run(["ip", "-n", lab.agent_ns(1), "-j", "link"],
                                          capture_output=True, text=True, check=True).stdout)
        assert {"lo", "eth0", "eth1"} <= {link["ifname"] for link in links}
        if lab.lldpd:  # agent 1 sees agent 2 over eth1 in LLDP-MIB (lldpRemSysName)
            cmd = ["snmpbulkwalk", "-Oqv",
                   *procs.snmp_args(lab.v4(1), 161, ["-v2c", "-c", community]),
                   "1.0.8802.1.1.2.1.4.1.1.9"]
            res = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=10)
            assert res.stdout.split() == ['"agent-2"'], res.stdout
        root_link = lab.root_link
        sock_dir = lab.sock_dir
    assert not any(procs.alive(p) for p in pids)
    assert not set(namespaces) & set(existing_namespaces())
    show = subprocess.run(["ip", "link", "show", root_link], capture_output=True, check=False)
    assert show.returncode != 0
    assert not sock_dir.exists()
