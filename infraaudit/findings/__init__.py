"""Rules over measured evidence: findings with severity and evidence, thresholds, security
posture, firmware, IPv6 readiness scoring, service life. May import: models, util, errors."""
