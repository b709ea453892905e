# Sourced by test-peers.sh and test-rehearse.sh: Python checks in a venv, each printing its own "N passed, M failed".

# python_venv VENV REQUIREMENTS: creates VENV and installs the pinned REQUIREMENTS, again only when the pins changed.
python_venv() {
  local venv="$1" requirements="$2"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  if ! cmp -s "$requirements" "$venv/.installed-requirements.txt"; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/.installed-requirements.txt"
  fi
}

# run_python_checks VENV TIMEOUT_S TITLE CHECK...: runs each check with VENV's Python, sums their closing lines and
# prints "== TITLE" and the total "N passed, M failed"; returns non-zero when a check failed, hung or printed no total.
run_python_checks() {
  local venv="$1" limit="$2" title="$3"
  shift 3
  local passed=0 failed=0 status=0 check log summary p f
  for check in "$@"; do
    echo "== $check"
    log="$(mktemp)"
    # Each check bounds its own waits; this is the backstop for a hung child.
    if ! timeout "$limit" "$venv/bin/python" "$check" | tee "$log"; then
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
  echo "== $title"
  echo "$passed passed, $failed failed"
  [ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
}
