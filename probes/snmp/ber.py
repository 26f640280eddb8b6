"""A strict reader of SNMP replies, run on each datagram before gufo's Rust decoder sees it.

gufo-snmp ignores a reply's error-status, reads integers past their SMI size, and panics on some
malformed BER (a Rust panic prints ~70 lines to the process's stderr). ``check_reply`` reads a
v1/v2c message (or a v3 message sent without privacy) whole, with every definite length
inside its parent, every value within its SMI type's range (INTEGER: signed 32 bits;
Counter32, Gauge32, TimeTicks, Unsigned32: unsigned 32; Counter64: unsigned 64; IpAddress: 4
bytes; OID arcs: 32 bits) and nothing after the message. What it refuses never reaches gufo.
"""

from __future__ import annotations

import functools
import struct
from dataclasses import dataclass

from infraaudit.errors import DecodeError

_SEQUENCE, _INTEGER, _OCTETS, _NULL, _OID = 0x30, 0x02, 0x04, 0x05, 0x06
_IPADDRESS, _OPAQUE, _COUNTER64 = 0x40, 0x44, 0x46
_UNSIGNED32 = {0x41, 0x42, 0x43, 0x47}  # Counter32, Gauge32 (= Unsigned32), TimeTicks, UInteger32
_EXCEPTIONS = {0x80, 0x81, 0x82}  # noSuchObject, noSuchInstance, endOfMibView
_RESPONSE, _REPORT = 0xA2, 0xA8
_MAX_ARCS = 128
Plain = bytes | int | str  # a value as gufo-snmp hands it over (transport.Value, less BadValue)
# RFC 3414's report counters (1.3.6.1.6.3.15.1.1.N): why an SNMPv3 agent refused a request
USM_STATS = {
    "1.3.6.1.6.3.15.1.1.1.0": "usmStatsUnsupportedSecLevels",
    "1.3.6.1.6.3.15.1.1.2.0": "usmStatsNotInTimeWindows",
    "1.3.6.1.6.3.15.1.1.3.0": "usmStatsUnknownUserNames",
    "1.3.6.1.6.3.15.1.1.4.0": "usmStatsUnknownEngineIDs",
    "1.3.6.1.6.3.15.1.1.5.0": "usmStatsWrongDigests",
    "1.3.6.1.6.3.15.1.1.6.0": "usmStatsDecryptionErrors",
}


@dataclass(frozen=True)
class Reply:
    version: int
    request_id: int
    error_status: int
    error_index: int
    encrypted: bool  # v3 with privacy: only the header was checked
    engine_id: bytes = b""  # v3: msgAuthoritativeEngineID and msgUserName
    user: bytes = b""
    report: str | None = None  # a Report PDU: its first varbind (a usmStats name, or the OID)
    community: bytes = b""  # v1/v2c


def _oid_text(body: bytes) -> str:
    """Dotted text of a checked OBJECT IDENTIFIER's content octets. A table's names differ in
    their last arcs: when the last arc is one octet, the text of the rest is remembered."""
    if len(body) > 1 and body[-1] < 0x80 and body[-2] < 0x80:
        return f"{_head_text(body[:-1])}.{body[-1]}"
    return _full_text(body)


@functools.lru_cache(maxsize=4096)
def _head_text(body: bytes) -> str:
    return _full_text(body)


