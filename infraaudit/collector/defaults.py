"""How ``infraaudit submit`` tries by default (its ``--help`` shows them): a module of its own,
so the command line does not load the HTTP client (``urllib.request``, ~3 MB) to print them."""

DEFAULT_ATTEMPTS = 4
DEFAULT_BACKOFF_S = 1.0
DEFAULT_TIMEOUT_S = 30.0
