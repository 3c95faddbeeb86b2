#!/usr/bin/env bash
# Sets press up on a Debian machine with Python 3.11: the Debian packages the print PDF needs
# (Ghostscript's CMYK profile for the PDF/X output intent; HarfBuzz-subset, WeasyPrint's fast and
# reproducible font subsetter), then press itself. Installs with apt as root or through sudo;
# without either it says what to install and goes on.
set -euo pipefail
cd "$(dirname "$0")"

need=()
[ -f /usr/share/color/icc/ghostscript/default_cmyk.icc ] || need+=(libgs-common)
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset\.so\.0' || need+=(libharfbuzz-subset0)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; else SUDO=none; fi
  if [ "$SUDO" = none ]; then
    echo "setup.sh: please install the Debian packages: ${need[*]} (needed for the print PDF)" >&2
  else
    echo "setup.sh: installing ${need[*]}..." >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi

python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -e "${1:-.}"
