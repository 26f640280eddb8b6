"""Helpers every stage may use: atomic file writes, YAML read into models, outbound HTTP.
May import: infraaudit.errors only."""
