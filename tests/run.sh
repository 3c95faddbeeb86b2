#!/usr/bin/env bash
# The whole test suite, from a fresh machine: runs setup.sh for press with its test extras (into
# .venv), installs a Java runtime for EPUBCheck and, for the web edition's browser tests, Debian's
# Chromium and npm (with apt, as root or through sudo) when they are not there, and axe-core from
# npm into a cache folder, then runs pytest from .venv.
# The browser tests fail when Chromium or axe-core cannot be had; PRESS_NO_BROWSER=1 says on
# purpose that this machine runs without them (they are then skipped, and say so).
# Extra arguments go to pytest, e.g. `bash tests/run.sh -k epub`.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=$([ "$(id -u)" -eq 0 ] || echo sudo)

if ! command -v java >/dev/null 2>&1; then
  echo "tests/run.sh: installing a Java runtime for EPUBCheck..." >&2
  $SUDO apt-get update -qq
  # Slim Debian images lack the man folder that the JRE's post-install step writes into.
  $SUDO mkdir -p /usr/share/man/man1
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends default-jre-headless >/dev/null
fi

if [ "${PRESS_NO_BROWSER:-}" != 1 ]; then
  need=()
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v npm >/dev/null 2>&1 || need+=(npm)
  if [ ${#need[@]} -gt 0 ]; then
    echo "tests/run.sh: installing ${need[*]} for the web edition's browser tests..." >&2
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
        -o DPkg::Lock::Timeout=300 --no-install-recommends "${need[@]}" >/dev/null; } \
      || echo "tests/run.sh: could not install ${need[*]}: the browser tests will fail" >&2
  fi
  # axe-core, injected into the pages by the tests; the version is pinned so results do not drift.
  AXE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/press/axe"
  export PRESS_AXE="$AXE_DIR/node_modules/axe-core/axe.min.js"
  if [ ! -f "$PRESS_AXE" ] && command -v npm >/dev/null 2>&1; then
    mkdir -p "$AXE_DIR"
    npm install --prefix "$AXE_DIR" --no-audit --no-fund --ignore-scripts --loglevel=error axe-core@4.14.1 >&2 \
      || echo "tests/run.sh: could not install axe-core: the browser tests will fail" >&2
  fi
fi

bash setup.sh '.[test]'
exec .venv/bin/python -m pytest "$@"
