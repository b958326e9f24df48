#!/usr/bin/env bash
# Install the output validators `make check-outputs` runs: Debian's Chromium (for axe-core),
# Java (for the Nu HTML Checker), qpdf and poppler-utils (pdffonts, pdfinfo, pdftotext), then
# the pinned npm packages into tools/checkers/node_modules (git-ignored). Never downloads a
# browser of its own: playwright-core drives /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/checkers"
missing=()
[ -x /usr/bin/chromium ] || missing+=("chromium")
command -v java >/dev/null || missing+=("default-jre-headless")
command -v qpdf >/dev/null || missing+=("qpdf")
command -v pdffonts >/dev/null || missing+=("poppler-utils")
command -v npm >/dev/null || missing+=("npm")
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing system packages: ${missing[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "check-outputs needs: ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts --silent
