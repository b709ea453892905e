#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine with Swift: system packages, build, tests.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
swift test
