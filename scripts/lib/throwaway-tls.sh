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

# signed_policy_for_agents WORK BIN AGENT...: the commissioning policy of each agent, signed as version 7 for that agent
# alone (its transformer's nameplate: WORK/agents/AGENT.policy.json from `v2g-sim run --neighborhood --policy`) with
# the policy key of WORK/trust (v2g-adm keys init) into WORK/agents/AGENT.bundle.json; each generated agent
# configuration, WORK/agents/AGENT.json, then names that bundle and WORK/trust/root.json: with a root of trust an
# agent takes only signed policy, and checks envelopes with it.
signed_policy_for_agents() {
  local work="$1" bin="$2"; shift 2
  local agent key
  key="$(ls "$work"/trust/keys/policy-*.pem | head -1)"
  for agent in "$@"; do
    "$bin/v2g-adm" policy sign --root "$work/trust/root.json" --policy "$work/agents/$agent.policy.json" --version 7 \
      --expires +180d --target "$agent" --key "$key" --out "$work/agents/$agent.bundle.json" >/dev/null || return 1
    python3 - "$work/agents/$agent.json" "$work/trust/root.json" "$work/agents/$agent.bundle.json" <<'PY' || return 1
import json, sys
path, root, bundle = sys.argv[1:4]
config = json.load(open(path))
config["trust"] = {"root_file": root}
config["policy_file"] = bundle
json.dump(config, open(path, "w"), indent=2)
PY
  done
}