def _full_text(body: bytes) -> str:
    if max(body) < 0x80:  # every arc below 128, one octet each: the common case
        arcs = list(body)
    else:
        arcs, value = [], 0
        for byte in body:
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                arcs.append(value)
                value = 0
    first = min(arcs[0] // 40, 2)
    arcs[0] -= 40 * first
    return f"{first}." + ".".join(map(str, arcs))


def _tlv(data: bytes, at: int, end: int) -> tuple[int, int, int]:
    """(tag, start of the value, end of the value) of the TLV at ``at``; inside ``end``."""
    if at + 2 > end:
        raise DecodeError("reply truncated")
    tag, first = data[at], data[at + 1]
    at += 2
    if tag & 0x1F == 0x1F:
        raise DecodeError("multi-byte BER tags are not SNMP")
    if first < 0x80:
        size = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or at + count > end:
            raise DecodeError("indefinite or oversized BER length")
        size = int.from_bytes(data[at : at + count], "big")
        at += count
    if at + size > end:
        raise DecodeError(f"BER length {size} runs past the datagram")
    return tag, at, at + size


def _unsigned(body: bytes, bits: int) -> int:
    if not body or len(body) > bits // 8 + 1:
        raise DecodeError(f"integer of {len(body)} bytes for a {bits}-bit type")
    value = int.from_bytes(body, "big", signed=True)
    if not 0 <= value < 2**bits:
        raise DecodeError(f"value {value} outside the unsigned {bits}-bit range")
    return value


def _signed32(body: bytes) -> int:
    if not 1 <= len(body) <= 4:
        raise DecodeError(f"INTEGER of {len(body)} bytes (at most 4)")
    return int.from_bytes(body, "big", signed=True)


def _check_oid(body: bytes) -> None:
    if not body or body[-1] & 0x80:
        raise DecodeError("empty or unterminated OBJECT IDENTIFIER")
    if max(body) < 0x80 and len(body) < _MAX_ARCS:  # one octet an arc, few arcs: fine
        return
    arcs, value = 0, 0
    for byte in body:
        value = (value << 7) | (byte & 0x7F)
        if value >= 2**32:
            raise DecodeError("OBJECT IDENTIFIER arc past 32 bits")
        if not byte & 0x80:
            arcs, value = arcs + 1, 0
    if arcs + 1 > _MAX_ARCS:
        raise DecodeError("OBJECT IDENTIFIER of more than 128 arcs")


def _check_value(tag: int, body: bytes) -> None:
    if tag == _INTEGER:
        _signed32(body)
    elif tag in _UNSIGNED32:
        _unsigned(body, 32)
    elif tag == _COUNTER64:
        _unsigned(body, 64)
    elif tag == _OID:
        _check_oid(body)
    elif tag == _IPADDRESS:
        if len(body) != 4:
            raise DecodeError(f"IpAddress of {len(body)} bytes")
    elif tag in (_NULL, *_EXCEPTIONS):
        if body:
            raise DecodeError("NULL or exception value with content")
    elif tag not in (_OCTETS, _OPAQUE):
        raise DecodeError(f"value of unknown type 0x{tag:02x}")


_NUMBERS = {_INTEGER, _COUNTER64, *_UNSIGNED32}


def _value(tag: int, body: bytes) -> Plain | None:
    """A value ``check_reply`` accepted, as gufo-snmp hands it over (``None``: no value)."""
    if tag == _OCTETS:
        return body
    if tag in _NUMBERS:
        return int.from_bytes(body, "big", signed=True)
    if tag == _OID:
        return _oid_text(body)
    if tag == _IPADDRESS:
        return ".".join(str(b) for b in body)
    if tag == _OPAQUE:  # an opaque float (net-snmp's laLoadFloat...): its text
        if len(body) == 7 and body[:3] == b"\x9f\x78\x04":
            return str(struct.unpack(">f", body[3:])[0])
        if len(body) == 11 and body[:3] == b"\x9f\x79\x08":
            return str(struct.unpack(">d", body[3:])[0])
        return body
    return None  # NULL, noSuchObject, noSuchInstance, endOfMibView


def _pdu(data: bytes, at: int, end: int, binds: list[tuple[str, Plain | None]] | None = None,
         ) -> tuple[int, int, int, str | None]:
    """Check a response PDU; (request-id, error-status, error-index, report: the first
    varbind's name of a Report PDU). ``binds``: also read each varbind into it."""
    tag, at, pdu_end = _tlv(data, at, end)
    if tag not in (_RESPONSE, _REPORT) or pdu_end != end:
        raise DecodeError(f"not a response PDU (tag 0x{tag:02x})")
    report = "" if tag == _REPORT else None
    numbers = []
    for _ in range(3):
        tag, start, at = _tlv(data, at, pdu_end)
        if tag != _INTEGER:
            raise DecodeError("response PDU header is not three INTEGERs")
        numbers.append(_signed32(data[start:at]))
    tag, at, list_end = _tlv(data, at, pdu_end)
    if tag != _SEQUENCE or list_end != pdu_end:
        raise DecodeError("varbind list is not a SEQUENCE filling the PDU")
    while at < list_end:
        tag, start, bind_end = _tlv(data, at, list_end)
        if tag != _SEQUENCE:
            raise DecodeError("varbind is not a SEQUENCE")
        tag, name_start, name_end = _tlv(data, start, bind_end)
        if tag != _OID:
            raise DecodeError("varbind name is not an OBJECT IDENTIFIER")
        _check_oid(data[name_start:name_end])
        if report == "":
            name = _oid_text(data[name_start:name_end])
            report = USM_STATS.get(name, name)
        tag, value_start, value_end = _tlv(data, name_end, bind_end)
        if value_end != bind_end:
            raise DecodeError("bytes after a varbind's value")
        _check_value(tag, data[value_start:value_end])
        if binds is not None:
            binds.append((_oid_text(data[name_start:name_end]),
                          _value(tag, data[value_start:value_end])))
        at = bind_end
    return numbers[0], numbers[1], numbers[2], report or None


def check_reply(data: bytes, binds: list[tuple[str, Plain | None]] | None = None) -> Reply:
    """Read ``data`` as an SNMP reply or raise ``DecodeError`` saying why not. ``binds``: also
    read its varbinds into that list, in order, their values as gufo-snmp hands them over
    (v1/v2c; an encrypted v3 PDU leaves it empty)."""
    tag, at, end = _tlv(data, 0, len(data))
    if tag != _SEQUENCE or end != len(data):
        raise DecodeError("reply is not one BER SEQUENCE")
    tag, start, at = _tlv(data, at, end)
    if tag != _INTEGER:
        raise DecodeError("no SNMP version")
    version = _signed32(data[start:at])
    if version in (0, 1):
        tag, start, at = _tlv(data, at, end)
        if tag != _OCTETS:
            raise DecodeError("no community")
        request_id, status, index, report = _pdu(data, at, end, binds)
        return Reply(version, request_id, status, index, False, report=report,
                     community=data[start:at])
    if version != 3:
        raise DecodeError(f"SNMP version {version}")
    tag, header_start, at = _tlv(data, at, end)  # msgGlobalData
    if tag != _SEQUENCE:
        raise DecodeError("no SNMPv3 header")
    numbers, position = [], header_start
    for expected in (_INTEGER, _INTEGER, _OCTETS, _INTEGER):
        tag, start, position = _tlv(data, position, at)
        if tag != expected:
            raise DecodeError("malformed SNMPv3 header")
        numbers.append(data[start:position])
    flags = numbers[2][:1] or b"\x00"
    tag, start, at = _tlv(data, at, end)  # msgSecurityParameters
    if tag != _OCTETS:
        raise DecodeError("no SNMPv3 security parameters")
    engine_id, user = _usm(data, start, at)
    if flags[0] & 0x02:  # privacy: the scoped PDU is encrypted, gufo decrypts it
        tag, start, at = _tlv(data, at, end)
        if tag != _OCTETS or at != end:
            raise DecodeError("malformed encrypted scoped PDU")
        return Reply(3, _signed32(numbers[0]), 0, 0, True, engine_id, user)
    tag, start, scoped_end = _tlv(data, at, end)
    if tag != _SEQUENCE or scoped_end != end:
        raise DecodeError("malformed scoped PDU")
    for _ in range(2):  # contextEngineID, contextName
        tag, _start, start = _tlv(data, start, scoped_end)
        if tag != _OCTETS:
            raise DecodeError("malformed scoped PDU")
    request_id, status, index, report = _pdu(data, start, scoped_end)
    return Reply(3, request_id, status, index, False, engine_id, user, report)


def _usm(data: bytes, at: int, end: int) -> tuple[bytes, bytes]:
    """USM security parameters (RFC 3414): (authoritative engine ID, user name)."""
    tag, at, seq_end = _tlv(data, at, end)
    if tag != _SEQUENCE or seq_end != end:
        raise DecodeError("malformed USM security parameters")
    fields = []
    for expected in (_OCTETS, _INTEGER, _INTEGER, _OCTETS, _OCTETS, _OCTETS):
        tag, start, at = _tlv(data, at, seq_end)
        if tag != expected:
            raise DecodeError("malformed USM security parameters")
        fields.append(data[start:at])
    return fields[0], fields[3]


# -- a GETBULK with several varbinds (gufo-snmp's walk sends one), v1/v2c messages ---------------

_GETBULK = 0xA5


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    body = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _encode(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _length(len(body)) + body


def _encode_int(value: int) -> bytes:
    return _encode(_INTEGER, value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big",
                                            signed=True))


def _encode_oid(oid: str) -> bytes:
    """An OBJECT IDENTIFIER TLV. A walk's cursors differ in their last arcs: when the last arc
    is below 128, the encoding of the rest is remembered."""
    head, _, last = oid.rpartition(".")
    if "." in head and last.isdigit() and (arc := int(last)) < 0x80:
        return _encode(_OID, _head_body(head) + bytes((arc,)))
    return _encode(_OID, _oid_body(oid))


@functools.lru_cache(maxsize=4096)
def _head_body(head: str) -> bytes:
    return _oid_body(head)


def _oid_body(oid: str) -> bytes:
    arcs = [int(a) for a in oid.split(".")]
    arcs[1] += 40 * arcs[0]
    del arcs[0]
    if max(arcs) < 0x80:  # one octet an arc: the common case
        return bytes(arcs)
    body = bytearray()
    for arc in arcs:
        rest, chunk = arc >> 7, [arc & 0x7F]
        while rest:
            chunk.append(0x80 | (rest & 0x7F))
            rest >>= 7
        body.extend(reversed(chunk))
    return bytes(body)


def getbulk_request(community: bytes, request_id: int, oids: list[str],
                    max_repetitions: int) -> bytes:
    """An SNMPv2c GetBulkRequest: non-repeaters 0, one varbind (value NULL) per OID."""
    binds = b"".join(_encode(_SEQUENCE, _encode_oid(oid) + b"\x05\x00") for oid in oids)
    pdu = _encode(_GETBULK, _encode_int(request_id) + _encode_int(0)
                  + _encode_int(max_repetitions) + _encode(_SEQUENCE, binds))
    return _encode(_SEQUENCE, _encode_int(1) + _encode(_OCTETS, community) + pdu)
