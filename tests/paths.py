"""Where the tests find the repository's files, whatever folder a test module sits in."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
INVENTORIES = REPO / "inventories"
UNIT_DATA = REPO / "tests" / "unit" / "data"
REPLAY = REPO / "tests" / "replay"
