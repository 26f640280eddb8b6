"""The CLI's contract with scripts: exit codes, messages, files (no network needed here)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from infraaudit.cli import app
from infraaudit.models import AuditDocument

EMPTY_SITE = """\
agency: {code: TTT, name: "Thanh tra tỉnh"}
site: {id: s1, name: "Trụ sở 02 Hoàn Kiếm"}
credentials: {snmp: {office: {version: v2c, community: "${COMM}"}}}
devices: []
"""


def test_bad_inventory_exits_2_with_file_and_line(tmp_path: Path) -> None:
    inventory = tmp_path / "site.yaml"
    inventory.write_text(EMPTY_SITE.replace('"${COMM}"', "hunter2-inline"), encoding="utf-8")
    result = CliRunner().invoke(app, ["scan", str(inventory), "-o", str(tmp_path / "a.json")])
    assert result.exit_code == 2
    assert "site.yaml:3" in result.output
    assert "hunter2-inline" not in result.output
    assert not (tmp_path / "a.json").exists()


def test_env_file_supplies_secrets_and_an_empty_site_is_a_valid_audit(tmp_path: Path) -> None:
    inventory = tmp_path / "site.yaml"
    inventory.write_text(EMPTY_SITE, encoding="utf-8")
    env = tmp_path / "site.env"
    env.write_text("COMM=community-from-file\n", encoding="utf-8")
    out = tmp_path / "audit.json"
    result = CliRunner().invoke(app, ["scan", str(inventory), "--env-file", str(env),
                                      "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    doc = AuditDocument.model_validate_json(out.read_text(encoding="utf-8"))
    assert doc.scan.complete and doc.coverage.targets == 0
    assert doc.site.name == "Trụ sở 02 Hoàn Kiếm"
    assert "community-from-file" not in out.read_text(encoding="utf-8")


def test_unwritable_output_exits_3(tmp_path: Path) -> None:
    inventory = tmp_path / "site.yaml"
    inventory.write_text(EMPTY_SITE, encoding="utf-8")
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner(env={"COMM": "c1"}).invoke(
        app, ["scan", str(inventory), "-o", str(blocker / "audit.json"), "--quiet"])
    assert result.exit_code == 3
    assert "cannot write" in result.output


def test_help_explains_the_scan() -> None:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["scan", "--help"])
    assert result.exit_code == 0
    for option in ("--env-file", "--backend", "--allow-inline-secrets", "--output"):
        assert option in result.output
