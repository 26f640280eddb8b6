# The two entry points a fresh machine needs; both install what is missing first.
.PHONY: demo test lint

demo:
	./scripts/demo.sh

test: lint
	.venv/bin/python -m pytest

lint:
	./scripts/bootstrap.sh
	.venv/bin/ruff check infraaudit probes lab tests
	.venv/bin/mypy
