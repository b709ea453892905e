# Sourced by the Python peer checks. python_venv VENV REQUIREMENTS: creates VENV once, and installs the pinned
# REQUIREMENTS again only when they changed since the last install.
python_venv() {
  local venv="$1" requirements="$2"
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" || return 1
  fi
  if ! cmp -s "$requirements" "$venv/.installed-requirements.txt"; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" || return 1
    cp "$requirements" "$venv/.installed-requirements.txt"
  fi
}
