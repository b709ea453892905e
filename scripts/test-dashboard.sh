#!/usr/bin/env bash
# The operator dashboard in a real browser (docs/dashboard.md): a real v2g-aggregator fed by real v2g-agents
# regulating a v2g-sim neighborhood (neighborhood-pair: two transformers), opened in headless Chromium that presents
# an operator's client certificate (PKCS#12 from `v2g-pki export-p12`, imported into the profile's NSS database, and
# picked by the AutoSelectCertificateForUrls policy). Checks that frames keep arriving and the values drawn change,
# that an agent certificate is refused, and that the aggregator stops gracefully with the dashboard open.
# Keeps the screenshot at .build/dashboard-test/dashboard.png (the README's picture comes from the demo:
# scripts/dashboard-screenshot.sh). Needs root (the browser policy lives in /etc/chromium/policies/managed/) and installs
# chromium and libnss3-tools with apt-get when they are missing.
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0; failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed + 1)); else echo "FAIL $1"; failed=$((failed + 1)); fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

[ "$(id -u)" = 0 ] || { echo "FAIL test-dashboard.sh needs root for /etc/chromium/policies/managed"; failed=1; finish; }
if ! command -v chromium >/dev/null || ! command -v pk12util >/dev/null; then
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium libnss3-tools fonts-dejavu-core >/dev/null; } ||
    { echo "FAIL apt-get install chromium libnss3-tools"; failed=1; finish; }
fi
. scripts/lib/python-checks.sh
python_venv .venv-dashboard Tests/peers/dashboard/requirements.txt || { echo "FAIL venv (websocket-client)"; failed=1; finish; }
for product in v2g-sim v2g-agent v2g-aggregator; do swift build --product "$product" >/dev/null || { echo "FAIL swift build $product"; failed=1; finish; }; done
bin="$(swift build --show-bin-path)"
artifacts=.build/dashboard-test
mkdir -p "$artifacts"
work="$(mktemp -d /tmp/v2g-dashboard.XXXXXX)"
policy=/etc/chromium/policies/managed/v2g-dashboard-test.json
pids=()
aggregator=""
cleanup() {
  for p in "${pids[@]}" $aggregator; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -f "$policy"
  rm -rf "$work"
}
trap cleanup EXIT

# The deployment PKI, the aggregator, an operator and the agents' certificates.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
. scripts/lib/throwaway-tls.sh
throwaway_aggregator "$work" "$port" || { echo "FAIL v2g-pki"; failed=1; finish; }
pki="$work/pki"
./provisioning/v2g-pki issue-operator --dir "$pki" --name dash-ops >/dev/null 2>&1 || { echo "FAIL v2g-pki issue-operator"; failed=1; finish; }
agents="tx-a tx-b"
for agent in $agents; do ./provisioning/v2g-pki issue-agent --dir "$pki" --agent-id "$agent" >/dev/null 2>&1; done
operator_curl() { curl -s --cacert "$pki/ca.crt" --cert "$pki/kits/operator-dash-ops/operator.crt" --key "$pki/kits/operator-dash-ops/operator.key" "$@"; }

# The field: two transformers, one agent each, uploading every second (and posting state reports).
cat > "$work/uplink.json" <<JSON
{"base_url": "https://127.0.0.1:$port", "ca_file": "$pki/ca.crt",
 "cert_file": "$pki/agents/{agent_id}.crt", "key_file": "$pki/agents/{agent_id}.key", "batch_interval_s": 1}
JSON
"$bin/v2g-sim" run --neighborhood examples/scenarios/neighborhood-pair.json --base-port 0 --acceleration 10 \
  --agent-config-dir "$work/agents" --clock-file "$work/clock.json" --policy examples/policy/default.json \
  --cycle-period 2 --agent-uplink "$work/uplink.json" > "$work/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 1200); do grep -q "^playing" "$work/sim.log" 2>/dev/null && break; sleep 0.1; done
# The aggregator on the simulation's clock, as the agents run: the state reports' ages are then seconds, not months.
"$bin/v2g-aggregator" serve --config "$work/aggregator.json" --sim-clock "$work/clock.json" > "$work/aggregator.log" 2>&1 &
aggregator=$!
for _ in $(seq 1 100); do operator_curl -o /dev/null "https://127.0.0.1:$port/healthz" && break; sleep 0.2; done
for agent in $agents; do
  "$bin/v2g-agent" run --config "$work/agents/$agent.json" --sim-clock "$work/clock.json" --log-level warning 2> "$work/$agent.log" &
  pids+=($!)
