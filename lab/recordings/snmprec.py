"""Reading and writing the ``.snmprec.bz2`` recordings of this folder (for the derive_*.py
scripts; bz2 level 9 and OID order make a re-run byte-identical)."""

from __future__ import annotations

import bz2
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read(name: str) -> list[tuple[str, str, str]]:
    """(oid, tag, value) records of a bz2 recording, comments and blank lines dropped."""
    text = bz2.decompress((HERE / name).read_bytes()).decode("utf-8")
    rows = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            oid, tag, value = line.split("|", 2)
            rows.append((oid, tag, value))
    return rows


def oid_key(oid: str) -> tuple[int, ...]:
    """Numeric sort key of a dotted OID."""
    return tuple(int(x) for x in oid.split("."))


def write(name: str, rows: dict[str, tuple[str, str]]) -> None:
    """Write ``{oid: (tag, value)}`` sorted by OID, bz2-compressed, reproducibly."""
    lines = [f"{oid}|{tag}|{value}" for oid, (tag, value) in
             sorted(rows.items(), key=lambda kv: oid_key(kv[0]))]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    (HERE / name).write_bytes(bz2.compress(data, 9))


def text(value: str) -> tuple[str, str]:
    """OCTET STRING record, hex-encoded (UTF-8) when not plain ASCII."""
    return ("4", value) if value.isascii() and value.isprintable() else ("4x", value.encode().hex())
