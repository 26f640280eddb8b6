"""infraaudit: measure an agency's LAN and report on its digital infrastructure.

One folder per stage of the data flow (ARCHITECTURE.md); each stage's ``__init__`` names what
the others may use. This module holds only the version, read from the installed package's
metadata the first time it is asked for (that read costs the command line's start-up ~10 ms).
May import: nothing.
"""

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    if name != "__version__":
        raise AttributeError(f"module 'infraaudit' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("infraaudit")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0.0.0+unknown"
    globals()["__version__"] = found
    return found
