#!/usr/bin/env bash
# System packages the tests use beyond Python, installed only when missing (`make test`
# runs this first):
#   postgresql  server binaries (initdb, pg_ctl) for the PostgreSQL backend tests,
#               tests/integration/backend/test_backend_postgres.py (skipped without them)
# Installs with apt-get as root or with password-less sudo; otherwise it prints what to
# install and exits 0, and so it does when the install fails: the tests then skip.
set -euo pipefail

have_postgres() {
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && return 0
  command -v initdb >/dev/null && command -v pg_ctl >/dev/null
}

if have_postgres; then
  exit 0
fi

advice="Install PostgreSQL's server binaries to run the PostgreSQL backend tests (skipped until then)"
if ! command -v apt-get >/dev/null; then
  echo "$advice: e.g. 'brew install postgresql' or your system's postgresql server package."
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "$advice: sudo apt-get install --no-install-recommends postgresql"
  exit 0
fi

echo "Installing Debian's postgresql package (server binaries for the PostgreSQL backend tests)"
apt=(${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get)
if "${apt[@]}" update -qq && "${apt[@]}" install -y -qq --no-install-recommends postgresql \
  >/dev/null; then
  have_postgres && exit 0
fi
echo "warning: could not install postgresql; the PostgreSQL backend tests will be skipped." >&2
echo "$advice: apt-get install --no-install-recommends postgresql" >&2
exit 0
