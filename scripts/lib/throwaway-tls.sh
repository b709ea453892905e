# Sourced by demo.sh and test-e2e.sh: a throwaway deployment PKI (provisioning/v2g-pki), an aggregator
# configuration for 127.0.0.1 on it, and the agent's uplink section. Run from the repository root.

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
    "tls": {"ca_file": f"{pki}/ca.crt", "cert_file": f"{pki}/bundles/server-localhost/server.crt",
            "key_file": f"{pki}/bundles/server-localhost/server.key", "crl_file": f"{pki}/crl.pem"},
    # The simulated evening is dated 2025: keep its raw samples.
    "storage": {"path": f"{work}/aggregator.sqlite", "raw_retention_days": 3650, "aggregate_retention_days": 3650},
}, open(f"{work}/aggregator.json", "w"), indent=2)
PY
}

# throwaway_uplink WORK PORT AGENT_JSON [UPLINK_KEYS_JSON]: issues the certificate of AGENT_JSON's agent_id from
# WORK/pki (unless already issued) and writes its uplink section (the extra keys, e.g. {"batch_interval_s": 1}, are merged in).
throwaway_uplink() {
  local work="$1" port="$2" config="$3" extra="${4:-{\}}"
  local agent
  agent="$(python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['agent_id'])" "$config")" || return 1
  [ -s "$work/pki/agents/$agent.crt" ] ||
    ./provisioning/v2g-pki issue-agent --dir "$work/pki" --agent-id "$agent" >/dev/null 2>&1 || return 1
  python3 - "$work/pki" "$port" "$config" "$agent" "$extra" <<'PY'
import json, sys
pki, port, path, agent, extra = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
c = json.load(open(path))
c["uplink"] = {"base_url": f"https://127.0.0.1:{port}", "ca_file": f"{pki}/ca.crt",
               "cert_file": f"{pki}/agents/{agent}.crt", "key_file": f"{pki}/agents/{agent}.key", **extra}
json.dump(c, open(path, "w"), indent=2)
PY
}
