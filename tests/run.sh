#!/usr/bin/env bash
# The whole test suite, from a fresh machine: runs setup.sh for press with its test extras (into
# .venv), installs a Java runtime for EPUBCheck (with apt, as root or through sudo) when none is
# there, then runs pytest from .venv.
# Extra arguments go to pytest, e.g. `bash tests/run.sh -k epub`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v java >/dev/null 2>&1; then
  echo "tests/run.sh: installing a Java runtime for EPUBCheck..." >&2
  SUDO=$([ "$(id -u)" -eq 0 ] || echo sudo)
  $SUDO apt-get update -qq
  # Slim Debian images lack the man folder that the JRE's post-install step writes into.
  $SUDO mkdir -p /usr/share/man/man1
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends default-jre-headless >/dev/null
fi

bash setup.sh '.[test]'
exec .venv/bin/python -m pytest "$@"
