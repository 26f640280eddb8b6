#!/usr/bin/env bash
# Set up everything infraaudit needs on a fresh Debian 12 machine.
# Idempotent: safe to run before every demo or test run.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(snmpd snmp python3-venv python3-gdbm lldpd iproute2 iputils-ping procps openssh-server openssh-client radvd dnsmasq-base iptables nftables cron postgresql chromium chromium-driver)

# cron is here only for its `crontab` command (the tests of `infraaudit schedule`), postgresql only
# for its binaries (the collector tests initdb a private cluster in a temporary folder, on
# loopback): their daemons must not run. Install them with a temporary policy-rc.d refusing to
# start any service, then disable them at boot (`systemctl disable` works without a running
# systemd too).
STOPPED=(cron postgresql)
install_stopped() {
    local policy=/usr/sbin/policy-rc.d made=false
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy"
        chmod 755 "$policy"
        made=true
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    if $made; then
        rm -f "$policy"
        trap - EXIT
    fi
    for service in "$@"; do
        if command -v systemctl >/dev/null; then
            systemctl disable "$service" >/dev/null 2>&1 || true
            if [ -d /run/systemd/system ]; then systemctl stop "$service" >/dev/null 2>&1 || true; fi
        else
            update-rc.d "$service" disable >/dev/null 2>&1 || true
        fi
    done
}

missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "bootstrap: installing system packages: ${missing[*]}"
        apt-get update -qq
        others=() stopped=()
        for p in "${missing[@]}"; do
            if [[ " ${STOPPED[*]} " == *" $p "* ]]; then stopped+=("$p"); else others+=("$p"); fi
        done
        if [ ${#others[@]} -gt 0 ]; then
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${others[@]}" >/dev/null
        fi
        if [ ${#stopped[@]} -gt 0 ]; then install_stopped "${stopped[@]}"; fi
    else
        echo "bootstrap: missing system packages: ${missing[*]}" >&2
        echo "bootstrap: run 'sudo apt-get install ${missing[*]}' and try again" >&2
        exit 1
    fi
fi
# The Debian packages enable services we never use: the lab starts its own agents (and its own
# radvd/dnsmasq inside namespaces; dnsmasq-base ships no service, the full dnsmasq package does).
if [ "$(id -u)" -eq 0 ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl disable --now snmpd lldpd radvd dnsmasq >/dev/null 2>&1 || true
fi

# Debian's python3 has gdbm (snmpsim's index needs it); fall back to whatever python3 is first.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
if [ ! -x .venv/bin/python ]; then
    echo "bootstrap: creating .venv with $PY"
    "$PY" -m venv .venv
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "bootstrap: installing Python packages into .venv"
    .venv/bin/pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
    .venv/bin/pip install -q -e '.[dev]' 2>&1 | grep -v "^WARNING: Location" || true
    # fake-switches pins an old Twisted it does not need: install it without its pins.
    .venv/bin/pip install -q --no-deps fake-switches==1.5.0 2>&1 | grep -v "^WARNING: Location" || true
    .venv/bin/python -c "import infraaudit, gufo.snmp, pysnmp, snmpsim" 
    touch "$stamp"
fi
