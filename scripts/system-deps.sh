#!/usr/bin/env bash
# Install the Debian/Ubuntu packages the app needs, only when missing.
#   scripts/system-deps.sh run    # what the app needs: WeasyPrint's libraries, Korean fonts
#   scripts/system-deps.sh test   # plus Chromium for browser tests and poppler-utils for PDF checks
set -euo pipefail

packages=(python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-nanum fonts-noto-cjk fontconfig)
if [ "${1:-run}" = "test" ]; then
  packages+=(chromium poppler-utils)
fi

if ! command -v dpkg >/dev/null 2>&1; then
  echo "system-deps: not a Debian/Ubuntu system; install these yourself: ${packages[*]}" >&2
  exit 0
fi

missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "system-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
