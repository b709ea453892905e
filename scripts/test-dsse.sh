#!/usr/bin/env bash
# DSSE interop both ways (docs/policy.md): an independent signer and verifier in Python (pyca/cryptography,
# pinned in Tests/peers/dsse/requirements.txt, in a venv at .venv-dsse) signs bundles and roots that
# `v2g-adm policy verify` must accept or refuse, and verifies bundles that `v2g-adm policy sign` writes.
# Builds v2g-adm (debug) and prints "N passed, M failed". No network beyond the pip install.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-dsse
requirements=Tests/peers/dsse/requirements.txt
. scripts/lib/python-venv.sh
python_venv "$venv" "$requirements"

swift build --product v2g-adm
V2G_BIN_DIR="$(swift build --show-bin-path)"
export V2G_BIN_DIR

log="$(mktemp)"
status=0
# The check bounds each command it runs; this is the backstop for a hung child.
timeout 600 "$venv/bin/python" Tests/peers/dsse/dsse_interop.py | tee "$log" || status=1
summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)"
rm -f "$log"
if [ -z "$summary" ]; then
  echo "Tests/peers/dsse/dsse_interop.py: ended without a summary line"
  echo "0 passed, 1 failed"
  exit 1
fi
exit "$status"
