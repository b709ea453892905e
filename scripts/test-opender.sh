#!/usr/bin/env bash
# The protection step against EPRI's OpenDER (docs/protection.md): `v2g-adm protection respond` and OpenDER, set to
# the same IEEE 1547-2018 category, on step disturbances in every ride-through region of Categories I, II and III,
# onsets between samples, cycle periods 0.1 s and 1 s. OpenDER and its dependencies are pinned in
# Tests/peers/opender/requirements.txt and installed in a venv at .venv-opender. Prints "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-opender
. scripts/lib/python-venv.sh
ensure_venv "$venv" Tests/peers/opender/requirements.txt

swift build --product v2g-adm
V2G_BIN_DIR="$(swift build --show-bin-path)"
export V2G_BIN_DIR

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
# The check bounds its own runs; this is the backstop for a hung child.
timeout 1800 "$venv/bin/python" Tests/peers/opender/compare_protection.py | tee "$log" || status=1
summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)"
if [ -z "$summary" ]; then
  echo "compare_protection.py ended without a summary line"
  echo "0 passed, 1 failed"
  exit 1
fi
exit "$status"
