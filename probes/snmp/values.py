"""Pure helpers that turn raw SNMP values and table indexes into readable facts."""

from __future__ import annotations

import ipaddress
import string
from collections.abc import Iterator
from contextlib import contextmanager

from infraaudit.errors import DecodeError
from infraaudit.probes.snmp.transport import Value

Column = dict[str, Value]  # index suffix (e.g. "12" or "0.5.1") -> value
Walked = dict[str, Column]  # column name -> its rows

_PRINTABLE = set(string.printable) - set("\x0b\x0c")
ColumnErrors = list[tuple[str | None, object, str]]  # (column.index or None, value, reason)
# A probe's parse runs inside ``collecting_errors`` (device.run_probe): a value of the wrong type
# or range becomes None and its reason is appended, so one bad cell never fails the whole table.
# A plain stack, not a context variable: parse is synchronous, nothing interleaves with it.
_COLLECTING: list[ColumnErrors] = []


@contextmanager
def collecting_errors(errors: ColumnErrors) -> Iterator[ColumnErrors]:
    _COLLECTING.append(errors)
    try:
        yield errors
    finally:
        _COLLECTING.pop()


def column_error(what: str | None, value: object, reason: str) -> None:
    """Record a cell that is not used (``what``: "column.index", or None: found by value);
    outside a probe's parse (no list set) it is a DecodeError, as before."""
    if not _COLLECTING:
        raise DecodeError(f"{what}: {reason}" if what else reason)
    _COLLECTING[-1].append((what, value, reason))


def text(value: Value | None) -> str | None:
    """DisplayString -> str: UTF-8 when it decodes (Vietnamese names do), else Latin-1; NULs cut.

    An OBJECT IDENTIFIER, IpAddress or number where a string is expected is a decode error."""
    if value is None:
        return None
    if not isinstance(value, bytes):
        column_error(None, value, f"{type(value).__name__} value {str(value)[:40]!r} where an "
                     "OCTET STRING is expected")
        return None
    if isinstance(value, bytes):
        raw = value.split(b"\x00", 1)[0]
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError:
            decoded = raw.decode("latin-1")
        return decoded.strip() or None


def is_printable(raw: bytes) -> bool:
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch in _PRINTABLE or ord(ch) > 127 for ch in decoded)


def mac(value: Value | None) -> str | None:
    """6 raw bytes -> aa:bb:cc:dd:ee:ff; anything else (empty, odd length) -> None."""
    if isinstance(value, bytes) and len(value) == 6 and any(value):
        return ":".join(f"{b:02x}" for b in value)
    return None


def integer(value: Value | None) -> int | None:
    return value if isinstance(value, int) else None


def non_negative(value: Value | None, what: str) -> int | None:
    """An Integer32 that can only be >= 0 (an MTU, a count): a negative one is a decode error."""
    number = integer(value)
    if number is not None and number < 0:
        column_error(what, value, f"{number}: negative, out of range")
        return None
    return number


def index_ip(arcs: list[int], family_code: int) -> tuple[str, list[int]] | None:
    """Decode an InetAddress from an index: ``type.len.addr`` or ``type.addr`` (some agents).

    ``family_code``: 1 ipv4, 2 ipv6, 3 ipv4z, 4 ipv6z. Returns (address, remaining arcs).
    """
    size = {1: 4, 2: 16, 3: 8, 4: 20}.get(family_code)
    if size is None:
        return None
    if len(arcs) >= size + 1 and arcs[0] == size:
        body, rest = arcs[1 : size + 1], arcs[size + 1 :]
    elif len(arcs) >= size:
        body, rest = arcs[:size], arcs[size:]
    else:
        return None
    if any(a > 255 for a in body):
        return None
    raw = bytes(body)
    if family_code in (1, 3):
        return str(ipaddress.IPv4Address(raw[:4])), rest
    return str(ipaddress.IPv6Address(raw[:16])), rest


def bits(value: Value | None, names: list[str]) -> list[str]:
    """SNMP BITS (bit 0 is the most significant bit of the first byte) -> set names in order."""
    if not isinstance(value, bytes):
        return []
    found = []
    for position, name in enumerate(names):
        byte, bit = divmod(position, 8)
        if byte < len(value) and value[byte] & (0x80 >> bit):
            found.append(name)
    return found


def split_index(index: str) -> list[int]:
    return [int(p) for p in index.split(".")] if index else []
