"""The multi-varbind GETBULK the gufo backend sends on SNMPv2c (ber.py), against pysnmp's own
BER codec (pyasn1): what ber.py encodes is what pysnmp encodes for the same request, and what a
reply pysnmp encodes carries is read back (``check_reply`` with ``binds``) with the value types the
backends hand over."""

from __future__ import annotations

import itertools

import pytest
from pyasn1.codec.ber import decoder, encoder
from pysnmp.proto import api, rfc1902, rfc1905

from infraaudit.probes.snmp.ber import Plain, check_reply, getbulk_request

V2C = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
OIDS = ["1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.31.1.1.1.18.4294967295",
        "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7", "2.999.1"]


def _pysnmp_getbulk(community: str, request_id: int, oids: list[str], reps: int) -> bytes:
    pdu = V2C.GetBulkRequestPDU()
    V2C.apiBulkPDU.set_defaults(pdu)
    V2C.apiBulkPDU.set_request_id(pdu, request_id)
    V2C.apiBulkPDU.set_non_repeaters(pdu, 0)
    V2C.apiBulkPDU.set_max_repetitions(pdu, reps)
    V2C.apiBulkPDU.set_varbinds(pdu, [(oid, V2C.null) for oid in oids])
    message = V2C.Message()
    V2C.apiMessage.set_defaults(message)
    V2C.apiMessage.set_community(message, community)
    V2C.apiMessage.set_pdu(message, pdu)
    return bytes(encoder.encode(message))


def _response(request_id: int, binds: list[tuple[str, object]], community: str = "c0mm",
              status: int = 0) -> bytes:
    pdu = V2C.GetResponsePDU()
    V2C.apiPDU.set_defaults(pdu)
    V2C.apiPDU.set_request_id(pdu, request_id)
    V2C.apiPDU.set_error_status(pdu, status)
    V2C.apiPDU.set_varbinds(pdu, binds)
    message = V2C.Message()
    V2C.apiMessage.set_defaults(message)
    V2C.apiMessage.set_community(message, community)
    V2C.apiMessage.set_pdu(message, pdu)
    return bytes(encoder.encode(message))


@pytest.mark.parametrize(("request_id", "reps"), [(1, 1), (127, 25), (128, 127),
                                                  (2**31 - 1, 1000)])
def test_the_request_is_the_one_pysnmp_encodes(request_id: int, reps: int) -> None:
    ours = getbulk_request(b"c0mm", request_id, OIDS, reps)
    assert ours == _pysnmp_getbulk("c0mm", request_id, OIDS, reps)
    message, rest = decoder.decode(ours, asn1Spec=V2C.Message())
    pdu = V2C.apiMessage.get_pdu(message)
    assert rest == b"" and [str(o) for o, _ in V2C.apiBulkPDU.get_varbinds(pdu)] == OIDS


def test_a_long_request_gets_a_long_form_length() -> None:
    many = [f"1.3.6.1.2.1.2.2.1.{n}" for n in range(1, 23)] * 4
    ours = getbulk_request(b"c0mm", 5, many, 3)
    assert len(ours) > 255 and ours == _pysnmp_getbulk("c0mm", 5, many, 3)


def test_a_reply_is_read_with_the_backends_value_types() -> None:
    data = _response(77, [
        ("1.3.6.1.2.1.2.2.1.2.1", rfc1902.OctetString(b"eth0\xff")),
        ("1.3.6.1.2.1.4.20.1.1.10.0.0.1", rfc1902.IpAddress("10.0.0.1")),
        ("1.3.6.1.2.1.1.3.0", rfc1902.TimeTicks(4294967295)),
        ("1.3.6.1.2.1.31.1.1.1.6.1", rfc1902.Counter64(2**64 - 1)),
        ("1.3.6.1.2.1.2.2.1.8.1", rfc1902.Integer(-5)),
        ("1.3.6.1.2.1.1.2.0", rfc1902.ObjectIdentifier("1.3.6.1.4.1.9.1.1208")),
        ("1.3.6.1.2.1.2.2.1.5.1", rfc1902.Gauge32(1_000_000_000)),
        ("1.3.6.1.2.1.9", rfc1905.EndOfMibView()),
    ])
    binds: list[tuple[str, Plain | None]] = []
    reply = check_reply(data, binds)
    assert (reply.request_id, reply.community, reply.error_status) == (77, b"c0mm", 0)
    assert binds == [
        ("1.3.6.1.2.1.2.2.1.2.1", b"eth0\xff"), ("1.3.6.1.2.1.4.20.1.1.10.0.0.1", "10.0.0.1"),
        ("1.3.6.1.2.1.1.3.0", 4294967295), ("1.3.6.1.2.1.31.1.1.1.6.1", 2**64 - 1),
        ("1.3.6.1.2.1.2.2.1.8.1", -5), ("1.3.6.1.2.1.1.2.0", "1.3.6.1.4.1.9.1.1208"),
        ("1.3.6.1.2.1.2.2.1.5.1", 1_000_000_000), ("1.3.6.1.2.1.9", None)]


def test_the_reply_names_its_request_and_community() -> None:
    data = _response(78, [("1.3.6.1.2.1.1.5.0", rfc1902.OctetString(b"sw"))], community="other")
    reply = check_reply(data)
    assert (reply.request_id, reply.community) == (78, b"other")


def test_a_reply_with_an_error_status_is_seen_by_the_checker() -> None:
    """The gufo backend reads a reply only after ``check_reply`` took it (``_acceptable``): an
    error-status fails the request there (the hostile tests cover malformed values)."""
    data = _response(9, [("1.3.6.1.2.1.1.5.0", V2C.null)], status=18)
    assert check_reply(data).error_status == 18


def test_pysnmp_requests_get_random_ids_not_counted_up() -> None:
    """A device answering first with the ids next to the one asked (the hostile lab's
    ``neighbour``) must not fill the next request in flight: the backend draws each id."""
    import infraaudit.probes.snmp.pysnmp_backend  # noqa: F401 - installs the id source

    ids = []
    for _ in range(50):
        pdu = V2C.GetBulkRequestPDU()
        V2C.apiBulkPDU.set_defaults(pdu)
        ids.append(int(V2C.apiBulkPDU.get_request_id(pdu)))
    assert all(abs(b - a) > 3 for a, b in itertools.pairwise(ids))


def test_a_walks_cursors_and_names_read_as_pysnmp_reads_them() -> None:
    """The heads of a walk's OIDs are remembered (ber.py): a cursor or a name whose last arc
    is one octet, two octets or 32 bits, after heads with small and large arcs, in any order
    and twice, is encoded and read as pysnmp does."""
    heads = ["1.3.6.1.2.1.2.2.1.2", "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7", "2.999", "0.39"]
    arcs = [0, 1, 127, 128, 300, 2**32 - 1]
    oids = [f"{head}.{arc}" for head, arc in itertools.product(heads, arcs)]
    for round_ in range(2):
        order = oids if round_ == 0 else list(reversed(oids))
        assert getbulk_request(b"c0mm", 9, order, 1) == _pysnmp_getbulk("c0mm", 9, order, 1)
        binds: list[tuple[str, Plain | None]] = []
        check_reply(_response(9, [(oid, rfc1902.Integer(n)) for n, oid in enumerate(order)]),
                    binds)
        assert binds == [(oid, n) for n, oid in enumerate(order)]
