#!/usr/bin/env bash
# Installs the real peers and servers that the interop tests, scenario tests and benchmarks start:
# SIPp (sip-tester), baresip, linphonec, PostgreSQL, tshark, sngrep, sox, and Kamailio for the
# benchmarks. Debian packages only; idempotent (does nothing when everything is present).
set -euo pipefail
packages=(sip-tester baresip-core linphone-cli postgresql sox tshark sngrep kamailio)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-peers: all present (${packages[*]})"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-peers: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
echo 'wireshark-common wireshark-common/install-setuid boolean false' | $SUDO debconf-set-selections || true
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-peers: done"
