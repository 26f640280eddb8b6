"""A replay transport: an SNMP agent made of a recorded walk (snmpsim's .snmprec format).

Replay tests feed probes through this client exactly as through a live agent, so the walk logic
(batches, subtree ends) is exercised, not only the parsers.
``.snmprec`` lines are ``oid|tag|value``;
a tag ending in ``x`` means the value is hex; ``tag:module`` lines (values that snmpsim
computes live) are skipped.
"""

from __future__ import annotations

import bisect
import bz2
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from infraaudit.errors import DecodeError
from infraaudit.probes.snmp.transport import (
    Backend,
    BadValue,
    BaseClient,
    SnmpCredentials,
    SnmpTarget,
    Value,
    VarBind,
    oid_key,
)

INTEGER_TAGS = {2, 65, 66, 67, 70}  # Integer32, Counter32, Gauge32, TimeTicks, Counter64
_RANGES = {2: (-(2**31), 2**31 - 1), 65: (0, 2**32 - 1), 66: (0, 2**32 - 1),
           67: (0, 2**32 - 1), 70: (0, 2**64 - 1)}  # SMI (RFC 2578)
BYTES_TAGS = {4, 68}  # OCTET STRING, Opaque
OID_TAG, IPADDRESS_TAG = 6, 64


def decode_line(line: str) -> VarBind | None:
    """One .snmprec line -> (oid, value); None for Null/exception values and comments."""
    line = line.rstrip("\r\n")
    if not line or line.startswith("#"):
        return None
    oid, tag_text, value = line.split("|", 2)
    if ":" in tag_text:
        return None  # an snmpsim variation module computes this value live: nothing to replay
    is_hex = tag_text.endswith("x")
    tag = int(tag_text.rstrip("x"))
    raw = bytes.fromhex(value) if is_hex else value.encode("latin-1", "replace")
    if tag in INTEGER_TAGS:
        number = int(raw.decode() if not is_hex else int.from_bytes(raw, "big"))
        low, high = _RANGES[tag]
        if not low <= number <= high:  # what a live agent's decoder marks, replay marks too
            return oid, BadValue(f"tag {tag} value {str(number)[:24]} is outside its SMI range")
        return oid, number
    if tag in BYTES_TAGS:
        return oid, bytes.fromhex(value) if is_hex else value.encode("utf-8", "surrogateescape")
    if tag == OID_TAG:
        return oid, value.strip(".")
    if tag == IPADDRESS_TAG:
        if is_hex and len(raw) != 4:
            return oid, BadValue(f"IpAddress of {len(raw)} bytes")
        return oid, str(ipaddress.IPv4Address(raw)) if is_hex else value
    return None  # Null, noSuchObject, endOfMibView...


def read_snmprec(path: Path) -> list[VarBind]:
    opener = bz2.open if path.suffix == ".bz2" else open
    with opener(path, "rt", encoding="utf-8", errors="surrogateescape") as handle:
        return [vb for line in handle if (vb := decode_line(line)) is not None]


@dataclass
class _Cursor:
    position: int


class ReplayClient(BaseClient):
    backend = Backend.GUFO  # typed as a backend; results are labelled "replay"
    resizable = True
    multi_column = True

    @property
    def label(self) -> str:
        return "replay"

    def __init__(self, varbinds: Iterable[VarBind], max_repetitions: int = 25) -> None:
        target = SnmpTarget("replay", 0, SnmpCredentials("v2c"), requests_per_second=1e9,
                            max_repetitions=max_repetitions, retries=0)
        super().__init__(target)
        rows = sorted(((oid_key(oid), oid, v) for oid, v in varbinds), key=lambda r: r[0])
        self._keys = [r[0] for r in rows]
        self._rows = [(r[1], r[2]) for r in rows]
        self._by_oid = dict(self._rows)

    @classmethod
    def from_file(cls, path: Path) -> ReplayClient:
        return cls(read_snmprec(path))

    async def _get_once(self, oids: Sequence[str]) -> list[VarBind]:
        return [(oid, self._by_oid[oid]) for oid in oids if oid in self._by_oid]

    def _cursor(self, root: str) -> object:
        return _Cursor(bisect.bisect_right(self._keys, oid_key(root)))

    async def _batch(self, cursor: object, repetitions: int) -> tuple[list[VarBind], bool]:
        if not isinstance(cursor, _Cursor):
            raise DecodeError("bad replay cursor")
        start = cursor.position
        batch = self._rows[start : start + repetitions]
        cursor.position += len(batch)
        return batch, cursor.position >= len(self._rows)

    async def _bulk(self, oids: Sequence[str], repetitions: int) -> list[tuple[str, Value | None]]:
        """A GETBULK as an agent answers it: repetition r of varbind j is the successor of
        repetition r - 1 of varbind j; past the last row, endOfMibView (``None``)."""
        positions = [bisect.bisect_right(self._keys, oid_key(oid)) for oid in oids]
        reply: list[tuple[str, Value | None]] = []
        for _ in range(repetitions):
            for j, at in enumerate(positions):
                if at < len(self._rows):
                    reply.append(self._rows[at])
                else:
                    reply.append((oids[j] if at == 0 else self._rows[-1][0], None))
                positions[j] = at + 1
        return reply
