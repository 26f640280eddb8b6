#!/usr/bin/env bash
# Demo: start the no-root loopback lab, scan it, print the summary, stop the lab.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
trap '.venv/bin/python -m lab down' EXIT
.venv/bin/python -m lab up
rc=0
.venv/bin/infraaudit scan lab/run/inventory.yaml --env-file lab/run/lab.env \
    --output lab/run/audit.json || rc=$?
# The lab holds deliberately broken devices (dead host, wrong community, garbage agent), so the
# scan exits 1 ("some devices failed"); anything else is a real problem.
if [ "$rc" -ne 1 ] && [ "$rc" -ne 0 ]; then
    echo "demo: scan failed with exit code $rc" >&2
    exit "$rc"
fi
echo "demo: the audit is in lab/run/audit.json"
