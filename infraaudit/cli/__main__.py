"""``python -m infraaudit.cli``: what systemd and cron jobs run (see health schedule)."""

from infraaudit.cli import app

app()
