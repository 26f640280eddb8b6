"""How many rows a batched request asks for (an SNMP GETBULK: ``BaseClient.size``), learned as
the device answers."""

from __future__ import annotations


class BatchSize:
    """How many rows (varbinds) a device's GETBULKs ask for, learned over all its walks (one
    per client: a walk that found the size the device cannot send spares the others the
    timeouts). tooBig: half the size that failed; a request that timed out after its retries: 1
    (an agent may never send a reply past some size: a Huawei AC6605's 12 KB VLAN bitmaps at 25
    repetitions), and the size that timed out is never asked again (the ceiling is half of
    it). After 4 good replies in a row the size doubles back, up to the ceiling."""

    def __init__(self, full: int) -> None:
        self.now = self.ceiling = max(1, full)
        self.streak = 0

    def too_big(self, asked: int) -> bool:
        """False: ``asked`` was already 1, nothing smaller to ask."""
        if asked <= 1:
            return False
        self.now, self.streak = min(self.now, max(1, asked // 2)), 0
        return True

    def timed_out(self, asked: int) -> bool:
        if asked <= 1:
            return False
        self.ceiling = min(self.ceiling, max(1, asked // 2))
        self.now, self.streak = 1, 0
        return True

    def good(self) -> None:
        self.streak += 1
        if self.now < self.ceiling and self.streak >= 4:
            self.now, self.streak = min(self.ceiling, self.now * 2), 0
