# Shared by scripts/demo.sh, scripts/test.sh and .ci/run.

step() { printf '\n== %s\n' "$*"; }

# npm ci when node_modules is missing or older than the lock file; then the Prisma client.
ensure_dependencies() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    step "installing dependencies (npm ci)"
    npm ci --no-audit --no-fund
  fi
  [ -f src/generated/prisma/client.ts ] && [ src/generated/prisma/client.ts -nt prisma/schema.prisma ] || npm run -s generate
}

# The machine's PostgreSQL (environment.md): started when the machine starts; start it if it stopped.
ensure_postgres() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    step "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && return 0; sleep 1; done
    echo "PostgreSQL did not come up" >&2
    return 1
  fi
}

db_name() { local url="${1%%\?*}"; echo "${url##*/}"; }
admin_url() { local url="${1%%\?*}"; echo "${url%/*}/postgres"; }

wait_for_http() {
  local url=$1 seconds=$2
  for _ in $(seq 1 "$seconds"); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 1
  done
  echo "no answer from $url after ${seconds}s" >&2
  return 1
}

# The console's browser tests drive Debian's Chromium (playwright-core downloads no browser):
# installed when missing and this user may (root with apt-get, as on the project's machines).
ensure_chromium() {
  [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step "installing Chromium"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    echo "no Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium}: install Debian's chromium (or set CHROMIUM_PATH) for the console's browser tests" >&2
  fi
}
