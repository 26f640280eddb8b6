"""Security posture rules over configuration text; evidence never carries a secret."""

from __future__ import annotations

import unicodedata

from infraaudit.findings.security import config_findings, mask, merge_findings, snmp_findings

# A weak but realistic Cisco IOS access-switch configuration, written for this test.
WEAK_IOS = """\
version 12.2
no service password-encryption
hostname SW-TANG2
enable password Kh@nhHoa2019
username admin privilege 15 password 0 Admin@123
username noc password 7 094F471A1A0A
ip http server
snmp-server community public RO
snmp-server community SW-TANG2 RW
line vty 0 4
 password 7 13061E010803
 transport input telnet ssh
end
"""

HARDENED_IOS = """\
version 15.2
service password-encryption
hostname SW-CORE
enable secret 9 $9$abcdefghijklmn$0123456789abcdefghijklmnopqrstuvwxyzABCDEFG
username admin privilege 15 secret 9 $9$xyz$0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH
aaa new-model
no ip http server
no ip http secure-server
ip ssh version 2
snmp-server group MON v3 priv
snmp-server user monitor MON v3 auth sha ******** priv aes 128 ********
ntp server 10.10.0.5
logging host 10.10.0.6
line vty 0 4
 transport input ssh
end
"""

SECRETS = ["Kh@nhHoa2019", "Admin@123", "094F471A1A0A", "13061E010803", "public", "SW-TANG2 RW"]


def test_weak_ios_config_raises_every_check_with_masked_evidence() -> None:
    findings = config_findings("cisco_ios", {"show running-config": WEAK_IOS}, "SW-TANG2")
    codes = {f.code for f in findings}
    assert codes == {"SEC-TELNET", "SEC-HTTP", "SEC-SSHV1", "SEC-SNMP-V1V2C", "SEC-NO-SNMPV3",
                     "SEC-PLAINTEXT-PASSWORD", "SEC-NO-NTP", "SEC-NO-SYSLOG", "SEC-NO-AAA",
                     "SEC-SNMP-WEAK"}
    for finding in findings:
        assert finding.evidence and finding.source == "ssh:show running-config"
        assert unicodedata.is_normalized("NFC", finding.title + finding.explanation)
        for line in finding.evidence:
            for secret in SECRETS:
                assert secret not in line, (finding.code, line)
    telnet = next(f for f in findings if f.code == "SEC-TELNET")
    assert telnet.evidence == [" transport input telnet ssh"]
    weak = next(f for f in findings if f.code == "SEC-SNMP-WEAK")
    assert len(weak.evidence) == 2  # "public" and the hostname


def test_hardened_ios_config_raises_nothing() -> None:
    assert config_findings("cisco_ios", {"show running-config": HARDENED_IOS}, "SW-CORE") == []


def test_unknown_platform_or_missing_config_is_silent() -> None:
    assert config_findings("mikrotik_routeros", {"/export hide-sensitive": "x"}, None) == []
    assert config_findings("cisco_ios", {}, None) == []


def test_snmp_findings_never_quote_the_community() -> None:
    found = snmp_findings("v2c", "office", "public", "sw1")
    assert [f.code for f in found] == ["SEC-SNMP-V1V2C", "SEC-SNMP-WEAK"]
    assert all("public" not in line for f in found for line in f.evidence)
    assert [f.code for f in snmp_findings("v2c", "office", "x9!Kq2-long-random", "sw1")] == [
        "SEC-SNMP-V1V2C"]
    assert snmp_findings("v3", "secure", None, "sw1") == []


def test_merge_keeps_one_finding_per_code_with_all_evidence() -> None:
    cli = config_findings("cisco_ios", {"show running-config": WEAK_IOS}, "SW-TANG2")
    merged = merge_findings(snmp_findings("v2c", "office", "public", "SW-TANG2"), cli)
    weak = [f for f in merged if f.code == "SEC-SNMP-WEAK"]
    assert len(weak) == 1 and len(weak[0].evidence) == 3
    assert weak[0].source == "snmp + ssh:show running-config"
    assert [f.severity for f in merged] == sorted((f.severity for f in merged),
                                                  key=["high", "medium", "low"].index)


def test_mask() -> None:
    assert mask("snmp-server community public RO") == "snmp-server community ******"
    assert mask(" password 7 13061E010803") == " password ******"
    assert mask("hostname SW1") == "hostname SW1"
    leaky = {  # each line hides a secret after its keyword (found in review)
        "enable password level 15 MyPlainPw": "MyPlainPw",
        "snmp-agent community read private": "private",
        'password manager user-name "admin" plaintext "X9pass"': "X9pass",
        "snmp-server user mon MON v3 auth sha AuthPw1 priv aes 128 PrivPw1": "AuthPw1",
        "snmp-server host 10.0.0.5 version 2c C0mmunity": "C0mmunity",
        "wpa-psk ascii 0 WifiPass1": "WifiPass1",
        " message-digest-key 1 md5 7 0822455D0A16": "0822455D0A16",
        "snmp-agent usm-user v3 mon authentication-mode sha AuthPw2": "AuthPw2",
        'set security ike policy p pre-shared-key ascii-text "$9$abc"': "$9$abc",
        "ntp authentication-key 1 md5 NtpKey1": "NtpKey1",
        "tacacs-server key 7 045802150C2E": "045802150C2E",
    }
    for line, secret in leaky.items():
        assert secret not in mask(line), line


def test_partial_configuration_runs_only_the_present_checks() -> None:
    partial = WEAK_IOS.replace("end\n", "")  # e.g. a privilege level that shows only a part
    codes = {f.code for f in config_findings("cisco_ios", {"show running-config": partial},
                                             "SW-TANG2")}
    assert "SEC-TELNET" in codes and "SEC-HTTP" in codes  # seen: still reported
    assert not codes & {"SEC-NO-NTP", "SEC-NO-SYSLOG", "SEC-NO-AAA", "SEC-SSHV1"}  # unproven
