"""The collector's summary fingerprint (``summaries.rules()``) reads the whole findings package:
a rule module split off or added, at any depth, changes it, as do the data files."""

from __future__ import annotations

from pathlib import Path

import pytest

from infraaudit.collector import summaries
from tests.paths import REPO


def test_the_fingerprint_reads_every_findings_module_and_data_file(
        monkeypatch: pytest.MonkeyPatch) -> None:
    read: set[Path] = set()
    original = Path.read_bytes

    def recording(path: Path) -> bytes:
        read.add(path.resolve())
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", recording)
    summaries.rules.__wrapped__()
    package = REPO / "infraaudit" / "findings"
    expected = {p.resolve() for p in package.rglob("*.py") if "__pycache__" not in p.parts}
    expected |= {p.resolve() for p in (package / "data").rglob("*") if p.is_file()}
    assert len(expected) > 8 and sorted(expected - read) == []
    assert (REPO / "report_templates" / "findings.yaml").resolve() in read
