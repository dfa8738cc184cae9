#!/usr/bin/env bash
# System packages the tests use beyond Python, installed only when missing (`make test`
# runs this first):
#   postgresql  server binaries (initdb, pg_ctl) for the PostgreSQL backend tests,
#               tests/integration/servers/backend/test_backend_postgres.py (skipped without them)
#   chromium    the headless browser of the web chat widget tests,
#               tests/e2e/test_web_widget.py (Playwright drives Debian's chromium and never
#               downloads a browser; skipped without it)
#   rabbitmq-server  a throw-away RabbitMQ node for the analytics consumer's broker test,
#               tests/integration/analytics/test_rabbitmq.py (skipped without it)
# Installs with apt-get as root or with password-less sudo; otherwise it prints what to
# install and exits 0, and so it does when the install fails: the tests then skip.
set -euo pipefail

have_postgresql() {
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && return 0
  command -v initdb >/dev/null && command -v pg_ctl >/dev/null
}

have_chromium() {
  command -v chromium >/dev/null
}

have_rabbitmq-server() {
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || command -v rabbitmq-server >/dev/null
}

missing=()
have_postgresql || missing+=(postgresql)
have_chromium || missing+=(chromium)
have_rabbitmq-server || missing+=(rabbitmq-server)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

advice="Install ${missing[*]} to run the tests that need them (skipped until then)"
if ! command -v apt-get >/dev/null; then
  echo "$advice: your system's postgresql server package (e.g. 'brew install postgresql'),"
  echo "  rabbitmq-server and a browser installed as the 'chromium' command, as needed."
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "$advice: sudo apt-get install --no-install-recommends ${missing[*]}"
  exit 0
fi

echo "Installing Debian's ${missing[*]} (system packages the tests use)"
apt=(${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get)
if "${apt[@]}" update -qq; then
  for package in "${missing[@]}"; do
    # one at a time: a package this system lacks must not keep the other one out
    "${apt[@]}" install -y -qq --no-install-recommends "$package" >/dev/null || true
  done
fi
for package in "${missing[@]}"; do
  if ! "have_$package"; then
    echo "warning: could not install $package; the tests that need it will be skipped." >&2
    echo "  apt-get install --no-install-recommends $package" >&2
  fi
done
exit 0
