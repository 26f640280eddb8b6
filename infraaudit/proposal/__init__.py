"""The 2026–2030 upgrade proposal: findings and the unit-price catalog into tasks per year.
May import: findings, models, util, errors."""

from infraaudit.proposal.plan import Catalog, load_catalog, propose

__all__ = ["Catalog", "load_catalog", "propose"]
