#!/usr/bin/env bash
# Drivers first, over whole nights (docs/simulator.md, "Rehearsal"): `v2g-sim rehearse` on evening-unbalanced,
# depot-overnight and pv-afternoon to their last departures, judged against the no-agent run and a perfect-foresight
# floor computed with scipy's LP (HiGHS, pinned in Tests/peers/rehearse/requirements.txt, venv at .venv-rehearse);
# then the stall test with real v2g-sim and v2g-agent processes on loopback. Prints the summed "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-rehearse
requirements=Tests/peers/rehearse/requirements.txt
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! cmp -s "$requirements" "$venv/.installed-requirements.txt"; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/.installed-requirements.txt"
fi

swift build --product v2g-agent
swift build --product v2g-sim
V2G_BIN_DIR="$(swift build --show-bin-path)"
export V2G_BIN_DIR

checks=(
  Tests/peers/rehearse/check_rehearse.py
  Tests/peers/rehearse/stall.py
)
passed=0
failed=0
status=0
for check in "${checks[@]}"; do
  echo "== $check"
  log="$(mktemp)"
  # Each check bounds its own waits; this is the backstop for a hung child.
  if ! timeout 3600 "$venv/bin/python" "$check" | tee "$log"; then
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

echo "== all rehearsal checks"
echo "$passed passed, $failed failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
  exit 1
fi