done

check "an agent certificate gets 403 from the dashboard" \
  '[ "$(curl -s -o /dev/null -w "%{http_code}" --cacert "$pki/ca.crt" --cert "$pki/agents/tx-a.crt" --key "$pki/agents/tx-a.key" "https://127.0.0.1:$port/dashboard")" = 403 ]'
check "no client certificate: no TLS session" \
  '! curl -s -o /dev/null --cacert "$pki/ca.crt" "https://127.0.0.1:$port/dashboard"'
check "the operator's curl gets the page" \
  '[ "$(operator_curl -o /dev/null -w "%{http_code}" "https://127.0.0.1:$port/dashboard")" = 200 ]'

# The browser's identity: the operator's kit as PKCS#12, imported into the NSS database Chromium reads on Linux
# ($HOME/.pki/nssdb), the deployment CA trusted for TLS servers, and the policy that picks the certificate without
# the dialog a headless browser cannot show.
echo "dashboard-test" > "$work/p12-password"
./provisioning/v2g-pki export-p12 --kit "$pki/kits/operator-dash-ops" --out "$work/operator.p12" --password-file "$work/p12-password" 2>/dev/null
check "v2g-pki export-p12 writes the operator's PKCS#12" '[ -s "$work/operator.p12" ]'
export HOME="$work/home"
mkdir -p "$HOME/.pki/nssdb"
certutil -N -d "sql:$HOME/.pki/nssdb" --empty-password &&
  pk12util -i "$work/operator.p12" -d "sql:$HOME/.pki/nssdb" -w "$work/p12-password" >/dev/null &&
  certutil -A -d "sql:$HOME/.pki/nssdb" -n "v2g deployment CA" -t "C,," -i "$pki/ca.crt"
check "the operator certificate is in the browser's NSS database" 'certutil -L -d "sql:$HOME/.pki/nssdb" | grep -q "v2g operator dash-ops"'
mkdir -p "$(dirname "$policy")"
python3 - "$port" > "$policy" <<'PY'
import json, sys
rule = {"pattern": f"https://127.0.0.1:{sys.argv[1]}", "filter": {"ISSUER": {"CN": "v2g-edge deployment CA"}}}
print(json.dumps({"AutoSelectCertificateForUrls": [json.dumps(rule)]}))
PY

# Let the agents upload a few batches first, so the first frame already has both transformers.
sleep 6
timeout 300 .venv-dashboard/bin/python Tests/peers/dashboard/check_dashboard.py "https://127.0.0.1:$port/dashboard" "$work/profile" \
  "$artifacts/dashboard.png" | tee "$work/browser.txt" | grep -Ev '^[0-9]+ passed, [0-9]+ failed$'
summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$work/browser.txt" | tail -n 1)"
if [ -n "$summary" ]; then
  read -r p _ f _ <<<"$summary"
  passed=$((passed + p)); failed=$((failed + f))
else
  echo "FAIL the browser check ended without a summary"; failed=$((failed + 1))
fi

# Graceful stop with a dashboard stream open: the stream ends and the aggregator exits 0 within 15 s.
operator_curl -N --max-time 60 -o "$work/events.txt" "https://127.0.0.1:$port/v1/events" &
stream=$!
for _ in $(seq 1 50); do grep -q "^event: frame" "$work/events.txt" 2>/dev/null && break; sleep 0.2; done
check "a stream is open before the stop" 'grep -q "^event: frame" "$work/events.txt"'
kill -TERM "$aggregator"
stopped=1
for _ in $(seq 1 150); do kill -0 "$aggregator" 2>/dev/null || { wait "$aggregator"; stopped=$?; break; }; sleep 0.1; done
kill -9 "$aggregator" 2>/dev/null; aggregator=""
wait "$stream"; stream_status=$?
check "the aggregator stops gracefully with a dashboard stream open (exit 0)" '[ "$stopped" -eq 0 ]'
check "and the stream ends cleanly (curl exit 0)" '[ "$stream_status" -eq 0 ]'
if [ "$failed" -gt 0 ]; then
  echo "-- aggregator log (tail)"; tail -20 "$work/aggregator.log"; echo "-- chromium log (tail)"; tail -20 "$work/profile.log" 2>/dev/null
fi
finish
