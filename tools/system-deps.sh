#!/usr/bin/env bash
# Make sure the few system pieces pip cannot install are present: Python's venv module,
# Pango and HarfBuzz's subsetter (WeasyPrint lays text out and embeds fonts with them) and
# the NanumGothic font for Hangul. Installs them with apt-get when run as root on Debian or
# Ubuntu; otherwise says exactly what is missing.
set -euo pipefail
python=${1:-python3}
missing=()
"$python" -c 'import ensurepip, venv' 2>/dev/null || missing+=("python3-venv")
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' || missing+=("libpango-1.0-0" "libpangoft2-1.0-0")
# WeasyPrint subsets embedded fonts with HarfBuzz when it can (faster; required in future).
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so.0' || missing+=("libharfbuzz-subset0")
# Hangul for names and quotes in Korean: NanumGothic, pinned by path in the stylesheet.
[ -f /usr/share/fonts/truetype/nanum/NanumGothic.ttf ] || missing+=("fonts-nanum")
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing system packages: ${missing[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "briefing needs these system packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
