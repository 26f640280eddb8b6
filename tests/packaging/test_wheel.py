"""The wheel installs one top-level package, ``infraaudit``, with everything it reads at run
time (schema, templates, wording, thresholds, probe data), and works from any folder.

The wheel is built from a copy of the source (the build writes ``build/`` and ``*.egg-info``
beside the sources) with the venv's own setuptools, and installed into a fresh venv without its
dependencies: those are the running venv's, reached through a ``.pth`` line, which adds the
folder to ``sys.path`` but runs none of its ``.pth`` files, so the editable install of the
checkout stays invisible. Every command runs from a folder outside the repository, without
PYTHONPATH.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from tests.paths import INVENTORIES, REPO
from tests.unit.collector.test_api import make_audit

SAMPLE_SITES = ["hung-vuong", "tran-hung-dao", "hoan-kiem", "bao-an"]


def _run(argv: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``argv`` in ``cwd``, without PYTHONPATH (it would bring a source tree back)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    res = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=timeout, check=False)
    assert res.returncode == 0, f"{argv} exited {res.returncode}:\n{res.stdout}\n{res.stderr}"
    return res


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    for name in ("infraaudit", "probes", "report_templates"):
        shutil.copytree(REPO / name, source / name, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
          "--no-index", "--wheel-dir", str(dist), str(source)], cwd=dist)
    (built,) = dist.glob("infraaudit-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel; its dependencies are the running venv's."""
    env = tmp_path_factory.mktemp("venv")
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
          "--no-deps", "--no-index", str(wheel)], cwd=env)
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                   cwd=env).stdout.strip()
    (Path(purelib) / "_infraaudit_test_deps.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return env


def test_the_wheel_holds_one_top_level_package_with_its_data_files(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"infraaudit", wheel.name.split("-py3")[0] + ".dist-info"}, tops
    for needed in ("infraaudit/schema/audit.schema.json",
                   "infraaudit/findings/data/thresholds.yaml",
                   "infraaudit/report_templates/report.blocks.j2",
                   "infraaudit/report_templates/findings.yaml",
                   "infraaudit/probes/snmp/data/enterprises.yaml",
                   "infraaudit/probes/ssh/commands.yaml",
                   "infraaudit/py.typed"):
        assert needed in names, needed
    assert not [n for n in names if "__pycache__" in n or n.startswith(("probes/", "tests/"))]


def test_the_installed_package_is_the_wheels_and_nothing_else_is_top_level(
        installed: Path, tmp_path: Path) -> None:
    code = ("import importlib.util, infraaudit, infraaudit.probes.snmp.client, "
            "infraaudit.report_templates, json; print(json.dumps([infraaudit.__file__, "
            "infraaudit.probes.__file__, importlib.util.find_spec('probes') is None, "
            "importlib.util.find_spec('report_templates') is None]))")
    out = json.loads(_run([str(installed / "bin" / "python"), "-c", code], tmp_path).stdout)
    assert all(Path(path).is_relative_to(installed) for path in out[:2]), out
    assert out[2:] == [True, True], "probes / report_templates installed as top-level packages"


def test_the_installed_command_prints_the_committed_schema(installed: Path,
                                                           tmp_path: Path) -> None:
    res = _run([str(installed / "bin" / "infraaudit"), "schema"], tmp_path)
    committed = REPO / "infraaudit" / "schema" / "audit.schema.json"
    assert json.loads(res.stdout) == json.loads(committed.read_text(encoding="utf-8"))


def test_the_installed_command_writes_the_sample_agency_report_from_another_folder(
        installed: Path, tmp_path: Path) -> None:
    agency = tmp_path / "inventories" / "sample-agency"
    shutil.copytree(INVENTORIES / "sample-agency", agency)
    shutil.copy2(INVENTORIES / "catalog.yaml", tmp_path / "inventories" / "catalog.yaml")
    audits = tmp_path / "audits"
    audits.mkdir()
    for name in SAMPLE_SITES:
        site = (agency / f"{name}.yaml").read_text(encoding="utf-8")
        site_id = site.split("site: {id: ", 1)[1].split(",", 1)[0]
        doc = make_audit(agency="TTT-KH", site=site_id)
        (audits / f"{name}.json").write_text(doc.model_dump_json(), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _run([str(installed / "bin" / "infraaudit"), "report", str(agency / "agency.yaml"),
          "--year", "2025", "--date", "2026-01-15", "--audits", str(audits),
          "--output-dir", str(elsewhere / "out")], elsewhere)
    written = sorted(p.suffix for p in (elsewhere / "out").iterdir())
    assert written == [".docx", ".html", ".md"], written
    text = next((elsewhere / "out").glob("*.md")).read_text(encoding="utf-8")
    assert "Hạ tầng số" in text or "hạ tầng số" in text
    assert "trụ sở chính đặt tại số 26 Hùng Vương" in text
