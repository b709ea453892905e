#!/usr/bin/env bash
# The protection step against EPRI's OpenDER (docs/protection.md): `v2g-adm protection respond` and OpenDER, set to
# the same IEEE 1547-2018 category, on step disturbances in every ride-through region of Categories I, II and III,
# onsets between samples, cycle periods 0.1 s and 1 s. OpenDER and its dependencies are pinned in
# Tests/peers/opender/requirements.txt and installed in a venv at .venv-opender. Prints "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib/python-checks.sh
python_venv .venv-opender Tests/peers/opender/requirements.txt

swift build --product v2g-adm
V2G_BIN_DIR="$(swift build --show-bin-path)"
export V2G_BIN_DIR

# The check bounds its own runs; the timeout is the backstop for a hung child.
run_python_checks .venv-opender 1800 "OpenDER" Tests/peers/opender/compare_protection.py
