"""Thresholds as a frozen model: the packaged defaults load, an override file merges key by key
at any depth, and a typo or a wrong value fails at load naming its path and the file; every
command that takes ``--thresholds`` turns that into exit 2 with the message, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest
import yaml
from typer.testing import CliRunner

from infraaudit.cli import app
from infraaudit.errors import InventoryError
from infraaudit.findings.thresholds import Thresholds, default_thresholds, load_thresholds
from tests.paths import REPO

DATA = REPO / "infraaudit" / "findings" / "data" / "thresholds.yaml"


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "override.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _changed(a: object, b: object, where: str = "") -> list[str]:
    """The dotted paths at which two dumps differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [p for k in sorted(a.keys() | b.keys())
                for p in _changed(a.get(k), b.get(k), f"{where}{k}.")]
    return [] if a == b else [where.rstrip(".")]


def test_the_defaults_load_with_every_value_of_the_yaml() -> None:
    t = default_thresholds()
    assert isinstance(t, Thresholds) and load_thresholds(None) == t
    raw = yaml.safe_load(DATA.read_text("utf-8"))
    dumped = t.model_dump()
    assert _changed(raw, {k: {f: list(v) if isinstance(v, tuple) else v for f, v in s.items()}
                          for k, s in dumped.items()}) == []
    assert t.link.loss_pct == 1.0 and t.lifetime.years.switch == 8
    assert t.cabling.gigabit_patterns[0] == "^gi"


def test_thresholds_are_frozen() -> None:
    with pytest.raises(pydantic.ValidationError):
        default_thresholds().link.loss_pct = 5.0  # type: ignore[misc]


def test_a_nested_override_changes_one_value_only(tmp_path: Path) -> None:
    t = load_thresholds(_file(tmp_path, "lifetime: {years: {switch: 10}}\n"))
    assert t.lifetime.years.switch == 10
    assert _changed(default_thresholds().model_dump(), t.model_dump()) == [
        "lifetime.years.switch"]
    assert default_thresholds().lifetime.years.switch == 8  # the defaults are untouched


def test_an_empty_override_file_is_the_defaults(tmp_path: Path) -> None:
    assert load_thresholds(_file(tmp_path, "# nothing\n")) == default_thresholds()


def test_a_typo_fails_at_load_with_its_path_and_the_file(tmp_path: Path) -> None:
    path = _file(tmp_path, "link: {los_pct: 2}\n")
    with pytest.raises(InventoryError) as caught:
        load_thresholds(path)
    assert str(caught.value) == (
        f"thresholds {path}: link.los_pct: Extra inputs are not permitted")


@pytest.mark.parametrize(("text", "expected"), [
    ("lifetime: {years: {swich: 10}}\n", "lifetime.years.swich: Extra inputs are not permitted"),
    ("linkk: {loss_pct: 2}\n", "linkk: Extra inputs are not permitted"),
    ("link: {loss_pct: high}\n", "link.loss_pct: Input should be a valid number"),
    ("wifi: {min_endpoints: 5.5}\n", "wifi.min_endpoints: Input should be a valid integer"),
    ("link: 3\n", "link: Input should be a valid dictionary or instance of LinkLimits"),
    ("load: {uplink_patterns: ['(core']}\n",
     "load.uplink_patterns.0: Value error, '(core' is not a regular expression"),
    ("- link\n", "expected sections (link, port, ...) with their values, found a list"),
    ("link: {loss_pct: [\n", "invalid YAML"),
])
def test_a_bad_override_names_what_is_wrong(tmp_path: Path, text: str, expected: str) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(InventoryError, match="thresholds ") as caught:
        load_thresholds(path)
    assert str(path) in str(caught.value) and expected in str(caught.value)


def test_a_missing_file_is_an_inventory_error(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match=r"cannot read thresholds .*: No such file"):
        load_thresholds(tmp_path / "absent.yaml")


AUDIT = str(REPO / "tests" / "unit" / "data" / "audit-v1.json")
AGENCY = str(REPO / "inventories" / "sample-agency" / "agency.yaml")


@pytest.mark.parametrize("command", [
    ["findings", AUDIT],
    ["report", AGENCY, "--output-dir", "{tmp}"],
    ["province-report", AUDIT, "--output-dir", "{tmp}"],
    ["health", str(REPO / "inventories" / "example-site.yaml"), "--db", "{tmp}/h.db"],
])
def test_every_command_refuses_a_bad_thresholds_file_with_exit_2(
        tmp_path: Path, command: list[str]) -> None:
    """Before anything is probed or written (``{tmp}``: where a command would write)."""
    path = _file(tmp_path, "link: {los_pct: 2}\n")
    env = {"TTT_SNMP_COMMUNITY": "c0mmunity", "TTT_V3_AUTH": "auth-secret",
           "TTT_V3_PRIV": "priv-secret", "COLUMNS": "300"}
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in command]
    result = CliRunner(env=env).invoke(app, [*args, "--thresholds", str(path)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "link.los_pct: Extra inputs are not permitted" in " ".join(result.output.split())
    assert list(tmp_path.iterdir()) == [path]
