"""SNMP recordings the labs serve, and the scripts that derive some of them from real ones."""
