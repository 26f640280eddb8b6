"""Fixtures shared by the lab tests.

``_loopback_only`` removes the proxy variables (urllib connects directly) and replaces
socket.getfqdn (no name is resolved); the modules that talk HTTP or SMTP on loopback mark
themselves with it. The receivers (an HTTP server, SMTP servers, a refused port) listen on
127.0.0.1 with a port the kernel picks, and are started and stopped (threads joined) by their
fixture, also when the test fails.

``lab6`` and ``segments`` are the IPv6 LAN lab of the test_ipv6_lan*.py modules
(tests/lab/ipv6lab.py): one lab per module, its daemons stopped by PID and its namespaces deleted
when the module ends, pass or fail."""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from infraaudit.models.ipv6 import SegmentIpv6
from tests.lab import ipv6lab
from tests.lab.alert_receivers import LOOPBACK, HttpReceiver, Inbox, Received, SmtpStarter


@pytest.fixture
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    # smtplib (EHLO name), aiosmtpd and http.server ask for the host's FQDN: no DNS query.
    monkeypatch.setattr(socket, "getfqdn", lambda name="": "localhost")


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every handler thread
    receiver: HttpReceiver


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def _answer(self) -> None:
        receiver = self.server.receiver
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        receiver.requests.append(
            Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                     body)
        )
        step = receiver.script.pop(0) if receiver.script else 200
        if step == "slow":
            receiver.release.wait(10)
            step = 200
        assert isinstance(step, int)
        self.send_response(step)
        if 300 <= step < 400:
            self.send_header("Location", receiver.url("/moved"))
        self.send_header("Content-Type", "application/json")
        reply = b'{"ok": true}'
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (timeout test)
            self.wfile.write(reply)

    do_POST = _answer
    do_GET = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver()
    server = _Server((LOOPBACK, 0), _Handler)
    server.receiver = receiver
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
        thread.join(10)
        assert not thread.is_alive()


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound, never listening (no race for it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((LOOPBACK, 0))
        yield sock.getsockname()[1]
    finally:
        sock.close()


class _LoopbackController(Controller):
    """aiosmtpd's threaded controller on a port the kernel picks (port=0)."""

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


@pytest.fixture
def smtp_server() -> Iterator[SmtpStarter]:
    """start(**controller_kwargs) -> (inbox, port); every server is stopped at the end."""
    controllers: list[Controller] = []

    def start(**kwargs: Any) -> tuple[Inbox, int]:
        inbox = Inbox()
        if kwargs.pop("auth", False):
            kwargs["authenticator"] = inbox.authenticator
        controller = _LoopbackController(
            inbox, hostname=LOOPBACK, port=0, server_hostname="localhost", **kwargs
        )
        controller.start()
        controllers.append(controller)
        return inbox, controller.port

    try:
        yield start
    finally:
        for controller in controllers:
            controller.stop()


@pytest.fixture(scope="module")
def lab6(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ipv6lab.Lab6]:
    """The IPv6 LAN lab for this module's tests."""
    with ipv6lab.running(tmp_path_factory.mktemp("ipv6lab")) as lab:
        yield lab


@pytest.fixture(scope="module")
def segments(lab6: ipv6lab.Lab6) -> tuple[SegmentIpv6, SegmentIpv6]:
    """Both segments probed at once (two processes in the scanner namespace)."""
    return ipv6lab.probe_segments(lab6)
