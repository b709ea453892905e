#!/usr/bin/env bash
# DSSE interop both ways (docs/policy.md): an independent signer and verifier in Python (pyca/cryptography,
# pinned in Tests/peers/dsse/requirements.txt, in a venv at .venv-dsse) signs bundles and roots that
# `v2g-adm policy verify` must accept or refuse, and verifies bundles that `v2g-adm policy sign` writes.
# Builds v2g-adm (debug) and prints "N passed, M failed". No network beyond the pip install.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib/python-checks.sh
python_venv .venv-dsse Tests/peers/dsse/requirements.txt

swift build --product v2g-adm
V2G_BIN_DIR="$(swift build --show-bin-path)"
export V2G_BIN_DIR

# The check bounds each command it runs; the timeout is the backstop for a hung child.
run_python_checks .venv-dsse 600 "DSSE interop" Tests/peers/dsse/dsse_interop.py
