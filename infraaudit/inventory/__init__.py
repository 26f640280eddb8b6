"""The site inventory: its model, loading with line numbers, ${ENV_VAR} secrets.
May import: models, probes (credential and platform types), util, errors."""
