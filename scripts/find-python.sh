#!/usr/bin/env bash
# Prints the path of a Python 3.8-3.10 interpreter (Rasa 3.6 supports no other), preferring
# 3.10: pyenv's versions first (the project pins 3.10 in .python-version), then PATH.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 10) else 1)' 2>/dev/null; }
candidates=()
if [ -n "${PYTHON:-}" ]; then candidates+=("$PYTHON"); fi
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for v in 3.10 3.9 3.8; do
    for d in $(ls -d "$root"/versions/"$v".* 2>/dev/null | sort -V -r); do candidates+=("$d/bin/python"); done
  done
fi
for v in 3.10 3.9 3.8; do
  p=$(command -v "python$v" 2>/dev/null) && candidates+=("$p")
done
for c in "${candidates[@]}"; do
  if [ -x "$c" ] && ok "$c"; then echo "$c"; exit 0; fi
done
cat >&2 <<'MSG'
zhike needs Python 3.8, 3.9 or 3.10 (Rasa 3.6 supports no other), and none was found.
Install one, then run the make command again:
  with pyenv:   pyenv install 3.10
  on Debian:    apt-get install python3.10 python3.10-venv   (or build it with pyenv)
Or point to one:  make PYTHON=/path/to/python3.10 ...
MSG
exit 1
