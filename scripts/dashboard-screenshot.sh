#!/usr/bin/env bash
# Takes the README's dashboard picture from a running neighborhood demo: headless Chromium, with the demo's operator
# certificate, opens https://127.0.0.1:PORT/dashboard, runs the same live checks as scripts/test-dashboard.sh and saves
# the page as OUT. Run it while ./scripts/demo.sh plays (20:30 simulated is about 3.5 minutes after "playing").
#   scripts/dashboard-screenshot.sh DEMO_WORK_DIR [OUT.png] [PORT]
# Needs root (the certificate-selection policy lives in /etc/chromium/policies/managed/, removed afterwards), chromium,
# libnss3-tools and .venv-dashboard (made by scripts/test-dashboard.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:?usage: scripts/dashboard-screenshot.sh DEMO_WORK_DIR [OUT.png] [PORT]}"
out="$(realpath -m "${2:-docs/images/dashboard.png}")"
port="${3:-16020}"
kit="$work/pki/kits/operator-ops"
[ -d "$kit" ] || { echo "dashboard-screenshot: no operator kit at $kit: give the folder the demo printed ('logs and reports')" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "dashboard-screenshot: needs root for /etc/chromium/policies/managed" >&2; exit 1; }
command -v chromium >/dev/null && command -v pk12util >/dev/null && [ -x .venv-dashboard/bin/python ] ||
  { echo "dashboard-screenshot: run scripts/test-dashboard.sh once first (chromium, libnss3-tools, .venv-dashboard)" >&2; exit 1; }
tmp="$(mktemp -d /tmp/v2g-shot.XXXXXX)"
policy=/etc/chromium/policies/managed/v2g-dashboard-screenshot.json
trap 'rm -rf "$tmp"; rm -f "$policy"' EXIT
echo "dashboard-screenshot" > "$tmp/password"
./provisioning/v2g-pki export-p12 --kit "$kit" --out "$tmp/operator.p12" --password-file "$tmp/password" >/dev/null 2>&1
export HOME="$tmp/home"
mkdir -p "$HOME/.pki/nssdb" "$(dirname "$policy")"
certutil -N -d "sql:$HOME/.pki/nssdb" --empty-password
pk12util -i "$tmp/operator.p12" -d "sql:$HOME/.pki/nssdb" -w "$tmp/password" >/dev/null
certutil -A -d "sql:$HOME/.pki/nssdb" -n "v2g deployment CA" -t "C,," -i "$work/pki/ca.crt"
python3 - "$port" > "$policy" <<'PY'
import json, sys
rule = {"pattern": f"https://127.0.0.1:{sys.argv[1]}", "filter": {"ISSUER": {"CN": "v2g-edge deployment CA"}}}
print(json.dumps({"AutoSelectCertificateForUrls": [json.dumps(rule)]}))
PY
timeout 300 .venv-dashboard/bin/python Tests/peers/dashboard/check_dashboard.py "https://127.0.0.1:$port/dashboard" \
  "$tmp/profile" "$out"
