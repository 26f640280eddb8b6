"""infraaudit: measure an agency's LAN and report on its digital infrastructure.

One folder per stage of the data flow (ARCHITECTURE.md); each stage's ``__init__`` names what
the others may use. This module holds only the version. May import: nothing.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("infraaudit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
