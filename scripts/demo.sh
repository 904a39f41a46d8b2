#!/usr/bin/env bash
# `npm run demo`: the whole local stack from nothing. Installs dependencies if
# needed, starts PostgreSQL (the machine's) and a Kafka broker (from Maven
# Central's jars), builds a fresh demo database (migrations + prisma/fixtures/demo.json),
# runs the service, sends demo traffic through Kafka and prints the events
# that come back and the availability of the demo's SKUs through the query
# API, then the operator console's address and a token to sign in with. The
# service is stopped gracefully at the end, or, with --keep-running, when you
# press Ctrl-C. The broker keeps running (it says how to stop it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib.sh

KEEP_RUNNING=0
for arg in "$@"; do
  case "$arg" in
    --keep-running) KEEP_RUNNING=1 ;;
    -h | --help) echo "usage: npm run demo [-- --keep-running]   (keep the service and its console running until Ctrl-C)"; exit 0 ;;
    *) echo "demo: unknown option $arg (the only one is --keep-running)" >&2; exit 2 ;;
  esac
done

export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/inventory_demo}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
export HTTP_PORT="${HTTP_PORT:-8080}"
export LOG_LEVEL="${LOG_LEVEL:-info}"
# The query API and the console: on this machine only, unless told otherwise.
export API_HOST="${API_HOST:-127.0.0.1}"
export API_PORT="${API_PORT:-8081}"
# A fresh write token per run (it can redrive dead letters), unless API_TOKENS is given.
if [[ -z "${API_TOKENS:-}" ]]; then
  DEMO_TOKEN="$(node -e "process.stdout.write(require('node:crypto').randomBytes(24).toString('base64url'))")"
  export API_TOKENS="demo:$DEMO_TOKEN:write"
fi
DEMO_TOKEN="${DEMO_TOKEN:-(one of your API_TOKENS)}"
LOG_DIR=.cache/demo
mkdir -p "$LOG_DIR"

ensure_dependencies
ensure_postgres
bash scripts/kafka-start.sh
npm run -s build

step "fresh demo database"
psql "$(admin_url "$DATABASE_URL")" -qc "DROP DATABASE IF EXISTS $(db_name "$DATABASE_URL") WITH (FORCE)"
node dist/src/cli.js migrate
node dist/src/cli.js import prisma/fixtures/demo.json

step "starting the service (log: $LOG_DIR/service.log)"
# Its own session: a Ctrl-C in this terminal reaches only this script, which then stops the service once, gracefully.
setsid node dist/src/main.js > "$LOG_DIR/service.log" 2>&1 &
SERVICE_PID=$!
goodbye() {
  kill -TERM "$SERVICE_PID" 2>/dev/null && echo "stopping the service ..."
  wait "$SERVICE_PID" 2>/dev/null || true
  step "what is still running"
  echo "The service is stopped. The Kafka broker keeps running on $KAFKA_BROKERS (tests and the next demo use it);"
  echo "stop it with:  bash scripts/kafka-stop.sh"
  echo "PostgreSQL is the machine's own and keeps running; the demo database $(db_name "$DATABASE_URL") stays until the next demo recreates it."
}
trap goodbye EXIT
wait_for_http "http://127.0.0.1:$HTTP_PORT/readyz" 90 || { tail -n 40 "$LOG_DIR/service.log"; exit 1; }

step "demo traffic"
node dist/src/cli.js demo

step "stock after the demo"
psql "$DATABASE_URL" -c "SELECT p.sku, w.code AS warehouse, l.aisle||'-'||l.bay||'-'||l.level||'-'||l.bin AS location,
  i.quantity_on_hand AS on_hand, i.quantity_reserved AS reserved, i.quantity_available AS available
  FROM inventory i JOIN product p USING (product_id) JOIN location l USING (location_id) JOIN warehouse w USING (warehouse_id)
  ORDER BY p.sku, w.code, location"
node dist/src/cli.js reconcile

step "operator console"
echo "Console:  http://$API_HOST:$API_PORT/console/"
echo "Token:    $DEMO_TOKEN"
echo "          (scope write: it can also redrive dead letters; it is valid while this demo's service runs)"
if [[ "$KEEP_RUNNING" == 1 ]]; then
  echo "The service keeps running for the console; press Ctrl-C to stop it."
  trap 'exit 0' INT TERM
  wait "$SERVICE_PID" || true
else
  echo "The service stops now; run  npm run demo -- --keep-running  to explore the console."
fi
