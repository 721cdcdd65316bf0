#!/usr/bin/env bash
# schemathesis (PyPI, pinned, every wheel checked against its SHA-256) in a virtualenv cached
# outside git, for the API contract test. Offline once cached.
source "$(dirname "$0")/../lib/common.sh"
: "${SCHEMATHESIS_VERSION:=4.32.5}"
here="$(cd "$(dirname "$0")" && pwd)"
requirements="$here/schemathesis.requirements.txt"
venv="$VIDP_CACHE/schemathesis/$SCHEMATHESIS_VERSION"
stamp="$venv/.requirements-sha"
want=$(sha256sum "$requirements" | cut -d' ' -f1)
is311() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; }
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ ! -x "$venv/bin/python" ]; then
  # The hashes are of CPython 3.11 wheels.
  python=$(command -v python3 || true)
  is311 "$python" || python=$(command -v python3.11 || true)
  is311 "$python" || { log "schemathesis needs CPython 3.11 (python3 is $(python3 --version 2>&1))"; exit 1; }
  log "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
  # Made in place (a virtualenv cannot be moved); the stamp, written last, marks it complete.
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --require-hashes -r "$requirements" \
    || { rm -rf "$venv"; exit 1; }
  "$venv/bin/st" --version >/dev/null
  echo "$want" > "$stamp"
fi
ln -sfn "$venv/bin/st" "$VIDP_CACHE/bin/schemathesis"
