"""Stand-ins shared by the SSH unit tests."""

from __future__ import annotations


class FakeConnection:
    """Stands in for netmiko's connection: records what would be sent."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.sent: list[str] = []

    def send_command(self, command: str, read_timeout: float) -> str:
        self.sent.append(command)
        return self.answers.get(command, "")

    def disconnect(self) -> None:
        self.sent.append("<disconnect>")
