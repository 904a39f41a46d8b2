#!/usr/bin/env bash
# `npm run demo`: the whole local stack from nothing. Installs dependencies if
# needed, starts PostgreSQL (the machine's) and a Kafka broker (from Maven
# Central's jars), builds a fresh demo database (migrations + prisma/fixtures/demo.json),
# runs the service, sends demo traffic through Kafka and prints the events
# that come back, then the availability of the demo's SKUs through the query API. The service is stopped gracefully at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib.sh

export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/inventory_demo}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
export HTTP_PORT="${HTTP_PORT:-8080}"
# The query API on loopback only, with a read token for the demo's availability question.
export API_HOST="${API_HOST:-127.0.0.1}"
export API_PORT="${API_PORT:-8081}"
export API_TOKENS="${API_TOKENS:-demo:demo-read-token-0123456789:read}"
export LOG_LEVEL="${LOG_LEVEL:-info}"
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
node dist/src/main.js > "$LOG_DIR/service.log" 2>&1 &
SERVICE_PID=$!
trap 'kill -TERM $SERVICE_PID 2>/dev/null; wait $SERVICE_PID 2>/dev/null || true' EXIT
wait_for_http "http://127.0.0.1:$HTTP_PORT/readyz" 90 || { tail -n 40 "$LOG_DIR/service.log"; exit 1; }

step "demo traffic"
node dist/src/cli.js demo

step "stock after the demo"
psql "$DATABASE_URL" -c "SELECT p.sku, w.code AS warehouse, l.aisle||'-'||l.bay||'-'||l.level||'-'||l.bin AS location,
  i.quantity_on_hand AS on_hand, i.quantity_reserved AS reserved, i.quantity_available AS available
  FROM inventory i JOIN product p USING (product_id) JOIN location l USING (location_id) JOIN warehouse w USING (warehouse_id)
  ORDER BY p.sku, w.code, location"
node dist/src/cli.js reconcile
