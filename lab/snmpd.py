"""net-snmp snmpd configuration and command line for lab agents (loopback and namespaces)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lab.model import V3User

AUTH_ENV = "INFRAAUDIT_LAB_V3_AUTH"
PRIV_ENV = "INFRAAUDIT_LAB_V3_PRIV"

# The v3 combinations Debian 12's net-snmp 5.9.3 serves (all verified with snmpget).
# AES-192/256 keys are extended Blumenthal-style by net-snmp: with SHA-1 (20-byte key) and
# AES-256, a client must use the Blumenthal variant (pysnmp USM_PRIV_CFB256_AES_BLUMENTHAL);
# with SHA-256/512 the key is already long enough and both variants agree.
V3_USERS: tuple[V3User, ...] = (
    V3User("lab-md5-des", "MD5", "DES", AUTH_ENV, PRIV_ENV),
    V3User("lab-sha-aes128", "SHA", "AES-128", AUTH_ENV, PRIV_ENV),
    V3User("lab-sha256-aes256", "SHA-256", "AES-256", AUTH_ENV, PRIV_ENV),
    V3User("lab-sha-aes256", "SHA", "AES-256", AUTH_ENV, PRIV_ENV),
    V3User("lab-sha512-aes192", "SHA-512", "AES-192", AUTH_ENV, PRIV_ENV),
    V3User("lab-sha256-authnopriv", "SHA-256", None, AUTH_ENV, None),
)

_NET_SNMP_PRIV = {"DES": "DES", "AES-128": "AES", "AES-192": "AES-192", "AES-256": "AES-256"}


def render_conf(
    community: str,
    sources: Sequence[str],
    users: Sequence[V3User],
    secrets: dict[str, str],
    location: str = "infraaudit lab",
    agentx: Path | None = None,
) -> str:
    """snmpd.conf text: read-only community per source prefix and ``createUser`` lines.

    With ``snmpd -C`` the persistent store is not read, so users are created from this file on
    every start (the persistent dir still has to be writable: snmpd saves keys there).
    With ``agentx`` snmpd is an AgentX master on that unix socket (for lldpd).
    """
    lines = [
        "# Written by the infraaudit lab.",
        "dontLogTCPWrappersConnects yes",
        f"sysLocation {location}",
        "sysContact infraaudit lab <lab@localhost>",
        *(["master agentx", f"agentXSocket unix:{agentx}"] if agentx else ["master no"]),
    ]
    for src in sources:
        directive = "rocommunity6" if ":" in src else "rocommunity"
        lines.append(f"{directive} {community} {src}")
    for u in users:
        parts = ["createUser", u.user]
        if u.auth_protocol and u.auth_env:
            parts += [u.auth_protocol, secrets[u.auth_env]]
            if u.priv_protocol and u.priv_env:
                parts += [_NET_SNMP_PRIV[u.priv_protocol], secrets[u.priv_env]]
        lines.append(" ".join(parts))
        level = {"authPriv": "priv", "authNoPriv": "auth", "noAuthNoPriv": "noauth"}[u.level]
        lines.append(f"rouser {u.user} {level}")
    return "\n".join(lines) + "\n"


def command(conf: Path, pidfile: Path, log: Path, endpoints: Sequence[str]) -> list[str]:
    """Foreground snmpd, no MIB loading, only our config file, listening on ``endpoints``."""
    return ["snmpd", "-f", "-Lf", str(log), "-m", "", "-C", "-c", str(conf),
            "-p", str(pidfile), *endpoints]


def net_snmp_auth(user: V3User, secrets: dict[str, str]) -> list[str]:
    """snmpget/snmpwalk options for ``user``."""
    opts = ["-v3", "-l", user.level, "-u", user.user]
    if user.auth_protocol and user.auth_env:
        opts += ["-a", user.auth_protocol, "-A", secrets[user.auth_env]]
    if user.priv_protocol and user.priv_env:
        opts += ["-x", _NET_SNMP_PRIV[user.priv_protocol], "-X", secrets[user.priv_env]]
    return opts
