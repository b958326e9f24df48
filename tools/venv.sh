#!/usr/bin/env bash
# Create or update a virtual environment from a lock file, one make at a time: the recipe of
# .venv/.installed (and of .venv-lab/.installed) in the Makefile.
#
#   tools/venv.sh PYTHON VENV REQUIREMENTS [INPUT...]
#
# PYTHON makes the venv (3.11 or newer); REQUIREMENTS is the lock file pip installs, then the
# package itself (editable); VENV/.installed is the stamp make checks, and the INPUTs are its
# prerequisites. Two makes started together in a fresh clone would otherwise both build
# VENV, and the second would run pip before the first had put pip there. Here the second
# waits on VENV/.lock, then finds the stamp newer than every input and has nothing to do.
# PIP_FLAGS (from make) are passed to every pip install.
set -euo pipefail
python=$1 venv=$2 requirements=$3
shift 3
stamp=$venv/.installed
read -r -a pip_flags <<<"${PIP_FLAGS-}"

# print a command as make would, then run it
run() {
  echo "$*"
  "$@"
}

# true when the stamp exists and no input is newer (make's own rule)
up_to_date() {
  [ -e "$stamp" ] || return 1
  local input
  for input in "$@"; do
    [ "$input" -nt "$stamp" ] && return 1
  done
  return 0
}

"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  { echo "briefing needs Python 3.11 or newer as $python" >&2; exit 1; }
mkdir -p "$venv"
exec 9>"$venv/.lock"
# flock(2) on descriptor 9, which this script keeps open, so the lock lasts until it exits
# (Python's fcntl rather than util-linux's flock(1), which macOS lacks)
"$python" -c 'import fcntl; fcntl.flock(9, fcntl.LOCK_EX)'
up_to_date "$@" && exit 0 # another make brought it up to date while this one waited

bash tools/system-deps.sh "$python"
# a venv without pip is one whose creation was interrupted: creating it again completes it
"$venv/bin/python" -m pip --version >/dev/null 2>&1 || run "$python" -m venv "$venv"
run "$venv/bin/python" -m pip install "${pip_flags[@]}" -r "$requirements"
run "$venv/bin/python" -m pip install "${pip_flags[@]}" --no-deps --no-build-isolation -e .
# byte-compile the package now: with PYTHONDONTWRITEBYTECODE set, every render (and its
# kernel) would otherwise compile it again
run "$venv/bin/python" -m compileall -q src/briefing
touch "$stamp"
