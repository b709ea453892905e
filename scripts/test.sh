#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine with Swift: system packages, build, then
#   0. the docs: links resolve, quoted paths exist, nothing cites text a reader cannot see,
#   1. the Swift suites (unit, property, integration over Modbus on loopback),
#   2. the independent peers (pysunspec2 and pymodbus, in a venv), and DSSE interop with pyca/cryptography,
#   3. the PKI against the openssl CLI and curl (mutual TLS on loopback),
#   4. kill -9 and restart of the agent process while offline,
#   5. end to end over mutual TLS: simulator, agent and aggregator processes, an aggregator outage and a kill -9,
#   6. whole nights rehearsed against a perfect-foresight floor (scipy in a venv), and the agent stalled by SIGSTOP,
#   7. a staged rollout of signed policy to 20 agent processes, each on its own simulated field, over mutual TLS: the
#      canary and uneven waves, a bundle that trips the canary reverted on probation and the rollout halted, restarts.
#   8. the neighborhood over real processes: four transformers and 44 chargers, a discharge goal met by the planner's
#      signed envelopes, a hot transformer shedding its share, the aggregator killed and every envelope lapsing;
#   9. the operator dashboard in a real headless chromium, with an operator's client certificate (needs root);
#  10. the Debian packages: release build, lintian, the units' sandbox, then install, upgrade, remove and purge in a
#      clean Debian 12 root made by debootstrap (needs root and the network; the base root is cached).
# Each part prints its own closing line; the last line sums them.
set -uo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh || exit 1
mkdir -p .build
passed=0
failed=0
recap=.build/test-recap.txt
: >"$recap"
# What failed, collected from each part's log, so the last lines of the run name it.
note_failures() {
  local name=$1 log=$2
  { echo "-- $name"; grep -E "^ *(FAIL|not ok)\b|✘ Test|Fatal error|error: .*failed|^ *[0-9]+ passed, [1-9][0-9]* failed" "$log" | head -20; } >>"$recap"
}

# Three runs. The cadence suite measures the daemon's own threads and timers, so it gets a test process whose
# cooperative pool no other suite is blocking. The aggregator's suites (each test a server with its SQLite stores)
# get one of their own: together with the Modbus suites they held over a thousand descriptors at once, and
# libmodbus's select() cannot take a descriptor above 1023.
cadence_suites="HungDeviceTests"
aggregator_suites="AggregatorServerTests\\.|AggregatorKitTests\\."
swift_run() {
  local name=$1; shift
  echo "== Swift tests ($name)"
  swift test "$@" 2>&1 | tee ".build/swift-test-$name.log"
  local status=${PIPESTATUS[0]}
  local line count issues
  # "Test run with 1 test in 1 suite passed", "… with 812 tests in 142 suites …": singular or plural.
  line=$(grep -E "Test run with [0-9]+ tests? " ".build/swift-test-$name.log" | tail -1)
  count=$(sed -E 's/.*Test run with ([0-9]+) tests? .*/\1/' <<<"$line")
  issues=$(sed -nE 's/.*with ([0-9]+) issues?\.?$/\1/p' <<<"$line")
  if [ "$status" -eq 0 ] && [ -n "$count" ]; then passed=$((passed + count)); else
    failed=$((failed + ${issues:-1}))
    local why="exit $status"; [ -n "$count" ] || why="$why, no \"Test run with N tests\" line"
    note_failures "Swift tests ($name), $why" ".build/swift-test-$name.log"
  fi
}
swift_run parallel --skip "$cadence_suites|$aggregator_suites"
swift_run aggregator --skip-build --filter "$aggregator_suites"
swift_run cadence --skip-build --filter "$cadence_suites"

for part in scripts/check-docs.py scripts/test-peers.sh scripts/test-planner.sh scripts/test-opender.sh scripts/test-dsse.sh scripts/test-provisioning.sh scripts/test-restart.sh scripts/test-e2e.sh scripts/test-rehearse.sh scripts/test-rollout.sh scripts/test-neighborhood.sh scripts/test-dashboard.sh scripts/test-packages.sh; do
  echo "== $part"
  "$part" 2>&1 | tee .build/part.log
  status=${PIPESTATUS[0]}
  summary=$(grep -E "^[0-9]+ passed, [0-9]+ failed" .build/part.log | tail -1)
  p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$summary")
  f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$summary")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [ "$status" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then failed=$((failed + 1)); fi
  if [ "$status" -ne 0 ] || [ "${f:-0}" -ne 0 ]; then note_failures "$part, exit $status" .build/part.log; fi
done

if [ -s "$recap" ]; then echo "== what failed"; cat "$recap"; fi
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
