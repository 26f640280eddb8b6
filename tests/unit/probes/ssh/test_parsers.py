"""Edge cases of the pure parsers that the recorded devices do not show."""

from __future__ import annotations

from infraaudit.probes.snmp import interfaces, ip


def test_speed_prefers_exact_if_speed_below_the_counter_limit() -> None:
    walked = {"ifDescr": {"1": b"t1", "2": b"10g", "3": b"down"},
              "ifSpeed": {"1": 1_544_000, "2": 4_294_967_295, "3": 0},
              "ifHighSpeed": {"1": 2, "2": 10_000, "3": 0}}
    ports = interfaces.parse(walked).ports  # type: ignore[arg-type]
    assert [p.speed_mbps for p in ports] == [1.544, 10_000.0, 0.0]


def test_odd_netmasks_keep_the_address() -> None:
    walked = {"ipAdEntIfIndex": {"10.0.0.1": 1, "10.0.1.1": 2, "10.0.2.1": 3},
              "ipAdEntNetMask": {"10.0.0.1": "255.255.255.0", "10.0.1.1": "255.0.255.0",
                                 "10.0.2.1": "0.0.0.255"}}
    found = {a.address: a.prefix_length for a in ip.parse(walked).addresses}  # type: ignore[arg-type]
    assert found == {"10.0.0.1": 24, "10.0.1.1": None, "10.0.2.1": None}


def test_cisco_show_interfaces_media_type_names_the_ports_medium() -> None:
    """The IOSvL2 capture (lab/sshsim/captures, ntc-templates, Apache-2.0) says "unknown media
    type"; its lines are edited to what a Catalyst prints for an SFP and a copper port (its
    format as the ntc template reads it: "Full-duplex, 1000Mb/s, ..., media type is LX")."""
    from infraaudit.probes.ssh.parsers import build_facts
    from tests.paths import REPO

    text = (REPO / "lab" / "sshsim" / "captures" / "cisco_ios" / "show_interfaces.txt"
            ).read_text(encoding="utf-8").splitlines()
    for line, media in ((36, "LX"), (38, "LX"), (66, "10/100/1000BaseTX"),
                        (68, "10/100/1000BaseTX")):  # IOSvL2 prints the line twice
        assert "media type is unknown" in text[line]
        text[line] = f"  Full-duplex, 1000Mb/s, link type is auto, media type is {media}"
    facts = build_facts("cisco_ios", {"show interfaces": "\n".join(text) + "\n"})
    media = {p.name: p.media for p in facts.ports}
    assert media["GigabitEthernet0/1"] == "fibre"
    assert media["GigabitEthernet0/2"] == "twisted-pair"
    assert media["GigabitEthernet0/0"] is None and media["GigabitEthernet0/3"] is None
