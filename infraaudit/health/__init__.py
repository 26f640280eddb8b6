"""Nightly health checks: the run, its history store and trends, alerts, the installed
schedule. May import: scan, inventory, findings, probes, models, util, errors."""
