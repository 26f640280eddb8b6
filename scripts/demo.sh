#!/usr/bin/env bash
# Demo: start the no-root loopback lab, scan it, then scan the sample agency's four sites (their
# devices are the lab's) and write the agency's "Hạ tầng số" report; stop the lab.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
trap '.venv/bin/python -m lab down' EXIT
.venv/bin/python -m lab up
ok_or_failures() {  # 0 all devices fine, 1 some failed (the lab has broken devices on purpose)
    if [ "$1" -ne 1 ] && [ "$1" -ne 0 ]; then
        echo "demo: $2 failed with exit code $1" >&2
        exit "$1"
    fi
}
rc=0
.venv/bin/infraaudit scan lab/run/inventory.yaml --env-file lab/run/lab.env \
    --output lab/run/audit.json || rc=$?
ok_or_failures "$rc" "the lab scan"
echo "demo: the audit is in lab/run/audit.json"
mkdir -p lab/run/audits
for site in hung-vuong tran-hung-dao hoan-kiem bao-an; do
    rc=0
    .venv/bin/infraaudit scan "inventories/sample-agency/$site.yaml" --env-file lab/run/lab.env \
        --output "lab/run/audits/$site.json" --quiet || rc=$?
    ok_or_failures "$rc" "the scan of $site"
done
# Three health checks per site, a few seconds apart, stand in for three nights of
# `infraaudit schedule install`: the report reads them as the sites' history.
for round in 1 2 3; do
    for site in hung-vuong tran-hung-dao hoan-kiem bao-an; do
        rc=0
        .venv/bin/infraaudit health "inventories/sample-agency/$site.yaml" \
            --env-file lab/run/lab.env --quiet || rc=$?
        ok_or_failures "$rc" "health check $round of $site"
    done
done
echo "demo: health history in lab/run/health.sqlite"
.venv/bin/infraaudit report inventories/sample-agency/agency.yaml --year 2025 \
    --audits lab/run/audits --output-dir lab/run/report
echo "demo: the report is in lab/run/report/ (Markdown, HTML, DOCX)"
