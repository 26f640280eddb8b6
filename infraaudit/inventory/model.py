"""The inventory file's model: what to scan, with which credentials and how gently.

Secrets are ``SecretStr`` here, already resolved from their ``${ENV_VAR}`` references by
``infraaudit.inventory.secrets`` before validation (``infraaudit.inventory.load``).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from infraaudit.inventory.alerts import AlertOptions
from infraaudit.models import Agency, Site
from infraaudit.models.base import Strict
from infraaudit.models.device import Role
from infraaudit.probes.snmp import SnmpCredentials


class AuthProtocol(StrEnum):
    MD5 = "MD5"
    SHA = "SHA"
    SHA224 = "SHA-224"
    SHA256 = "SHA-256"
    SHA384 = "SHA-384"
    SHA512 = "SHA-512"


class PrivProtocol(StrEnum):
    DES = "DES"
    AES128 = "AES-128"
    AES192 = "AES-192"
    AES256 = "AES-256"


class SnmpV1V2c(Strict):
    version: Literal["v1", "v2c"]
    community: SecretStr


class SnmpV3(Strict):
    version: Literal["v3"]
    user: str
    auth_protocol: AuthProtocol | None = None
    auth_password: SecretStr | None = None
    priv_protocol: PrivProtocol | None = None
    priv_password: SecretStr | None = None
    context: str = ""

    @model_validator(mode="after")
    def _pairs(self) -> SnmpV3:
        if (self.auth_protocol is None) != (self.auth_password is None):
            raise ValueError("auth_protocol and auth_password go together: set both or neither")
        if (self.priv_protocol is None) != (self.priv_password is None):
            raise ValueError("priv_protocol and priv_password go together: set both or neither")
        if self.priv_protocol is not None and self.auth_protocol is None:
            raise ValueError("privacy (priv_*) needs authentication (auth_*) too")
        return self

    @field_validator("auth_password", "priv_password")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 8:
            raise ValueError("SNMPv3 passwords have at least 8 characters (RFC 3414)")
        return value

    @property
    def level(self) -> str:
        if self.priv_protocol:
            return "authPriv"
        return "authNoPriv" if self.auth_protocol else "noAuthNoPriv"


SnmpProfile = Annotated[SnmpV1V2c | SnmpV3, Field(discriminator="version")]


class SshProfile(Strict):
    username: str
    password: SecretStr | None = None
    key_file: Path | None = None
    enable_secret: SecretStr | None = None
    enable: bool = Field(
        default=False,
        description="enter privileged mode even without an enable_secret (devices that take an "
                    "empty one); with an enable_secret it is entered anyway",
    )

    @model_validator(mode="after")
    def _some_auth(self) -> SshProfile:
        if self.password is None and self.key_file is None:
            raise ValueError("an ssh profile needs a password or a key_file")
        return self


class Credentials(Strict):
    snmp: dict[str, SnmpProfile] = Field(default_factory=dict)
    ssh: dict[str, SshProfile] = Field(default_factory=dict)


class SshOptions(Strict):
    host_key_policy: Literal["accept-new", "strict"] = Field(
        default="accept-new",
        description="accept-new: remember a new host's key, refuse a changed one; strict: "
                    "refuse hosts not already in known_hosts",
    )
    known_hosts: Path | None = Field(
        default=None, description="default: ~/.local/share/infraaudit/known_hosts/<site id>"
    )
    legacy_algorithms: bool = Field(
        default=False,
        description="also offer SHA-1 key exchange, ssh-rsa host keys and CBC ciphers (old "
                    "switches need them; a finding is raised for each device that uses them)",
    )


class Limits(Strict):
    concurrency: int = Field(default=16, ge=1, le=1024, description="devices scanned at once")
    per_device_concurrency: int = Field(
        default=2, ge=1, le=16, description="SNMP requests in flight per device"
    )
    timeout_s: float = Field(default=2.0, gt=0, le=60)
    retries: int = Field(default=1, ge=0, le=10)
    requests_per_second: float = Field(
        default=50.0, gt=0, le=10000, description="SNMP requests per second per device"
    )
    max_repetitions: int = Field(default=25, ge=1, le=200, description="GETBULK size")
    ssh_timeout_s: float = Field(default=20.0, gt=0, le=300, description="SSH connect/command")
    device_deadline_s: float | None = Field(
        default=None, gt=0, le=86400,
        description="most seconds of SNMP per device; none: 2,000 requests at "
        "requests_per_second plus 20 requests timing out on every retry, at least 60 s",
    )
    max_walk_rows: int = Field(
        default=100_000, ge=100, le=1_000_000,
        description="most rows one walk may return (all walks of a device: 2.5 times this)",
    )


class DeviceEntry(Strict):
    host: str
    port: int = Field(default=161, ge=1, le=65535)
    snmp: str | None = Field(default=None, description="name of a credentials.snmp profile")
    ssh: str | None = Field(default=None, description="name of a credentials.ssh profile")
    ssh_port: int = Field(default=22, ge=1, le=65535)
    platform: str | None = Field(default=None, description="netmiko platform; none: autodetect")
    name: str | None = None
    role: Role | None = Field(
        default=None,
        description="what the device is, when SNMP cannot tell (e.g. ap for a Wi-Fi access point)",
    )
    installed_year: int | None = Field(
        default=None, ge=1980, le=2100,
        description="year the device was put in service (from the asset register): its age "
        "for the lifetime findings; without it the manufacture year the device reports is used",
    )

    @field_validator("installed_year")
    @classmethod
    def _installed(cls, value: int | None) -> int | None:
        if value is not None and value > dt.date.today().year:
            raise ValueError(f"installed_year {value} is in the future")
        return value

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        """An IP address: an audit resolves no names, so it sends no DNS traffic of its own.
        Written canonically, an IPv4-mapped IPv6 address (::ffff:10.0.0.1) as the IPv4 one, so
        that one device is never listed (and scanned) twice under two spellings."""
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not an IP address; write the device's management address "
                "(infraaudit does not resolve host names)"
            ) from None
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(address)


class Subnet(Strict):
    """A subnet of the site: discovery and the LAN probes never leave the declared subnets."""

    prefix: ipaddress.IPv4Network | ipaddress.IPv6Network
    name: str | None = Field(default=None, description="segment name used in findings and reports")

    @property
    def label(self) -> str:
        """The name, or the prefix when the subnet has none."""
        return self.name or str(self.prefix)


def _subnet(value: Any) -> Any:
    """A bare prefix string is a subnet without a name."""
    return {"prefix": value} if isinstance(value, str) else value


class LinkOptions(Strict):
    """Link-stability measurement: a ping series per target and two counter polls."""

    enabled: bool = True
    ping_count: int = Field(default=100, ge=1, le=10_000, description="echo requests per target")
    ping_interval_ms: float = Field(
        default=200.0, ge=1.0, le=10_000.0, description="time between two echo requests"
    )
    ping_timeout_s: float = Field(default=1.0, gt=0, le=10.0)
    ping_gateway: bool = Field(default=True, description="also ping the scanning host's gateway")
    poll_interval_s: float = Field(
        default=10.0, ge=0.0, le=600.0,
        description="seconds between the two interface-counter polls (0: one poll only)",
    )


class HealthOptions(Strict):
    """The nightly health check (``infraaudit health``): history, retention, its ping series."""

    db: Path | None = Field(
        default=None, description="history database (relative to the inventory file); "
                                  "default $XDG_DATA_HOME/infraaudit/history.sqlite")
    keep_days: int = Field(default=400, ge=1, le=3650, description="runs older are deleted")
    ping_count: int = Field(default=20, ge=1, le=10_000)
    ping_interval_ms: float = Field(default=100.0, ge=1.0, le=10_000.0)
    ping_timeout_s: float = Field(default=1.0, gt=0, le=10.0)
    ping_gateway: bool = True
    alerts: AlertOptions = Field(
        default_factory=AlertOptions, description="webhook and/or mail when a run needs attention")

    def link_options(self) -> LinkOptions:
        """The ping part as link options (no second poll: runs are compared instead)."""
        return LinkOptions(ping_count=self.ping_count, ping_interval_ms=self.ping_interval_ms,
                           ping_timeout_s=self.ping_timeout_s, ping_gateway=self.ping_gateway,
                           poll_interval_s=0)


class Ipv6Options(Strict):
    """IPv6 readiness checks of the LAN."""

    enabled: bool = True
    dns_names: list[str] = Field(
        default_factory=list, description="names whose AAAA records are checked (the portal)"
    )
    dns_servers: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = Field(
        default_factory=list,
        description="resolvers to ask; default: the host's resolvers inside the declared subnets",
    )
    timeout_s: float = Field(default=3.0, gt=0, le=30.0, description="RA / DHCPv6 listen time")
    catalog: Path | None = Field(
        default=None, description="IPv6 capability catalog (relative to the inventory file)"
    )


class DiscoveryOptions(Strict):
    """Finding hosts and devices in the declared subnets."""

    enabled: bool = True
    arp: bool = True
    icmp: bool = True
    lldp_crawl: bool = True
    rate_pps: float = Field(default=200.0, gt=0, le=5000.0, description="sweep packets per second")
    max_hosts: int = Field(default=1024, ge=1, le=65_536, description="largest subnet swept")


class Inventory(Strict):
    agency: Agency
    site: Site
    credentials: Credentials = Field(default_factory=Credentials)
    limits: Limits = Field(default_factory=Limits)
    ssh_options: SshOptions = Field(default_factory=SshOptions)
    devices: list[DeviceEntry] = Field(default_factory=list)
    subnets: list[Annotated[Subnet, BeforeValidator(_subnet)]] = Field(default_factory=list)
    link: LinkOptions = Field(default_factory=LinkOptions)
    ipv6: Ipv6Options = Field(default_factory=Ipv6Options)
    discovery: DiscoveryOptions = Field(default_factory=DiscoveryOptions)
    health: HealthOptions = Field(default_factory=HealthOptions)

    @model_validator(mode="after")
    def _profiles_exist(self) -> Inventory:
        seen: dict[tuple[str, int], int] = {}
        for i, dev in enumerate(self.devices):
            first = seen.setdefault((dev.host, dev.port), i)
            if first != i:
                raise ValueError(
                    f"devices[{i}] repeats devices[{first}] ({dev.host} port {dev.port}): "
                    "list each device once"
                )
            for kind, name, profiles in (("snmp", dev.snmp, self.credentials.snmp),
                                         ("ssh", dev.ssh, self.credentials.ssh)):
                if name is not None and name not in profiles:
                    known = ", ".join(sorted(profiles)) or "none"
                    raise ValueError(
                        f"devices[{i}] ({dev.host}) uses {kind} profile {name!r}, which is not "
                        f"defined under credentials.{kind} (defined: {known})"
                    )
            if dev.platform is not None:
                from infraaudit.probes.ssh import platforms

                if dev.platform not in platforms():
                    raise ValueError(
                        f"devices[{i}] ({dev.host}): platform {dev.platform!r} is not supported "
                        f"(supported: {', '.join(platforms())}); leave it out to autodetect"
                    )
        return self


def snmp_credentials(profile: SnmpV1V2c | SnmpV3) -> SnmpCredentials:
    """What the SNMP client needs from an inventory profile (secrets resolved)."""
    if isinstance(profile, SnmpV1V2c):
        return SnmpCredentials(profile.version, community=profile.community.get_secret_value())
    return SnmpCredentials(
        "v3", user=profile.user, context=profile.context,
        auth_protocol=profile.auth_protocol.value if profile.auth_protocol else None,
        auth_password=profile.auth_password.get_secret_value() if profile.auth_password else "",
        priv_protocol=profile.priv_protocol.value if profile.priv_protocol else None,
        priv_password=profile.priv_password.get_secret_value() if profile.priv_password else "",
    )
