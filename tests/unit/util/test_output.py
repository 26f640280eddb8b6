from __future__ import annotations

from pathlib import Path

import pytest

from infraaudit.errors import OutputError
from infraaudit.util.output import write_atomic


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "audit.json"
    write_atomic(target, "first")
    write_atomic(target, "second — tiếng Việt")
    assert target.read_text(encoding="utf-8") == "second — tiếng Việt"
    assert [p.name for p in target.parent.iterdir()] == ["audit.json"]


def test_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write"):
        write_atomic(blocker / "audit.json", "data")
