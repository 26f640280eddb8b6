"""Per-platform CLI behaviour, loaded from ``platforms.yaml`` (data, not code)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PLATFORMS_FILE = HERE / "platforms.yaml"
CAPTURES = HERE / "captures"


@dataclass(frozen=True)
class Platform:
    """How one platform's CLI looks and reacts (see the comments in platforms.yaml)."""

    name: str
    prompt: str
    enable_prompt: str
    enable_command: str | None
    paging_off: tuple[str, ...]
    replies: dict[str, str]
    pager: str
    screen_lines: int
    error: tuple[str, ...]
    exit_commands: tuple[str, ...]
    privileged: tuple[str, ...] = ()
    banner: str = ""
    press_any_key: bool = False
    paging_off_reply: str = ""
    enable_password_prompt: str = "Password: "
    enable_failed: str = "% Bad secrets"
    enable_no_secret: str = "% No password set"

    def error_lines(self, prompt: str, command: str) -> list[str]:
        """The platform's rejection of ``command``, caret under its last word."""
        words = command.split()
        last = words[-1] if words else ""
        column = len(prompt) + (command.rfind(last) if last else 0)
        return [line.format(caret=" " * column, cmd=command, word=words[0] if words else "")
                for line in self.error]


@cache
def platforms() -> dict[str, Platform]:
    """Every platform in platforms.yaml, by netmiko device_type."""
    raw = yaml.safe_load(PLATFORMS_FILE.read_text(encoding="utf-8"))
    out = {}
    for name, raw_spec in raw.items():
        spec = dict(raw_spec)
        for key in ("paging_off", "error", "exit_commands", "privileged"):
            spec[key] = tuple(spec.get(key) or ())
        spec["replies"] = dict(spec.get("replies") or {})
        spec["banner"] = spec.get("banner") or ""
        out[name] = Platform(name=name, **spec)
    return out


def captures_for(platform: str) -> dict[str, Path]:
    """Capture files shipped for ``platform``, by file name."""
    folder = CAPTURES / platform
    return {p.name: p for p in sorted(folder.glob("*.txt"))} if folder.is_dir() else {}
