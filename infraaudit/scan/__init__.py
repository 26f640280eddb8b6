"""The scan of one site: run the probes on every device and the site, merge SNMP and CLI
facts, assemble the AuditDocument. May import: inventory, probes, findings, models, util, errors."""

from infraaudit.scan.runner import Scanner, ScanOptions, collect_snmp, now_iso, target_for
from infraaudit.scan.sitescan import run_pings

__all__ = ["ScanOptions", "Scanner", "collect_snmp", "now_iso", "run_pings", "target_for"]
