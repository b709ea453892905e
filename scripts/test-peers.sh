#!/usr/bin/env bash
# Interop with independent implementations (docs/interop.md): pysunspec2 and pymodbus for SunSpec,
# transformer-thermal-model for the IEC 60076-7 model, pinned in
# Tests/peers/sunspec/requirements.txt, in a venv at .venv-peers. Builds v2g-agent and v2g-sim (debug), runs every
# peer check and prints the summed "N passed, M failed". Loopback only. Needs ./scripts/install-deps.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-peers
requirements=Tests/peers/sunspec/requirements.txt
. scripts/lib/python-venv.sh
python_venv "$venv" "$requirements"

swift build --product v2g-agent
swift build --product v2g-sim
swift build --product v2g-adm
V2G_BIN_DIR="$(swift build --show-bin-path)"
export V2G_BIN_DIR

checks=(
  Tests/peers/sunspec/check_interop.py
  Tests/peers/interop/agent_reads_pymodbus.py
  Tests/peers/interop/pysunspec2_reads_sim.py
  Tests/peers/thermal/check_thermal.py
)
passed=0
failed=0
status=0
for check in "${checks[@]}"; do
  echo "== $check"
  log="$(mktemp)"
  # Each check bounds its own waits; this is the backstop for a hung child.
  if ! timeout 300 "$venv/bin/python" "$check" | tee "$log"; then
    status=1
  fi
  summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)"
  rm -f "$log"
  if [ -z "$summary" ]; then
    echo "$check: ended without a summary line"
    failed=$((failed + 1))
    status=1
    continue
  fi
  read -r p _ f _ <<<"$summary"
  passed=$((passed + p))
  failed=$((failed + f))
done

echo "== all peers"
echo "$passed passed, $failed failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
  exit 1
fi
