"""infraaudit: measure an agency's LAN and report on its digital infrastructure.

The public surface is small: the audit document models, the inventory loader and the scan
runner. Everything else is private to the package.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("infraaudit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
