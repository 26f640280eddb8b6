"""Hostile and unlucky YAML files: each is one InventoryError naming the file and the line, never
a MemoryError, a RecursionError, a silently replaced key or a boolean read as a number. The same
reader serves every YAML file a user gives (inventory, agency file, frame, catalogs,
thresholds)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infraaudit.errors import InventoryError
from infraaudit.findings import load_firmware_catalog, load_thresholds
from infraaudit.inventory import load_inventory, read_env_file
from infraaudit.proposal import load_catalog
from infraaudit.report import load_agency, load_frame

HEAD = """\
agency: {code: TTT, name: "Thanh tra tỉnh"}
site: {id: hq, name: "Trụ sở"}
credentials: {snmp: {office: {version: v2c, community: "${COMM}"}}}
"""
ENV = {"COMM": "c0mmunity"}

BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True))


def write(tmp_path: Path, text: str, name: str = "site.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "expected"), [
    (HEAD + BOMB, r"site\.yaml:5: invalid YAML: YAML aliases \(\*a\) and merge keys are not"),
    (HEAD + "devices: &d [*d]\n", r"site\.yaml:4: invalid YAML: YAML aliases \(\*d\)"),
    (HEAD + "x: &x {a: 1}\nlimits: {<<: *x}\n", r"site\.yaml:5: .*aliases \(\*x\)"),
    (HEAD + "devices: " + "[" * 5000 + "]" * 5000 + "\n", r"site\.yaml:4: invalid YAML: .*nest"),
    (HEAD + "limits: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n",
     r"site\.yaml:4: invalid YAML: nested deeper than 64 levels"),
    (HEAD + "limits: {retries: 2}\ndevices: []\nlimits: {timeout_s: 1}\n",
     r"site\.yaml:6: invalid YAML: key 'limits' appears twice in this mapping \(lines 4 and 6\)"),
    (HEAD + "limits: {retries: 2, retries: 3}\n",
     r"site\.yaml:4: .*key 'retries' appears twice .*\(line 4, columns 10 and 22\)"),
    (HEAD + "limits: {retries: " + "9" * 5000 + "}\n",
     r"site\.yaml:4: invalid YAML: an integer of 5000 digits \(at most 40\)"),
    (HEAD + "devices: [{host: 10.0.0.1, installed_year: 2025-13-45}]\n",
     r"site\.yaml:4: invalid YAML: timestamp value cannot be read: month must be in 1\.\.12"),
    (HEAD + "---\ndevices: []\n", r"site\.yaml:4: invalid YAML: a second YAML document"),
    (HEAD + "x: !!python/object/apply:os.system [id]\n", r"site\.yaml:4: invalid YAML"),
])
def test_hostile_yaml_is_one_error_with_its_line(tmp_path: Path, text: str,
                                                  expected: str) -> None:
    with pytest.raises(InventoryError, match=expected):
        load_inventory(write(tmp_path, text), env=ENV)


@pytest.mark.parametrize(("line", "field"), [
    ("limits: {retries: true}", "limits.retries: Input should be a valid integer"),
    ("limits: {concurrency: 2.0}", "limits.concurrency: Input should be a valid integer"),
    ('limits: {retries: "2"}', "limits.retries: Input should be a valid integer"),
    ("discovery: {arp: 1}", "discovery.arp: Input should be a valid boolean"),
    ('discovery: {arp: "yes"}', "discovery.arp: Input should be a valid boolean"),
    ("devices: [{host: 10.0.0.1, port: true}]", "devices.0.port: Input should be a valid"),
])
def test_booleans_and_integers_are_strict(tmp_path: Path, line: str, field: str) -> None:
    with pytest.raises(InventoryError) as caught:
        load_inventory(write(tmp_path, HEAD + line + "\n"), env=ENV)
    assert "site.yaml:4" in str(caught.value) and field in str(caught.value)


def test_strings_still_become_addresses_paths_enums_and_numbers_widen(tmp_path: Path) -> None:
    text = HEAD + ("limits: {timeout_s: 2, retries: 0}\nsubnets: [10.0.0.0/24, {prefix: "
                   "'fd00::/64', name: lan}]\nhealth: {db: h.sqlite}\n"
                   "devices: [{host: 10.0.0.1, role: switch, installed_year: 2020}]\n")
    inv = load_inventory(write(tmp_path, text), env=ENV).inventory
    assert inv.limits.timeout_s == 2.0 and inv.limits.retries == 0
    assert [s.label for s in inv.subnets] == ["10.0.0.0/24", "lan"]
    assert inv.health.db == (tmp_path / "h.sqlite").resolve()
    assert inv.devices[0].role is not None and inv.devices[0].role.value == "switch"


def test_an_ipv4_mapped_address_is_the_ipv4_device(tmp_path: Path) -> None:
    one = "devices: [{host: 127.0.0.5, snmp: office}, {host: '::ffff:127.0.0.5', snmp: office}]"
    with pytest.raises(InventoryError, match=re.escape("devices[1] repeats devices[0] "
                                                       "(127.0.0.5 port 161)")):
        load_inventory(write(tmp_path, HEAD + one + "\n"), env=ENV)
    alone = "devices: [{host: '::FFFF:7f00:5', snmp: office}, {host: '::1', snmp: office}]"
    inv = load_inventory(write(tmp_path, HEAD + alone + "\n"), env=ENV).inventory
    assert [d.host for d in inv.devices] == ["127.0.0.5", "::1"]


def test_a_50_mb_inventory_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    line = "  - {host: 10.0.0.1, snmp: office, name: a-device-with-a-long-name}\n"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEAD + "devices:\n")
        handle.write(line * (50_000_000 // len(line)))
    with pytest.raises(InventoryError, match=r"huge\.yaml: 5\d,\d{3},\d{3} bytes, over the limit "
                                             r"of 2,097,152: is it the right file\?"):
        load_inventory(path, env=ENV)


def test_a_device_file_is_read_up_to_the_limit_only(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="over the limit of 2,097,152 bytes"):
        load_inventory(Path("/dev/zero"), env=ENV)
    with pytest.raises(InventoryError, match="a folder, not a file"):
        load_inventory(tmp_path, env=ENV)


def test_an_env_file_in_latin1_is_one_error_without_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "site.env"
    path.write_bytes(b"COMM=caf\xe9-secret\n")
    with pytest.raises(InventoryError, match=r"env file .*site\.env: not UTF-8 text") as caught:
        read_env_file(path)
    assert "secret" not in str(caught.value)


def test_every_user_yaml_goes_through_the_same_reader(tmp_path: Path) -> None:
    bomb = write(tmp_path, BOMB, "bomb.yaml")
    for load in (load_agency, load_frame, load_catalog, load_thresholds, load_firmware_catalog):
        with pytest.raises(InventoryError, match=r"bomb\.yaml:2: invalid YAML: YAML aliases"):
            load(bomb)
    twice = write(tmp_path, "parent_org: A\nagency_name: B\nplace: C\nplace: D\n", "frame.yaml")
    with pytest.raises(InventoryError, match=r"frame\.yaml:4: .*'place' appears twice"):
        load_frame(twice)
    strict = write(tmp_path, "parent_org: A\nagency_name: B\nplace: C\nhistory_days: true\n",
                   "frame2.yaml")
    with pytest.raises(InventoryError, match="history_days: Input should be a valid integer"):
        load_frame(strict)


def test_markup_in_keys_is_only_text(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match=re.escape("[/bold]x: Extra inputs")):
        load_inventory(write(tmp_path, HEAD + "'[/bold]x': 1\n"), env=ENV)

