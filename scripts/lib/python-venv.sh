# Sourced by the peer test scripts. ensure_venv VENV REQUIREMENTS: creates the venv once, and installs the pinned
# requirements into it again only when the pins changed since the last install.
ensure_venv() {
  local venv="$1" requirements="$2"
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
  fi
  if ! cmp -s "$requirements" "$venv/.installed-requirements.txt"; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/.installed-requirements.txt"
  fi
}
