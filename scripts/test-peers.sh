#!/usr/bin/env bash
# Interop with independent implementations (docs/interop.md): pysunspec2 and pymodbus for SunSpec,
# transformer-thermal-model for the IEC 60076-7 model, pinned in
# Tests/peers/sunspec/requirements.txt, in a venv at .venv-peers. Builds v2g-agent and v2g-sim (debug), runs every
# peer check and prints the summed "N passed, M failed". Loopback only. Needs ./scripts/install-deps.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib/python-checks.sh

python_venv .venv-peers Tests/peers/sunspec/requirements.txt
swift build --product v2g-agent
swift build --product v2g-sim
swift build --product v2g-adm
V2G_BIN_DIR="$(swift build --show-bin-path)"
export V2G_BIN_DIR

run_python_checks .venv-peers 300 "all peers" \
  Tests/peers/sunspec/check_interop.py \
  Tests/peers/interop/agent_reads_pymodbus.py \
  Tests/peers/interop/pysunspec2_reads_sim.py \
  Tests/peers/thermal/check_thermal.py
