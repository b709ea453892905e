#!/usr/bin/env bash
# Drivers first, over whole nights (docs/simulator.md, "Rehearsal"): `v2g-sim rehearse` on evening-unbalanced,
# depot-overnight and pv-afternoon to their last departures, judged against the no-agent run and a perfect-foresight
# floor computed with scipy's LP (HiGHS, pinned in Tests/peers/rehearse/requirements.txt, venv at .venv-rehearse);
# then the stall test with real v2g-sim and v2g-agent processes on loopback. Prints the summed "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/python-checks.sh

python_venv .venv-rehearse Tests/peers/rehearse/requirements.txt
swift build --product v2g-agent
swift build --product v2g-sim
V2G_BIN_DIR="$(swift build --show-bin-path)"
export V2G_BIN_DIR

run_python_checks .venv-rehearse 3600 "all rehearsal checks" \
  Tests/peers/rehearse/check_rehearse.py \
  Tests/peers/rehearse/stall.py
