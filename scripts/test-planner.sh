#!/usr/bin/env bash
# The mesh planner against an independent solver (docs/neighborhood.md, "How it is checked"): random neighborhoods
# planned by `v2g-adm dispatch plan --json`, rebuilt charger by charger and solved again with scipy (HiGHS LPs and
# SLSQP), pinned in Tests/peers/planner/requirements.txt, in a venv at .venv-planner. Prints "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/python-checks.sh

python_venv .venv-planner Tests/peers/planner/requirements.txt
swift build --product v2g-adm
V2G_BIN_DIR="$(swift build --show-bin-path)"
export V2G_BIN_DIR

run_python_checks .venv-planner 900 "planner against scipy" \
  Tests/peers/planner/check_planner.py
