"""The scan of one site: run the probes on every device and the site, merge SNMP and CLI
facts, assemble the AuditDocument. May import: inventory, probes, findings, models, util, errors."""
