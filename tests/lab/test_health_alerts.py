"""`infraaudit health` sends its alert document to a webhook (a loopback HTTP receiver) when a
run needs attention, and nothing when it does not; webhook header secrets come from the env."""

from __future__ import annotations

import http.server
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from lab.loopback import LoopbackLab

REPO = Path(__file__).resolve().parents[2]


class Receiver(http.server.BaseHTTPRequestHandler):
    got: ClassVar[list[tuple[dict[str, str], Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.got.append((dict(self.headers), json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Receiver.got = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_health_posts_alerts_only_when_something_changed(receiver: str, tmp_path: Path) -> None:
    import subprocess

    with LoopbackLab(run_dir=tmp_path / "lab", block=73) as lab:
        inventory = yaml.safe_load(lab.inventory_path.read_text(encoding="utf-8"))
        target = next(d for d in inventory["devices"] if d["name"] == "netsnmp-v2c")
        inventory["devices"] = [target]
        inventory["health"] = {"db": str(tmp_path / "h.sqlite"), "alerts": {"webhook": {
            "url": receiver, "headers": {"Authorization": "${HOOK_TOKEN}"}}}}
        path = tmp_path / "inventory.yaml"

        def run() -> subprocess.CompletedProcess[str]:
            path.write_text(yaml.safe_dump(inventory, allow_unicode=True), encoding="utf-8")
            env_file = tmp_path / "all.env"
            env_file.write_text(lab.env_file.read_text() + "HOOK_TOKEN=Bearer s3cr3t-t0ken\n")
            return subprocess.run([sys.executable, "-m", "infraaudit.cli", "health", str(path),
                                   "--env-file", str(env_file)], capture_output=True, text=True,
                                  timeout=60, cwd=REPO, check=False)

        first = run()
        assert first.returncode == 0, first.stderr
        assert Receiver.got == []  # nothing needs attention: nothing sent
        target["port"] = 9  # the same address no longer answers SNMP there
        second = run()
        assert second.returncode == 1, second.stderr
        assert "alert webhook" in second.stderr
        (headers, payload), = Receiver.got
        assert headers["Authorization"] == "Bearer s3cr3t-t0ken"
        assert [a["code"] for a in payload["alerts"]] == ["DEVICE-DOWN"]
        assert payload["alerts"][0]["title"].startswith("Thiết bị netsnmp-v2c")
        assert "s3cr3t" not in second.stderr + second.stdout
