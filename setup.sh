#!/usr/bin/env bash
# Sets press up on a Debian machine: the Debian packages it needs (Ghostscript's CMYK profile for
# the print PDF's output intent; HarfBuzz-subset, WeasyPrint's fast and reproducible font
# subsetter; and python3-venv where Python cannot make a virtual environment), then press itself
# in a virtual environment, .venv, beside this file.
#
# A virtual environment, because Debian's own Python is "externally managed" (PEP 668): pip may
# not install into it. The same path serves a machine with a Python of its own (pyenv, a
# container's). Installs Debian packages with apt as root or through sudo; without either it
# says what to install and goes on. An argument names what to install (default: press itself;
# tests/run.sh asks for '.[test]').
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}

need=()
[ -f /usr/share/color/icc/ghostscript/default_cmyk.icc ] || need+=(libgs-common)
# ldconfig lives in /sbin, which a user's PATH may lack
"$(command -v ldconfig || echo /sbin/ldconfig)" -p 2>/dev/null | grep -q 'libharfbuzz-subset\.so\.0' || need+=(libharfbuzz-subset0)
# Debian splits venv's pip bootstrap (ensurepip) into python3-venv; other Pythons have it.
if [ ! -x .venv/bin/python ] && ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  need+=(python3-venv)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; else SUDO=none; fi
  if [ "$SUDO" = none ]; then
    echo "setup.sh: please install the Debian packages: ${need[*]}" >&2
  else
    echo "setup.sh: installing ${need[*]}..." >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys' >/dev/null 2>&1; then
  rm -rf .venv
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e "${1:-.}"
