"""The province collector: agencies submit their audit JSON, the province reads and compares.

``db`` holds the tables and their migrations (SQLite by default, PostgreSQL by URL), ``auth``
the tokens (only their sha256 is stored), ``store`` the submission rules (validation,
idempotency by audit id, one transaction per submission) and the reads, ``summaries`` the
per-audit numbers stored with each submission for the aggregates, ``api`` the FastAPI service
under ``/api/v1``.
"""
