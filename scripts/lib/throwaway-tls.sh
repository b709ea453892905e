# Sourced by demo.sh and test-e2e.sh: a throwaway deployment PKI (provisioning/v2g-pki), an aggregator
# configuration for 127.0.0.1 on it, and the agent's uplink section (a file for v2g-sim run --agent-uplink). Run from the repository root.

# throwaway_aggregator WORK PORT: WORK/pki (CA + server certificate for localhost/127.0.0.1) and WORK/aggregator.json.
throwaway_aggregator() {
  local work="$1" port="$2"
  ./provisioning/v2g-pki init-ca --dir "$work/pki" >/dev/null 2>&1 &&
    ./provisioning/v2g-pki issue-server --dir "$work/pki" --name localhost --ip 127.0.0.1 >/dev/null 2>&1 || return 1
  python3 - "$work" "$port" <<'PY'
import json, sys
work, port = sys.argv[1], int(sys.argv[2])
pki = f"{work}/pki"
json.dump({
    "listen": {"host": "127.0.0.1", "port": port},
    "tls": {"ca_file": f"{pki}/ca.crt", "cert_file": f"{pki}/kits/server-localhost/server.crt",
            "key_file": f"{pki}/kits/server-localhost/server.key", "crl_file": f"{pki}/crl.pem"},
    # The simulated evening is dated 2025: keep its raw samples.
    "storage": {"path": f"{work}/aggregator.sqlite", "raw_retention_days": 3650, "aggregate_retention_days": 3650},
}, open(f"{work}/aggregator.json", "w"), indent=2)
PY
}

# throwaway_uplink WORK PORT AGENT_ID [EXTRA_KEYS]: issues AGENT_ID's certificate from WORK/pki (unless already issued)
# and writes WORK/uplink.json, the agent's uplink section for `v2g-sim run --agent-uplink` (EXTRA_KEYS are more
# members of that object, e.g. '"batch_interval_s": 1').
throwaway_uplink() {
  local work="$1" port="$2" agent="$3" extra="${4:-}"
  [ -s "$work/pki/agents/$agent.crt" ] ||
    ./provisioning/v2g-pki issue-agent --dir "$work/pki" --agent-id "$agent" >/dev/null 2>&1 || return 1
  cat > "$work/uplink.json" <<JSON
{"base_url": "https://127.0.0.1:$port", "ca_file": "$work/pki/ca.crt",
 "cert_file": "$work/pki/agents/$agent.crt", "key_file": "$work/pki/agents/$agent.key"${extra:+, $extra}}
JSON
}
