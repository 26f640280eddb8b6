"""The site inventory: its model, loading with line numbers, ``${ENV_VAR}`` secrets.
May import: models, probes (credential and platform types), util, errors."""

from infraaudit.inventory.alerts import AlertOptions, EmailOptions, WebhookOptions
from infraaudit.inventory.load import LoadedInventory, load_inventory
from infraaudit.inventory.model import (
    DeviceEntry,
    Inventory,
    Limits,
    LinkOptions,
    Subnet,
    snmp_credentials,
)
from infraaudit.inventory.secrets import read_env_file

__all__ = [
    "AlertOptions",
    "DeviceEntry",
    "EmailOptions",
    "Inventory",
    "Limits",
    "LinkOptions",
    "LoadedInventory",
    "Subnet",
    "WebhookOptions",
    "load_inventory",
    "read_env_file",
    "snmp_credentials",
]
