from __future__ import annotations

import re
from pathlib import Path

import pytest

from infraaudit.errors import InventoryError, SecretError
from infraaudit.inventory import load_inventory, read_env_file
from tests.paths import INVENTORIES

GOOD = """\
agency: {code: TTT, name: "Thanh tra tỉnh Khánh Hòa"}
site: {id: hq, name: "Trụ sở 26 Hùng Vương", address: "26 Hùng Vương, phường Nha Trang"}
credentials:
  snmp:
    office: {version: v2c, community: "${SITE_COMMUNITY}"}
    secure:
      version: v3
      user: auditor
      auth_protocol: SHA-256
      auth_password: "${SITE_AUTH}"
      priv_protocol: AES-128
      priv_password: "${SITE_PRIV}"
limits: {concurrency: 4, timeout_s: 1.5}
devices:
  - {host: 10.0.0.1, snmp: office, name: core}
  - {host: "fd00::2", port: 1161, snmp: secure}
subnets: ["10.0.0.0/24", "fd00::/64"]
"""
ENV = {"SITE_COMMUNITY": "s3cret-comm", "SITE_AUTH": "authpass123", "SITE_PRIV": "privpass123"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_inventory_resolves_secrets(tmp_path: Path) -> None:
    loaded = load_inventory(write(tmp_path, GOOD), env=ENV)
    inv = loaded.inventory
    assert inv.agency.name == "Thanh tra tỉnh Khánh Hòa"
    assert inv.credentials.snmp["office"].community.get_secret_value() == "s3cret-comm"  # type: ignore[union-attr]
    assert inv.devices[1].host == "fd00::2" and inv.devices[1].port == 1161
    assert inv.limits.concurrency == 4 and inv.limits.retries == 1  # default kept
    assert len(loaded.digest) == 64
    assert "s3cret" not in repr(inv) and "authpass" not in repr(inv)


def test_missing_env_var_is_named_with_its_line(tmp_path: Path) -> None:
    env = dict(ENV)
    del env["SITE_AUTH"]
    with pytest.raises(SecretError) as info:
        load_inventory(write(tmp_path, GOOD), env=env)
    message = str(info.value)
    assert "SITE_AUTH" in message and "site.yaml:10" in message and "export SITE_AUTH" in message


def test_inline_secret_refused_and_never_echoed(tmp_path: Path) -> None:
    text = GOOD.replace('"${SITE_COMMUNITY}"', "inline-public-42")
    with pytest.raises(SecretError) as info:
        load_inventory(write(tmp_path, text), env=ENV)
    assert "inline-public-42" not in str(info.value)
    assert "site.yaml:5" in str(info.value) and "--allow-inline-secrets" in str(info.value)
    loaded = load_inventory(write(tmp_path, text), env=ENV, allow_inline_secrets=True)
    office = loaded.inventory.credentials.snmp["office"]
    assert office.community.get_secret_value() == "inline-public-42"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("limits: {concurrency: 4", "limits: {concurency: 4"), ["site.yaml:13", "concurency",
                                                                   "unknown key"]),
        (("snmp: office, name: core", "snmp: offfice, name: core"), ["offfice", "office, secure"]),
        (("host: 10.0.0.1", "host: 'bad host!'"), ["site.yaml:15", "devices.0.host"]),
        (("version: v2c", "version: v4"), ["site.yaml:5", "v1, v2c or v3"]),
        (("priv_protocol: AES-128", "priv_protocol: AES-512"), ["site.yaml:11", "priv_protocol"]),
        (("site: {id: hq, ", "site: {"), ["site.yaml:2", "site.id", "add this key"]),
        (("name: core}", "name: core, installed_year: 2099}"),
         ["devices.0.installed_year", "in the future"]),
    ],
)
def test_errors_name_line_and_field(tmp_path: Path, change: tuple[str, str],
                                    expected: list[str]) -> None:
    with pytest.raises(InventoryError) as info:
        load_inventory(write(tmp_path, GOOD.replace(*change)), env=ENV)
    for piece in expected:
        assert piece in str(info.value)
    for secret in ENV.values():
        assert secret not in str(info.value)


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match=r"site\.yaml:\d+: invalid YAML"):
        load_inventory(write(tmp_path, GOOD + "devices: [\n"), env=ENV)


def test_auth_and_priv_go_in_pairs(tmp_path: Path) -> None:
    text = GOOD.replace('      auth_password: "${SITE_AUTH}"\n', "")
    with pytest.raises(InventoryError, match="auth_protocol and auth_password go together"):
        load_inventory(write(tmp_path, text), env=ENV)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="cannot read inventory"):
        load_inventory(tmp_path / "absent.yaml", env=ENV)


def test_env_file(tmp_path: Path) -> None:
    path = tmp_path / "site.env"
    path.write_text("# secrets\nexport A=1\nB='two words'\n\nC=\"x=y\"\n", encoding="utf-8")
    assert read_env_file(path) == {"A": "1", "B": "two words", "C": "x=y"}
    path.write_text("not a pair\n", encoding="utf-8")
    with pytest.raises(InventoryError, match=r"site\.env:1"):
        read_env_file(path)


def test_shipped_example_inventory_is_valid() -> None:
    example = INVENTORIES / "example-site.yaml"
    env = {"TTT_SNMP_COMMUNITY": "c", "TTT_V3_AUTH": "authpass1", "TTT_V3_PRIV": "privpass1"}
    loaded = load_inventory(example, env=env)
    assert [d.name for d in loaded.inventory.devices][:2] == ["router-edge", "sw-core"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("  - {host: \"fd00::2\", port: 1161, snmp: secure}",
          "  - {host: 10.0.0.1, snmp: office}"), "repeats devices[0]"),
        (("host: 10.0.0.1", "host: core-sw.local"), "not an IP address"),
        (('auth_password: "${SITE_AUTH}"', "auth_password: short"), "at least 8 characters"),
    ],
)
def test_more_checks(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    with pytest.raises(InventoryError, match=re.escape(expected)):
        load_inventory(write(tmp_path, GOOD.replace(*change)), env=ENV,
                       allow_inline_secrets=True)


def test_empty_env_var_is_missing(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="not set or empty"):
        load_inventory(write(tmp_path, GOOD), env={**ENV, "SITE_COMMUNITY": ""})


def test_digest_does_not_hash_inline_secrets(tmp_path: Path) -> None:
    one = load_inventory(write(tmp_path, GOOD.replace('"${SITE_COMMUNITY}"', "weak1")), env=ENV,
                         allow_inline_secrets=True)
    two = load_inventory(write(tmp_path, GOOD.replace('"${SITE_COMMUNITY}"', "weak2")), env=ENV,
                         allow_inline_secrets=True)
    assert one.digest == two.digest  # the secret does not change (or leak through) the digest
    other = load_inventory(write(tmp_path, GOOD.replace("name: core", "name: core2")), env=ENV)
    assert other.digest != load_inventory(write(tmp_path, GOOD), env=ENV).digest
