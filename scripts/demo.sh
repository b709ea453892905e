#!/usr/bin/env bash
# The main job. Until the field simulator lands (issue 3), it replays the example snapshots
# through one control cycle each and prints what the agent would do and why.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
swift build --product v2g-agent
bin="$(swift build --show-bin-path)/v2g-agent"
for snapshot in examples/snapshots/*.json; do
  echo "=== $snapshot"
  "$bin" plan --snapshot "$snapshot" --policy examples/policy/default.json
  echo
done
